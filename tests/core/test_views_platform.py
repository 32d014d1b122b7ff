"""Platform admin: organisations with member counts, a new organisation with its first admin."""

from __future__ import annotations

from core.models import AuditEvent, Membership, Organisation, User


def _platform(declic):
    root = declic.user(None, login="root", is_platform_admin=True, language="en")
    return declic.client(root)


def _form(**overrides):
    data = {
        "name": "Assoc Lille",
        "slug": "assoc-lille",
        "default_language": "fr",
        "display_name": "Nadia",
        "login": "nadia",
        "email": "",
        "password": "a good password",
    }
    data.update(overrides)
    return data


def test_list_organisations_with_member_counts(declic):
    org = declic.org("assoc", name="Assoc A")
    declic.user(org, "learner", display_name="Lina")
    declic.user(org, "admin", login="nadia", display_name="Nadia")
    page = _platform(declic).get("/admin")
    assert page.status_code == 200
    assert "Assoc A" in page.text
    assert "<td>2</td>" in page.text
    assert "Nadia (nadia)" in page.text
    assert "Lina" not in page.text


def test_create_an_organisation_with_its_admin_who_can_sign_in(declic):
    client = _platform(declic)
    response = declic.post(client, "/admin/organisations/new", _form())
    assert response.status_code == 303
    with declic.db() as db:
        org = db.query(Organisation).filter_by(slug="assoc-lille").one()
        nadia = db.query(User).filter_by(login="nadia").one()
        assert (
            db.query(Membership).filter_by(user_id=nadia.id, organisation_id=org.id).one().role
            == "admin"
        )
        assert db.query(AuditEvent).filter_by(action="organisation.created").count() == 1
    signed = declic.client()
    declic.post(signed, "/login", {"identifier": "nadia", "password": "a good password"})
    assert signed.get("/o/assoc-lille/admin/members").status_code == 200


def test_bad_and_duplicate_slug_are_field_errors(declic):
    declic.org("taken")
    client = _platform(declic)
    for slug in ("Bad Slug!", "-x", "a", "taken"):
        response = declic.post(client, "/admin/organisations/new", _form(slug=slug))
        assert response.status_code == 200
        assert 'id="e-slug"' in response.text, slug
        assert 'value="Assoc Lille"' in response.text
    assert declic.count(Organisation) == 1
    assert declic.count(User, login="nadia") == 0


def test_admin_login_taken_is_a_field_error_and_nothing_is_created(declic):
    declic.user(declic.org("x"), "learner", login="nadia")
    client = _platform(declic)
    response = declic.post(client, "/admin/organisations/new", _form(password=""))
    assert 'id="e-login"' in response.text
    assert 'id="e-password"' in response.text
    assert declic.count(Organisation, slug="assoc-lille") == 0


def test_organisation_admins_are_not_platform_admins(declic):
    org = declic.org("assoc")
    admin = declic.user(org, "admin")
    client = declic.client(admin)
    assert client.get("/admin").status_code == 403
    assert client.get("/admin/audit").status_code == 403
    assert declic.post(client, "/admin/organisations/new", _form()).status_code == 403
    assert declic.count(Organisation) == 1
