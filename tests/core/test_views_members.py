"""Organisation admin, members: add, field errors, edit, switch off and on, end sessions."""

from __future__ import annotations

from core.models import AuditEvent, Membership, User, UserSession


def _admin(declic):
    org = declic.org("assoc")
    admin = declic.user(org, "admin", login="boss", language="en")
    return org, admin, declic.client(admin)


def test_add_a_learner_without_password(declic):
    org, _admin_user, client = _admin(declic)
    response = declic.post(
        client,
        "/o/assoc/admin/members/new",
        {
            "login": "Amina.B",
            "display_name": "Amina B.",
            "email": "",
            "language": "ar",
            "role": "learner",
        },
    )
    assert response.status_code == 303
    with declic.db() as db:
        user = db.query(User).filter_by(login="amina.b").one()
        assert user.password_hash is None
        assert user.email is None
        assert user.language == "ar"
        membership = db.query(Membership).filter_by(user_id=user.id).one()
        assert (membership.organisation_id, membership.role) == (org.id, "learner")
        assert db.query(AuditEvent).filter_by(action="member.added", target="amina.b").count() == 1
    listing = client.get("/o/assoc/admin/members")
    assert "Amina B." in listing.text


def test_add_with_password_lets_the_person_sign_in(declic):
    _org, _admin_user, client = _admin(declic)
    declic.post(
        client,
        "/o/assoc/admin/members/new",
        {"login": "karim", "display_name": "Karim", "password": "long enough", "role": "trainer"},
    )
    other = declic.client()
    response = declic.post(other, "/login", {"identifier": "karim", "password": "long enough"})
    assert response.status_code == 303


def test_invalid_form_comes_back_filled_with_errors_and_writes_nothing(declic):
    _org, _admin_user, client = _admin(declic)
    users, events = declic.count(User), declic.count(AuditEvent)
    response = declic.post(
        client,
        "/o/assoc/admin/members/new",
        {
            "login": "a b",
            "display_name": "",
            "email": "not-an-email",
            "password": "short",
            "role": "emperor",
            "language": "fr",
        },
    )
    assert response.status_code == 200
    html = response.text
    assert 'value="a b"' in html
    assert 'value="not-an-email"' in html
    for name in ("login", "display_name", "email", "password", "role"):
        assert f'id="e-{name}"' in html, name
        assert f'aria-describedby="e-{name}"' in html, name
    assert "short" not in html  # a password is never sent back
    assert declic.count(User) == users
    assert declic.count(AuditEvent) == events


def test_duplicate_login_is_a_field_error(declic):
    org, _admin_user, client = _admin(declic)
    declic.user(declic.org("elsewhere"), "learner", login="amina")
    users = declic.count(User)
    response = declic.post(
        client,
        "/o/assoc/admin/members/new",
        {"login": "AMINA", "display_name": "Amina", "role": "learner"},
    )
    assert response.status_code == 200
    assert 'id="e-login"' in response.text
    assert "already taken" in response.text
    assert declic.count(User) == users
    assert declic.count(Membership, organisation_id=org.id) == 1


def test_duplicate_email_is_a_field_error(declic):
    org, _admin_user, client = _admin(declic)
    declic.user(org, "learner", login="x1", email="x@example.org")
    response = declic.post(
        client,
        "/o/assoc/admin/members/new",
        {"login": "x2", "display_name": "X", "email": "X@example.org", "role": "learner"},
    )
    assert 'id="e-email"' in response.text
    assert declic.count(User, login="x2") == 0


def test_edit_a_member_and_change_the_role(declic):
    org, _admin_user, client = _admin(declic)
    person = declic.user(org, "learner", login="sam")
    with declic.db() as db:
        mid = db.query(Membership).filter_by(user_id=person.id).one().id
    page = client.get(f"/o/assoc/admin/members/{mid}")
    assert 'value="sam"' in page.text
    response = declic.post(
        client,
        f"/o/assoc/admin/members/{mid}",
        {
            "login": "sam",
            "display_name": "Samir",
            "email": "",
            "language": "",
            "role": "trainer",
            "password": "new password",
        },
    )
    assert response.status_code == 303
    user = declic.reload(User, person.id)
    assert user.display_name == "Samir"
    assert user.password_hash
    assert declic.reload(Membership, mid).role == "trainer"
    with declic.db() as db:
        event = db.query(AuditEvent).filter_by(action="member.edited").one()
        assert "trainer" in event.detail
        assert "new password" not in event.detail


def test_an_admin_cannot_change_their_own_role(declic):
    _org, admin, client = _admin(declic)
    with declic.db() as db:
        mid = db.query(Membership).filter_by(user_id=admin.id).one().id
    response = declic.post(
        client,
        f"/o/assoc/admin/members/{mid}",
        {"login": "boss", "display_name": "Boss", "role": "learner"},
    )
    assert response.status_code == 200
    assert 'id="e-role"' in response.text
    assert declic.reload(Membership, mid).role == "admin"


def test_switch_off_ends_sessions_and_blocks_sign_in_then_switch_on(declic):
    org, _admin_user, client = _admin(declic)
    person = declic.user(org, "learner", login="lina", password="password 1")
    their_client = declic.client(person)
    assert their_client.get("/o/assoc/").status_code == 200
    with declic.db() as db:
        mid = db.query(Membership).filter_by(user_id=person.id).one().id
    assert (
        declic.post(client, f"/o/assoc/admin/members/{mid}/active", {"active": "0"}).status_code
        == 303
    )
    assert declic.reload(User, person.id).active is False
    assert their_client.get("/o/assoc/").status_code == 303  # back to sign-in
    refused = declic.post(
        declic.client(), "/login", {"identifier": "lina", "password": "password 1"}
    )
    assert refused.status_code == 200
    assert (
        declic.post(client, f"/o/assoc/admin/members/{mid}/active", {"active": "1"}).status_code
        == 303
    )
    assert declic.reload(User, person.id).active is True
    assert declic.count(AuditEvent, action="member.deactivated") == 1
    assert declic.count(AuditEvent, action="member.reactivated") == 1


def test_an_account_shared_with_another_organisation_keeps_its_password(declic):
    org, _admin_user, client = _admin(declic)
    other = declic.org("other")
    person = declic.user(org, "learner", login="shared", password="original pw")
    with declic.db() as db:
        db.add(Membership(user_id=person.id, organisation_id=other.id, role="admin"))
    with declic.db() as db:
        mid = db.query(Membership).filter_by(user_id=person.id, organisation_id=org.id).one().id
    listing = client.get("/o/assoc/admin/members").text
    assert f"/admin/members/{mid}/active" not in listing  # no button that can only fail
    before = declic.reload(User, person.id).password_hash
    declic.post(
        client,
        f"/o/assoc/admin/members/{mid}",
        {"login": "hijack", "display_name": "X", "password": "attacker pw", "role": "learner"},
    )
    after = declic.reload(User, person.id)
    assert after.password_hash == before
    assert after.login == "shared"
    refused = declic.post(client, f"/o/assoc/admin/members/{mid}/active", {"active": "0"})
    assert refused.status_code == 403
    assert declic.reload(User, person.id).active is True


def test_admin_ends_a_members_sessions(declic):
    org, _admin_user, client = _admin(declic)
    person = declic.user(org, "learner")
    theirs = declic.client(person)
    with declic.db() as db:
        mid = db.query(Membership).filter_by(user_id=person.id).one().id
    assert declic.post(client, f"/o/assoc/admin/members/{mid}/end-sessions").status_code == 303
    assert theirs.get("/o/assoc/").headers["location"].startswith("/login")
    assert declic.count(UserSession, user_id=person.id, revoked_at=None) == 0
    assert declic.count(AuditEvent, action="member.sessions_ended") == 1


def test_trainer_cannot_manage_members(declic):
    org = declic.org("assoc")
    trainer = declic.user(org, "trainer", language="en")
    client = declic.client(trainer)
    users = declic.count(User)
    page = client.get("/o/assoc/admin/members")
    assert page.status_code == 403
    assert "Add, edit and remove members" in page.text
    response = declic.post(
        client, "/o/assoc/admin/members/new", {"login": "zz", "display_name": "Z", "role": "admin"}
    )
    assert response.status_code == 403
    assert declic.count(User) == users
