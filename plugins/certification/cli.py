"""``declic certification check FILE...``: validate framework files before uploading them."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from plugins.certification.catalogue import FrameworkError
from plugins.certification.framework_files import load_catalogue


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("certification", help="competence frameworks of certification")
    commands = parser.add_subparsers(dest="certification_command")
    check = commands.add_parser(
        "check", help="validate framework files (YAML) together with the built-in ones"
    )
    check.add_argument("files", nargs="+", type=Path)
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.set_defaults(func=run_check)


def run_check(args: argparse.Namespace, _runtime: Any) -> int:
    """Check the files in order, each with the ones before it (as an organisation adds them)."""
    accepted: list[tuple[str, str]] = []
    results = []
    for path in args.files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            results.append({"file": str(path), "ok": False, "line": None, "reason": str(exc)})
            continue
        try:
            catalogue = load_catalogue((*accepted, (path.name, text)))
        except FrameworkError as exc:
            results.append({"file": str(path), "ok": False, "line": exc.line, "reason": exc.reason})
            continue
        accepted.append((path.name, text))
        added = [fw.id for fw in catalogue.frameworks.values() if not fw.built_in]
        results.append({"file": str(path), "ok": True, "line": None, "frameworks": added})
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        for result in results:
            if result["ok"]:
                print(f"{result['file']}: OK")
            elif result["line"]:
                print(f"{result['file']}, line {result['line']}: {result['reason']}")
            else:
                print(f"{result['file']}: {result['reason']}")
    return 0 if all(r["ok"] for r in results) else 1
