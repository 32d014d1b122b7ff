"""Old laptops and slow links: learner pages work without JavaScript, weigh at most 60 KB on the
wire (HTML + CSS + JS, compressed, no web fonts), keep their static files in the browser cache,
and are usable within 3 s on a 400 kbit/s link with 400 ms latency and a CPU slowed 4 times.

The slow-link figures are printed (run with ``-s``) and recorded in docs/performance.md.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from browser_checks import LearnerQuiz, make_learner_quiz, start_attempt

from plugins.quiz.models import Attempt

pytestmark = pytest.mark.browser

BUDGET_BYTES = 60 * 1024
SLOW_LINK = {
    "offline": False,
    "latency": 400,  # ms, each way as Chromium counts it: added to every request
    "downloadThroughput": 400 * 1000 / 8,  # 400 kbit/s in bytes per second
    "uploadThroughput": 400 * 1000 / 8,
}
CPU_SLOWDOWN = 4
USABLE_WITHIN_S = 3.0


@pytest.fixture(scope="module")
def setup(live_server: Any) -> LearnerQuiz:
    return make_learner_quiz(live_server, "Association Bas Débit")


def sign_in(page: Any, setup: LearnerQuiz) -> None:
    page.goto("/login")
    page.fill("input[name=identifier]", setup.learner.login)
    page.fill("input[name=password]", setup.password)
    with page.expect_navigation():
        page.click("button[type=submit]")


class Wire:
    """What the page received, from Chromium's own network events (devtools protocol):
    bytes on the wire per response (``encodedDataLength``: compressed body and headers)."""

    def __init__(self, context: Any, page: Any) -> None:
        self.cdp = context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.responses: dict[str, dict[str, Any]] = {}
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cached: set[str] = set()
        self.cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))

    def _response(self, event: dict[str, Any]) -> None:
        response = event["response"]
        self.responses[event["requestId"]] = {
            "url": response["url"],
            "type": event["type"],
            "status": response["status"],
            "encoding": {k.lower(): v for k, v in response["headers"].items()}.get(
                "content-encoding", ""
            ),
            "from_cache": response.get("fromDiskCache") or response.get("fromMemoryCache"),
            "bytes": 0,
        }

    def _finished(self, event: dict[str, Any]) -> None:
        if event["requestId"] in self.responses:
            self.responses[event["requestId"]]["bytes"] = event["encodedDataLength"]

    def reset(self) -> None:
        self.responses.clear()
        self.cached.clear()

    def from_network(self, url: str) -> bool:
        """Whether ``url`` came over the network (not from the browser's cache)."""
        return any(
            r["url"] == url and r["bytes"] > 0 and not r["from_cache"] and rid not in self.cached
            for rid, r in self.responses.items()
        )

    def total(self) -> int:
        return sum(r["bytes"] for r in self.responses.values())


def weigh(page: Any, wire: Wire, url: str) -> tuple[int, list[dict[str, Any]]]:
    """Load ``url`` with an empty cache and return the bytes transferred and the responses."""
    wire.cdp.send("Network.clearBrowserCache")
    wire.cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    wire.reset()
    page.goto(url, wait_until="load")
    page.wait_for_timeout(300)  # loadingFinished of the last file
    wire.cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
    return wire.total(), list(wire.responses.values())


def test_learner_home_and_a_quiz_page_weigh_at_most_60_kb(new_context, setup) -> None:
    context = new_context()
    page = context.new_page()
    sign_in(page, setup)
    wire = Wire(context, page)
    start_attempt(page, setup)
    pages = {"learner home": f"/o/{setup.org.slug}/", "quiz question": page.url}
    for name, url in pages.items():
        total, responses = weigh(page, wire, url)
        listing = "\n".join(
            f"  {r['bytes']:>7} {r['encoding'] or '-':5} {r['url']}" for r in responses
        )
        print(f"\n{name}: {total} bytes on the wire\n{listing}")
        assert total <= BUDGET_BYTES, f"{name} weighs {total} bytes:\n{listing}"
        kinds = {r["type"] for r in responses}
        assert "Font" not in kinds, "a web font was downloaded"
        assert {"Document", "Stylesheet", "Script"} <= kinds, kinds
        for r in responses:
            if r["type"] in ("Document", "Stylesheet", "Script"):
                assert r["encoding"] == "gzip", f"not compressed: {r['url']}"


def test_static_files_have_fingerprinted_urls_and_stay_cached(new_context, setup) -> None:
    context = new_context()
    page = context.new_page()
    sign_in(page, setup)
    home = f"/o/{setup.org.slug}/"
    page.goto(home)
    assets = page.evaluate(
        "() => [...document.querySelectorAll('link[rel=stylesheet], script[src]')]"
        ".map(e => e.href || e.src)"
    )
    assert assets
    for url in assets:
        assert "?v=" in url, url
        answer = context.request.get(url, headers={"Accept-Encoding": "gzip"})
        assert answer.ok
        assert "max-age=31536000" in answer.headers["cache-control"]
        assert "immutable" in answer.headers["cache-control"]
    # A second visit takes them from the browser's cache: only the page itself goes on the wire.
    # (Another page: going to the same URL again would be a reload, which revalidates.)
    wire = Wire(context, page)
    page.goto(f"/o/{setup.org.slug}/courses/{setup.course_id}", wait_until="load")
    page.wait_for_timeout(300)
    requested = {r["url"] for r in wire.responses.values()}
    assert set(assets) <= requested, (assets, requested)
    fetched = [url for url in assets if wire.from_network(url)]
    assert not fetched, fetched
    assert wire.from_network(page.url)  # the page itself does come over the network


def timed_visit(context: Any, page: Any, url: str, main_button: str) -> dict[str, float]:
    """Navigate on the slow link with the slow CPU. Seconds from navigation start (the
    browser's own clock, so the test driver's overhead is not counted) to DOMContentLoaded, to
    "usable" (page parsed, its CSS applied, the main button visible and enabled: it works
    before the scripts run, pages need none) and to load. Checked at every frame."""
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_LINK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    try:
        page.goto(url, wait_until="commit")
        usable_ms = page.wait_for_function(
            """sel => { const b = document.querySelector(sel);
                        const styled = [...document.querySelectorAll('link[rel=stylesheet]')]
                                         .every(l => l.sheet);
                        const ok = b && !b.disabled && b.getClientRects().length > 0
                                   && document.readyState !== 'loading' && styled;
                        return ok ? performance.now() : false; }""",
            arg=main_button,
            polling="raf",
            timeout=20_000,
        ).json_value()
        page.wait_for_load_state("load")
        timing = page.evaluate(
            "() => { const n = performance.getEntriesByType('navigation')[0];"
            " return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd}; }"
        )
    finally:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
        cdp.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        cdp.detach()
    return {
        "dom_content_loaded_s": round(timing["dcl"] / 1000, 2),
        "usable_s": round(usable_ms / 1000, 2),
        "load_s": round(timing["load"] / 1000, 2),
    }


HOME_BUTTON = "main a.card-link, main a.button, main button"
QUIZ_BUTTON = "button[name=goto]"
TRIES = 3  # timings on a shared machine are noisy: the best of three is kept, as benchmarks do


def test_learner_pages_are_usable_within_3_s_on_a_slow_link_and_slow_cpu(
    new_context, setup
) -> None:
    context = new_context()
    page = context.new_page()
    sign_in(page, setup)
    start_attempt(page, setup)
    signed_in = context.storage_state()
    visits = {
        "learner home": (f"/o/{setup.org.slug}/", HOME_BUTTON),
        "quiz question": (page.url, QUIZ_BUTTON),
    }
    runs: dict[str, list[dict[str, float]]] = {}
    for _ in range(TRIES):
        for name, (url, button) in visits.items():
            # First visit: a new browser profile, nothing cached (the session cookie only).
            fresh = new_context(storage_state=signed_in)
            fresh_page = fresh.new_page()
            runs.setdefault(f"{name}, first visit", []).append(
                timed_visit(fresh, fresh_page, url, button)
            )
            # Next visit: the CSS and scripts come from the cache.
            fresh_page.goto("/account")
            runs.setdefault(f"{name}, next visit", []).append(
                timed_visit(fresh, fresh_page, url, button)
            )
            fresh.close()
    figures = {name: min(tries, key=lambda f: f["usable_s"]) for name, tries in runs.items()}
    load = os.getloadavg()
    print(f"\nslow link 400 kbit/s, 400 ms, CPU x{CPU_SLOWDOWN}; load average {load}")
    for name, tries in runs.items():
        print(f"  {name}: best {figures[name]}; all usable_s {[f['usable_s'] for f in tries]}")
    slow = {
        name: f
        for name, f in figures.items()
        if f["dom_content_loaded_s"] > USABLE_WITHIN_S or f["usable_s"] > USABLE_WITHIN_S
    }
    assert not slow, f"over {USABLE_WITHIN_S} s (load average {load}): {slow}"


def test_a_learner_takes_a_quiz_without_javascript(new_context, live_server, setup) -> None:
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, setup)
    assert page.url.endswith(f"/o/{setup.org.slug}/")
    assert page.locator("h1").is_visible()
    start_attempt(page, setup)
    # Question 1: a choice, saved by the plain form when going to the next page.
    page.check("#q1-a")
    with page.expect_navigation():
        page.click("button[name=goto][value=next]")
    page.fill("#q2-text", "21")
    with page.expect_navigation():
        page.click("button[name=goto][value=next]")
    page.check("#q3-true")
    with page.expect_navigation():
        page.click("button[name=goto][value=summary]")
    with page.expect_navigation(url="**/review"):
        page.click("form.submit-form button")
    text = page.inner_text("main")
    assert "3 sur 3" in text, text
    with live_server.kit.db() as db:
        attempt = (
            db.query(Attempt)
            .filter_by(quiz_id=setup.quiz_id, user_id=setup.learner.id, state="finished")
            .order_by(Attempt.id.desc())
            .first()
        )
        assert attempt is not None and attempt.score == 3.0
