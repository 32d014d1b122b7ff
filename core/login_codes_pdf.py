"""The login codes sheet as a PDF: one card per learner (name, login name, code, QR code), eight
cards to an A4 page with cut lines, for the trainer to print and hand out.

DejaVu Sans (in ``core/fonts`` with its licence: core never reads a plugin's files) covers Latin
and Arabic; text shaping (uharfbuzz) joins Arabic letters and lays them right to left. The QR
code, drawn by segno, opens the sign-in page with the code filled in.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from core.i18n import gettext as _
from core.pdf import FAMILY, new_pdf

COLUMNS = 2
ROWS = 4
CARD_W = 210.0 / COLUMNS
CARD_H = 297.0 / ROWS
QR_SIZE = 34.0
PAD = 7.0


@dataclass(frozen=True)
class CodeCard:
    name: str
    login: str
    code: str
    url: str  # what the QR code opens: the sign-in page with the code


def _new_pdf(title: str) -> FPDF:
    pdf = new_pdf("portrait", title)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    return pdf


def _qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=2)
    buffer.seek(0)
    return buffer


def _cut_lines(pdf: FPDF) -> None:
    pdf.set_draw_color(160, 160, 160)
    pdf.set_dash_pattern(dash=2, gap=2)
    for column in range(1, COLUMNS):
        pdf.line(column * CARD_W, 0, column * CARD_W, 297)
    for row in range(1, ROWS):
        pdf.line(0, row * CARD_H, 210, row * CARD_H)
    pdf.set_dash_pattern()


def _card(pdf: FPDF, card: CodeCard, x: float, y: float, organisation: str) -> None:
    text_w = CARD_W - 2 * PAD - QR_SIZE - 4
    pdf.set_text_color(90, 90, 90)
    pdf.set_font(FAMILY, "", 8)
    pdf.set_xy(x + PAD, y + PAD - 2)
    pdf.cell(CARD_W - 2 * PAD, 4, organisation[:70], new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    # Long names (up to 200 characters) get a smaller type so the code keeps its place.
    name = card.name if len(card.name) <= 80 else card.name[:79] + "…"
    size, height = (14, 6.5) if len(name) <= 40 else (10, 4.5)
    pdf.set_font(FAMILY, "B", size)
    pdf.set_xy(x + PAD, y + PAD + 4)
    pdf.multi_cell(text_w, height, name, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", 10)
    pdf.set_x(x + PAD)
    pdf.multi_cell(text_w, 5, f"{_('Login name:')} {card.login}", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_x(x + PAD)
    pdf.cell(text_w, 6, _("Code:"), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "B", 20)
    pdf.set_x(x + PAD)
    pdf.cell(text_w, 9, card.code, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.image(_qr_png(card.url), x=x + CARD_W - PAD - QR_SIZE, y=y + PAD + 4, w=QR_SIZE)
    pdf.set_font(FAMILY, "", 8)
    pdf.set_xy(x + PAD, y + CARD_H - PAD - 12)
    pdf.multi_cell(
        CARD_W - 2 * PAD,
        4,
        _("Scan the QR code with a phone, or go to the sign-in page and type the code."),
        new_x=XPos.LEFT,
        new_y=YPos.NEXT,
    )


def render(cards: Sequence[CodeCard], organisation: str, title: str = "") -> bytes:
    """The sheet as PDF bytes: eight cards per A4 page, in the order given."""
    pdf = _new_pdf(title or _("Login codes to print"))
    per_page = COLUMNS * ROWS
    for index, card in enumerate(cards):
        slot = index % per_page
        if slot == 0:
            pdf.add_page()
            _cut_lines(pdf)
        _card(pdf, card, (slot % COLUMNS) * CARD_W, (slot // COLUMNS) * CARD_H, organisation)
    if not cards:
        pdf.add_page()
        pdf.set_font(FAMILY, "", 12)
        pdf.set_xy(20, 20)
        pdf.cell(170, 8, _("No learner here can get a login code."))
    return bytes(pdf.output())
