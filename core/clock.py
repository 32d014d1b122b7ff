"""The one clock of the platform, so tests (and the browser tests' server) can move time.

Code never calls ``datetime.now()`` directly: it calls :func:`now`. Tests shift the clock with
:func:`set_offset`; a server started for browser tests reads ``DECLIC_CLOCK_FILE``, a file holding
an offset in seconds, so a test in another process can make "time pass".
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

_offset = timedelta(0)


def now() -> datetime:
    """Current time, timezone-aware UTC, shifted by the test offset if any."""
    return datetime.now(UTC) + _offset + _file_offset()


def set_offset(offset: timedelta) -> None:
    """Move the clock (tests only)."""
    global _offset
    _offset = offset


def _file_offset() -> timedelta:
    path = os.environ.get("DECLIC_CLOCK_FILE")
    if not path:
        return timedelta(0)
    try:
        with open(path) as fh:
            return timedelta(seconds=float(fh.read().strip() or 0))
    except (OSError, ValueError):
        return timedelta(0)


def as_utc(value: datetime) -> datetime:
    """Databases may hand back naive datetimes (SQLite); they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
