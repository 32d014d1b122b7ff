"""Capabilities: refusals name what is missing in plain words; roles are bundles of
capabilities; an unknown organisation is a 404."""

from __future__ import annotations

import pytest
from markupsafe import escape

from core import i18n
from core.models import Course

PAGES = [
    ("/o/assoc/admin/members", "core:user.manage"),
    ("/o/assoc/admin/courses", "core:course.manage"),
    ("/o/assoc/admin/branding", "core:organisation.manage"),
    ("/o/assoc/admin/audit", "core:audit.view"),
    ("/o/assoc/admin/login-codes", "core:user.manage"),
]


@pytest.mark.parametrize(("url", "capability"), PAGES)
def test_a_learner_is_told_which_permission_is_missing(declic, url, capability):
    org = declic.org("assoc")
    learner = declic.user(org, "learner")
    response = declic.client(learner).get(url)
    assert response.status_code == 403
    i18n.set_language("fr")  # the organisation's language, as on the page
    words = str(declic.state.capabilities.describe(capability))
    assert words != capability
    assert str(escape(words)) in response.text
    assert capability not in response.text  # plain words, not the technical name


def test_the_refusal_is_in_french_by_default(declic):
    org = declic.org("assoc")
    learner = declic.user(org, "learner")
    response = declic.client(learner).get("/o/assoc/admin/members")
    assert response.status_code == 403
    assert 'lang="fr"' in response.text
    assert "permission" in response.text
    assert "You are not allowed" not in response.text


def test_no_capability_no_write(declic):
    org = declic.org("assoc")
    trainer = declic.user(org, "trainer")
    response = declic.post(declic.client(trainer), "/o/assoc/admin/courses/new", {"title": "X"})
    assert response.status_code == 403
    assert declic.count(Course) == 0


def test_unknown_organisation_is_a_404_for_everyone(declic):
    org = declic.org("assoc")
    admin = declic.user(org, "admin")
    assert declic.client(admin).get("/o/nowhere/").status_code == 404
    assert declic.client().get("/o/nowhere/logo").status_code == 404


def test_a_non_member_is_refused(declic):
    declic.org("assoc")
    stranger = declic.user(declic.org("other"), "admin")
    assert declic.client(stranger).get("/o/assoc/").status_code == 403


def test_platform_admin_reaches_any_organisation(declic):
    declic.org("assoc")
    root = declic.user(None, is_platform_admin=True)
    client = declic.client(root)
    assert client.get("/o/assoc/admin/members").status_code == 200
    assert client.get("/admin").status_code == 200


def test_roles_are_bundles_of_capabilities(declic):
    by_role = declic.state.capabilities.by_role
    assert "core:course.view" in by_role["learner"]
    assert "core:course.teach" not in by_role["learner"]
    assert "core:course.teach" in by_role["trainer"]
    assert "core:user.manage" not in by_role["trainer"]
    assert {c for c in by_role["trainer"] if c.startswith("core:")} <= by_role["admin"]
