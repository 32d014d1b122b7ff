"""``declic backup FILE`` and ``declic restore FILE [--yes]`` (see docs/backup.md).

Exit codes: 0 done; 1 the work failed (pg_dump or pg_restore error, disk full); 2 refused
(file missing or in the way, damaged or foreign archive, wrong kind of database, data present
without --yes), with nothing changed; 3 pg_dump / pg_restore not installed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(subparsers: argparse._SubParsersAction) -> None:
    backup = subparsers.add_parser(
        "backup",
        help="write a consistent backup (database and data files) to one archive, while serving",
    )
    backup.add_argument("file", metavar="FILE", type=Path, help="new archive to write (.zip)")
    backup.set_defaults(func=cmd_backup)

    restore = subparsers.add_parser(
        "restore", help="bring a backup back (stop the server first), then upgrade the schema"
    )
    restore.add_argument("file", metavar="FILE", type=Path, help="archive made by declic backup")
    restore.add_argument(
        "--yes", action="store_true", help="replace the data of a database that is not empty"
    )
    restore.add_argument(
        "--check",
        action="store_true",
        help="only verify the archive (manifest and checksums); change nothing",
    )
    restore.set_defaults(func=cmd_restore)


def _error(message: str, code: int) -> int:
    print(f"declic: error: {message}", file=sys.stderr)
    return code


def cmd_backup(args: argparse.Namespace, runtime: Any) -> int:
    from core.backup import BackupError, create_backup

    try:
        report = create_backup(runtime.settings, runtime.host, args.file)
    except BackupError as exc:
        return _error(f"{exc}; no backup was written.", exc.code)
    except OSError as exc:
        return _error(f"{exc}; no backup was written.", 1)
    for warning in report.warnings:
        print(f"declic: warning: {warning}", file=sys.stderr)
    print(
        f"Backup written to {report.path} ({report.size} bytes, readable by its owner only): "
        f"{report.kind} database, {report.rows} rows in {report.tables} tables, "
        f"{report.files} data files."
    )
    return 0


def _check(path: Path) -> int:
    from core.backup import BackupError, verify_backup

    try:
        manifest = verify_backup(path)
    except BackupError as exc:
        return _error(str(exc), exc.code)
    database = manifest["database"]
    rows = sum(n for name, n in database["tables"].items() if name != "alembic_version")
    files = sum(1 for entry in manifest["files"] if entry["path"].startswith("files/"))
    print(
        f"{path}: a sound Déclic backup of {manifest.get('created_at')} "
        f"(Déclic {manifest.get('declic_version')}, {database['kind']} database, {rows} rows, "
        f"{files} data files); every checksum matches."
    )
    return 0


def cmd_restore(args: argparse.Namespace, runtime: Any) -> int:
    from core.backup import BackupError, restore_backup
    from core.migrate import MigrationError

    if args.check:
        return _check(args.file)
    try:
        report = restore_backup(runtime.settings, runtime.host, args.file, replace=args.yes)
    except BackupError as exc:
        if exc.code == 2:
            return _error(f"{exc}; nothing was changed.", exc.code)
        return _error(str(exc), exc.code)
    except (OSError, MigrationError) as exc:
        return _error(str(exc), 1)
    for warning in report.warnings:
        print(f"declic: warning: {warning}", file=sys.stderr)
    upgraded = "schema upgraded to this version" if report.upgraded else "schema already current"
    print(
        f"Restored the backup of {report.created_at}: {report.rows} rows, {report.files} data "
        f"files; {upgraded}. Start the server again to use it."
    )
    return 0
