"""A4 sheet of asset labels: a QR code of the asset tag, the tag in large print and the model.

3 columns × 8 rows of 70 × 37 mm (the common A4 label sheet). The QR code is drawn by segno as a
PNG and placed by fpdf2; it holds the tag only, so any phone reader shows it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import segno
from fpdf.enums import XPos, YPos

from core.i18n import gettext as _
from core.pdf import FAMILY, new_pdf

COLUMNS = 3
ROWS = 8
LABEL_W = 70.0
LABEL_H = 37.0
QR_SIZE = 28.0


@dataclass(frozen=True)
class Label:
    tag: str
    model: str
    organisation: str


def qr_png(text: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=6, border=1)
    return buffer.getvalue()


def render(labels: Sequence[Label]) -> bytes:
    """The sheet(s) as PDF bytes; a new page every 24 labels."""
    pdf = new_pdf()
    pdf.set_title(_("Equipment labels"))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    top = (297.0 - ROWS * LABEL_H) / 2
    left = (210.0 - COLUMNS * LABEL_W) / 2
    for index, label in enumerate(labels):
        slot = index % (COLUMNS * ROWS)
        if slot == 0:
            pdf.add_page()
        x = left + (slot % COLUMNS) * LABEL_W
        y = top + (slot // COLUMNS) * LABEL_H
        pdf.image(
            io.BytesIO(qr_png(label.tag)),
            x=x + 3,
            y=y + (LABEL_H - QR_SIZE) / 2,
            w=QR_SIZE,
            h=QR_SIZE,
        )
        text_x = x + QR_SIZE + 5
        text_w = LABEL_W - QR_SIZE - 7
        pdf.set_xy(text_x, y + 6)
        pdf.set_font(FAMILY, "B", 12)
        pdf.multi_cell(text_w, 6, label.tag, new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_x(text_x)
        pdf.set_font(FAMILY, "", 8)
        pdf.multi_cell(
            text_w, 4, label.model[:60], new_x=XPos.LEFT, new_y=YPos.NEXT, max_line_height=4
        )
        pdf.set_x(text_x)
        pdf.set_font(FAMILY, "", 7)
        pdf.multi_cell(text_w, 3.5, label.organisation[:50], new_x=XPos.LEFT, new_y=YPos.NEXT)
    if not labels:
        pdf.add_page()
    return bytes(pdf.output())
