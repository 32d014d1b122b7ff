"""Login throttling: per account and per address, with a plain 429 and a wait time. Every test
runs on both stores: the database (the default) and Redis (``DECLIC_REDIS_URL``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from core import clock
from core.auth import (
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ADDRESS,
    record_attempt,
    throttle_wait,
)


@pytest.fixture(params=["database", "redis"])
def declic_settings(request, declic_settings):
    """The kit's settings, with the counters in Redis for the ``redis`` run."""
    if request.param == "database":
        return declic_settings
    redis = request.getfixturevalue("declic_redis")
    return replace(declic_settings, redis_url=redis.url, redis_prefix=redis.prefix)


@pytest.fixture
def moved_clock():
    try:
        yield clock.set_offset
    finally:
        clock.set_offset(timedelta(0))


def _login(declic, client, identifier, password):
    return declic.post(client, "/login", {"identifier": identifier, "password": password})


def test_sixth_try_on_an_account_is_refused_even_with_the_right_password(declic, moved_clock):
    org = declic.org("assoc")
    declic.user(org, "learner", login="amina", password="right password")
    client = declic.client()
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        assert _login(declic, client, "amina", "wrong").status_code == 200
    blocked = _login(declic, client, "amina", "right password")
    assert blocked.status_code == 429
    wait = int(blocked.headers["Retry-After"])
    assert 0 < wait <= 15 * 60 + 1
    assert "<h1" in blocked.text
    assert "amina" not in blocked.text.split("<main", 1)[-1]
    # Another account from another address is not blocked by it.
    assert _login(declic, declic.client(), "someone", "x").status_code == 200
    moved_clock(timedelta(seconds=wait + 1))
    assert _login(declic, client, "amina", "right password").status_code == 303


def test_account_throttle_ignores_case_of_the_login(declic, moved_clock):
    org = declic.org("assoc")
    declic.user(org, "learner", login="amina", password="right password")
    client = declic.client()
    for i in range(MAX_FAILURES_PER_ACCOUNT):
        _login(declic, client, "AMINA" if i % 2 else "amina", "wrong")
    assert _login(declic, client, "Amina", "right password").status_code == 429


def test_one_address_trying_many_accounts_is_throttled(declic, moved_clock):
    org = declic.org("assoc")
    declic.user(org, "learner", login="victim", password="right password")
    client = declic.client()
    # Earlier failures from this address on other accounts (recorded as the page records them;
    # each password check costs an argon2 hash, so the first ones are recorded directly).
    with declic.db() as db:
        for _ in range(MAX_FAILURES_PER_ADDRESS - 2):
            record_attempt(db, ["address:testclient"], succeeded=False)
    for i in range(2):
        assert _login(declic, client, f"guess{i}", "wrong").status_code == 200
    blocked = _login(declic, client, "victim", "right password")
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    # Blocking the address records nothing against the victim's account (a limit of one failure
    # would already make it wait).
    with declic.db() as db:
        assert throttle_wait(db, [("account:victim", 1)]) == 0
    moved_clock(timedelta(minutes=16))
    assert _login(declic, client, "victim", "right password").status_code == 303


def test_login_code_guessing_is_throttled_per_address(declic, moved_clock):
    declic.org("assoc")
    client = declic.client()
    for _ in range(MAX_FAILURES_PER_ADDRESS):
        assert declic.post(client, "/login/code", {"code": "AAAA-BBBB"}).status_code == 200
    blocked = declic.post(client, "/login/code", {"code": "AAAA-BBBB"})
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers


def test_a_sign_in_name_longer_than_the_key_column_is_throttled_like_any_other(declic):
    """What a visitor types can be longer than login_attempt.key (300 characters): the key is
    shortened the same way on every call, so the tries still count (and PostgreSQL does not
    refuse the row), and two long names that share their start do not share a counter."""
    client = declic.client()
    long_name = "x" * 400
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        assert _login(declic, client, long_name, "wrong").status_code == 200
    assert _login(declic, declic.client(), long_name, "wrong").status_code == 429
    other = "x" * 399 + "y"
    assert _login(declic, declic.client(), other, "wrong").status_code == 200
