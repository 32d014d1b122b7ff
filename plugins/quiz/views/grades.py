"""A course's quiz grades for the trainer: on a page, as CSV and as XLSX."""

from __future__ import annotations

from starlette.responses import Response

from core.context import RequestContext
from core.contracts import PageRoute, needs
from core.i18n import current_language
from core.i18n import gettext as _
from plugins.quiz.course_grades import grade_table, to_csv, to_spreadsheet

REPORT = needs("quiz:report")


def _filename(course_id: int, ext: str) -> str:
    return f"quiz-grades-course-{course_id}.{ext}"


def grades_page(ctx: RequestContext, course_id: str) -> Response:
    course = ctx.course(course_id, "quiz:report")
    table = grade_table(ctx.db, ctx.org.id, course.id)
    return ctx.render("quiz/export_grades.html", course=course, table=table)


def grades_csv(ctx: RequestContext, course_id: str) -> Response:
    course = ctx.course(course_id, "quiz:report")
    table = grade_table(ctx.db, ctx.org.id, course.id)
    return Response(
        to_csv(table.header, table.rows, current_language()),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_filename(course.id, "csv")}"'},
    )


def grades_xlsx(ctx: RequestContext, course_id: str) -> Response:
    course = ctx.course(course_id, "quiz:report")
    table = grade_table(ctx.db, ctx.org.id, course.id)
    return Response(
        to_spreadsheet(_("Quiz grades"), table),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{_filename(course.id, "xlsx")}"'},
    )


ROUTES = [
    PageRoute("/course/{course_id:int}/grades", grades_page, ("GET",), REPORT, "course_grades"),
    PageRoute(
        "/course/{course_id:int}/grades.csv", grades_csv, ("GET",), REPORT, "course_grades_csv"
    ),
    PageRoute(
        "/course/{course_id:int}/grades.xlsx", grades_xlsx, ("GET",), REPORT, "course_grades_xlsx"
    ),
]
