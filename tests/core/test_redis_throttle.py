"""Sign-in throttling counters in Redis (``DECLIC_REDIS_URL``): the same answers as the database
store, shared by every application on the same Redis and prefix, removed with the person, and a
plain 503 (never a 500, never throttling silently off) when Redis does not answer.

The pages' behaviour on both stores (429 and Retry-After, the sliding window, a success clearing
the account and not the address) is in test_throttling.py, which runs every test on each store.
"""

from __future__ import annotations

import random
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from core import clock
from core.app import create_app
from core.auth import (
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ADDRESS,
    SESSION_COOKIE,
    prune_attempts,
    record_attempt,
    throttle_wait,
)
from core.models import AuditEvent, LoginAttempt, User, UserSession
from core.privacy import PrivacyError, delete_user
from core.settings import Settings, SettingsError, load_settings
from core.testing import Kit, TestRedis, free_port, make_host
from core.throttle import (
    DATABASE_STORE,
    THROTTLE_WINDOW,
    DatabaseThrottleStore,
    RedisThrottleStore,
    store_for,
)

PASSWORD = "un-mot-de-passe-solide"


@pytest.fixture
def moved_clock() -> Iterator[object]:
    try:
        yield clock.set_offset
    finally:
        clock.set_offset(timedelta(0))


@pytest.fixture
def redis_app(declic_redis_settings: Settings) -> Iterator[Starlette]:
    """The test application (kit database, emptied) with its counters in the test's Redis."""
    from core.testing import empty_database

    app = create_app(declic_redis_settings, make_host())
    empty_database(app.state.declic.write_engine)
    yield app
    app.state.declic.dispose()


@pytest.fixture
def on_redis(redis_app: Starlette) -> Kit:
    return Kit(redis_app)


def _login(kit: Kit, client, identifier: str, password: str):  # type: ignore[no-untyped-def]
    return kit.post(client, "/login", {"identifier": identifier, "password": password})


# --- settings ---------------------------------------------------------------------------------


def test_redis_is_off_unless_configured_and_a_wrong_url_is_refused_clearly(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.delenv("DECLIC_REDIS_URL", raising=False)
    monkeypatch.delenv("DECLIC_REDIS_PREFIX", raising=False)
    settings = load_settings(data_dir=tmp_path)
    assert settings.redis_url is None and settings.redis_prefix == "declic:"
    monkeypatch.setenv("DECLIC_REDIS_URL", "  ")
    assert load_settings(data_dir=tmp_path).redis_url is None  # empty means off
    monkeypatch.setenv("DECLIC_REDIS_URL", "redis://cache.internal:6379/2")
    monkeypatch.setenv("DECLIC_REDIS_PREFIX", "nord:")
    settings = load_settings(data_dir=tmp_path)
    assert (settings.redis_url, settings.redis_prefix) == ("redis://cache.internal:6379/2", "nord:")
    monkeypatch.setenv("DECLIC_REDIS_URL", "http://admin:s3cret@cache.internal:6379")
    with pytest.raises(SettingsError, match="DECLIC_REDIS_URL must start with redis://") as err:
        load_settings(data_dir=tmp_path)
    assert "s3cret" not in str(err.value)  # the message never shows the URL's password
    monkeypatch.setenv("DECLIC_REDIS_URL", "redis://cache.internal:63790x/0")
    with pytest.raises(SettingsError, match="port that is not a number"):
        load_settings(data_dir=tmp_path)


def test_without_redis_the_database_keeps_the_counters(declic: Kit) -> None:
    assert declic.state.throttle is DATABASE_STORE
    with declic.db() as db:
        assert store_for(db) is DATABASE_STORE
        record_attempt(db, ["address:1.2.3.4"], succeeded=False)
    assert declic.count(LoginAttempt, key="address:1.2.3.4") == 1


# --- the same answers as the database ---------------------------------------------------------


class _FrozenDatetime(datetime):
    """``datetime`` for core.clock, whose ``now()`` stands still until moved: both stores then
    stamp a failure with the very same microsecond, and compute waits at the same moment."""

    moment = datetime(2030, 3, 4, 9, 0, 0, 123456, tzinfo=UTC)

    @classmethod
    def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
        return cls.moment


def test_redis_gives_the_same_waits_as_the_database_as_time_passes(
    declic: Kit, declic_redis: TestRedis, monkeypatch
) -> None:
    """Failures at random moments under a few keys, successes among them; at every step both
    stores must answer the same wait, to the second, for several limits."""
    monkeypatch.setattr(clock, "datetime", _FrozenDatetime)
    redis_store = RedisThrottleStore.from_url(declic_redis.url, declic_redis.prefix)
    database_store = DatabaseThrottleStore()
    rng = random.Random(20240611)
    keys = ["account:amina", "address:10.0.0.7", "code-address:10.0.0.7"]
    checked = waited = 0
    try:
        with declic.db() as db:
            for step in range(160):
                _FrozenDatetime.moment += timedelta(seconds=rng.choice([0.3, 1, 7.5, 30, 61, 200]))
                chosen = rng.sample(keys, rng.randint(1, 2))
                succeeded = rng.random() < 0.1
                for store in (database_store, redis_store):
                    store.record(db, chosen, succeeded)
                db.flush()
                limits = [(key, rng.choice([1, 3, 5, 20])) for key in keys]
                for pair in [limits, *([p] for p in limits)]:
                    expected = database_store.wait(db, pair)
                    assert redis_store.wait(db, pair) == expected, (step, pair)
                    checked += 1
                    waited += expected > 0
            # The window's edge: a failure exactly one window old no longer counts on either.
            _FrozenDatetime.moment += THROTTLE_WINDOW * 2
            for store in (database_store, redis_store):
                store.record(db, ["address:edge"], False)
            db.flush()
            _FrozenDatetime.moment += THROTTLE_WINDOW - timedelta(microseconds=1)
            assert database_store.wait(db, [("address:edge", 1)]) == 1
            assert redis_store.wait(db, [("address:edge", 1)]) == 1
            _FrozenDatetime.moment += timedelta(microseconds=1)
            assert database_store.wait(db, [("address:edge", 1)]) == 0
            assert redis_store.wait(db, [("address:edge", 1)]) == 0
            # Past the window, everything is forgotten on both.
            _FrozenDatetime.moment += THROTTLE_WINDOW + timedelta(seconds=1)
            assert database_store.wait(db, [(k, 1) for k in keys]) == 0
            assert redis_store.wait(db, [(k, 1) for k in keys]) == 0
    finally:
        redis_store.close()
    assert 0 < waited < checked  # the walk met both answers, "go ahead" and "wait"


def test_counters_live_in_redis_not_in_the_database(on_redis: Kit, declic_redis: TestRedis) -> None:
    org = on_redis.org("rd")
    on_redis.user(org, "learner", login="amina", password=PASSWORD)
    client = on_redis.client()
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        assert _login(on_redis, client, "amina", "wrong").status_code == 200
    blocked = _login(on_redis, client, "amina", PASSWORD)
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= THROTTLE_WINDOW.total_seconds() + 1
    assert on_redis.count(LoginAttempt) == 0
    prefix = declic_redis.prefix
    assert declic_redis.keys() == [
        f"{prefix}throttle:account:amina",
        f"{prefix}throttle:address:testclient",
    ]
    key = f"{prefix}throttle:account:amina"
    assert declic_redis.client.zcard(key) == MAX_FAILURES_PER_ACCOUNT
    # Garbage collection: the key goes by itself a little after the window.
    ttl = declic_redis.client.ttl(key)
    assert THROTTLE_WINDOW.total_seconds() < ttl <= THROTTLE_WINDOW.total_seconds() + 60


def test_a_success_clears_the_account_in_redis_but_not_the_address(
    on_redis: Kit, declic_redis: TestRedis
) -> None:
    org = on_redis.org("rs")
    on_redis.user(org, "learner", login="amina", password=PASSWORD)
    client = on_redis.client()
    for _ in range(MAX_FAILURES_PER_ACCOUNT - 1):
        assert _login(on_redis, client, "amina", "wrong").status_code == 200
    assert _login(on_redis, client, "amina", PASSWORD).status_code == 303
    prefix = declic_redis.prefix
    assert declic_redis.client.exists(f"{prefix}throttle:account:amina") == 0
    address = f"{prefix}throttle:address:testclient"
    assert declic_redis.client.zcard(address) == MAX_FAILURES_PER_ACCOUNT - 1  # successes uncounted
    # So the account takes a full series of failures again before it waits.
    for _ in range(MAX_FAILURES_PER_ACCOUNT - 1):
        _login(on_redis, on_redis.client(), "amina", "wrong")
    with on_redis.db() as db:
        assert throttle_wait(db, [("account:amina", MAX_FAILURES_PER_ACCOUNT)]) == 0
        assert throttle_wait(db, [("account:amina", MAX_FAILURES_PER_ACCOUNT - 1)]) > 0


def test_prune_is_nothing_to_do_on_redis(on_redis: Kit, declic_redis: TestRedis) -> None:
    with on_redis.db() as db:
        record_attempt(db, ["address:10.1.1.1"], succeeded=False)
        assert prune_attempts(db, clock.now() + timedelta(days=2)) == 0
        assert throttle_wait(db, [("address:10.1.1.1", 1)]) > 0


def test_a_limit_below_one_is_refused(on_redis: Kit) -> None:
    with on_redis.db() as db, pytest.raises(ValueError, match="at least 1"):
        throttle_wait(db, [("address:10.1.1.1", 0)])


# --- several applications on one Redis --------------------------------------------------------


def test_two_applications_on_one_redis_count_together(
    on_redis: Kit, declic_redis_settings: Settings, declic_redis: TestRedis
) -> None:
    """Two workers (two applications on the same settings): failures alternate between them and
    both refuse the next try; another platform on the same Redis (another prefix) is not
    affected."""
    second = create_app(declic_redis_settings, make_host())
    other_platform = create_app(
        replace(declic_redis_settings, redis_prefix=declic_redis.prefix + "other:"), make_host()
    )
    try:
        kits = [on_redis, Kit(second)]
        org = on_redis.org("two")
        on_redis.user(org, "learner", login="target", password=PASSWORD)
        clients = [k.client() for k in kits]
        for i in range(MAX_FAILURES_PER_ACCOUNT):
            answer = _login(kits[i % 2], clients[i % 2], "target", "wrong")
            assert answer.status_code == 200
        for kit, client in zip(kits, clients, strict=True):
            assert _login(kit, client, "target", PASSWORD).status_code == 429
        assert on_redis.count(LoginAttempt) == 0  # shared through Redis, not the database
        other = Kit(other_platform)
        assert _login(other, other.client(), "target", PASSWORD).status_code == 303
    finally:
        second.state.declic.dispose()
        other_platform.state.declic.dispose()


def test_login_code_limit_is_shared_through_redis(
    on_redis: Kit, declic_redis_settings: Settings
) -> None:
    second = create_app(declic_redis_settings, make_host())
    try:
        kits = [on_redis, Kit(second)]
        on_redis.org("codes")
        clients = [k.client() for k in kits]
        for i in range(MAX_FAILURES_PER_ADDRESS):
            kit = kits[i % 2]
            assert kit.post(clients[i % 2], "/login/code", {"code": "ABCD-EFGH"}).status_code == 200
        for kit, client in zip(kits, clients, strict=True):
            assert kit.post(client, "/login/code", {"code": "ABCD-EFGH"}).status_code == 429
    finally:
        second.state.declic.dispose()


# --- privacy ------------------------------------------------------------------------------------


def test_deleting_a_person_removes_their_counters_from_redis(
    on_redis: Kit, declic_redis: TestRedis
) -> None:
    org = on_redis.org("pv")
    amina = on_redis.user(org, "learner", login="Amina", email="Amina@Example.org")
    with on_redis.db() as db:
        record_attempt(db, ["account:amina", "address:10.0.0.9"], succeeded=False)
        record_attempt(db, ["account:amina@example.org"], succeeded=False)
        record_attempt(db, ["account:someone-else"], succeeded=False)
        # A row from before Redis was configured: it goes too.
        db.add(LoginAttempt(key="account:amina", succeeded=False))
    prefix = declic_redis.prefix
    with on_redis.db() as db:
        delete_user(on_redis.state.host, db, db.get_one(User, amina.id))
    assert declic_redis.keys() == [
        f"{prefix}throttle:account:someone-else",
        f"{prefix}throttle:address:10.0.0.9",  # an address is nobody's account
    ]
    assert on_redis.count(LoginAttempt, key="account:amina") == 0


# --- Redis down ---------------------------------------------------------------------------------


@pytest.fixture
def redis_down(declic_settings: Settings) -> Iterator[Kit]:
    """The application configured with a Redis on a port where nothing listens."""
    from core.testing import empty_database

    settings = replace(declic_settings, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    app = create_app(settings, make_host())
    empty_database(app.state.declic.write_engine)
    try:
        yield Kit(app)
    finally:
        app.state.declic.dispose()


def test_redis_down_gives_the_outage_page_and_writes_nothing(redis_down: Kit) -> None:
    org = redis_down.org("down")
    redis_down.user(org, "learner", login="amina", password=PASSWORD)
    client = redis_down.client()
    client.headers["accept-language"] = "en"
    token = redis_down.csrf(client)
    audit_before = redis_down.count(AuditEvent)
    started = time.monotonic()
    answer = client.post(
        "/login", data={"identifier": "amina", "password": PASSWORD, "csrf_token": token}
    )
    elapsed = time.monotonic() - started
    assert answer.status_code == 503
    assert "Please try again in a moment" in answer.text  # the page a database outage shows
    assert "Nothing was lost" in answer.text
    assert not answer.cookies.get(SESSION_COOKIE)
    assert elapsed < 5, f"a Redis that is down must fail fast, took {elapsed:.1f}s"
    # Nothing written: no session, no audit event, no attempt in the database instead.
    assert redis_down.count(UserSession) == 0
    assert redis_down.count(AuditEvent) == audit_before
    assert redis_down.count(LoginAttempt) == 0
    # The code sign-in too, and the htmx variant gets the message as a fragment.
    code = client.post(
        "/login/code",
        data={"code": "ABCD-EFGH", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert code.status_code == 503 and "Nothing was lost" in code.text
    # Pages that do not throttle still serve.
    assert client.get("/login").status_code == 200


def test_a_redis_that_accepts_but_never_answers_costs_two_seconds_at_most(
    declic_settings: Settings,
) -> None:
    """A hung Redis (or a lost network) must not hang the worker: 1 s read timeout, one retry."""
    from core.testing import empty_database

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # connections complete in the backlog; nothing ever answers
        port = silent.getsockname()[1]
        app = create_app(
            replace(declic_settings, redis_url=f"redis://127.0.0.1:{port}/0"), make_host()
        )
        empty_database(app.state.declic.write_engine)
        try:
            kit = Kit(app)
            kit.org("hung")
            client = kit.client()
            token = kit.csrf(client)
            started = time.monotonic()
            answer = client.post("/login/code", data={"code": "ABCD-EFGH", "csrf_token": token})
            elapsed = time.monotonic() - started
        finally:
            app.state.declic.dispose()
    assert answer.status_code == 503
    assert elapsed < 4, f"took {elapsed:.1f}s"


def test_redis_down_deletes_no_one(redis_down: Kit) -> None:
    org = redis_down.org("down2")
    amina = redis_down.user(org, "learner", login="amina")
    with redis_down.db() as db:
        with pytest.raises(PrivacyError, match="Redis"):
            delete_user(redis_down.state.host, db, db.get_one(User, amina.id))
        db.rollback()  # what `declic privacy delete` does on a PrivacyError
    with redis_down.db() as db:
        assert db.scalar(select(User.id).where(User.id == amina.id)) == amina.id
