"""Every core page, as the people who use it: one h1, a label for every field, table headers
with their scope, and a CSRF field in every POST form."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from core.auth import issue_login_code
from core.models import Group, Membership, Section, User

PARAM = re.compile(r"{(\w+)(?::\w+)?}")


class PageAudit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.h1 = 0
        self.label_for: set[str] = set()
        self.ids: set[str] = set()
        self.fields: list[dict[str, str | None]] = []
        self.th_without_scope = 0
        self.forms: list[dict[str, object]] = []
        self._form: dict[str, object] | None = None
        self._in_thead = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "h1":
            self.h1 += 1
        elif tag == "label" and a.get("for"):
            self.label_for.add(a["for"])
        elif tag in ("input", "select", "textarea"):
            if a.get("type") not in ("hidden", "submit", "button"):
                self.fields.append(a)
            if self._form is not None and a.get("name") == "csrf_token" and a.get("value"):
                self._form["csrf"] = True
        elif tag == "th" and "scope" not in a:
            self.th_without_scope += 1
        elif tag == "form":
            self._form = {
                "method": (a.get("method") or "get").lower(),
                "action": a.get("action"),
                "csrf": False,
            }
            self.forms.append(self._form)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def audit(html: str) -> PageAudit:
    parser = PageAudit()
    parser.feed(html)
    return parser


@pytest.fixture
def site(declic):
    org = declic.org("assoc")
    root = declic.user(org, "admin", login="root", is_platform_admin=True)
    learner = declic.user(org, "learner")
    course = declic.course(org, sections=2)
    declic.enrol(course, learner)
    with declic.db() as db:
        group = Group(organisation_id=org.id, course_id=course.id, name="G1")
        db.add(group)
        db.flush()
        issue_login_code(
            db, db.get(User, learner.id), org.id, None, declic.state.settings.secret_key
        )
        ids = {
            "org": "assoc",
            "course_id": course.id,
            "section_id": db.query(Section).filter_by(course_id=course.id).first().id,
            "group_id": group.id,
            "membership_id": db.query(Membership).filter_by(user_id=learner.id).one().id,
        }
    return declic.client(root), ids


def core_get_pages(declic, ids):
    for route in declic.app.state.declic.extra["route_defs"]:
        if route.plugin is not None or "GET" not in route.methods or route.access.public:
            continue
        names = PARAM.findall(route.path)
        if any(name not in ids for name in names):
            continue
        yield route.name, PARAM.sub(lambda m: str(ids[m.group(1)]), route.path)


def test_every_core_page_is_accessible(declic, site):
    client, ids = site
    seen = 0
    for name, url in core_get_pages(declic, ids):
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, (name, url, response.status_code)
        page = audit(response.text)
        assert page.h1 == 1, (name, "h1 count", page.h1)
        for field in page.fields:
            labelled = (
                field.get("id") in page.label_for
                or field.get("aria-labelledby")
                or field.get("aria-label")
            )
            assert labelled, (name, "field without label", field)
        assert page.th_without_scope == 0, (name, "th without scope")
        for form in page.forms:
            if form["method"] == "post":
                assert form["csrf"], (name, "POST form without CSRF field", form["action"])
        seen += 1
    assert seen >= 15


def test_the_sheet_of_codes_is_accessible(declic, site):
    client, ids = site
    learner_id = declic.reload(Membership, ids["membership_id"]).user_id
    response = declic.post(
        client,
        f"/o/assoc/admin/courses/{ids['course_id']}/login-codes/print",
        {"user_id": [str(learner_id)]},
    )
    page = audit(response.text)
    assert page.h1 == 1
    assert 'role="img"' in response.text and "<title>" in response.text


def test_public_pages_have_one_h1(declic):
    client = declic.client()
    for url in ("/login", "/login/code"):
        assert audit(client.get(url).text).h1 == 1, url
