"""``declic equipment ...``: what an admin scripts (the ``declic_cli`` hook).

- ``declic equipment import --org SLUG FILE [--valid-only]``: the refurbisher's CSV, with the same
  mapping guess, checks and all-or-nothing rule as the import page; rejected rows are listed with
  their line numbers on stderr.
- ``declic equipment stock [--org SLUG] [--json]``: assets per status, per organisation.

Messages are in English, like the other commands (read by whoever runs the server).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core.db import session_scope
from core.models import Organisation
from plugins.equipment import csv_import
from plugins.equipment.models import Asset
from plugins.equipment.stock import import_rows
from plugins.equipment.views.common import STOCK_ROLES, stock_counts


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("equipment", help="equipment stock: CSV import, stock figures")
    commands = parser.add_subparsers(dest="equipment_command", metavar="ACTION")
    imp = commands.add_parser("import", help="import assets from a refurbisher's CSV file")
    imp.add_argument("--org", required=True, help="organisation slug")
    imp.add_argument("file", type=Path, help="CSV file (';' or ',', UTF-8 or Windows-1252)")
    imp.add_argument(
        "--valid-only",
        action="store_true",
        help="import the valid rows even if others are rejected",
    )
    imp.set_defaults(func=cmd_import)
    stock = commands.add_parser("stock", help="assets per status, per organisation")
    stock.add_argument("--org", default=None, help="one organisation slug (default: all)")
    stock.add_argument("--json", action="store_true", help="JSON output")
    stock.set_defaults(func=cmd_stock)
    parser.set_defaults(func=lambda args, runtime: parser.print_help() or 0)


def _organisation(db: Any, slug: str) -> Organisation | None:
    return db.scalar(select(Organisation).where(Organisation.slug == slug))


def cmd_import(args: argparse.Namespace, runtime: Any) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"declic: error: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        text, encoding = csv_import.decode(data)
        parsed = csv_import.parse(text, encoding)
    except csv_import.ImportFileError as problem:
        print(f"declic: error: {problem.message}", file=sys.stderr)
        return 2
    mapping = csv_import.guess_mapping(parsed.headers)
    if mapping["tag"] is None:
        print("declic: error: no column holds the asset tag", file=sys.stderr)
        return 2
    with session_scope(runtime.state.write_db) as db:
        org = _organisation(db, args.org)
        if org is None:
            print(f"declic: error: no organisation is called {args.org!r}", file=sys.stderr)
            return 2
        rows = db.execute(select(Asset.tag, Asset.serial).where(Asset.organisation_id == org.id))
        existing = list(rows)
        result = csv_import.validate(
            parsed, mapping, [t for t, _s in existing], [s for _t, s in existing if s]
        )
        for row in result.rejected:
            print(f"line {row.line}: {'; '.join(row.errors)}", file=sys.stderr)
        if result.rejected and not args.valid_only:
            print(
                f"declic: error: {len(result.rejected)} rows rejected, nothing imported "
                "(use --valid-only to import the valid rows)",
                file=sys.stderr,
            )
            return 1
        created = import_rows(db, org.id, result.valid, None)
    print(f"Imported {len(created)} assets into {args.org} ({len(result.rejected)} rows left out).")
    return 0


def cmd_stock(args: argparse.Namespace, runtime: Any) -> int:
    from core.cli import print_json, print_table

    with session_scope(runtime.state.write_db) as db:
        if args.org:
            org = _organisation(db, args.org)
            if org is None:
                print(f"declic: error: no organisation is called {args.org!r}", file=sys.stderr)
                return 2
            orgs = [org]
        else:
            ids = db.scalars(select(Asset.organisation_id).distinct()).all()
            orgs = list(
                db.scalars(
                    select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.slug)
                )
            )
        rows = [{"organisation": o.slug, **stock_counts(db, o.id)} for o in orgs]
    if args.json:
        print_json(rows)
    else:
        print_table(rows, ["organisation", *STOCK_ROLES])
    return 0
