"""``declic plugins list|enable|disable|check|new``: installed plugins, per-organisation switches,
the contract check and the scaffold of a new plugin package."""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core.cli import print_json, print_table
from core.commands.setup import ensure_schema, fail
from core.db import session_scope
from core.models import Organisation


def register(subparsers: argparse._SubParsersAction) -> None:
    plugins = subparsers.add_parser("plugins", help="list, switch, check and create plugins")
    commands = plugins.add_subparsers(dest="plugins_command", metavar="ACTION", required=True)

    listing = commands.add_parser("list", help="installed plugins and the hooks each implements")
    listing.add_argument(
        "--org", metavar="SLUG", help="say whether each is on for this organisation"
    )
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.set_defaults(func=cmd_list)

    for action, verb in (("enable", "on"), ("disable", "off")):
        switch = commands.add_parser(action, help=f"switch a plugin {verb} for an organisation")
        switch.add_argument("name", metavar="NAME")
        switch.add_argument("--org", metavar="SLUG", required=True)
        switch.add_argument(
            "--cascade",
            action="store_true",
            help="also switch the plugins it depends on (enable) or that depend on it (disable)",
        )
        switch.set_defaults(func=cmd_switch, enabled=action == "enable")

    check = commands.add_parser(
        "check", help="run the plugin contract check on a throwaway database"
    )
    check.add_argument("name", metavar="NAME")
    check.set_defaults(func=cmd_check)

    new = commands.add_parser("new", help="create the package of a new plugin, ready to install")
    new.add_argument("name", metavar="NAME", help="lower-case letters, digits and _, e.g. jobboard")
    new.add_argument("--dir", metavar="PATH", default=".", help="where to create declic-NAME/ (.)")
    new.set_defaults(func=cmd_new)


def plugin_rows(
    runtime: Any, org: Organisation | None, enabled: frozenset[str]
) -> list[dict[str, Any]]:
    host = runtime.host
    rows = []
    for name in host.names:
        info = host.infos[name]
        rows.append(
            {
                "name": name,
                "version": info.version,
                "description": str(info.description),
                "enabled": (name in enabled) if org is not None else None,
                "hooks": host.hook_names_of(name),
            }
        )
    return rows


def _organisation(db: Any, slug: str) -> Organisation | None:
    return db.scalar(select(Organisation).where(Organisation.slug == slug))


def cmd_list(args: argparse.Namespace, runtime: Any) -> int:
    org = None
    enabled: frozenset[str] = frozenset()
    if args.org:
        ensure_schema(runtime)
        with session_scope(runtime.state.db) as db:
            org = _organisation(db, args.org)
            if org is None:
                return fail(f"no organisation {args.org!r} (see `declic org list`)")
            enabled = runtime.host.enabled_for(db, org)
    rows = plugin_rows(runtime, org, enabled)
    if args.json:
        print_json(rows)
        return 0
    table = [
        {
            **row,
            "enabled": "-" if row["enabled"] is None else ("on" if row["enabled"] else "off"),
            "hooks": len(row["hooks"]),
        }
        for row in rows
    ]
    columns = (
        ["name", "version", "enabled", "hooks", "description"]
        if org
        else ["name", "version", "hooks", "description"]
    )
    print_table(table, columns)
    return 0


def _ask(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes", "o", "oui")


def cmd_switch(args: argparse.Namespace, runtime: Any) -> int:
    from core.plugin_switches import check_switch, switch_plugin

    if args.name not in runtime.host.infos:
        return fail(f"no plugin {args.name!r} installed (see `declic plugins list`)")
    ensure_schema(runtime)
    verb = "on" if args.enabled else "off"
    with session_scope(runtime.state.write_db) as db:
        org = _organisation(db, args.org)
        if org is None:
            return fail(f"no organisation {args.org!r} (see `declic org list`)")
        problem = check_switch(db, runtime.host, org, args.name, args.enabled)
        cascade = args.cascade
        if problem is not None and problem.plugins and not cascade:
            others = ", ".join(problem.plugins)
            if args.enabled:
                question = (
                    f"{args.name} needs {others}, off for {org.slug}. Switch {others} on too?"
                )
            else:
                question = f"{others} need {args.name}, on for {org.slug}. Switch {others} off too?"
            if not _ask(question):
                return fail(
                    f"{question.rsplit('.', 1)[0]}: run again with --cascade to switch them too"
                )
            cascade = True
        problem = switch_plugin(
            db, runtime.host, org, args.name, args.enabled, actor=None, cascade=cascade
        )
        if problem is not None:
            return fail(problem.message)
        now_on = sorted(runtime.host.effective(set(_switched(db, org.id))))
    print(f"{args.name} is {verb} for {args.org}. Plugins on: {', '.join(now_on) or 'none'}.")
    return 0


def _switched(db: Any, organisation_id: int) -> set[str]:
    from core.plugin_switches import switched_on

    return switched_on(db, organisation_id)


def cmd_check(args: argparse.Namespace, runtime: Any) -> int:
    """The contract check runs on a fresh database in a temporary folder: never on real data."""
    from core.app import create_app
    from core.contract import check_plugin
    from core.db import make_engine
    from core.migrate import upgrade
    from core.settings import load_settings

    if args.name not in runtime.host.infos:
        return fail(f"no plugin {args.name!r} installed (see `declic plugins list`)")
    try:
        import httpx  # noqa: F401 - the check talks to the application through Starlette's test client
    except ImportError:
        return fail("the contract check needs the development extras: pip install -e '.[dev]'")
    with tempfile.TemporaryDirectory(prefix="declic-check-") as folder:
        url = f"sqlite:///{Path(folder) / 'check.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine, runtime.host)
        engine.dispose()
        settings = load_settings(
            data_dir=Path(folder), database_url=url, secret_key=secrets.token_urlsafe(32)
        )
        app = create_app(settings, runtime.host)
        try:
            problems = check_plugin(app, args.name)
        finally:
            app.state.declic.dispose()
    if problems:
        print(f"{args.name}: {len(problems)} problem(s)")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print(f"{args.name}: the plugin holds to the contract.")
    return 0


def cmd_new(args: argparse.Namespace, runtime: Any) -> int:
    from core.scaffold import ScaffoldError, scaffold

    try:
        folder = scaffold(args.name, Path(args.dir))
    except ScaffoldError as exc:
        return fail(str(exc))
    print(f"Created {folder}. Next:")
    print(f"  pip install -e {folder}")
    print("  declic init                      # creates its table")
    print(f"  pytest {folder / 'tests'}")
    return 0
