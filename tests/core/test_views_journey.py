"""Journey 1 through the real pages and their own CSRF tokens: the platform admin creates an
organisation and its admin; the admin adds a learner without a password, creates a course with
its workshops, enrols the learner and prints a login code; the learner signs in with the code and
finds the course."""

from __future__ import annotations

import re

from core.testing import form_token


def submit(client, page_url, action, data, files=None):
    """Open the page, take the CSRF token its form carries, post the form."""
    token = form_token(client.get(page_url).text)
    return client.post(action, data={"csrf_token": token, **data}, files=files)


def test_from_a_new_organisation_to_a_learner_signed_in_with_a_printed_code(declic):
    declic.user(None, login="root", password="root password 1", is_platform_admin=True)
    platform = declic.client()
    assert (
        submit(
            platform, "/login", "/login", {"identifier": "root", "password": "root password 1"}
        ).status_code
        == 303
    )
    created = submit(
        platform,
        "/admin/organisations/new",
        "/admin/organisations/new",
        {
            "name": "Assoc Lille",
            "slug": "lille",
            "default_language": "fr",
            "display_name": "Nadia",
            "login": "nadia",
            "email": "nadia@example.org",
            "password": "nadia password",
        },
    )
    assert created.status_code == 303

    admin = declic.client()
    assert (
        submit(
            admin,
            "/login",
            "/login",
            {"identifier": "nadia@example.org", "password": "nadia password"},
        ).status_code
        == 303
    )
    assert admin.get("/", follow_redirects=False).headers["location"] == "/o/lille/"
    added = submit(
        admin,
        "/o/lille/admin/members/new",
        "/o/lille/admin/members/new",
        {"login": "amina", "display_name": "Amina", "role": "learner", "language": "ar"},
    )
    assert added.status_code == 303
    course = submit(
        admin, "/o/lille/admin/courses/new", "/o/lille/admin/courses/new", {"title": "Clic'Emploi"}
    )
    sections_url = course.headers["location"]
    course_id = int(re.search(r"/courses/(\d+)/", sections_url).group(1))
    for number, title in enumerate(
        ("Prise en main", "Mon CV", "Messagerie", "Recherche d'emploi"), start=1
    ):
        response = submit(
            admin,
            sections_url,
            sections_url,
            {"title": title, "day": f"2026-03-0{number}", "hour": "09:30", "duration": "120"},
        )
        assert response.status_code == 303
    enrolments = f"/o/lille/admin/courses/{course_id}/enrolments"
    page = admin.get(enrolments).text
    amina_id = re.search(r'name="user_id" value="(\d+)"[^>]*><label for="u-\d+">Amina', page).group(
        1
    )
    assert (
        submit(
            admin, enrolments, enrolments + "/add", {"user_id": amina_id, "role": "learner"}
        ).status_code
        == 303
    )
    codes = f"/o/lille/admin/courses/{course_id}/login-codes"
    sheet = submit(admin, codes, codes + "/print", {"user_id": amina_id})
    code = re.search(r'<strong lang="en">([A-Z0-9-]{9})</strong>', sheet.text).group(1)

    learner = declic.client()
    qr_page = learner.get(f"/login/code?c={code.replace('-', '')}")
    token = form_token(qr_page.text)
    assert (
        learner.post("/login/code", data={"csrf_token": token, "code": code.lower()}).status_code
        == 303
    )
    home = learner.get("/", follow_redirects=True)
    assert 'dir="rtl"' in home.text  # her own language
    assert f"/o/lille/courses/{course_id}" in home.text
    course_page = learner.get(f"/o/lille/courses/{course_id}")
    assert course_page.text.index("Prise en main") < course_page.text.index("Recherche d")
    audit = admin.get("/o/lille/admin/audit").text
    for action in (
        "member.added",
        "course.created",
        "section.created",
        "enrolment.added",
        "logincode.issued",
    ):
        assert action in audit, action
