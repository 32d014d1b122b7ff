"""My account: my sessions, ending one of them, my language."""

from __future__ import annotations

from core.models import User, UserSession


def test_account_lists_my_live_sessions_and_ends_another_one(declic):
    org = declic.org("assoc")
    me = declic.user(org, "learner", language="en")
    here = declic.client(me)
    there = declic.client(me)
    other_person = declic.user(org, "learner")
    theirs = declic.client(other_person)
    page = here.get("/account")
    assert page.status_code == 200
    assert page.text.count("/end") == 1  # one other session listed, this one marked
    with declic.db() as db:
        sessions = db.query(UserSession).filter_by(user_id=me.id).order_by(UserSession.id).all()
        their_session = db.query(UserSession).filter_by(user_id=other_person.id).one()
    # Someone else's session id changes nothing.
    declic.post(here, f"/account/sessions/{their_session.id}/end")
    assert theirs.get("/o/assoc/").status_code == 200
    declic.post(here, f"/account/sessions/{sessions[1].id}/end")
    assert there.get("/o/assoc/").status_code == 303
    assert here.get("/o/assoc/").status_code == 200


def test_choosing_my_language_is_saved_on_my_account(declic):
    org = declic.org("assoc")
    me = declic.user(org, "learner")
    client = declic.client(me)
    response = declic.post(client, "/language", {"language": "ar", "next": "/account"})
    assert response.headers["location"] == "/account"
    assert declic.reload(User, me.id).language == "ar"
    page = client.get("/account")
    assert 'dir="rtl"' in page.text
    assert 'value="ar" checked' in page.text


def test_account_needs_sign_in(declic):
    response = declic.client().get("/account")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
