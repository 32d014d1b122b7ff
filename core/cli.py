"""The ``declic`` command. Core commands live in ``core/commands/*.py`` (each module has
``register(subparsers)``); plugins add theirs through the ``declic_cli`` hook."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from typing import Any

from core.plugins import PluginHost
from core.settings import SettingsError, load_settings

# Each module defines register(subparsers); order is the order of ``declic --help``.
COMMAND_MODULES = (
    "core.commands.setup",  # init, run, demo, cron
    "core.commands.orgs",  # org add/list
    "core.commands.users",  # user add/list/passwd
    "core.commands.plugins",  # plugins list/enable/disable/check/new
    "core.commands.privacy",  # privacy export/delete
    "core.commands.backup",  # backup, restore
)


class Runtime:
    """What a command needs, built lazily: settings, plugin host, application state."""

    def __init__(self) -> None:
        self.settings = load_settings()
        self._host: PluginHost | None = None
        self._state: Any = None

    @property
    def host(self) -> PluginHost:
        if self._host is None:
            self._host = PluginHost(
                self.settings.plugins_allow, self.settings.plugins_deny, self.settings.trace_hooks
            )
            self._host.load_entry_points()
        return self._host

    @property
    def state(self) -> Any:
        """The application state (database sessions, registries), schema upgraded first."""
        if self._state is None:
            from core.state import build_state

            self._state = build_state(self.settings, self.host)
        return self._state


def print_json(rows: list[dict[str, Any]]) -> None:
    """``--json`` output: always a JSON array of objects."""
    json.dump(rows, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def print_table(rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
    widths = {c: max([len(c)] + [len(str(r.get(c, ""))) for r in rows]) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        print("  ".join(str(row.get(c, "")).ljust(widths[c]) for c in columns))


def build_parser(runtime: Runtime | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="declic", description="Déclic learning platform")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        module.register(subparsers)
    if runtime is not None:
        runtime.host.pm.hook.declic_cli(subparsers=subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        runtime = Runtime()
    except SettingsError as exc:
        # A setting the platform cannot use: say which and how to fix it, not a traceback.
        print(f"declic: error: {exc}", file=sys.stderr)
        return 2
    parser = build_parser(runtime)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    return int(args.func(args, runtime) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
