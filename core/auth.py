"""Passwords (argon2id), server-side sessions, learner login codes, CSRF; login throttling is in
core/throttle.py (re-exported here)."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from core.clock import now
from core.models import LoginCode, User, UserSession

# Throttling lives in core/throttle.py (database or Redis store); the names stay importable from
# here, where plugins have always imported them.
from core.throttle import MAX_FAILURES_PER_ACCOUNT as MAX_FAILURES_PER_ACCOUNT
from core.throttle import MAX_FAILURES_PER_ADDRESS as MAX_FAILURES_PER_ADDRESS
from core.throttle import THROTTLE_WINDOW as THROTTLE_WINDOW
from core.throttle import prune_attempts as prune_attempts
from core.throttle import record_attempt as record_attempt
from core.throttle import throttle_wait as throttle_wait

SESSION_COOKIE = "declic_session"
ANON_COOKIE = "declic_anon"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

_hasher = PasswordHasher()
# A hash of a random password, verified when the login is unknown so both paths cost the same.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


# --- passwords --------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User | None, password: str) -> bool:
    """Verify, in constant work whether or not the user exists; rehash when parameters moved."""
    if user is None or not user.password_hash:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return False
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return True


def find_user_by_identifier(db: Session, identifier: str) -> User | None:
    """A login name or an email address (case-insensitive for both)."""
    ident = identifier.strip().lower()
    if not ident:
        return None
    return db.scalar(
        select(User).where(or_(func.lower(User.login) == ident, func.lower(User.email) == ident))
    )


# --- sessions ---------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db: Session, user: User, address: str = "", user_agent: str = "") -> str:
    """Create a session and return the token for the cookie (a new one at every sign-in, so a
    session id planted before sign-in is worthless)."""
    token = secrets.token_urlsafe(32)
    db.add(
        UserSession(
            token_hash=_token_hash(token),
            user_id=user.id,
            address=address[:64],
            user_agent=user_agent[:255],
        )
    )
    return token


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    absolute: timedelta


# Built once: every request runs it, and building a SELECT costs about as much as running it.
_SESSION_LOOKUP = (
    select(UserSession, User)
    .join(User, User.id == UserSession.user_id)
    .where(UserSession.token_hash == bindparam("token_hash"))
)


def resolve_session(
    db: Session, token: str | None, policy: SessionPolicy
) -> tuple[UserSession, User] | None:
    """The live session and user for a cookie token, or None (unknown, revoked, timed out)."""
    if not token:
        return None
    row = db.execute(_SESSION_LOOKUP, {"token_hash": _token_hash(token)}).first()
    if row is None:
        return None
    session, user = row
    moment = now()
    if (
        session.revoked_at is not None
        or moment - session.last_seen_at > policy.idle
        or moment - session.created_at > policy.absolute
        or not user.active
    ):
        return None
    # Touch at most once a minute: a read-only page should not write on every request.
    if moment - session.last_seen_at > timedelta(minutes=1):
        # On SQLite a page view reads in a deferred transaction; turning it into a write fails
        # at once ("database is locked", no waiting) when another process or thread has
        # committed since it began: under a quiz stampede that was a 503 on a question page.
        # The touch is bookkeeping: try it in a savepoint and let the next request retry.
        try:
            with db.begin_nested():
                db.execute(
                    update(UserSession)
                    .where(UserSession.id == session.id)
                    .values(last_seen_at=moment)
                )
        except OperationalError:
            pass
    return session, user


def end_session(db: Session, session: UserSession) -> None:
    session.revoked_at = now()


def revoke_user_sessions(db: Session, user_id: int, except_id: int | None = None) -> int:
    """End every live session of a user ("sign out everywhere"); returns how many."""
    stmt = update(UserSession).where(
        UserSession.user_id == user_id, UserSession.revoked_at.is_(None)
    )
    if except_id is not None:
        stmt = stmt.where(UserSession.id != except_id)
    result = db.execute(stmt.values(revoked_at=now()))
    return int(getattr(result, "rowcount", 0) or 0)


# --- learner login codes ----------------------------------------------------------------------

# No 0/O, 1/I/L: codes are read off paper by people new to keyboards.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _code_hash(code: str, secret_key: str) -> str:
    return hmac.new(secret_key.encode(), normalise_code(code).encode(), hashlib.sha256).hexdigest()


def format_code(code: str) -> str:
    code = normalise_code(code)
    return f"{code[:4]}-{code[4:]}"


def issue_login_code(
    db: Session, user: User, organisation_id: int, created_by: User | None, secret_key: str
) -> str:
    """A new code for a learner; the learner's previous codes in this organisation are revoked."""
    db.execute(
        update(LoginCode)
        .where(
            LoginCode.user_id == user.id,
            LoginCode.organisation_id == organisation_id,
            LoginCode.revoked_at.is_(None),
        )
        .values(revoked_at=now())
        # No need to match the session's objects one by one: codes are read back by query.
        # (The default "auto" sync scans every object in the session: quadratic on imports.)
        .execution_options(synchronize_session=False)
    )
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    db.add(
        LoginCode(
            organisation_id=organisation_id,
            user_id=user.id,
            code_hash=_code_hash(code, secret_key),
            created_by_id=created_by.id if created_by else None,
        )
    )
    return format_code(code)


def user_for_code(db: Session, code: str, secret_key: str) -> tuple[LoginCode, User] | None:
    if len(normalise_code(code)) != CODE_LENGTH:
        return None
    row = db.execute(
        select(LoginCode, User)
        .join(User, User.id == LoginCode.user_id)
        .where(LoginCode.code_hash == _code_hash(code, secret_key), LoginCode.revoked_at.is_(None))
    ).first()
    return (row[0], row[1]) if row else None


# --- CSRF -------------------------------------------------------------------------------------


def csrf_token_for(secret_key: str, binding: str) -> str:
    """The token forms carry: an HMAC of the session (or of the anonymous cookie) it belongs to."""
    return hmac.new(secret_key.encode(), f"csrf:{binding}".encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret_key: str, binding: str | None, token: str | None) -> bool:
    if not binding or not token:
        return False
    return hmac.compare_digest(csrf_token_for(secret_key, binding), token)


def session_binding(session_token: str) -> str:
    return "s:" + _token_hash(session_token)
