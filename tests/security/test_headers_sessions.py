"""Protective headers on every kind of answer, templates without inline script, cookie flags,
session fixation, idle and absolute timeouts, and rate limits that hold across workers."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from core.app import create_app
from core.auth import MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS, SESSION_COOKIE
from core.clock import set_offset
from core.settings import Settings
from core.testing import Kit, form_token, make_host

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "un-mot-de-passe-solide"


def _csp(answer) -> dict[str, str]:  # type: ignore[no-untyped-def]
    policy = answer.headers.get("content-security-policy", "")
    parts = (p.strip().split(None, 1) for p in policy.split(";") if p.strip())
    return {p[0]: (p[1] if len(p) > 1 else "") for p in parts}


def _check_headers(answer, where: str) -> None:  # type: ignore[no-untyped-def]
    csp = _csp(answer)
    script = csp.get("script-src", csp.get("default-src", ""))
    assert script, f"{where}: no script-src nor default-src in the CSP"
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, where
    assert csp.get("frame-ancestors") == "'none'", where
    assert csp.get("object-src") == "'none'", where
    assert answer.headers.get("x-content-type-options") == "nosniff", where
    assert answer.headers.get("referrer-policy") in ("same-origin", "no-referrer"), where


def test_every_kind_of_answer_carries_the_protective_headers(declic: Kit) -> None:
    org = declic.org("hdr")
    admin = declic.user(org, "admin")
    visitor = declic.client()
    signed_in = declic.client(admin)
    static = next(
        r.path + "/" for r in declic.app.routes if getattr(r, "path", "").startswith("/static/")
    )
    answers = {
        "login page": visitor.get("/login"),
        "signed-in page": signed_in.get(f"/o/{org.slug}/"),
        "refusal": visitor.post("/logout"),
        "not found": signed_in.get(f"/o/{org.slug}/courses/999999"),
        "redirect": visitor.get(f"/o/{org.slug}/"),
        "health check": visitor.get("/healthz"),
        "static folder": visitor.get(static + "nothing-here.css"),
    }
    for where, answer in answers.items():
        _check_headers(answer, where)


def test_signed_in_answers_are_not_stored_by_caches(declic: Kit) -> None:
    org = declic.org("cache")
    admin = declic.user(org, "admin")
    client = declic.client(admin)
    for url in (f"/o/{org.slug}/", "/account", f"/o/{org.slug}/admin/members", "/nope-404"):
        answer = client.get(url)
        if answer.status_code == 404 and url == "/nope-404":
            continue  # not a route: Starlette's own 404, no session read
        assert "no-store" in answer.headers.get("cache-control", ""), url


def _templates() -> list[Path]:
    folders = [ROOT / "core", ROOT / "plugins", ROOT / "themes", ROOT / "examples"]
    return [p for f in folders for p in f.rglob("*.html") if "templates" in p.parts]


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*\s(on[a-z]+)\s*=", re.IGNORECASE | re.DOTALL)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def template_problems(name: str, text: str) -> list[str]:
    problems = []
    if INLINE_SCRIPT.search(text):
        problems.append(f"{name}: inline <script> (the CSP blocks it: use a file in static/)")
    for match in EVENT_ATTRIBUTE.finditer(text):
        problems.append(f"{name}: {match.group(1)}= attribute (blocked by the CSP)")
    if JS_URL.search(text):
        problems.append(f"{name}: javascript: URL")
    return problems


def test_no_template_has_inline_script_or_event_attributes() -> None:
    templates = _templates()
    assert len(templates) > 50
    problems = [p for t in templates for p in template_problems(str(t), t.read_text())]
    assert not problems, "\n".join(problems)


def test_the_template_check_sees_inline_script() -> None:
    assert template_problems("t", "<script>alert(1)</script>")
    assert template_problems("t", '<button type="button" onclick="go()">')
    assert template_problems("t", '<a href="javascript:go()">')
    assert not template_problems("t", '<script src="/static/x.js" defer></script><p>one</p>')


def _sign_in(client: TestClient, login: str) -> object:
    page = client.get("/login")
    return client.post(
        "/login",
        data={"identifier": login, "password": PASSWORD, "csrf_token": form_token(page.text)},
    )


def _set_cookie_line(answer, name: str) -> str:  # type: ignore[no-untyped-def]
    lines = [v for k, v in answer.headers.multi_items() if k == "set-cookie"]
    found = [line for line in lines if line.startswith(name + "=")]
    assert found, f"no {name} cookie set; got {lines}"
    return found[-1]


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_session_cookie_flags(declic: Kit, scheme: str) -> None:
    org = declic.org(f"ck{scheme}")
    declic.user(org, "learner", login=f"cookie-{scheme}", password=PASSWORD)
    client = TestClient(declic.app, base_url=f"{scheme}://testserver", follow_redirects=False)
    answer = _sign_in(client, f"cookie-{scheme}")
    assert answer.status_code == 303  # type: ignore[attr-defined]
    line = _set_cookie_line(answer, SESSION_COOKIE).lower()
    assert "httponly" in line
    assert "samesite=lax" in line
    assert ("secure" in line.split(";")[1:].__str__()) == (scheme == "https"), line


def _cookie_value(answer, name: str) -> str:  # type: ignore[no-untyped-def]
    return _set_cookie_line(answer, name).split(";", 1)[0].split("=", 1)[1].strip('"')


def test_a_session_id_planted_before_sign_in_is_not_the_one_after(declic: Kit) -> None:
    org = declic.org("fix")
    declic.user(org, "learner", login="fixation", password=PASSWORD)
    victim = declic.client()
    planted = "attacker-chosen-session-id-0123456789abcdef"
    victim.cookies.set(SESSION_COOKIE, planted)
    answer = _sign_in(victim, "fixation")
    assert answer.status_code == 303  # type: ignore[attr-defined]
    after = _cookie_value(answer, SESSION_COOKIE)
    assert after and after != planted
    attacker = declic.client()
    attacker.cookies.set(SESSION_COOKIE, planted)
    assert attacker.get("/account").status_code == 303  # to the sign-in page
    owner = declic.client()
    owner.cookies.set(SESSION_COOKIE, after)
    assert owner.get("/account").status_code == 200
    # A second sign-in from a signed-in browser gets yet another id.
    again = _sign_in(owner, "fixation")
    assert again.status_code == 303  # type: ignore[attr-defined]
    assert _cookie_value(again, SESSION_COOKIE) not in (after, planted)


def test_idle_timeout(declic: Kit) -> None:
    org = declic.org("idle")
    user = declic.user(org, "learner")
    client = declic.client(user)
    idle = declic.state.session_policy.idle
    set_offset(idle - timedelta(minutes=2))
    assert client.get("/account").status_code == 200
    # Active just now: the idle time counts from the last request.
    set_offset(2 * idle - timedelta(minutes=3))
    assert client.get("/account").status_code == 200
    set_offset(3 * idle)
    answer = client.get("/account")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_absolute_timeout_even_when_active(declic: Kit) -> None:
    org = declic.org("abs")
    user = declic.user(org, "learner")
    client = declic.client(user)
    policy = declic.state.session_policy
    step = policy.idle - timedelta(minutes=5)
    moment = timedelta(0)
    while moment + step < policy.absolute:
        moment += step
        set_offset(moment)
        assert client.get("/account").status_code == 200, moment
    set_offset(policy.absolute + timedelta(minutes=1))
    answer = client.get("/account")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


# --- rate limits across worker processes (two applications, one database) ------------------------


@pytest.fixture
def second_app(declic_settings: Settings):  # type: ignore[no-untyped-def]
    app = create_app(declic_settings, make_host())
    yield Kit(app)
    app.state.declic.dispose()


def _alternate(kits: list[Kit], clients: list[TestClient], n: int, send) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        send(kits[i % 2], clients[i % 2])


def test_sign_in_limit_holds_across_workers(declic: Kit, second_app: Kit) -> None:
    org = declic.org("rl")
    declic.user(org, "learner", login="target", password=PASSWORD)
    kits = [declic, second_app]
    clients = [k.client() for k in kits]

    def wrong(kit: Kit, client: TestClient) -> None:
        answer = kit.post(client, "/login", {"identifier": "target", "password": "wrong"})
        assert answer.status_code == 200

    _alternate(kits, clients, MAX_FAILURES_PER_ACCOUNT, wrong)
    for kit, client in zip(kits, clients, strict=True):
        answer = kit.post(client, "/login", {"identifier": "target", "password": PASSWORD})
        assert answer.status_code == 429, "the right password must wait too, in both workers"


def test_login_code_limit_holds_across_workers(declic: Kit, second_app: Kit) -> None:
    kits = [declic, second_app]
    clients = [k.client() for k in kits]

    def wrong(kit: Kit, client: TestClient) -> None:
        assert kit.post(client, "/login/code", {"code": "ABCD-EFGH"}).status_code == 200

    _alternate(kits, clients, MAX_FAILURES_PER_ADDRESS, wrong)
    for kit, client in zip(kits, clients, strict=True):
        assert kit.post(client, "/login/code", {"code": "ABCD-EFGH"}).status_code == 429


def test_checkin_code_limit_holds_across_workers(declic: Kit, second_app: Kit) -> None:
    if "attendance" not in declic.state.host.names:
        pytest.skip("attendance is not installed")
    from plugins.attendance.views.checkin import MAX_WRONG_CODES

    org = declic.org("rlc")
    declic.enable(org, "attendance")
    learner = declic.user(org, "learner")
    kits = [declic, second_app]
    clients = [declic.client(learner), second_app.client()]
    clients[1].cookies.update(clients[0].cookies)
    url = f"/o/{org.slug}/attendance/checkin"

    def wrong(kit: Kit, client: TestClient) -> None:
        assert kit.post(client, url, {"code": "ZZZZ"}).status_code in (200, 400)

    _alternate(kits, clients, MAX_WRONG_CODES, wrong)
    for kit, client in zip(kits, clients, strict=True):
        assert kit.post(client, url, {"code": "ZZZZ"}).status_code == 429


def test_certificate_verification_limit_holds_across_workers(declic: Kit, second_app: Kit) -> None:
    if "certification" not in declic.state.host.names:
        pytest.skip("certification is not installed")
    from plugins.certification.views.verify import MAX_UNKNOWN_PER_ADDRESS

    org = declic.org("rlv")
    declic.enable(org, "certification")
    kits = [declic, second_app]
    clients = [k.client() for k in kits]
    url = f"/o/{org.slug}/certification/verify/ABCDEFGHJKMN"

    def unknown(kit: Kit, client: TestClient) -> None:
        assert client.get(url).status_code in (200, 404)

    _alternate(kits, clients, MAX_UNKNOWN_PER_ADDRESS, unknown)
    for client in clients:
        assert client.get(url).status_code == 429
