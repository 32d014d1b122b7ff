"""The trainer's pages: the list of courses, a course's grid (learners × targets), its exports."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from starlette.responses import Response

from core.context import RequestContext
from core.errors import NotFound
from core.i18n import gettext as _
from core.models import Course, Enrolment
from plugins.certification.assessment import course_learners, reports_for, tag_problems
from plugins.certification.evidence import org_catalogue
from plugins.certification.readiness import Profile, status_label, verdicts
from plugins.certification.views.common import (
    cell,
    course_groups,
    load_course,
    source_notices,
    target_columns,
)


def index(ctx: RequestContext) -> Response:
    """Courses this trainer may assess, and the tag problems of the organisation's quizzes."""
    assert ctx.user is not None
    stmt = select(Course).where(Course.organisation_id == ctx.org.id)
    if not ctx.may("core:course.manage"):
        stmt = stmt.join(Enrolment, Enrolment.course_id == Course.id).where(
            Enrolment.user_id == ctx.user.id
        )
    courses = [
        c
        for c in ctx.db.scalars(stmt.order_by(Course.title))
        if ctx.may("certification:assess", c.id)
    ]
    return ctx.render(
        "certification/index.html",
        courses=courses,
        problems=tag_problems(ctx.db, ctx.org.id),
        notices=source_notices(ctx),
        may_frameworks=ctx.may("certification:frameworks"),
    )


def _group(ctx: RequestContext, course: Course) -> int | None:
    text = ctx.request.query_params.get("group", "")
    if not text:
        return None
    if not text.isdigit() or int(text) not in {g.id for g in course_groups(ctx, course.id)}:
        raise NotFound(_("This group does not exist in this course."))
    return int(text)


def _grid(ctx: RequestContext, course_id: Any) -> dict[str, Any]:
    course = load_course(ctx, course_id)
    group_id = _group(ctx, course)
    catalogue = org_catalogue(ctx.db, ctx.org.id)
    learners = course_learners(ctx.db, ctx.org.id, course.id, group_id)
    reports = reports_for(ctx, learners, [course.id], catalogue)
    # Headings from an empty profile: the same targets whether or not there are learners.
    columns = target_columns(verdicts(catalogue, Profile({})), catalogue)
    rows = [
        {
            "user": r.user,
            "cells": [(v, cell(v.status)) for v in r.verdicts],
        }
        for r in reports
    ]
    return {
        "course": course,
        "group_id": group_id,
        "groups": course_groups(ctx, course.id),
        "columns": columns,
        "rows": rows,
    }


def grid(ctx: RequestContext, course_id: str) -> Response:
    data = _grid(ctx, course_id)
    return ctx.render(
        "certification/grid.html",
        **data,
        notices=source_notices(ctx),
        problems=tag_problems(ctx.db, ctx.org.id),
    )


def _table(ctx: RequestContext, course_id: Any) -> tuple[Course, list[list[str]]]:
    data = _grid(ctx, course_id)
    header = [_("Learner"), *[title for _key, title in data["columns"]]]
    lines = [header]
    for row in data["rows"]:
        lines.append(
            [row["user"].display_name, *[status_label(v.status) for v, _c in row["cells"]]]
        )
    return data["course"], lines


def _safe_cell(value: str) -> str:
    # A name starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_csv(ctx: RequestContext, course_id: str) -> Response:
    course, lines = _table(ctx, course_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for line in lines:
        writer.writerow([_safe_cell(v) for v in line])
    return Response(
        "\ufeff" + buffer.getvalue(),  # BOM: spreadsheet programs then read UTF-8 accents right
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="readiness-{course.id}.csv"'},
    )


def export_xlsx(ctx: RequestContext, course_id: str) -> Response:
    course, lines = _table(ctx, course_id)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Readiness")[:31]
    for line in lines:
        sheet.append([_safe_cell(v) for v in line])
    for cell_ in sheet[1]:
        cell_.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(
        buffer.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="readiness-{course.id}.xlsx"'},
    )
