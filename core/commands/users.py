"""``declic user add/list/passwd`` and ``declic admin add`` (platform administrators).

Everything is checked before the password is asked for, and nothing is written unless every
check passed: a typo costs a retyped command, never a half-made account.
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.auth import hash_password, revoke_user_sessions
from core.cli import print_json, print_table
from core.commands.setup import ensure_schema, fail
from core.db import session_scope
from core.models import ROLES, AuditEvent, Membership, Organisation, User

# Same rules as the web forms: small letters, digits, dots, dashes, underscores.
LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8


class RefusedInputError(Exception):
    """Input refused before anything is written; the message says why."""


def register(subparsers: argparse._SubParsersAction) -> None:
    user = subparsers.add_parser("user", help="add, list users, or set a password")
    commands = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)

    add = commands.add_parser("add", help="create an account and make it a member")
    add.add_argument("login", metavar="LOGIN", help="login name (small letters, digits, . - _)")
    add.add_argument("--org", required=True, metavar="SLUG", help="organisation it belongs to")
    add.add_argument("--role", required=True, help="learner, trainer or admin")
    add.add_argument("--name", help="display name (default: the login)")
    add.add_argument("--email", help="email address (optional: many learners have none yet)")
    add.add_argument("--language", help="language of the pages for this person (fr, en, ar)")
    _password_options(add, allow_none=True)
    add.add_argument("--json", action="store_true", help="print the result as JSON")
    add.set_defaults(func=cmd_user_add)

    listing = commands.add_parser("list", help="list the members of an organisation")
    listing.add_argument("--org", required=True, metavar="SLUG")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.set_defaults(func=cmd_user_list)

    passwd = commands.add_parser("passwd", help="set a new password (ends the user's sessions)")
    passwd.add_argument("login", metavar="LOGIN")
    _password_options(passwd, allow_none=False)
    passwd.set_defaults(func=cmd_user_passwd)
    # ``declic user import``: learners from a CSV file (core/commands/user_import.py).
    from core.commands.user_import import register_user_import

    register_user_import(commands)

    admin = subparsers.add_parser("admin", help="platform administrators")
    admin_commands = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    admin_add = admin_commands.add_parser(
        "add", help="make an account a platform admin (created when it does not exist)"
    )
    admin_add.add_argument("login", metavar="LOGIN")
    admin_add.add_argument("--name", help="display name for a new account")
    admin_add.add_argument("--email", help="email address for a new account")
    _password_options(admin_add, allow_none=False)
    admin_add.set_defaults(func=cmd_admin_add)


def _password_options(parser: argparse.ArgumentParser, *, allow_none: bool) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input instead of asking",
    )
    if allow_none:
        parser.add_argument(
            "--no-password",
            action="store_true",
            help="no password: the person signs in with a login code from their trainer",
        )


def read_password(args: argparse.Namespace) -> str:
    """From stdin (``--password-stdin``) or asked twice on the terminal; checked for length."""
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            raise RefusedInputError("the two passwords differ")
    if len(password) < MIN_PASSWORD:
        raise RefusedInputError(f"the password must have at least {MIN_PASSWORD} characters")
    return password


def check_login(db: Session, raw: str) -> str:
    login = raw.strip().lower()
    if not LOGIN_PATTERN.match(login):
        raise RefusedInputError(
            f"bad login {raw!r}: use 2 to 64 small letters, digits, dots, dashes or underscores, "
            "starting with a letter or a digit"
        )
    if db.scalar(select(User.id).where(func.lower(User.login) == login)) is not None:
        raise RefusedInputError(f"the login {login!r} is already taken")
    return login


def check_email(db: Session, raw: str | None) -> str | None:
    if not raw:
        return None
    email = raw.strip().lower()
    if len(email) > 254 or not EMAIL_PATTERN.match(email):
        raise RefusedInputError(f"{raw!r} does not look like an email address (name@example.org)")
    if db.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise RefusedInputError(f"another account already uses the email {email!r}")
    return email


def find_org(db: Session, slug: str) -> Organisation:
    org = db.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise RefusedInputError(f"no organisation has the slug {slug!r} (see: declic org list)")
    return org


def find_user(db: Session, login: str) -> User:
    user = db.scalar(select(User).where(func.lower(User.login) == login.strip().lower()))
    if user is None:
        raise RefusedInputError(f"no account has the login {login!r}")
    return user


def user_row(user: User, role: str | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": user.id,
        "login": user.login,
        "name": user.display_name,
        "email": user.email,
        "language": user.language,
        "active": user.active,
        "has_password": user.password_hash is not None,
    }
    if role is not None:
        row["role"] = role
    return row


def cmd_user_add(args: argparse.Namespace, runtime: Any) -> int:
    if args.role not in ROLES:
        return fail(f"bad role {args.role!r}: choose one of {', '.join(ROLES)}")
    if args.language and args.language not in runtime.settings.languages:
        return fail(
            f"unknown language {args.language!r}: choose one of "
            f"{', '.join(runtime.settings.languages)}"
        )
    if args.no_password and args.password_stdin:
        return fail("--no-password and --password-stdin do not go together")
    ensure_schema(runtime)
    try:
        with session_scope(runtime.state.write_db) as db:
            org = find_org(db, args.org)
            login = check_login(db, args.login)
            email = check_email(db, args.email)
            name = (args.name or "").strip() or login
            if len(name) > 200:
                raise RefusedInputError("the name must be at most 200 characters")
            password = None if args.no_password else read_password(args)
            user = User(
                login=login,
                display_name=name,
                email=email,
                language=args.language or None,
                password_hash=hash_password(password) if password else None,
            )
            db.add(user)
            db.flush()
            db.add(Membership(user_id=user.id, organisation_id=org.id, role=args.role))
            db.add(
                AuditEvent(
                    organisation_id=org.id,
                    action="user.created",
                    target=login,
                    detail=f"role={args.role} (command line)",
                )
            )
            row = user_row(user, args.role)
    except RefusedInputError as exc:
        return fail(str(exc))
    if args.json:
        print_json([row])
    else:
        print(f"Account {login!r} created as {args.role} of {args.org!r}.")
    return 0


def cmd_user_list(args: argparse.Namespace, runtime: Any) -> int:
    ensure_schema(runtime)
    try:
        with session_scope(runtime.state.db) as db:
            org = find_org(db, args.org)
            pairs = db.execute(
                select(User, Membership.role)
                .join(Membership, Membership.user_id == User.id)
                .where(Membership.organisation_id == org.id)
                .order_by(User.login)
            ).all()
            rows = [user_row(user, role) for user, role in pairs]
    except RefusedInputError as exc:
        return fail(str(exc))
    if args.json:
        print_json(rows)
    else:
        table = [{**row, "email": row["email"] or "-"} for row in rows]
        print_table(table, ("login", "name", "role", "email", "active"))
    return 0


def cmd_user_passwd(args: argparse.Namespace, runtime: Any) -> int:
    ensure_schema(runtime)
    try:
        with session_scope(runtime.state.write_db) as db:
            user = find_user(db, args.login)
            user.password_hash = hash_password(read_password(args))
            ended = revoke_user_sessions(db, user.id)
            db.add(AuditEvent(action="user.password_set", target=user.login, detail="command line"))
    except RefusedInputError as exc:
        return fail(str(exc))
    print(f"Password of {user.login!r} changed; {ended} open session(s) ended.")
    return 0


def cmd_admin_add(args: argparse.Namespace, runtime: Any) -> int:
    ensure_schema(runtime)
    try:
        with session_scope(runtime.state.write_db) as db:
            existing = db.scalar(
                select(User).where(func.lower(User.login) == args.login.strip().lower())
            )
            if existing is not None:
                if existing.is_platform_admin:
                    print(f"{existing.login!r} is already a platform admin; nothing changed.")
                    return 0
                existing.is_platform_admin = True
                user = existing
            else:
                login = check_login(db, args.login)
                email = check_email(db, args.email)
                user = User(
                    login=login,
                    display_name=(args.name or "").strip() or login,
                    email=email,
                    password_hash=hash_password(read_password(args)),
                    is_platform_admin=True,
                )
                db.add(user)
            db.add(
                AuditEvent(
                    action="platform_admin.granted", target=user.login, detail="command line"
                )
            )
    except RefusedInputError as exc:
        return fail(str(exc))
    print(f"{user.login!r} is now a platform admin.")
    return 0
