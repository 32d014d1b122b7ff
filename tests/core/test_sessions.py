"""Server-side sessions: sign out everywhere, admin ends a user's sessions, idle timeout."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core import clock
from core.auth import SESSION_COOKIE
from core.models import Membership


@pytest.fixture
def moved_clock():
    try:
        yield clock.set_offset
    finally:
        clock.set_offset(timedelta(0))


def test_sign_out_everywhere_ends_every_session(declic):
    org = declic.org("assoc")
    me = declic.user(org, "learner")
    laptop, phone = declic.client(me), declic.client(me)
    assert phone.get("/o/assoc/").status_code == 200
    response = declic.post(laptop, "/account/sign-out-everywhere")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    for client in (laptop, phone):
        again = client.get("/o/assoc/")
        assert again.status_code == 303
        assert again.headers["location"].startswith("/login")


def test_sign_out_ends_only_this_session(declic):
    org = declic.org("assoc")
    me = declic.user(org, "learner")
    laptop, phone = declic.client(me), declic.client(me)
    declic.post(laptop, "/logout")
    assert laptop.get("/o/assoc/").status_code == 303
    assert phone.get("/o/assoc/").status_code == 200


def test_admin_ends_a_users_sessions(declic):
    org = declic.org("assoc")
    admin = declic.user(org, "admin")
    learner = declic.user(org, "learner")
    theirs = declic.client(learner)
    with declic.db() as db:
        mid = db.query(Membership).filter_by(user_id=learner.id).one().id
    declic.post(declic.client(admin), f"/o/assoc/admin/members/{mid}/end-sessions")
    assert theirs.get("/o/assoc/").headers["location"].startswith("/login")


def test_idle_session_times_out(declic, moved_clock):
    org = declic.org("assoc")
    me = declic.user(org, "learner")
    client = declic.client(me)
    idle = declic.state.session_policy.idle
    moved_clock(idle - timedelta(minutes=5))
    assert client.get("/o/assoc/").status_code == 200  # still alive, and touched
    moved_clock(idle * 2 - timedelta(minutes=10))
    assert client.get("/o/assoc/").status_code == 200  # touching kept it alive
    moved_clock(idle * 3)
    response = client.get("/o/assoc/")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_a_new_session_at_every_sign_in(declic):
    org = declic.org("assoc")
    declic.user(org, "learner", login="amina", password="right password")
    client = declic.client()
    declic.post(client, "/login", {"identifier": "amina", "password": "right password"})
    first = client.cookies.get(SESSION_COOKIE)
    declic.post(client, "/login", {"identifier": "amina", "password": "right password"})
    assert client.cookies.get(SESSION_COOKIE) != first


def test_session_cookie_is_httponly_and_lax(declic):
    org = declic.org("assoc")
    declic.user(org, "learner", login="amina", password="right password")
    response = declic.post(
        declic.client(), "/login", {"identifier": "amina", "password": "right password"}
    )
    cookie = next(
        v for k, v in response.headers.multi_items() if k == "set-cookie" and SESSION_COOKIE in v
    )
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
