"""The backup archive: one zip file holding ``manifest.json``, the database copy under
``database/`` and the data directory's files under ``files/``.

The manifest lists every other member with its SHA-256; reading an archive checks its shape,
refuses unsafe or unlisted members, and verifies each member's checksum as it is extracted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from core.clock import now

FORMAT = "declic-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/declic.sqlite3"
PGDUMP_MEMBER = "database/declic.pgdump"
FILES_PREFIX = "files/"
CHUNK = 1024 * 1024

# Exit codes of ``declic backup`` and ``declic restore`` (also in docs/backup.md).
FAILED = 1  # the work itself failed (pg_dump error, disk full...)
REFUSED = 2  # bad input: missing or damaged archive, wrong database, data in the way
TOOL_MISSING = 3  # pg_dump / pg_restore not installed


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; ``code`` is the command's exit code."""

    def __init__(self, message: str, code: int = REFUSED) -> None:
        super().__init__(message)
        self.code = code


def key_fingerprint(key: str) -> str:
    """A short, one-way tag of the secret key: tells whether two keys match, reveals nothing."""
    return hashlib.sha256(f"declic-backup-key-check:{key}".encode()).hexdigest()[:16]


def add_file(archive: zipfile.ZipFile, source: Path, member: str, compress: bool) -> dict[str, Any]:
    """Copy one file into the archive, hashing exactly the bytes written; its entry in the
    manifest (path, SHA-256, size, permission bits)."""
    info = zipfile.ZipInfo(member, date_time=now().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    digest = hashlib.sha256()
    size = 0
    # The source is opened first: a file removed meanwhile leaves no member behind.
    with source.open("rb") as fh, archive.open(info, "w", force_zip64=True) as out:
        mode = os.fstat(fh.fileno()).st_mode & 0o777
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return {"path": member, "sha256": digest.hexdigest(), "size": size, "mode": mode}


def _safe_member(path: Any) -> str:
    if not isinstance(path, str) or "\\" in path or path.startswith("/"):
        raise BackupError(f"the archive lists an unsafe path {path!r}: refused")
    parts = PurePosixPath(path).parts
    if any(part in ("", ".", "..") for part in parts) or len(parts) < 2:
        raise BackupError(f"the archive lists an unsafe path {path!r}: refused")
    return path


def read_manifest(archive: zipfile.ZipFile, name: str) -> dict[str, Any]:
    """The manifest, checked for shape; raises :class:`BackupError` for a foreign archive."""
    names = archive.namelist()
    if len(names) != len(set(names)):
        raise BackupError(f"{name} holds the same member twice: it is not a Déclic backup")
    if MANIFEST not in names:
        raise BackupError(f"{name} has no {MANIFEST}: it is not a Déclic backup")
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (ValueError, zipfile.BadZipFile, OSError) as exc:
        raise BackupError(f"the manifest of {name} is unreadable: the archive is damaged") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{name} is not a Déclic backup")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(
            f"{name} was written by a newer Déclic (backup format {version}): upgrade first"
        )
    database = manifest.get("database")
    files = manifest.get("files")
    if (
        not isinstance(database, dict)
        or database.get("kind") not in ("sqlite", "postgresql")
        or database.get("member") not in (SQLITE_MEMBER, PGDUMP_MEMBER)
        or not isinstance(database.get("alembic_heads"), list)
        or not isinstance(database.get("tables"), dict)
        or not all(isinstance(n, int) for n in database["tables"].values())
        or not isinstance(files, list)
    ):
        raise BackupError(f"the manifest of {name} is incomplete: the archive is damaged")
    listed = set()
    for entry in files:
        if (
            not isinstance(entry, dict)
            or not re.fullmatch(r"[0-9a-f]{64}", str(entry.get("sha256")))
            or not isinstance(entry.get("size"), int)
        ):
            raise BackupError(f"the manifest of {name} is incomplete: the archive is damaged")
        listed.add(_safe_member(entry.get("path")))
    if database["member"] not in listed:
        raise BackupError(f"{name} lists no database copy: the archive is damaged")
    extra = set(names) - listed - {MANIFEST}
    missing = listed - set(names)
    if missing:
        raise BackupError(
            f"{name} lacks {len(missing)} member(s) its manifest lists (first: "
            f"{sorted(missing)[0]}): the archive is damaged"
        )
    if extra:
        raise BackupError(
            f"{name} holds member(s) its manifest does not list ({sorted(extra)[0]}): refused"
        )
    return manifest


def _checked_chunks(archive: zipfile.ZipFile, entry: dict[str, Any]) -> Iterator[bytes]:
    """The member's bytes; raises :class:`BackupError` once they are read whole when they do not
    match the manifest's SHA-256, and as soon as they exceed its size (a crafted archive must not
    fill the disk before the check)."""
    member = entry["path"]
    digest = hashlib.sha256()
    size = 0
    try:
        with archive.open(member) as fh:
            while chunk := fh.read(CHUNK):
                size += len(chunk)
                if size > entry["size"]:
                    raise BackupError(f"{member} is longer than its manifest says: refused")
                digest.update(chunk)
                yield chunk
    except (zipfile.BadZipFile, EOFError, ValueError, zlib.error) as exc:
        raise BackupError(f"{member} cannot be read ({exc}): the archive is damaged") from exc
    if digest.hexdigest() != entry["sha256"] or size != entry["size"]:
        raise BackupError(f"{member} does not match its checksum: the archive is damaged")


def extract_checked(archive: zipfile.ZipFile, entry: dict[str, Any], into: Path) -> Path:
    """Extract one member into ``into`` (same relative path), verifying it on the way."""
    destination = into.joinpath(*PurePosixPath(entry["path"]).parts)
    destination.parent.mkdir(parents=True, exist_ok=True)
    with destination.open("wb") as out:
        for chunk in _checked_chunks(archive, entry):
            out.write(chunk)
    return destination


def verify_backup(source: Path) -> dict[str, Any]:
    """Check a backup without writing anything; returns its manifest."""
    source = readable(source)
    with open_archive(source) as archive:
        manifest = read_manifest(archive, source.name)
        for entry in manifest["files"]:
            for _chunk in _checked_chunks(archive, entry):
                pass
    return manifest


def readable(source: Path) -> Path:
    source = source.expanduser().resolve()
    if not source.exists():
        raise BackupError(f"{source} does not exist")
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    if not os.access(source, os.R_OK):
        raise BackupError(f"cannot read {source} (permission denied)")
    return source


@contextlib.contextmanager
def open_archive(source: Path) -> Iterator[zipfile.ZipFile]:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError(
            f"{source.name} cannot be read as a zip archive: it is damaged or not a Déclic backup"
        ) from exc
    with archive:
        yield archive
