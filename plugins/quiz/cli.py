"""``declic quiz ...``: the question bank from the command line (the ``declic_cli`` hook).

- ``declic quiz import FILE --org SLUG [--category NAME] [--format gift|xml] [--dry-run]
  [--json] [--valid-only]``: the same reading, checks and all-or-nothing rule as the import page;
  prints what was (or, with ``--dry-run``, would be) created per type and what was rejected, and
  why. ``--json`` prints a JSON array of objects: one ``{"kind": "created", "type", "count"}``
  per type, one ``{"kind": "rejected", "where", "question", "reason"}`` per rejection, one
  ``{"kind": "note", "text"}`` per note.
- ``declic quiz export --org SLUG [--category NAME] --format gift|xml [-o FILE]``: the bank (or one
  category) to standard output or a file.

Exit status: 0 done, 1 rejected questions and nothing imported, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core import i18n
from core.db import session_scope
from core.models import Organisation
from plugins.quiz.interop import formats, gift_writer, moodle_xml_writer
from plugins.quiz.interop.limits import ImportTooLargeError, check_import_size
from plugins.quiz.interop_bank import apply_plan, export_bank, plan_import, rejected_rows
from plugins.quiz.models import QuestionCategory


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("quiz", help="question bank: import and export GIFT, Moodle XML")
    commands = parser.add_subparsers(dest="quiz_command", metavar="ACTION")
    imp = commands.add_parser("import", help="import questions from a GIFT or Moodle XML file")
    imp.add_argument("file", type=Path, help="a .gift/.txt or .xml file")
    imp.add_argument("--org", required=True, help="organisation slug")
    imp.add_argument("--category", default=None, help="put every question in this category")
    imp.add_argument("--format", choices=("gift", "xml"), default=None, help="default: guessed")
    imp.add_argument(
        "--dry-run", action="store_true", help="show what would be done, write nothing"
    )
    imp.add_argument("--json", action="store_true", help="JSON output")
    imp.add_argument(
        "--valid-only", action="store_true", help="import the valid questions even if some are not"
    )
    imp.set_defaults(func=cmd_import)
    exp = commands.add_parser("export", help="export the question bank")
    exp.add_argument("--org", required=True, help="organisation slug")
    exp.add_argument("--category", default=None, help="only this category")
    exp.add_argument("--format", choices=("gift", "xml"), required=True)
    exp.add_argument("-o", "--output", type=Path, default=None, help="default: standard output")
    exp.set_defaults(func=cmd_export)
    parser.set_defaults(func=lambda args, runtime: parser.print_help() or 0)


def _fail(message: str) -> int:
    print(f"declic: error: {message}", file=sys.stderr)
    return 2


def _organisation(db: Any, slug: str) -> Organisation | None:
    return db.scalar(select(Organisation).where(Organisation.slug == slug))


def cmd_import(args: argparse.Namespace, runtime: Any) -> int:
    # The reasons come from gettext: in English, like the messages of every other command.
    previous = i18n.current_language()
    i18n.set_language("en")
    try:
        return _import(args, runtime)
    finally:
        i18n.set_language(previous)


def _import(args: argparse.Namespace, runtime: Any) -> int:
    from core.cli import print_json

    try:
        check_import_size(args.file.stat().st_size)
        data = args.file.read_bytes()
    except ImportTooLargeError as error:
        return _fail(str(error))
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror}")
    category = " ".join((args.category or "").split())[:200] or None
    fmt = args.format or formats.detect_format(data, args.file.name)
    plan = plan_import(formats.parse(data, fmt), category)
    refused = bool(plan.rejected) and not args.valid_only
    with session_scope(runtime.state.write_db) as db:
        org = _organisation(db, args.org)
        if org is None:
            return _fail(f"no organisation is called {args.org!r}")
        written = not args.dry_run and not refused and bool(plan.questions)
        if written:
            apply_plan(db, org.id, org.slug, plan)
    counts = plan.count_by_type()
    if args.json:
        print_json(
            [{"kind": "created", "type": t, "count": n} for t, n in counts.items()]
            + [{"kind": "rejected", **row} for row in rejected_rows(plan)]
            + [{"kind": "note", "text": note} for note in plan.notes]
        )
    else:
        verb = "Imported" if written else "Would import"
        summary = ", ".join(f"{n} {t}" for t, n in counts.items()) or "nothing"
        print(f"{verb} {len(plan.questions)} questions into {args.org}: {summary}.")
        for row in rejected_rows(plan):
            name = f" “{row['question']}”" if row["question"] else ""
            print(f"rejected {row['where']}{name}: {row['reason']}")
        for note in plan.notes:
            print(f"note: {note}")
    if refused:
        print(
            f"declic: error: {len(plan.rejected)} rejected, nothing imported "
            "(use --valid-only to import the valid questions)",
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_export(args: argparse.Namespace, runtime: Any) -> int:
    with session_scope(runtime.state.write_db) as db:
        org = _organisation(db, args.org)
        if org is None:
            return _fail(f"no organisation is called {args.org!r}")
        category_id = None
        if args.category:
            category_id = db.scalar(
                select(QuestionCategory.id).where(
                    QuestionCategory.organisation_id == org.id,
                    QuestionCategory.name == " ".join(args.category.split()),
                )
            )
            if category_id is None:
                return _fail(f"{args.org} has no category called {args.category!r}")
        result = export_bank(db, org.id, category_id, args.format == "xml")
    try:
        if args.format == "xml":
            body = moodle_xml_writer.write(result.bank)
        else:
            body = gift_writer.write(result.bank).encode("utf-8")
    except (gift_writer.GiftExportError, moodle_xml_writer.MoodleXmlExportError) as error:
        return _fail(str(error))
    for name in result.skipped:
        print(f"note: “{name}” is an ordering question: not exported", file=sys.stderr)
    if args.output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
    else:
        try:
            args.output.write_bytes(body)
        except OSError as exc:
            return _fail(f"cannot write {args.output}: {exc.strerror}")
    return 0
