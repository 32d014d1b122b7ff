"""The database half of a backup: a consistent copy of SQLite (online backup API) or
PostgreSQL (``pg_dump -Fc`` in an exported snapshot), and loading it back."""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, inspect, make_url, select, table, text

from core.backup_archive import FAILED, PGDUMP_MEMBER, SQLITE_MEMBER, TOOL_MISSING, BackupError
from core.db import make_engine
from core.settings import Settings

# Where Debian and Ubuntu put the client programs of each installed PostgreSQL version.
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


def database_kind(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend in ("sqlite", "postgresql"):
        return backend
    raise BackupError(f"backups support SQLite and PostgreSQL, not {backend!r}")


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database).resolve()


def table_rows(connection: Connection) -> dict[str, int]:
    """Row count of every table of the database (or schema), in the connection's snapshot.

    Every table the database holds, not only the models imported now: a plugin's tables count
    even when the plugin is not loaded in this process."""
    counts: dict[str, int] = {}
    for name in sorted(inspect(connection).get_table_names()):
        counts[name] = int(
            connection.execute(select(func.count()).select_from(table(name))).scalar_one()
        )
    return counts


def heads_of(connection: Connection) -> list[str]:
    if "alembic_version" not in inspect(connection).get_table_names():
        return []
    return sorted(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def rows_in(engine: Engine) -> int:
    with engine.connect() as connection:
        counts = table_rows(connection)
    return sum(n for name, n in counts.items() if name != "alembic_version")


def current_heads(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return heads_of(connection)


def sqlite_exists(settings: Settings) -> bool:
    path = sqlite_path(settings.database_url)
    return path.is_file() and path.stat().st_size > 0


def snapshot_sqlite(settings: Settings, into: Path) -> tuple[dict[str, Any], list[str]]:
    """Copy the live SQLite database with the online backup API; returns the manifest's
    database section and warnings."""
    source_path = sqlite_path(settings.database_url)
    if not source_path.is_file():
        raise BackupError(f"the database file {source_path} does not exist")
    copy = into / "declic.sqlite3"
    source = sqlite3.connect(source_path, timeout=30)
    try:
        target = sqlite3.connect(copy)
        try:
            # One step (pages=-1): the whole copy is read in one transaction, a single
            # consistent snapshot; in WAL mode the platform's writers are not held up.
            source.backup(target)
            # A self-contained file: no -wal beside it in the archive.
            target.execute("PRAGMA journal_mode=DELETE")
            integrity = target.execute("PRAGMA integrity_check").fetchall()
            broken_keys = target.execute("PRAGMA foreign_key_check").fetchall()
        finally:
            target.close()
    finally:
        source.close()
    warnings = []
    if [row[0] for row in integrity] != ["ok"]:
        warnings.append(
            "the live database fails SQLite's integrity check; the backup holds it as it is: "
            + "; ".join(str(row[0]) for row in integrity[:5])
        )
    if broken_keys:
        warnings.append(f"the database has {len(broken_keys)} rows with a broken foreign key")
    engine = make_engine(f"sqlite:///{copy}")
    try:
        with engine.connect() as connection:
            section = {
                "kind": "sqlite",
                "member": SQLITE_MEMBER,
                "alembic_heads": heads_of(connection),
                "tables": table_rows(connection),
            }
    finally:
        engine.dispose()
    # The engine's connect hook turned WAL back on for the copy; the archive holds one file.
    with contextlib.closing(sqlite3.connect(copy)) as plain:
        plain.execute("PRAGMA journal_mode=DELETE")
    return section, warnings


def restore_sqlite(settings: Settings, copy: Path) -> None:
    """Load the copy into the configured file with the online backup API: one write
    transaction, so the file holds either the old data or the backup, never a mix, and any
    -wal file beside it stays coherent (replacing the file by hand would not)."""
    target_path = sqlite_path(settings.database_url)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(copy)
    try:
        target = sqlite3.connect(target_path, timeout=30)
        try:
            source.backup(target)
        except sqlite3.Error as exc:
            raise BackupError(f"the database could not be replaced: {exc}", FAILED) from exc
        finally:
            target.close()
    finally:
        source.close()


def find_pg_tool(name: str) -> Path | None:
    """``pg_dump`` / ``pg_restore`` from PATH, else the newest under /usr/lib/postgresql/*/bin
    (a newer client reads older servers; an older one refuses newer servers)."""
    found = shutil.which(name)
    if found:
        return Path(found)

    def version(folder: str) -> tuple[int, ...]:
        digits = re.findall(r"\d+", Path(folder).parent.name)
        return tuple(int(d) for d in digits)

    for folder in sorted(glob.glob(PG_BIN_GLOB), key=version, reverse=True):
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def require_pg_tool(name: str) -> Path:
    tool = find_pg_tool(name)
    if tool is None:
        raise BackupError(
            f"{name} is needed for a PostgreSQL database and was not found on PATH or under "
            f"{PG_BIN_GLOB} (install the PostgreSQL client programs: apt-get install "
            "postgresql-client)",
            TOOL_MISSING,
        )
    return tool


def _libpq_env(url: str) -> dict[str, str]:
    """Connection settings for the PostgreSQL programs, through libpq's environment variables
    (the password never appears on a command line that ``ps`` would show)."""
    parsed = make_url(url)
    env = dict(os.environ)
    pairs: dict[str, str | None] = {
        "PGHOST": parsed.host,
        "PGPORT": str(parsed.port) if parsed.port else None,
        "PGUSER": parsed.username,
        "PGPASSWORD": parsed.password,
        "PGDATABASE": parsed.database,
    }
    # The query string holds libpq keywords (host for a socket folder, sslmode, options with
    # the search_path...); each has a PG* variable.
    keywords = {
        "host": "PGHOST",
        "port": "PGPORT",
        "sslmode": "PGSSLMODE",
        "sslrootcert": "PGSSLROOTCERT",
        "sslcert": "PGSSLCERT",
        "sslkey": "PGSSLKEY",
        "options": "PGOPTIONS",
        "application_name": "PGAPPNAME",
        "connect_timeout": "PGCONNECT_TIMEOUT",
    }
    for key, value in parsed.query.items():
        if key in keywords:
            pairs[keywords[key]] = value if isinstance(value, str) else value[-1]
    for variable, setting in pairs.items():
        if setting:
            env[variable] = setting
    return env


def _run_pg(command: list[str], url: str, what: str) -> None:
    done = subprocess.run(command, env=_libpq_env(url), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = done.stderr.strip() or done.stdout.strip() or f"exit code {done.returncode}"
        raise BackupError(f"{what} failed: {detail}", FAILED)


def _pg_schema(connection: Connection) -> str:
    schema = connection.execute(text("SELECT current_schema()")).scalar()
    if not schema:
        raise BackupError(
            "the configured PostgreSQL database has no schema on its search_path: nothing to back up"
        )
    return str(schema)


def snapshot_postgres(settings: Settings, into: Path) -> tuple[dict[str, Any], list[str]]:
    """``pg_dump -Fc`` of the platform's schema, taken in the snapshot this function reads the
    row counts and Alembic heads from (exported snapshot), so the manifest describes the dump."""
    pg_dump = require_pg_tool("pg_dump")
    dump = into / "declic.pgdump"
    engine = make_engine(settings.database_url, pool_size=1, max_overflow=0)
    try:
        with engine.connect().execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        ) as connection:
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            schema = _pg_schema(connection)
            section = {
                "kind": "postgresql",
                "member": PGDUMP_MEMBER,
                "schema": schema,
                "alembic_heads": heads_of(connection),
                "tables": table_rows(connection),
            }
            _run_pg(
                [
                    str(pg_dump),
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f'--schema="{schema}"',
                    "--no-owner",
                    "--no-acl",
                    f"--file={dump}",
                ],
                settings.database_url,
                "pg_dump",
            )
            connection.rollback()
    except BackupError:
        raise
    except Exception as exc:  # connection refused, role missing...
        raise BackupError(f"cannot read the PostgreSQL database: {exc}", FAILED) from exc
    finally:
        engine.dispose()
    return section, []


def check_postgres_schema(engine: Engine, manifest: dict[str, Any]) -> None:
    wanted = manifest["database"].get("schema")
    with engine.connect() as connection:
        current = connection.execute(text("SELECT current_schema()")).scalar()
        path = str(connection.execute(text("SHOW search_path")).scalar())
        user = str(connection.execute(text("SELECT current_user")).scalar())
    entries = [p.strip().strip('"').replace("$user", user) for p in path.split(",")]
    if current == wanted or (current is None and wanted in entries):
        return
    raise BackupError(
        f"the backup holds the PostgreSQL schema {wanted!r} but the configured database keeps "
        f"its tables in {current or entries[0]!r}: point the search_path of "
        f"DECLIC_DATABASE_URL at {wanted!r} (?options=-csearch_path%3D{wanted}), or restore "
        "into a database that uses that schema"
    )


def restore_postgres(settings: Settings, dump: Path) -> None:
    pg_restore = require_pg_tool("pg_restore")
    _run_pg(
        [
            str(pg_restore),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-acl",
            "--no-comments",
            # All or nothing: an error anywhere leaves the database as it was.
            "--single-transaction",
            f"--dbname={_libpq_dbname(settings.database_url)}",
            str(dump),
        ],
        settings.database_url,
        "pg_restore",
    )


def _libpq_dbname(url: str) -> str:
    """pg_restore wants --dbname; the rest of the connection comes from PG* variables."""
    return make_url(url).database or ""
