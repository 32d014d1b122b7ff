"""``declic org add`` and ``declic org list``."""

from __future__ import annotations

import argparse
import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.cli import print_json, print_table
from core.commands.setup import ensure_schema, fail
from core.db import session_scope
from core.models import AuditEvent, Membership, Organisation
from core.plugin_switches import switched_on

# The slug is part of every URL of the organisation (``/o/SLUG/``): lower-case letters, digits and
# hyphens, so it reads well and never needs escaping. Same rule as the web form.
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


def register(subparsers: argparse._SubParsersAction) -> None:
    org = subparsers.add_parser("org", help="add or list organisations")
    commands = org.add_subparsers(dest="org_command", metavar="ACTION", required=True)

    add = commands.add_parser("add", help="create an organisation")
    add.add_argument("slug", metavar="SLUG", help="short name used in its URLs, e.g. nord")
    add.add_argument("name", metavar="NAME", help="full name, e.g. 'Association Déclic Nord'")
    add.add_argument("--language", default="fr", help="default language of its pages (fr)")
    add.add_argument("--json", action="store_true", help="print the result as JSON")
    add.set_defaults(func=cmd_org_add)

    listing = commands.add_parser("list", help="list organisations")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.set_defaults(func=cmd_org_list)


def org_row(db: Session, org: Organisation) -> dict[str, Any]:
    members = db.scalar(
        select(func.count()).select_from(Membership).where(Membership.organisation_id == org.id)
    )
    return {
        "id": org.id,
        "slug": org.slug,
        "name": org.name,
        "language": org.default_language,
        "theme": org.theme,
        "members": int(members or 0),
        "plugins": sorted(switched_on(db, org.id)),
    }


def cmd_org_add(args: argparse.Namespace, runtime: Any) -> int:
    slug = args.slug.strip()
    name = args.name.strip()
    if not SLUG_PATTERN.match(slug):
        return fail(
            f"bad slug {slug!r}: use 2 to 63 lower-case letters, digits and hyphens, "
            "starting with a letter or a digit"
        )
    if not name:
        return fail("the name must not be empty")
    if len(name) > 200:
        return fail("the name must be at most 200 characters")
    languages = runtime.settings.languages
    if args.language not in languages:
        return fail(f"unknown language {args.language!r}: choose one of {', '.join(languages)}")
    ensure_schema(runtime)
    with session_scope(runtime.state.write_db) as db:
        if db.scalar(select(Organisation).where(Organisation.slug == slug)) is not None:
            return fail(f"an organisation with the slug {slug!r} already exists")
        org = Organisation(slug=slug, name=name, default_language=args.language)
        db.add(org)
        db.flush()
        db.add(AuditEvent(organisation_id=org.id, action="organisation.created", target=slug))
        row = org_row(db, org)
    if args.json:
        print_json([row])
    else:
        print(f"Organisation {slug!r} created: its pages are under /o/{slug}/.")
    return 0


def cmd_org_list(args: argparse.Namespace, runtime: Any) -> int:
    ensure_schema(runtime)
    with session_scope(runtime.state.db) as db:
        orgs = db.scalars(select(Organisation).order_by(Organisation.slug)).all()
        rows = [org_row(db, org) for org in orgs]
    if args.json:
        print_json(rows)
    else:
        table = [{**row, "plugins": ", ".join(row["plugins"]) or "-"} for row in rows]
        print_table(table, ("slug", "name", "language", "members", "plugins"))
    return 0
