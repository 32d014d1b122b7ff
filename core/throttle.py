"""Sign-in throttling: failed tries counted per key over a sliding window, kept in the database
(the default: nothing to install) or in Redis when ``DECLIC_REDIS_URL`` is set.

A key names what is limited (``account:<login>``, ``address:<ip>``, or a plugin's own such as a
check-in code per learner); each caller passes the limit of each key. Both stores answer the same:
once a key has ``limit`` failures in the window, the wait is the time until the oldest of the last
``limit`` failures leaves it, plus one second (so a client that waits ``Retry-After`` gets in). A
success clears the failures of ``account:`` keys only: signing in to one's own account must not
reopen an address that was guessing other people's passwords.

The store travels with the database session, in ``Session.info["throttle"]`` (core/state.py puts
it in both session factories), so the public functions keep the ``db`` argument plugins already
pass. A session without one (a script, a plugin's own test session) uses the database.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core import i18n
from core.clock import now
from core.errors import ServiceUnavailable
from core.models import LoginAttempt

if TYPE_CHECKING:
    from redis import Redis
    from redis.client import Pipeline

    from core.settings import Settings

log = logging.getLogger("declic.throttle")

THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
ACCOUNT_PREFIX = "account:"
INFO_KEY = "throttle"

# Redis keys outlive their newest failure by this much, then Redis drops them by itself: the
# window decides what counts (by score), the expiry only collects garbage.
REDIS_EXPIRY_MARGIN = timedelta(minutes=1)
# A Redis that does not answer must cost a sign-in a second or two, not a hung worker: one
# connection try and one read of at most a second each, and one retry (a pooled connection may
# have been closed by a Redis restart; the retry opens a new one).
REDIS_CONNECT_TIMEOUT = 1.0
REDIS_READ_TIMEOUT = 1.0


class ThrottleStore(Protocol):
    """Where failures are counted. ``db`` is the request's session (the database store writes in
    its transaction; the Redis store ignores it)."""

    name: str

    def wait(self, db: Session, keys: Sequence[tuple[str, int]]) -> int:
        """Seconds to wait before another try (0: go ahead)."""
        ...

    def record(self, db: Session, keys: Sequence[str], succeeded: bool) -> None:
        """Count a failure under each key, or, on success, clear the ``account:`` keys."""
        ...

    def prune(self, db: Session, before: datetime) -> int:
        """Remove what was recorded before ``before``; returns how many entries went."""
        ...

    def forget(self, db: Session, keys: Sequence[str]) -> None:
        """Remove everything recorded under ``keys`` (a person's account is deleted)."""
        ...

    def close(self) -> None:
        """Release connections (the application is shutting down)."""
        ...


def _wait_after(oldest: datetime, moment: datetime) -> int:
    return int((oldest + THROTTLE_WINDOW - moment).total_seconds()) + 1


class DatabaseThrottleStore:
    """One ``login_attempt`` row per try, written in the request's transaction (so a request that
    fails records nothing); shared by every worker on the same database."""

    name = "database"

    def wait(self, db: Session, keys: Sequence[tuple[str, int]]) -> int:
        moment = now()
        since = moment - THROTTLE_WINDOW
        wait = 0
        for key, limit in keys:
            times = db.scalars(
                select(LoginAttempt.created_at)
                .where(
                    LoginAttempt.key == key,
                    LoginAttempt.succeeded.is_(False),
                    LoginAttempt.created_at > since,
                )
                .order_by(LoginAttempt.created_at.desc())
                .limit(limit)
            ).all()
            if len(times) >= limit:
                wait = max(wait, _wait_after(times[-1], moment))
        return wait

    def record(self, db: Session, keys: Sequence[str], succeeded: bool) -> None:
        for key in keys:
            db.add(LoginAttempt(key=key, succeeded=succeeded))
        if succeeded:
            account_keys = [k for k in keys if k.startswith(ACCOUNT_PREFIX)]
            if account_keys:
                db.execute(
                    delete(LoginAttempt).where(
                        LoginAttempt.key.in_(account_keys), LoginAttempt.succeeded.is_(False)
                    )
                )

    def prune(self, db: Session, before: datetime) -> int:
        result = db.execute(delete(LoginAttempt).where(LoginAttempt.created_at < before))
        return int(getattr(result, "rowcount", 0) or 0)

    def forget(self, db: Session, keys: Sequence[str]) -> None:
        if keys:
            db.execute(delete(LoginAttempt).where(LoginAttempt.key.in_(list(keys))))

    def close(self) -> None:
        pass


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _score(moment: datetime) -> int:
    # Whole microseconds since the epoch: exact in a Redis score (a double holds integers up to
    # 2**53, microseconds reach that in the year 2255), and as precise as the database column.
    return (moment - _EPOCH) // timedelta(microseconds=1)


class RedisThrottleStore:
    """One sorted set per key (``<prefix>throttle:<key>``) holding the failures, each scored
    with its time from ``core.clock.now()`` (not Redis's TIME, so tests that move the platform's
    clock move throttling too). Every call is one MULTI/EXEC round trip. Successes are not
    stored: only failures count."""

    name = "redis"

    def __init__(self, client: Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    @classmethod
    def from_url(cls, url: str, prefix: str) -> RedisThrottleStore:
        # Imported here: a laptop install without Redis configured does not pay for the import.
        from redis import Redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        client = Redis.from_url(
            url,
            socket_connect_timeout=REDIS_CONNECT_TIMEOUT,
            socket_timeout=REDIS_READ_TIMEOUT,
            retry=Retry(NoBackoff(), 1),
        )
        return cls(client, prefix)

    def key(self, key: str) -> str:
        return f"{self.prefix}throttle:{key}"

    def _execute(self, pipe: Pipeline) -> list[Any]:
        from redis.exceptions import RedisError

        try:
            return list(pipe.execute())
        except RedisError as exc:
            # Never "throttling off": without its counters a sign-in cannot be judged, so the
            # request is refused like any other request whose storage is down (a 503; the
            # request's database work is rolled back).
            log.error("throttling store unavailable (Redis): %s", exc)
            raise ThrottleUnavailable(
                i18n.gettext("The server is busy. Nothing was lost: please try again in a moment.")
            ) from exc
        finally:
            pipe.reset()

    def wait(self, db: Session, keys: Sequence[tuple[str, int]]) -> int:
        if not keys:
            return 0
        moment = now()
        pipe = self.client.pipeline(transaction=True)
        for key, limit in keys:
            name = self.key(key)
            # Failures at or before the window's start no longer count (the database keeps
            # those strictly after it): drop them, then read the newest ``limit``.
            pipe.zremrangebyscore(name, "-inf", _score(moment - THROTTLE_WINDOW))
            pipe.zrange(name, 0, limit - 1, desc=True, withscores=True)
        replies = self._execute(pipe)
        wait = 0
        for (_key, limit), newest in zip(keys, replies[1::2], strict=True):
            if len(newest) >= limit:
                oldest = _EPOCH + timedelta(microseconds=int(newest[-1][1]))
                wait = max(wait, _wait_after(oldest, moment))
        return wait

    def record(self, db: Session, keys: Sequence[str], succeeded: bool) -> None:
        if succeeded:
            account_keys = [self.key(k) for k in keys if k.startswith(ACCOUNT_PREFIX)]
            if account_keys:
                pipe = self.client.pipeline(transaction=True)
                pipe.delete(*account_keys)
                self._execute(pipe)
            return
        if not keys:
            return
        score = _score(now())
        # A member unique to this failure, chosen before sending: two failures in the same
        # microsecond both count, and a retried MULTI adds the same member again (no double
        # count when the first EXEC ran but its answer was lost).
        member = f"{score}:{secrets.token_hex(6)}"
        ttl = THROTTLE_WINDOW + REDIS_EXPIRY_MARGIN
        pipe = self.client.pipeline(transaction=True)
        for key in keys:
            name = self.key(key)
            pipe.zadd(name, {member: score})
            pipe.expire(name, ttl)
        self._execute(pipe)

    def prune(self, db: Session, before: datetime) -> int:
        # Every key expires by itself a minute after the window of its newest failure.
        return 0

    def forget(self, db: Session, keys: Sequence[str]) -> None:
        if not keys:
            return
        pipe = self.client.pipeline(transaction=True)
        pipe.delete(*(self.key(k) for k in keys))
        self._execute(pipe)

    def close(self) -> None:
        self.client.close()


class ThrottleUnavailable(ServiceUnavailable):
    """The throttling store (Redis) did not answer: the request gets the outage page."""


DATABASE_STORE = DatabaseThrottleStore()


def make_throttle_store(settings: Settings) -> ThrottleStore:
    """Redis when ``DECLIC_REDIS_URL`` is set, else the database. Nothing connects yet: a Redis
    that is down at start-up refuses sign-ins (503) until it is back, and the rest serves."""
    if settings.redis_url:
        return RedisThrottleStore.from_url(settings.redis_url, settings.redis_prefix)
    return DATABASE_STORE


def store_for(db: Session) -> ThrottleStore:
    """The store of the application ``db`` belongs to; the database when it names none."""
    store: ThrottleStore | None = db.info.get(INFO_KEY)
    return store if store is not None else DATABASE_STORE


# login_attempt.key is 300 characters; a key made of what a visitor typed (a sign-in name) can
# be longer. Longer keys keep their start (readable in the table) and end with a digest of the
# whole, so two long keys never share a counter and every entry point maps a key the same way.
KEY_LIMIT = 300


def stored_key(key: str) -> str:
    """``key`` as both stores keep it: unchanged up to KEY_LIMIT characters, else shortened."""
    if len(key) <= KEY_LIMIT:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[:200]}#{digest}"


def _check_limits(keys: Sequence[tuple[str, int]]) -> None:
    for key, limit in keys:
        if limit < 1:
            raise ValueError(f"throttle limit for {key!r} must be at least 1, not {limit!r}")


def throttle_wait(db: Session, keys: list[tuple[str, int]]) -> int:
    """Seconds to wait before another try, or 0. ``keys`` pairs a key with its failure limit."""
    _check_limits(keys)
    return store_for(db).wait(db, [(stored_key(key), limit) for key, limit in keys])


def record_attempt(db: Session, keys: list[str], succeeded: bool) -> None:
    """Count a failed try under each key; a success clears the account's failures (not the
    address's)."""
    store_for(db).record(db, [stored_key(key) for key in keys], succeeded)


def prune_attempts(db: Session, before: datetime | None = None) -> int:
    """Remove attempts older than ``before`` (a day ago by default); returns how many. Nothing to
    do on Redis, where keys expire by themselves."""
    return store_for(db).prune(db, before or now() - timedelta(days=1))


def forget_attempts(db: Session, keys: Sequence[str]) -> None:
    """Remove every attempt recorded under ``keys``, wherever it is kept. The database is always
    cleaned too: rows written before Redis was configured stay there until pruned."""
    keys = [stored_key(key) for key in keys]
    DATABASE_STORE.forget(db, keys)
    store = store_for(db)
    if store is not DATABASE_STORE:
        store.forget(db, keys)
