"""A member of one organisation can neither read nor change anything of another: not by guessing
ids in their own organisation's URLs, not by using the other organisation's slug."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.auth import issue_login_code
from core.models import (
    AuditEvent,
    Course,
    Enrolment,
    Group,
    GroupMember,
    LoginCode,
    Membership,
    Organisation,
    Section,
    User,
    UserSession,
)

TABLES = (
    Organisation,
    User,
    Membership,
    Course,
    Section,
    Group,
    GroupMember,
    Enrolment,
    LoginCode,
    UserSession,
)


@pytest.fixture
def world(declic):
    """Two organisations, each with an admin, a trainer, a learner, a course with a section,
    a group and a login code."""
    built = {}
    for slug in ("a", "b"):
        org = declic.org(slug, name=f"Org {slug}")
        admin = declic.user(org, "admin", login=f"admin-{slug}")
        trainer = declic.user(org, "trainer", login=f"trainer-{slug}")
        learner = declic.user(
            org, "learner", login=f"learner-{slug}", display_name=f"Learner of {slug}"
        )
        course = declic.course(org, title=f"Course of {slug}", sections=1)
        declic.enrol(course, trainer, "trainer")
        declic.enrol(course, learner, "learner")
        with declic.db() as db:
            group = Group(organisation_id=org.id, course_id=course.id, name=f"Group of {slug}")
            db.add(group)
            db.flush()
            db.add(GroupMember(organisation_id=org.id, group_id=group.id, user_id=learner.id))
            issue_login_code(
                db, db.get(User, learner.id), org.id, None, declic.state.settings.secret_key
            )
            db.add(AuditEvent(organisation_id=org.id, action=f"secret.of.{slug}"))
            db.flush()
            ids = {
                "section": db.scalar(select(Section.id).where(Section.course_id == course.id)),
                "group": group.id,
                "enrolment": db.scalar(select(Enrolment.id).where(Enrolment.user_id == learner.id)),
                "membership": db.scalar(
                    select(Membership.id).where(Membership.user_id == learner.id)
                ),
                "code": db.scalar(select(LoginCode.id).where(LoginCode.user_id == learner.id)),
            }
        built[slug] = {
            "org": org,
            "admin": admin,
            "trainer": trainer,
            "learner": learner,
            "course": course,
            **ids,
        }
    return built


def snapshot(declic):
    with declic.db() as db:
        counts = {t.__name__: db.scalar(select(func.count()).select_from(t)) for t in TABLES}
        b_state = db.execute(
            select(Organisation.name, Organisation.colour, Organisation.logo).where(
                Organisation.slug == "b"
            )
        ).one()
        users = db.execute(
            select(User.login, User.display_name, User.active, User.password_hash)
        ).all()
        courses = db.execute(select(Course.title)).all()
        sections = db.execute(select(Section.title, Section.position, Section.starts_at)).all()
        groups = db.execute(select(Group.name)).all()
        codes = db.execute(select(LoginCode.id, LoginCode.revoked_at)).all()
        roles = db.execute(select(Membership.id, Membership.role)).all()
    return (
        counts,
        tuple(b_state),
        sorted(users),
        sorted(courses),
        sorted(sections, key=str),
        sorted(groups),
        sorted(codes, key=str),
        sorted(roles),
    )


def guessed_urls(b, slug):
    """Every page that touches one of organisation B's objects, under ``/o/{slug}``."""
    c = b["course"].id
    urls = {
        "get": [
            f"/o/{slug}/courses/{c}",
            f"/o/{slug}/admin/members/{b['membership']}",
            f"/o/{slug}/admin/courses/{c}/edit",
            f"/o/{slug}/admin/courses/{c}/delete",
            f"/o/{slug}/admin/courses/{c}/sections",
            f"/o/{slug}/admin/courses/{c}/sections/{b['section']}",
            f"/o/{slug}/admin/courses/{c}/groups",
            f"/o/{slug}/admin/courses/{c}/groups/{b['group']}",
            f"/o/{slug}/admin/courses/{c}/enrolments",
            f"/o/{slug}/admin/courses/{c}/login-codes",
        ],
        "post": [
            (
                f"/o/{slug}/admin/members/{b['membership']}",
                {"login": "pwned", "display_name": "P", "role": "admin", "password": "pwned pwned"},
            ),
            (f"/o/{slug}/admin/members/{b['membership']}/active", {"active": "0"}),
            (f"/o/{slug}/admin/members/{b['membership']}/end-sessions", {}),
            (f"/o/{slug}/admin/courses/{c}/edit", {"title": "pwned"}),
            (f"/o/{slug}/admin/courses/{c}/delete", {}),
            (f"/o/{slug}/admin/courses/{c}/sections", {"title": "pwned", "duration": "60"}),
            (
                f"/o/{slug}/admin/courses/{c}/sections/{b['section']}",
                {"title": "pwned", "duration": "60"},
            ),
            (f"/o/{slug}/admin/courses/{c}/sections/{b['section']}/move", {"direction": "down"}),
            (f"/o/{slug}/admin/courses/{c}/sections/{b['section']}/delete", {}),
            (f"/o/{slug}/admin/courses/{c}/groups", {"name": "pwned"}),
            (f"/o/{slug}/admin/courses/{c}/groups/{b['group']}", {"name": "pwned"}),
            (
                f"/o/{slug}/admin/courses/{c}/groups/{b['group']}/remove",
                {"user_id": str(b["learner"].id)},
            ),
            (f"/o/{slug}/admin/courses/{c}/groups/{b['group']}/delete", {}),
            (
                f"/o/{slug}/admin/courses/{c}/enrolments/add",
                {"user_id": [str(b["admin"].id)], "role": "learner"},
            ),
            (f"/o/{slug}/admin/courses/{c}/enrolments/{b['enrolment']}/remove", {}),
            (f"/o/{slug}/admin/courses/{c}/login-codes/print", {"user_id": [str(b["learner"].id)]}),
            (f"/o/{slug}/admin/courses/{c}/login-codes/{b['code']}/revoke", {}),
            (f"/o/{slug}/admin/login-codes/print", {"user_id": [str(b["learner"].id)]}),
            (f"/o/{slug}/admin/login-codes/{b['code']}/revoke", {}),
        ],
    }
    if slug == "b":  # under its own slug, branding is the member's own organisation's
        urls["post"].append(
            (
                f"/o/{slug}/admin/branding",
                {
                    "name": "pwned",
                    "colour": "#000000",
                    "theme": "default",
                    "default_language": "fr",
                },
            )
        )
    return urls


@pytest.mark.parametrize("role", ["admin", "trainer", "learner"])
@pytest.mark.parametrize("slug", ["a", "b"], ids=["own-slug-with-guessed-ids", "other-slug"])
def test_nothing_of_another_organisation_can_be_read_or_changed(declic, world, role, slug):
    a, b = world["a"], world["b"]
    client = declic.client(a[role])
    before = snapshot(declic)
    urls = guessed_urls(b, slug)
    for url in urls["get"]:
        response = client.get(url)
        assert response.status_code in (403, 404), (url, response.status_code)
        assert "Learner of b" not in response.text and "Group of b" not in response.text, url
    for url, data in urls["post"]:
        response = declic.post(client, url, data)
        assert response.status_code in (403, 404), (url, response.status_code)
    assert snapshot(declic) == before


@pytest.mark.parametrize("role", ["admin", "trainer", "learner"])
def test_the_other_organisations_lists_are_closed(declic, world, role):
    client = declic.client(world["a"][role])
    for url in (
        "/o/b/",
        "/o/b/admin/members",
        "/o/b/admin/courses",
        "/o/b/admin/audit",
        "/o/b/admin/login-codes",
        "/o/b/admin/branding",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Org b" not in response.text.split("<main", 1)[-1] or response.status_code == 403
        assert "secret.of.b" not in response.text and "Learner of b" not in response.text


def test_own_lists_show_nothing_of_the_other_organisation(declic, world):
    client = declic.client(world["a"]["admin"])
    for url in (
        "/o/a/",
        "/o/a/admin/members",
        "/o/a/admin/courses",
        "/o/a/admin/audit",
        "/o/a/admin/login-codes",
        f"/o/a/admin/courses/{world['a']['course'].id}/enrolments",
        f"/o/a/admin/courses/{world['a']['course'].id}/groups",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        for secret in ("Learner of b", "Course of b", "secret.of.b", "admin-b", "Group of b"):
            assert secret not in response.text, (url, secret)
    # And what is of A does show (so the check above can fail).
    assert "Learner of a" in client.get("/o/a/admin/members").text
    assert "secret.of.a" in client.get("/o/a/admin/audit").text


def test_unknown_organisation_is_a_404(declic, world):
    client = declic.client(world["a"]["admin"])
    assert client.get("/o/nowhere/").status_code == 404
    assert client.get("/o/nowhere/admin/members").status_code == 404
