"""Uploaded question files waiting between the preview and the confirmation.

The bytes are kept under ``data_dir/imports/`` with a random token, next to a small record of
who uploaded them, for which organisation: the confirmation imports exactly what was previewed
(never a second upload the browser might send differently), and only its owner can confirm it.
Files older than a day are removed whenever a new one is kept.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

MAX_AGE_SECONDS = 24 * 3600
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class PendingImport:
    token: str
    organisation_id: int
    user_id: int
    filename: str
    data: bytes


def _folder(data_dir: Path) -> Path:
    folder = data_dir / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def keep(data_dir: Path, organisation_id: int, user_id: int, filename: str, data: bytes) -> str:
    """Store an upload; returns its token."""
    folder = _folder(data_dir)
    _remove_old(folder)
    token = secrets.token_hex(16)
    (folder / f"{token}.upload").write_bytes(data)
    record = {"organisation_id": organisation_id, "user_id": user_id, "filename": filename}
    (folder / f"{token}.json").write_text(json.dumps(record), encoding="utf-8")
    return token


def claim(data_dir: Path, token: str, organisation_id: int, user_id: int) -> PendingImport | None:
    """Take the upload behind ``token`` for importing, if it exists and belongs to this user in
    this organisation. The file is renamed first (atomic): of two confirmations sent at once
    (a double click), only one gets it, so nothing is imported twice."""
    if not TOKEN_RE.match(token or ""):
        return None
    folder = _folder(data_dir)
    try:
        record = json.loads((folder / f"{token}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("organisation_id") != organisation_id or record.get("user_id") != user_id:
        return None
    working = folder / f"{token}.working"
    try:
        (folder / f"{token}.upload").rename(working)
        data = working.read_bytes()
    except OSError:
        return None
    return PendingImport(token, organisation_id, user_id, str(record.get("filename", "")), data)


def release(data_dir: Path, token: str) -> None:
    """Give a claimed upload back (nothing was imported: the admin may confirm again)."""
    if TOKEN_RE.match(token or ""):
        folder = _folder(data_dir)
        (folder / f"{token}.working").rename(folder / f"{token}.upload")


def discard(data_dir: Path, token: str) -> None:
    if TOKEN_RE.match(token or ""):
        for suffix in (".upload", ".working", ".json"):
            (_folder(data_dir) / f"{token}{suffix}").unlink(missing_ok=True)


def _remove_old(folder: Path) -> None:
    limit = time.time() - MAX_AGE_SECONDS
    for path in folder.glob("*.*"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            continue
