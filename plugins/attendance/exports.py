"""CSV and XLSX exports of a course's (or group's) attendance.

Two tables: the summary (one row per learner, with both rates, labelled) and the details (one
row per learner and planned session). The CSV holds one table (the caller picks which); the
XLSX holds both, one sheet each.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import datetime

from openpyxl import Workbook

from plugins.attendance.reports import LearnerReport


def _rate(value: float | None) -> float | str:
    return round(value * 100, 1) if value is not None else ""


def summary_rows(reports: Sequence[LearnerReport], headers: dict[str, str]) -> list[list[object]]:
    rows: list[list[object]] = [
        [
            headers["learner"],
            headers["planned"],
            headers["taken"],
            headers["points"],
            headers["rate_so_far"],
            headers["rate_planned"],
        ]
    ]
    for report in reports:
        s = report.summary
        rows.append(
            [
                report.user.display_name,
                s.planned,
                s.taken,
                s.points,
                _rate(s.rate_so_far),
                _rate(s.rate_planned),
            ]
        )
    return rows


def detail_rows(
    reports: Sequence[LearnerReport],
    headers: dict[str, str],
    local: Callable[[datetime], str],
) -> list[list[object]]:
    rows: list[list[object]] = [
        [
            headers["learner"],
            headers["date"],
            headers["place"],
            headers["status"],
            headers["points"],
            headers["max_points"],
            headers["remark"],
        ]
    ]
    for report in reports:
        for line in report.lines:
            record = line.record
            rows.append(
                [
                    report.user.display_name,
                    local(line.session.starts_at),
                    line.session.place,
                    record.status_name if record else "",
                    record.points if record else "",
                    line.outcome.max_points,
                    record.remark if record else "",
                ]
            )
    return rows


def _safe(value: object) -> object:
    """Neutralise text a spreadsheet would run as a formula (a name typed as "=HYPERLINK(...)")."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def to_csv(rows: list[list[object]]) -> bytes:
    rows = [[_safe(v) for v in row] for row in rows]
    buffer = io.StringIO()
    # Semicolons: what French spreadsheet software expects; BOM so accents open correctly.
    writer = csv.writer(buffer, delimiter=";")
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(sheets: list[tuple[str, list[list[object]]]]) -> bytes:
    book = Workbook()
    first = True
    for title, rows in sheets:
        sheet = book.active if first else book.create_sheet()
        first = False
        sheet.title = title[:31]
        for row in rows:
            sheet.append([_safe(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
