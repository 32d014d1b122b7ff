"""The attendance plugin's pages, split by concern; ``ROUTES`` is what ``declic_routes`` returns."""

from __future__ import annotations

from core.contracts import SIGNED_IN, PageRoute, needs
from plugins.attendance.views import checkin, reports, rollcall, sessions, statuses

GET = ("GET",)
POST = ("POST",)
BOTH = ("GET", "POST")

# The Access rule checks the capability in the organisation; each view then checks it again in
# the session's course (``ctx.course(id, capability)``), so a trainer reaches only the courses
# they teach while admins reach every course.
ROUTES = [
    PageRoute("/", sessions.index, GET, SIGNED_IN, "index"),
    PageRoute(
        "/course/{course_id}",
        sessions.course_sessions_page,
        GET,
        needs("attendance:take"),
        "course_sessions",
    ),
    PageRoute(
        "/course/{course_id}/new",
        sessions.new_session,
        BOTH,
        needs("attendance:manage"),
        "new_session",
    ),
    PageRoute(
        "/course/{course_id}/from-sections",
        sessions.from_sections,
        POST,
        needs("attendance:manage"),
        "from_sections",
    ),
    PageRoute(
        "/session/{session_id}", rollcall.rollcall, GET, needs("attendance:take"), "rollcall"
    ),
    PageRoute(
        "/session/{session_id}/mark", rollcall.mark_one, POST, needs("attendance:take"), "mark"
    ),
    PageRoute(
        "/session/{session_id}/all-present",
        rollcall.mark_all_present,
        POST,
        needs("attendance:take"),
        "all_present",
    ),
    PageRoute(
        "/session/{session_id}/history/{user_id}",
        rollcall.record_history,
        GET,
        needs("attendance:take"),
        "history",
    ),
    PageRoute(
        "/session/{session_id}/edit",
        sessions.edit_session,
        BOTH,
        needs("attendance:manage"),
        "edit_session",
    ),
    PageRoute(
        "/session/{session_id}/delete",
        sessions.delete_session,
        POST,
        needs("attendance:manage"),
        "delete_session",
    ),
    PageRoute(
        "/session/{session_id}/sheet.pdf", reports.sheet, GET, needs("attendance:take"), "sheet"
    ),
    PageRoute("/session/{session_id}/qr", checkin.qr_page, GET, needs("attendance:take"), "qr"),
    PageRoute(
        "/session/{session_id}/qr/code",
        checkin.qr_fragment,
        GET,
        needs("attendance:take"),
        "qr_code",
    ),
    PageRoute("/checkin", checkin.checkin, BOTH, needs("attendance:checkin"), "checkin"),
    PageRoute(
        "/checkin/{session_id}",
        checkin.checkin_link,
        BOTH,
        needs("attendance:checkin"),
        "checkin_link",
    ),
    PageRoute("/my", reports.my_attendance, GET, needs("attendance:view_own"), "my"),
    PageRoute(
        "/course/{course_id}/report",
        reports.course_report,
        GET,
        needs("attendance:report"),
        "course_report",
    ),
    PageRoute(
        "/course/{course_id}/report.csv",
        reports.export_csv,
        GET,
        needs("attendance:report"),
        "export_csv",
    ),
    PageRoute(
        "/course/{course_id}/report.xlsx",
        reports.export_xlsx,
        GET,
        needs("attendance:report"),
        "export_xlsx",
    ),
    PageRoute(
        "/course/{course_id}/learner/{user_id}",
        reports.learner_report,
        GET,
        needs("attendance:report"),
        "learner_report",
    ),
    PageRoute(
        "/warnings/{warning_id}/dismiss",
        reports.dismiss_warning,
        POST,
        needs("attendance:report"),
        "dismiss_warning",
    ),
    PageRoute(
        "/statuses", statuses.manage_statuses, BOTH, needs("attendance:statuses.manage"), "statuses"
    ),
]
