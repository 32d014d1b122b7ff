"""``declic user import FILE --org SLUG --course ID [--json] [--valid-only] [--dry-run]``.

The same reading, checks and plan as the import page (:mod:`core.user_import`), in one
transaction. Output: one row per line of the file (its number as a spreadsheet shows it, the
login, the status ``created``/``updated``/``unchanged``/``rejected``/``skipped`` and the reason),
plus the login code of each new learner (codes are stored hashed: this is the only time they are
shown). ``skipped`` marks valid lines left out because other lines were rejected.

Exit status: 0 when every line was valid; 1 when lines were rejected (nothing written, unless
``--valid-only``); 2 when the file or the arguments are refused as a whole.
Messages are in English, like the other commands (read by whoever runs the server).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core import i18n, user_import
from core.cli import print_json, print_table
from core.commands.setup import ensure_schema, fail
from core.db import session_scope
from core.models import AuditEvent, Course, Organisation


def register_user_import(user_subparsers: argparse._SubParsersAction) -> None:
    """Add ``import`` to the ``declic user`` actions."""
    imp = user_subparsers.add_parser(
        "import",
        help="create learners from a CSV file (Moodle's upload-users shape) and enrol them",
    )
    imp.add_argument(
        "file", type=Path, metavar="FILE", help="CSV file (';' or ',', UTF-8 or Windows-1252)"
    )
    imp.add_argument("--org", required=True, metavar="SLUG", help="organisation slug")
    imp.add_argument("--course", required=True, type=int, metavar="ID", help="course to enrol in")
    imp.add_argument("--json", action="store_true", help="print a JSON array, one object a line")
    imp.add_argument(
        "--valid-only",
        action="store_true",
        help="import the valid lines even if others are rejected",
    )
    imp.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    imp.set_defaults(func=cmd_user_import)


def _row(line: user_import.LinePlan, status: str, reason: str, code: str | None) -> dict[str, Any]:
    row: dict[str, Any] = {"line": line.number, "login": line.login, "status": status}
    row["reason"] = reason
    if code is not None:
        row["code"] = code
    return row


def cmd_user_import(args: argparse.Namespace, runtime: Any) -> int:
    # Reasons are written for whoever runs the command: in English, like every other message.
    previous = i18n.current_language()
    i18n.set_language("en")
    try:
        return _import(args, runtime)
    finally:
        i18n.set_language(previous)


def _import(args: argparse.Namespace, runtime: Any) -> int:
    try:
        with args.file.open("rb") as fh:
            data = fh.read(user_import.MAX_BYTES + 1)
            size = args.file.stat().st_size
    except OSError as exc:
        return fail(f"cannot read {args.file}: {exc.strerror}")
    try:
        user_import.check_size(size)
        table = user_import.read_table(data)
    except user_import.ImportFileError as problem:
        return fail(problem.message)
    ensure_schema(runtime)
    with session_scope(runtime.state.write_db) as db:
        org = db.scalar(select(Organisation).where(Organisation.slug == args.org))
        if org is None:
            return fail(f"no organisation has the slug {args.org!r} (see: declic org list)")
        course = db.scalar(
            select(Course).where(Course.id == args.course, Course.organisation_id == org.id)
        )
        if course is None:
            return fail(f"the organisation {args.org!r} has no course {args.course}")
        plan = user_import.plan_import(db, org.id, course.id, table)
        rejected = bool(plan.rejected)
        apply = not args.dry_run and (args.valid_only or not rejected)
        codes: dict[int, str] = {}
        if apply:
            outcome = user_import.apply_plan(
                db,
                plan,
                actor=None,
                secret_key=runtime.settings.secret_key,
                valid_only=args.valid_only,
            )
            codes = outcome.codes
            db.add(
                AuditEvent(
                    organisation_id=org.id,
                    action="users.imported",
                    target=f"course:{course.id}",
                    detail=(
                        f"file={args.file.name} created={outcome.created} "
                        f"updated={outcome.updated} unchanged={outcome.unchanged} "
                        f"rejected={outcome.rejected} (command line)"
                    ),
                )
            )
        rows = []
        for line in plan.lines:
            status = line.status
            if status in (user_import.CREATED, user_import.UPDATED) and not (apply or args.dry_run):
                rows.append(
                    _row(line, "skipped", "other lines are rejected (see --valid-only)", None)
                )
            else:
                rows.append(_row(line, status, line.reason, codes.get(line.number)))
    if args.json:
        print_json(rows)
    else:
        print_table(
            [{**row, "code": row.get("code", "")} for row in rows],
            ("line", "login", "status", "code", "reason"),
        )
    if args.dry_run:
        print("dry run: nothing was written", file=sys.stderr)
    elif rejected and not apply:
        print(
            f"nothing was imported: {len(plan.rejected)} line(s) rejected "
            "(fix the file, or use --valid-only)",
            file=sys.stderr,
        )
    return 1 if rejected else 0
