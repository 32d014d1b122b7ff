"""Hooks the attendance plugin publishes for other plugins (added through
``declic_add_hookspecs``). A listener must declare ``depends`` or cope with attendance being off."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core import hookspec

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from plugins.attendance.events import AttendanceTaken


@hookspec
def declic_attendance_taken(db: Session, taken: AttendanceTaken) -> None:
    """Attendance of a session changed. *Per organisation.*

    Called after each roll-call change (a status, "mark all present", a correction) and each
    self check-in, once the rows are flushed, with the session's full list of records
    (``plugins.attendance.events.AttendanceTaken``). Emitted through ``collect``: a listener that
    raises is logged and skipped, the roll call still succeeds. Returns nothing.
    """
