"""``declic privacy export USER [-o FILE]`` and ``declic privacy delete USER [--yes]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from core.commands.setup import ensure_schema, fail
from core.db import session_scope


def register(subparsers: argparse._SubParsersAction) -> None:
    privacy = subparsers.add_parser("privacy", help="export or delete everything about one person")
    commands = privacy.add_subparsers(dest="privacy_command", metavar="ACTION", required=True)

    export = commands.add_parser("export", help="write one zip archive with all of a user's data")
    export.add_argument("user", metavar="USER", help="login, e-mail or id")
    export.add_argument(
        "-o", "--output", metavar="FILE", help="archive path (declic-data-LOGIN.zip)"
    )
    export.set_defaults(func=cmd_export)

    remove = commands.add_parser("delete", help="delete a user's account and data in every plugin")
    remove.add_argument("user", metavar="USER", help="login, e-mail or id")
    remove.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    remove.set_defaults(func=cmd_delete)


def cmd_export(args: argparse.Namespace, runtime: Any) -> int:
    from core.privacy import PrivacyError, export_archive, find_user

    ensure_schema(runtime)
    with session_scope(runtime.state.db) as db:
        user = find_user(db, args.user)
        if user is None:
            return fail(f"no user {args.user!r} (login, e-mail or id)")
        try:
            data = export_archive(runtime.host, db, user)
        except PrivacyError as exc:
            return fail(str(exc))
        target = Path(args.output or f"declic-data-{user.login}.zip")
    target.write_bytes(data)
    target.chmod(0o600)
    print(f"Wrote {target} ({len(data)} bytes).")
    return 0


def cmd_delete(args: argparse.Namespace, runtime: Any) -> int:
    from core.privacy import PrivacyError, delete_user, find_user

    ensure_schema(runtime)
    with session_scope(runtime.state.write_db) as db:
        user = find_user(db, args.user)
        if user is None:
            return fail(f"no user {args.user!r} (login, e-mail or id)")
        login = user.login
        if not args.yes:
            if not sys.stdin.isatty():
                return fail("this deletes the account for good: confirm with --yes")
            answer = input(
                f"Delete {user.display_name} ({login}) and all their data? Type the login: "
            )
            if answer.strip() != login:
                return fail("not confirmed; nothing deleted")
        try:
            parts = delete_user(runtime.host, db, user)
        except PrivacyError as exc:
            db.rollback()
            return fail(f"{exc}; nothing deleted")
    print(f"Deleted {login}: {', '.join(parts)}.")
    return 0
