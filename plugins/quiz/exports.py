"""The trainer's report as CSV (UTF-8 with BOM, so spreadsheet programs read the accents) and
XLSX (openpyxl)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font


def _cell(value: Any) -> Any:
    # A text starting with = + - @ would run as a formula in a spreadsheet: keep it text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else _cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    # Excel refuses these characters in a sheet name (openpyxl raises): a quiz called
    # "Module 1/2" must still export.
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or "Report"
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        if isinstance(cell.value, str):
            cell.data_type = "s"  # a quiz titled "=..." heads a column: text, never a formula
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            # openpyxl writes a text starting with "=" as a formula: keep every text a text.
            if isinstance(cell.value, str):
                cell.data_type = "s"
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 50)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
