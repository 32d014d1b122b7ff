"""Backups of a whole platform (``declic backup`` / ``declic restore``).

A backup is one zip archive, written 0600 because it holds personal data and the secret key:

- ``manifest.json``: format, Déclic version, database kind, Alembic heads, row count of every
  table, installed plugins, creation time and the SHA-256 of every other member;
- ``database/declic.sqlite3`` (SQLite, copied with the online backup API: one consistent snapshot
  while the platform keeps writing) or ``database/declic.pgdump`` (PostgreSQL, ``pg_dump -Fc`` of
  the platform's schema, in the same snapshot as the row counts of the manifest);
- ``files/...``: the data directory (logos, photos, stored documents, the secret key) except the
  live database files and temporary files.

A restore reads and checks everything before it changes anything: an archive that is damaged,
foreign, for another kind of database, from an unknown schema revision, or aimed at a database
that already holds data (without ``replace=True``) is refused with nothing changed.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from alembic.script import ScriptDirectory

import core
from core.backup_archive import (
    FAILED,
    FILES_PREFIX,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    REFUSED,
    TOOL_MISSING,
    BackupError,
    add_file,
    extract_checked,
    key_fingerprint,
    open_archive,
    read_manifest,
    readable,
    verify_backup,
)
from core.backup_databases import (
    check_postgres_schema,
    current_heads,
    database_kind,
    require_pg_tool,
    restore_postgres,
    restore_sqlite,
    rows_in,
    snapshot_postgres,
    snapshot_sqlite,
    sqlite_exists,
    sqlite_path,
)
from core.clock import now
from core.db import make_engine
from core.plugins import PluginHost
from core.settings import Settings

__all__ = [
    "FAILED",
    "REFUSED",
    "TOOL_MISSING",
    "BackupError",
    "BackupReport",
    "RestoreReport",
    "create_backup",
    "restore_backup",
    "verify_backup",
]

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - the file's name, not a secret
# Folders of the data directory that hold nothing to keep: ``imports`` holds user lists
# uploaded and not confirmed yet, removed after a day because they hold personal data; a
# backup kept for months must not hold them longer.
TRANSIENT_FOLDERS = ("imports",)


@dataclass
class BackupReport:
    path: Path
    kind: str
    tables: int
    rows: int
    files: int
    size: int
    warnings: list[str] = field(default_factory=list)


@dataclass
class RestoreReport:
    kind: str
    created_at: str
    rows: int
    files: int
    upgraded: bool
    warnings: list[str] = field(default_factory=list)


def _data_files(settings: Settings, exclude: set[Path]) -> Iterator[tuple[Path, str]]:
    """(absolute path, archive-relative path) of every data file worth keeping.

    Left out: the live database files, hidden entries (our own staging folders, editors'
    swap files), ``*.tmp`` files, which are half-written by definition, and the transient
    folders; symbolic links are not followed (they may point anywhere on the machine)."""
    root = settings.data_dir
    for folder, dirs, names in os.walk(root):
        top = Path(folder) == root
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and not (top and d in TRANSIENT_FOLDERS)
        )
        for name in sorted(names):
            path = Path(folder) / name
            if name.startswith(".") or name.endswith(".tmp") or path in exclude:
                continue
            if path.is_symlink() or not path.is_file():
                continue
            yield path, path.relative_to(root).as_posix()


def _live_database_files(settings: Settings) -> set[Path]:
    if database_kind(settings.database_url) != "sqlite":
        return set()
    db = sqlite_path(settings.database_url)
    return {db, *(db.with_name(db.name + suffix) for suffix in ("-wal", "-shm", "-journal"))}


def _check_target(settings: Settings, target: Path) -> Path:
    target = target.expanduser().resolve()
    if target.exists():
        raise BackupError(f"{target} already exists: choose another name or remove it first")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    if not os.access(target.parent, os.W_OK):
        raise BackupError(f"cannot write in {target.parent} (permission denied)")
    if target.is_relative_to(settings.data_dir):
        # The next backup would hold this one, and so on: keep backups beside, not inside.
        raise BackupError(
            f"{target} is inside the data directory {settings.data_dir}: "
            "write backups somewhere else"
        )
    return target


def _copy_data_files(
    settings: Settings, archive: zipfile.ZipFile, done: dict[str, dict[str, Any]]
) -> None:
    """Add the data files not in ``done`` yet (names are never reused: a new logo gets a new
    name), recording their manifest entries in it."""
    for path, relative in _data_files(settings, _live_database_files(settings)):
        member = FILES_PREFIX + relative
        if member in done:
            continue
        try:
            done[member] = add_file(archive, path, member, True)
        except FileNotFoundError:
            continue  # removed since it was listed (a logo replaced meanwhile)


def create_backup(settings: Settings, host: PluginHost, target: Path) -> BackupReport:
    """Write a backup of the platform to ``target`` (a new file, 0600)."""
    target = _check_target(settings, target)
    kind = database_kind(settings.database_url)
    try:
        scratch = tempfile.TemporaryDirectory(prefix=".declic-backup-", dir=target.parent)
    except OSError as exc:  # os.access says yes to root, a read-only mount still says no
        raise BackupError(f"cannot write in {target.parent} ({exc.strerror})") from exc
    with scratch:
        work = Path(scratch.name)
        partial = work / "archive.zip"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", allowZip64=True) as archive:
            files: dict[str, dict[str, Any]] = {}
            # Data files are copied before the database snapshot and again after it (those new
            # by then): a file the snapshot refers to was on disk at one of the two moments,
            # unless it was both created and removed while the snapshot was being taken.
            _copy_data_files(settings, archive, files)
            if kind == "sqlite":
                section, warnings = snapshot_sqlite(settings, work)
                db_file, compress = work / "declic.sqlite3", True
            else:
                section, warnings = snapshot_postgres(settings, work)
                db_file, compress = work / "declic.pgdump", False  # already compressed
            _copy_data_files(settings, archive, files)
            entries = [add_file(archive, db_file, section["member"], compress)]
            entries.extend(files[member] for member in sorted(files))
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "declic_version": core.__version__,
                "created_at": now().isoformat(),
                "database": section,
                "plugins": host.names,
                "secret_key": key_fingerprint(settings.secret_key),
                "files": entries,
            }
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        os.replace(partial, target)  # never a half-written backup under the chosen name
    tables = section["tables"]
    return BackupReport(
        path=target,
        kind=kind,
        tables=len(tables),
        rows=sum(n for name, n in tables.items() if name != "alembic_version"),
        files=len(entries) - 1,
        size=target.stat().st_size,
        warnings=warnings,
    )


def _check_revisions(settings: Settings, host: PluginHost, manifest: dict[str, Any]) -> None:
    from core.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config(host, settings.database_url))
    known = {rev.revision for rev in script.walk_revisions()}
    unknown = sorted(set(manifest["database"]["alembic_heads"]) - known)
    if unknown:
        missing_plugins = sorted(set(manifest.get("plugins") or []) - set(host.names))
        why = (
            f"install the plugins {', '.join(missing_plugins)} first"
            if missing_plugins
            else "it was made by a newer Déclic: upgrade this installation first"
        )
        raise BackupError(
            f"the backup's schema is at revisions this installation does not know "
            f"({', '.join(unknown)}): {why}"
        )


def _restore_files(staged: Path, data_dir: Path, manifest: dict[str, Any]) -> int:
    count = 0
    for entry in manifest["files"]:
        member = entry["path"]
        if not member.startswith(FILES_PREFIX):
            continue
        relative = PurePosixPath(member[len(FILES_PREFIX) :])
        source = staged.joinpath(*PurePosixPath(member).parts)
        destination = data_dir.joinpath(*relative.parts)
        destination.parent.mkdir(parents=True, exist_ok=True)
        mode = entry.get("mode")
        if relative.as_posix() == SECRET_KEY_FILE:
            mode = 0o600
        if isinstance(mode, int):
            source.chmod(mode & 0o755)  # never group- or world-writable, whatever the archive says
        os.replace(source, destination)  # atomic: a reader sees the old file or the new one
        count += 1
    return count


def restore_backup(
    settings: Settings, host: PluginHost, source: Path, *, replace: bool = False
) -> RestoreReport:
    """Bring a backup back into the configured database and data directory, then upgrade the
    schema. Everything is checked first; on refusal nothing has changed."""
    from core.migrate import upgrade

    source = readable(source)
    kind = database_kind(settings.database_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=".restore-", dir=settings.data_dir))
    engine = (
        make_engine(settings.database_url)
        if kind == "sqlite"
        else make_engine(settings.database_url, pool_size=1)
    )
    try:
        with open_archive(source) as archive:
            manifest = read_manifest(archive, source.name)
            for entry in manifest["files"]:
                extract_checked(archive, entry, staged)
        database = manifest["database"]
        if database["kind"] != kind:
            names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
            raise BackupError(
                f"this backup holds a {names[database['kind']]} database but the configured "
                f"database (DECLIC_DATABASE_URL) is {names[kind]}: restore it into a "
                f"{names[database['kind']]} configuration"
            )
        _check_revisions(settings, host, manifest)
        try:
            if kind == "postgresql":
                require_pg_tool("pg_restore")
                check_postgres_schema(engine, manifest)
            present = rows_in(engine) if kind == "postgresql" or sqlite_exists(settings) else 0
        except BackupError:
            raise
        except Exception as exc:
            raise BackupError(f"cannot read the configured database: {exc}", FAILED) from exc
        if present and not replace:
            raise BackupError(
                f"the configured database already holds {present} rows: restoring replaces "
                "them all; run again with --yes to do so"
            )
        engine.dispose()  # our own connections must not hold the file or the tables

        db_copy = staged.joinpath(*PurePosixPath(database["member"]).parts)
        if kind == "sqlite":
            restore_sqlite(settings, db_copy)
        else:
            restore_postgres(settings, db_copy)
        restored = rows_in(engine)
        expected = sum(n for name, n in database["tables"].items() if name != "alembic_version")
        if restored != expected:
            raise BackupError(
                f"the restored database holds {restored} rows, the backup {expected}", FAILED
            )
        files = _restore_files(staged, settings.data_dir, manifest)
        warnings = _key_warnings(settings, manifest)
        before = current_heads(engine)
        upgrade(engine, host)
        upgraded = current_heads(engine) != before
    finally:
        engine.dispose()
        shutil.rmtree(staged, ignore_errors=True)
    return RestoreReport(
        kind=kind,
        created_at=str(manifest.get("created_at")),
        rows=restored,
        files=files,
        upgraded=upgraded,
        warnings=warnings,
    )


def _key_warnings(settings: Settings, manifest: dict[str, Any]) -> list[str]:
    """Login codes and sessions are signed with the secret key: say when the key in force after
    the restore is not the one the backup was made with."""
    from_env = os.environ.get("DECLIC_SECRET_KEY")
    key_file = settings.data_dir / SECRET_KEY_FILE
    if from_env:
        key = from_env
    elif key_file.is_file():
        key = key_file.read_text().strip()
    else:
        return []
    if manifest.get("secret_key") in (None, key_fingerprint(key)):
        return []
    return [
        "the secret key in force here is not the one the backup was made with: printed sign-in "
        "codes and open sessions from before will not work (set DECLIC_SECRET_KEY to the old "
        "value, or print new codes)"
    ]
