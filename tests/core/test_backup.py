"""``declic backup`` / ``declic restore`` (core/backup.py): a populated platform (demo data of
every installed plugin, a logo and other data files) is backed up while a thread keeps writing,
restored into a fresh database and data directory, and compared table by table and file by file.

Runs on SQLite, and on PostgreSQL with ``DECLIC_TEST_BACKEND=postgres`` (the restore goes into a
fresh database holding a schema of the same name; pg_dump/pg_restore are needed: without them the
PostgreSQL round trips skip, or fail under CI).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
import stat
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, make_url, select, text
from sqlalchemy.pool import NullPool

import core
import core.backup
import core.backup_databases
from core.backup import (
    FAILED,
    REFUSED,
    TOOL_MISSING,
    BackupError,
    create_backup,
    restore_backup,
    verify_backup,
)
from core.backup_databases import find_pg_tool
from core.cli import main
from core.clock import now, set_offset
from core.db import Base, make_engine, session_scope
from core.demo import seed_demo
from core.migrate import alembic_config, upgrade
from core.models import AuditEvent, Course, Organisation, Section
from core.settings import Settings, load_settings
from core.testing import TEST_SECRET, backend, blank_database, make_host

LOGO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


# --- helpers ----------------------------------------------------------------------------------


def need_pg_tools() -> None:
    """PostgreSQL round trips need pg_dump and pg_restore: skip without them, fail under CI."""
    if backend() != "postgres":
        return
    missing = [tool for tool in ("pg_dump", "pg_restore") if find_pg_tool(tool) is None]
    if missing:
        reason = f"{' and '.join(missing)} not found on PATH or under /usr/lib/postgresql/*/bin"
        if os.environ.get("CI"):
            pytest.fail(f"CI requires the PostgreSQL backup tests but {reason}", pytrace=False)
        pytest.skip(reason)


@contextmanager
def fresh_target(folder: Path, source_url: str, label: str) -> Iterator[Settings]:
    """Settings for an empty platform to restore into: a new SQLite file, or on PostgreSQL a new
    database whose connections use the same schema name as the source (the dump's schema)."""
    data_dir = folder / f"{label}-data"
    if backend() != "postgres":
        yield load_settings(
            data_dir=data_dir,
            database_url=f"sqlite:///{folder / f'{label}.sqlite3'}",
            secret_key=TEST_SECRET,
        )
        return
    name = f"declic_restore_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(
        os.environ["DECLIC_TEST_POSTGRES_URL"], poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(source_url).set(database=name).render_as_string(hide_password=False)
        yield load_settings(data_dir=data_dir, database_url=url, secret_key=TEST_SECRET)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def contents(url: str) -> dict[str, list[str]]:
    """Every row of every table (ordered by primary key), plus Alembic's revisions."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            existing = set(inspect(conn).get_table_names())
            tables: dict[str, list[str]] = {}
            for table in Base.metadata.sorted_tables:
                if table.name in existing:
                    order = list(table.primary_key.columns) or list(table.columns)
                    rows = conn.execute(select(table).order_by(*order))
                    tables[table.name] = [repr(tuple(row)) for row in rows]
            tables["alembic_version"] = sorted(
                conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            )
    finally:
        engine.dispose()
    return tables


def primary_keys(url: str) -> dict[str, set[tuple[Any, ...]]]:
    """The primary key of every row of every table."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            existing = set(inspect(conn).get_table_names())
            return {
                table.name: {tuple(row) for row in conn.execute(select(*table.primary_key.columns))}
                for table in Base.metadata.sorted_tables
                if table.name in existing and table.primary_key.columns
            }
    finally:
        engine.dispose()


def data_files(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (hidden staging folders excepted)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and not any(part.startswith(".") for part in relative.split("/")):
            found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def snapshot(settings: Settings) -> tuple[dict[str, list[str]] | None, dict[str, str]]:
    """What a refused restore must leave untouched: the database and the data files."""
    db_file = make_url(settings.database_url).database or ""
    exists = backend() == "postgres" or Path(db_file).exists()
    return (contents(settings.database_url) if exists else None), data_files(settings.data_dir)


def core_models() -> list[type]:
    from core import models

    return [
        obj
        for obj in vars(models).values()
        if isinstance(obj, type) and issubclass(obj, Base) and hasattr(obj, "__table__")
    ]


@pytest.fixture
def platform(declic: Any, declic_settings: Settings) -> Any:
    """Both demo organisations (every installed plugin on, with its demo content) and one more
    organisation with a logo; data files beside it: the logo, a stored document in a subfolder,
    and files a backup must leave out (a half-written upload, a hidden file, an unconfirmed
    user import)."""
    with declic.db() as db:
        seed_demo(db, declic.state.host)
    org = declic.org("logo", name="Association Logo")
    admin = declic.user(org, "admin")
    learner = declic.user(org, "learner", display_name="Zoë Ñúñez")
    course = declic.course(org, title="Atelier", sections=2)
    declic.enrol(course, learner)
    data = declic_settings.data_dir
    (data / "logos").mkdir(parents=True, exist_ok=True)
    (data / "logos" / f"{org.id}-0a1b2c.png").write_bytes(LOGO)
    (data / "documents" / "2026").mkdir(parents=True, exist_ok=True)
    (data / "documents" / "2026" / "feuille.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(3000))
    (data / "upload.tmp").write_bytes(b"half written")
    (data / "imports").mkdir(parents=True, exist_ok=True)
    (data / "imports" / "users-abc.csv").write_bytes(b"login;email\nzoe;zoe@example.org\n")
    (data / ".editor-swap").write_bytes(b"not data")
    with declic.db() as db:
        db.get_one(Organisation, org.id).logo = f"{org.id}-0a1b2c.png"
        db.add(AuditEvent(organisation_id=org.id, actor_id=admin.id, action="branding", target="x"))
    return declic


def kept(files: dict[str, str]) -> dict[str, str]:
    """The data files a backup holds: all but temporary, transient and hidden ones."""
    return {
        name: digest
        for name, digest in files.items()
        if not name.endswith(".tmp") and not name.startswith("imports/")
    }


class Writer(threading.Thread):
    """Keeps writing through the application's own sessions: each transaction adds a course,
    its three sections and an audit event, so a torn snapshot would show a course without all
    of them."""

    def __init__(self, kit: Any, organisation_id: int) -> None:
        super().__init__(daemon=True)
        self.kit = kit
        self.organisation_id = organisation_id
        self.commits = 0
        self.errors: list[BaseException] = []
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            try:
                with session_scope(self.kit.state.write_db) as db:
                    course = Course(
                        organisation_id=self.organisation_id, title="Live", summary="written"
                    )
                    db.add(course)
                    db.flush()
                    for position in range(3):
                        db.add(
                            Section(
                                organisation_id=self.organisation_id,
                                course_id=course.id,
                                title=f"Live {position}",
                                position=position,
                            )
                        )
                    db.add(
                        AuditEvent(
                            organisation_id=self.organisation_id,
                            action="test.live-write",
                            target=f"course:{course.id}",
                        )
                    )
                self.commits += 1
            except BaseException as exc:  # reported by stop()
                self.errors.append(exc)
                return

    def wait_for(self, commits: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while self.commits < commits and not self.errors:
            assert time.monotonic() < deadline, f"the writer made only {self.commits} commits"
            time.sleep(0.01)

    def stop(self) -> None:
        self.halt.set()
        self.join(timeout=30)
        assert not self.errors, self.errors


class PageWriter(threading.Thread):
    """Keeps sending the branding form through the application (CSRF token, routing, audit):
    each accepted form renames the organisation to "Busy N" and writes one audit event."""

    def __init__(self, kit: Any, slug: str, admin: Any) -> None:
        super().__init__(daemon=True)
        self.kit = kit
        self.url = f"/o/{slug}/admin/branding"
        self.client = kit.client(admin)
        self.commits = 0
        self.errors: list[BaseException] = []
        self.halt = threading.Event()

    def run(self) -> None:
        form = {"colour": "#1f5fa8", "theme": "default", "default_language": "fr"}
        while not self.halt.is_set():
            try:
                answer = self.kit.post(
                    self.client, self.url, {**form, "name": f"Busy {self.commits + 1}"}
                )
                assert answer.status_code == 303, answer.text[:500]
                self.commits += 1
            except BaseException as exc:  # reported by stop()
                self.errors.append(exc)
                return

    def stop(self) -> None:
        self.halt.set()
        self.join(timeout=30)
        assert not self.errors, self.errors


# --- round trips ------------------------------------------------------------------------------


def test_round_trip_restores_every_table_and_data_file(platform, declic_settings, tmp_path):
    need_pg_tools()
    host = platform.state.host
    source_tables = contents(declic_settings.database_url)
    source_files = data_files(declic_settings.data_dir)
    set_offset(timedelta(days=3))
    try:
        report = create_backup(declic_settings, host, tmp_path / "platform.zip")
        made_at = now()
    finally:
        set_offset(timedelta(0))
    archive = tmp_path / "platform.zip"
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    # The demo filled the plugins' tables too, not only core's.
    core_tables = {model.__table__.name for model in core_models()}
    filled = {name for name, rows in source_tables.items() if rows and name != "alembic_version"}
    assert filled - core_tables, "the demo left every plugin table empty"
    assert report.rows == sum(len(r) for n, r in source_tables.items() if n != "alembic_version")

    manifest = verify_backup(archive)
    assert manifest["declic_version"] == core.__version__
    assert manifest["database"]["kind"] == ("postgresql" if backend() == "postgres" else "sqlite")
    assert manifest["database"]["alembic_heads"] == source_tables["alembic_version"]
    assert abs(datetime.fromisoformat(manifest["created_at"]) - made_at) < timedelta(minutes=1)
    assert sorted(manifest["plugins"]) == sorted(host.names)
    listed = {
        entry["path"].removeprefix("files/"): entry["sha256"]
        for entry in manifest["files"]
        if entry["path"].startswith("files/")
    }
    assert listed == kept(source_files)
    assert {"upload.tmp", "imports/users-abc.csv"} <= source_files.keys()
    assert not any(".editor-swap" in entry["path"] for entry in manifest["files"])
    assert "secret_key" not in listed  # set through the settings here, not a file
    with zipfile.ZipFile(archive) as zf:
        for entry in manifest["files"]:
            assert hashlib.sha256(zf.read(entry["path"])).hexdigest() == entry["sha256"]

    with fresh_target(tmp_path, declic_settings.database_url, "restored") as target:
        result = restore_backup(target, host, archive)
        assert result.rows == report.rows
        assert result.files == len(kept(source_files))
        assert not result.upgraded
        restored = contents(target.database_url)
        assert restored.keys() == source_tables.keys()
        for table, rows in source_tables.items():
            assert restored[table] == rows, f"table {table} differs after the restore"
        assert data_files(target.data_dir) == kept(source_files)
        assert not list(target.data_dir.glob(".restore-*"))


def test_backup_taken_while_the_platform_writes_is_consistent(platform, declic_settings, tmp_path):
    need_pg_tools()
    host = platform.state.host
    org = platform.org("busy")
    writer = Writer(platform, org.id)
    pages = PageWriter(platform, "busy", platform.user(org, "admin"))
    writer.start()
    pages.start()
    try:
        writer.wait_for(20)
        with platform.db() as db:
            committed_before = set(
                db.scalars(select(Course.id).where(Course.organisation_id == org.id))
            )
        started, pages_started = writer.commits, pages.commits
        create_backup(declic_settings, host, tmp_path / "live.zip")
        during, pages_during = writer.commits - started, pages.commits - pages_started
        writer.wait_for(writer.commits + 5)  # and the platform goes on after it
    finally:
        writer.stop()
        pages.stop()
    assert during > 0, "no write happened while the backup was taken"
    assert pages.commits > 0, "the branding form was never accepted"
    final = contents(declic_settings.database_url)

    if backend() != "postgres":
        # The copy in the archive is a sound SQLite database on its own.
        with zipfile.ZipFile(tmp_path / "live.zip") as zf:
            (tmp_path / "copy.sqlite3").write_bytes(zf.read("database/declic.sqlite3"))
        with sqlite3.connect(tmp_path / "copy.sqlite3") as copy:
            assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert copy.execute("PRAGMA foreign_key_check").fetchall() == []
            assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)

    with fresh_target(tmp_path, declic_settings.database_url, "restored") as target:
        restore_backup(target, host, tmp_path / "live.zip")
        restored = contents(target.database_url)
        restored_keys = primary_keys(target.database_url)
        engine = make_engine(target.database_url)
        try:
            with engine.connect() as conn:
                live = set(conn.scalars(select(Course.id).where(Course.organisation_id == org.id)))
                sections = conn.execute(
                    select(Section.course_id).where(Section.organisation_id == org.id)
                ).scalars()
                per_course: dict[int, int] = {}
                for course_id in sections:
                    per_course[course_id] = per_course.get(course_id, 0) + 1
                audited = set(
                    conn.scalars(
                        select(AuditEvent.target).where(AuditEvent.action == "test.live-write")
                    )
                )
                name = conn.scalar(select(Organisation.name).where(Organisation.id == org.id))
                renamed = len(
                    conn.scalars(
                        select(AuditEvent.id).where(
                            AuditEvent.organisation_id == org.id,
                            AuditEvent.action == "organisation.branding",
                        )
                    ).all()
                )
        finally:
            engine.dispose()
    # Everything committed before the backup began is in it; nothing torn; nothing invented.
    assert committed_before <= live
    assert len(live) < len(committed_before) + during + 6
    assert all(per_course.get(course_id) == 3 for course_id in live)
    assert set(per_course) == live
    assert audited == {f"course:{course_id}" for course_id in live}
    # The organisation's name and its audit trail come from the same instant.
    assert name == (f"Busy {renamed}" if renamed else "BUSY")
    assert renamed <= pages_started + pages_during + 1
    # Nothing invented: every restored row is in the platform as it ended, unchanged, except
    # in the tables the branding form updates in place (there the row must still exist).
    updated_in_place = {"organisation"}
    final_keys = primary_keys(declic_settings.database_url)
    for table, rows in restored.items():
        if table in updated_in_place:
            assert restored_keys[table] <= final_keys[table], table
        else:
            assert set(rows) <= set(final[table]), f"{table} holds rows the platform never had"


def test_restore_refuses_a_database_with_data_and_replaces_it_with_yes(
    platform, declic_settings, tmp_path
):
    need_pg_tools()
    host = platform.state.host
    create_backup(declic_settings, host, tmp_path / "b.zip")
    source_tables = contents(declic_settings.database_url)
    with fresh_target(tmp_path, declic_settings.database_url, "restored") as target:
        restore_backup(target, host, tmp_path / "b.zip")
        # Life goes on in the restored platform: a new row, a new file.
        engine = make_engine(target.database_url)
        with engine.begin() as conn:
            conn.execute(Organisation.__table__.insert().values(slug="later", name="Later"))
        engine.dispose()
        (target.data_dir / "logos" / "later.png").write_bytes(LOGO)
        before = snapshot(target)

        with pytest.raises(BackupError) as refused:
            restore_backup(target, host, tmp_path / "b.zip")
        assert refused.value.code == REFUSED
        assert "--yes" in str(refused.value)
        assert snapshot(target) == before

        restore_backup(target, host, tmp_path / "b.zip", replace=True)
        assert contents(target.database_url) == source_tables
        # Files the backup does not know are left alone; the backup's files are back as they were.
        files = data_files(target.data_dir)
        assert files.pop("logos/later.png")
        assert files == kept(data_files(declic_settings.data_dir))


def damaged_copies(good: Path, folder: Path) -> dict[str, Path]:
    """Ways an archive can be broken or foreign, each in its own file."""
    raw = good.read_bytes()
    with zipfile.ZipFile(good) as zf:
        members = {info.filename: zf.read(info.filename) for info in zf.infolist()}
        db_info = next(i for i in zf.infolist() if i.filename.startswith("database/"))
    manifest = json.loads(members["manifest.json"])
    copies: dict[str, Path] = {}

    def write(name: str, content: dict[str, bytes]) -> None:
        path = folder / f"{name}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for member, data in content.items():
                zf.writestr(member, data)
        copies[name] = path

    # One byte flipped inside the database copy's stored data.
    flipped = bytearray(raw)
    start = db_info.header_offset + 30 + len(db_info.filename.encode())
    flipped[start + db_info.compress_size // 2] ^= 0xFF
    (folder / "flipped.zip").write_bytes(bytes(flipped))
    copies["flipped"] = folder / "flipped.zip"
    (folder / "truncated.zip").write_bytes(raw[: len(raw) // 2])
    copies["truncated"] = folder / "truncated.zip"
    (folder / "not-a-zip.zip").write_text("just some text")
    copies["not-a-zip"] = folder / "not-a-zip.zip"
    write("foreign", {"hello.txt": b"hello"})
    logo = next(m for m in members if m.startswith("files/logos/"))
    write("changed-file", {**members, logo: members[logo][:-1] + b"\x00"})
    write("extra-member", {**members, "files/extra.txt": b"not in the manifest"})
    write("missing-member", {k: v for k, v in members.items() if k != logo})
    unsafe = json.loads(json.dumps(manifest))
    unsafe["files"].append({"path": "files/../../escape", "sha256": "0" * 64, "size": 1})
    longer = json.loads(json.dumps(manifest))
    next(e for e in longer["files"] if e["path"] == logo)["size"] = 10
    write("longer-than-listed", {**members, "manifest.json": json.dumps(longer).encode()})
    write(
        "unsafe-path",
        {
            **members,
            "manifest.json": json.dumps(unsafe).encode(),
            "files/../../escape": b"x",
        },
    )
    newer = {**manifest, "format_version": 99}
    write("newer-format", {**members, "manifest.json": json.dumps(newer).encode()})
    future = json.loads(json.dumps(manifest))
    future["database"]["alembic_heads"] = ["zz_from_the_future"]
    write("unknown-revision", {**members, "manifest.json": json.dumps(future).encode()})
    return copies


REFUSAL_REASONS = {
    "flipped": "the archive is damaged",
    "truncated": "damaged or not a Déclic backup",
    "not-a-zip": "damaged or not a Déclic backup",
    "foreign": "has no manifest.json",
    "changed-file": "does not match its checksum",
    "extra-member": "its manifest does not list",
    "missing-member": "lacks 1 member",
    "unsafe-path": "unsafe path",
    "longer-than-listed": "longer than its manifest says",
    "newer-format": "newer Déclic (backup format 99)",
    "unknown-revision": "zz_from_the_future",
}


def test_damaged_or_foreign_archive_is_refused_and_nothing_changes(
    platform, declic_settings, tmp_path
):
    need_pg_tools()
    host = platform.state.host
    good = tmp_path / "good.zip"
    create_backup(declic_settings, host, good)
    (tmp_path / "bad").mkdir()
    copies = damaged_copies(good, tmp_path / "bad")
    with fresh_target(tmp_path, declic_settings.database_url, "restored") as target:
        # A refused restore into an empty platform creates nothing (not even the SQLite file).
        with pytest.raises(BackupError):
            restore_backup(target, host, copies["flipped"], replace=True)
        if backend() != "postgres":
            assert not Path(make_url(target.database_url).database or "").exists()

        restore_backup(target, host, good)
        with platform.db() as db:  # the source moves on; the restored platform must not
            db.add(Organisation(slug="after", name="After"))
        before = snapshot(target)
        for name, path in copies.items():
            with pytest.raises(BackupError) as refused:
                restore_backup(target, host, path, replace=True)
            assert refused.value.code == REFUSED, name
            assert REFUSAL_REASONS[name] in str(refused.value), (name, str(refused.value))
            assert snapshot(target) == before, f"the {name} archive changed something"
            assert not list(target.data_dir.glob(".restore-*"))
        assert not (tmp_path / "escape").exists()


def test_older_backup_is_upgraded_after_the_restore(declic, declic_settings, tmp_path):
    """A backup made before the plugins' tables existed comes up to the current schema."""
    need_pg_tools()
    host = declic.state.host
    with blank_database(tmp_path, "old") as url:
        engine = make_engine(url)
        cfg = alembic_config(host, url)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "core@head")
            conn.execute(Organisation.__table__.insert().values(slug="ancienne", name="Ancienne"))
        engine.dispose()
        old = load_settings(data_dir=tmp_path / "old-data", database_url=url, secret_key="k")
        create_backup(old, host, tmp_path / "old.zip")
        with fresh_target(tmp_path, url, "restored") as target:
            report = restore_backup(target, host, tmp_path / "old.zip")
            assert report.upgraded
            restored = contents(target.database_url)
    assert restored["alembic_version"] == contents(declic_settings.database_url)["alembic_version"]
    assert len(restored["organisation"]) == 1 and "ancienne" in restored["organisation"][0]


# --- the command --------------------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch, capsys):
    """Run ``declic ARGS`` in-process against the platform described by ``settings``."""

    def run(settings: Settings, *args: str) -> tuple[int, str, str]:
        monkeypatch.setenv("DECLIC_DATA_DIR", str(settings.data_dir))
        monkeypatch.setenv("DECLIC_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("DECLIC_SECRET_KEY", settings.secret_key)
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_cli_backup_and_restore_exit_codes(platform, declic_settings, tmp_path, cli):
    need_pg_tools()
    archive = tmp_path / "cli.zip"
    code, out, err = cli(declic_settings, "backup", str(archive))
    assert (code, err) == (0, "")
    assert "Backup written to" in out and "readable by its owner only" in out

    code, _out, err = cli(declic_settings, "backup", str(archive))
    assert code == REFUSED and "already exists" in err and "no backup was written" in err
    code, _out, err = cli(declic_settings, "backup", str(tmp_path / "no" / "such" / "b.zip"))
    assert code == REFUSED and "does not exist" in err
    code, _out, err = cli(declic_settings, "backup", str(declic_settings.data_dir / "in.zip"))
    assert code == REFUSED and "inside the data directory" in err
    # A folder the command may not write in (as the system reports it: root passes os.access).
    readonly = tmp_path / "readonly"
    readonly.mkdir()

    def refuse(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("dir") == readonly:
            raise PermissionError(13, "Permission denied")
        return real_temporary_directory(*args, **kwargs)

    real_temporary_directory = core.backup.tempfile.TemporaryDirectory
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(core.backup.tempfile, "TemporaryDirectory", refuse)
        code, _out, err = cli(declic_settings, "backup", str(readonly / "b.zip"))
    assert code == REFUSED and "cannot write in" in err and "Permission denied" in err
    assert list(readonly.iterdir()) == []

    code, _out, err = cli(declic_settings, "restore", str(tmp_path / "missing.zip"))
    assert code == REFUSED and "does not exist" in err and "nothing was changed" in err
    code, _out, err = cli(declic_settings, "restore", str(archive))
    assert code == REFUSED and "--yes" in err

    code, out, err = cli(declic_settings, "restore", "--check", str(archive))
    assert (code, err) == (0, "")
    assert "a sound Déclic backup" in out and "every checksum matches" in out
    with zipfile.ZipFile(archive) as zf, zipfile.ZipFile(tmp_path / "bent.zip", "w") as bent:
        for info in zf.infolist():
            data = zf.read(info.filename)
            bent.writestr(info.filename, data[:-1] if info.filename.startswith("files/") else data)
    code, _out, err = cli(declic_settings, "restore", "--check", str(tmp_path / "bent.zip"))
    assert code == REFUSED and "the archive is damaged" in err

    (tmp_path / "junk.zip").write_text("junk")
    with fresh_target(tmp_path, declic_settings.database_url, "restored") as target:
        code, _out, err = cli(target, "restore", str(tmp_path / "junk.zip"))
        assert code == REFUSED and "not a Déclic backup" in err
        code, out, err = cli(target, "restore", str(archive))
        assert (code, err) == (0, "")
        assert "Restored the backup of" in out
        assert cli(target, "restore", str(archive))[0] == REFUSED
        assert cli(target, "restore", str(archive), "--yes")[0] == 0
        assert contents(target.database_url) == contents(declic_settings.database_url)


def test_cli_wrong_kind_of_database_and_missing_pg_dump(tmp_path, cli, monkeypatch):
    postgres = load_settings(
        data_dir=tmp_path / "pg-data",
        database_url="postgresql+psycopg://nobody@127.0.0.1:9/none",
        secret_key=TEST_SECRET,
    )
    sqlite = load_settings(
        data_dir=tmp_path / "lite-data",
        database_url=f"sqlite:///{tmp_path / 'lite.sqlite3'}",
        secret_key=TEST_SECRET,
    )
    # pg_dump nowhere: not on PATH, no /usr/lib/postgresql/*/bin.
    monkeypatch.setattr(core.backup_databases.shutil, "which", lambda _name: None)
    monkeypatch.setattr(core.backup_databases, "PG_BIN_GLOB", str(tmp_path / "nowhere" / "*"))
    code, _out, err = cli(postgres, "backup", str(tmp_path / "pg.zip"))
    assert code == TOOL_MISSING
    assert "pg_dump is needed" in err and "postgresql-client" in err
    assert not (tmp_path / "pg.zip").exists()

    # A SQLite backup offered to a PostgreSQL configuration is refused plainly.
    engine = make_engine(sqlite.database_url)
    upgrade(engine, make_host())
    engine.dispose()
    assert cli(sqlite, "backup", str(tmp_path / "lite.zip"))[0] == 0
    code, _out, err = cli(postgres, "restore", str(tmp_path / "lite.zip"), "--yes")
    assert code == REFUSED
    assert "holds a SQLite database" in err and "is PostgreSQL" in err
    assert "nothing was changed" in err


def test_pg_tools_are_found_under_the_debian_folders(tmp_path, monkeypatch):
    for version in ("13", "16", "9.6"):
        folder = tmp_path / "postgresql" / version / "bin"
        folder.mkdir(parents=True)
        (folder / "pg_dump").write_text("#!/bin/sh\n")
        (folder / "pg_dump").chmod(0o755)
    monkeypatch.setattr(core.backup_databases.shutil, "which", lambda _name: None)
    monkeypatch.setattr(core.backup_databases, "PG_BIN_GLOB", str(tmp_path / "postgresql/*/bin"))
    assert find_pg_tool("pg_dump") == tmp_path / "postgresql" / "16" / "bin" / "pg_dump"
    assert find_pg_tool("pg_restore") is None


def test_unknown_database_kind_is_refused(tmp_path):
    settings = load_settings(
        data_dir=tmp_path / "d", database_url="mysql://x@localhost/db", secret_key="k"
    )
    with pytest.raises(BackupError) as refused:
        create_backup(settings, make_host(), tmp_path / "b.zip")
    assert refused.value.code == REFUSED and "not 'mysql'" in str(refused.value)


def test_secret_key_file_travels_with_the_backup_and_live_files_stay_out(tmp_path, monkeypatch):
    """The default layout: database and generated secret key inside the data directory."""
    monkeypatch.delenv("DECLIC_SECRET_KEY", raising=False)
    host = make_host()

    def layout(name: str) -> Settings:
        data_dir = tmp_path / name
        return load_settings(
            data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'declic.sqlite3'}"
        )

    source = layout("source")
    engine = make_engine(source.database_url)
    upgrade(engine, host)
    with engine.begin() as conn:
        conn.execute(Organisation.__table__.insert().values(slug="nord", name="Nord"))
    (source.data_dir / "logos").mkdir()
    (source.data_dir / "logos" / "1-abc.png").write_bytes(LOGO)
    with engine.connect() as reader:  # an open connection: the -wal and -shm files exist
        reader.execute(select(Organisation.id)).all()
        assert (source.data_dir / "declic.sqlite3-wal").exists()
        create_backup(source, host, tmp_path / "b.zip")
    engine.dispose()
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        members = sorted(zf.namelist())
    assert members == [
        "database/declic.sqlite3",
        "files/logos/1-abc.png",
        "files/secret_key",
        "manifest.json",
    ]

    target = layout("target")
    assert target.secret_key != source.secret_key  # a fresh install made its own key
    report = restore_backup(target, host, tmp_path / "b.zip")
    key_file = target.data_dir / "secret_key"
    assert key_file.read_text() == (source.data_dir / "secret_key").read_text()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert report.warnings == []
    assert contents(target.database_url) == contents(source.database_url)

    # A key set through the environment wins over the file: say that old codes will not work.
    monkeypatch.setenv("DECLIC_SECRET_KEY", "another key")
    report = restore_backup(target, host, tmp_path / "b.zip", replace=True)
    assert len(report.warnings) == 1
    assert "not the one the backup was made with" in report.warnings[0]


def test_postgres_restore_is_all_or_nothing(platform, declic_settings, tmp_path):
    """pg_restore runs in one transaction: when it cannot drop a table (a table the backup does
    not know refers to it), nothing at all has changed."""
    if backend() != "postgres":
        pytest.skip("PostgreSQL only (DECLIC_TEST_BACKEND=postgres)")
    need_pg_tools()
    host = platform.state.host
    create_backup(declic_settings, host, tmp_path / "b.zip")
    with fresh_target(tmp_path, declic_settings.database_url, "restored") as target:
        restore_backup(target, host, tmp_path / "b.zip")
        engine = make_engine(target.database_url)
        with engine.begin() as conn:
            conn.execute(Organisation.__table__.insert().values(slug="later", name="Later"))
            conn.execute(
                text(
                    "CREATE TABLE later_plugin (id integer PRIMARY KEY, "
                    "organisation_id integer REFERENCES organisation (id))"
                )
            )
            conn.execute(text("INSERT INTO later_plugin SELECT 1, max(id) FROM organisation"))
        before = snapshot(target)
        with pytest.raises(BackupError) as failed:
            restore_backup(target, host, tmp_path / "b.zip", replace=True)
        assert failed.value.code == FAILED
        assert "pg_restore failed" in str(failed.value) and "depend" in str(failed.value)
        assert snapshot(target) == before
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM later_plugin")).scalar_one() == 1
        engine.dispose()


def test_sqlite_restore_keeps_an_open_database_coherent(platform, declic_settings, tmp_path):
    """Restoring under a connection someone left open (a server not stopped): that connection
    then reads the backup's data, and the file stays sound (no stale -wal replayed)."""
    if backend() == "postgres":
        pytest.skip("SQLite only")
    host = platform.state.host
    create_backup(declic_settings, host, tmp_path / "b.zip")
    with fresh_target(tmp_path, declic_settings.database_url, "restored") as target:
        restore_backup(target, host, tmp_path / "b.zip")
        engine = make_engine(target.database_url)
        try:
            with engine.begin() as conn:
                conn.execute(Organisation.__table__.insert().values(slug="later", name="Later"))
            db_file = Path(make_url(target.database_url).database or "")
            assert db_file.with_name(db_file.name + "-wal").stat().st_size > 0
            restore_backup(target, host, tmp_path / "b.zip", replace=True)
            with engine.connect() as conn:
                slugs = set(conn.scalars(select(Organisation.slug)))
                assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        finally:
            engine.dispose()
        assert "later" not in slugs
        assert contents(target.database_url) == contents(declic_settings.database_url)


def test_data_files_changed_during_the_snapshot_are_kept(
    platform, declic_settings, tmp_path, monkeypatch
):
    """Files are copied before and after the database snapshot: a logo removed while the
    snapshot is taken, and one written meanwhile, are both in the archive."""
    need_pg_tools()
    logos = declic_settings.data_dir / "logos"
    removed = next(logos.glob("*.png"))
    added = logos / "9-newlogo.png"
    name = "snapshot_postgres" if backend() == "postgres" else "snapshot_sqlite"
    real = getattr(core.backup, name)

    def busy_snapshot(settings: Settings, into: Path) -> Any:
        removed.unlink()
        result = real(settings, into)
        added.write_bytes(LOGO[::-1])
        return result

    monkeypatch.setattr(core.backup, name, busy_snapshot)
    create_backup(declic_settings, platform.state.host, tmp_path / "b.zip")
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        assert zf.read(f"files/logos/{removed.name}") == LOGO
        assert zf.read("files/logos/9-newlogo.png") == LOGO[::-1]
