"""The sign-in sheet (feuille d'émargement) of one session, as an A4 PDF.

Made with fpdf2 and the DejaVu Sans font core ships (``core.pdf``: Latin and Arabic), with text
shaping (HarfBuzz through uharfbuzz) so Arabic names are joined and laid out right to left.
Funders ask for: organisation, course, date, hours, trainer, one line per learner with a
signature box, and the trainer's signature.
"""

from __future__ import annotations

from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from core.pdf import FAMILY, new_pdf


@dataclass(frozen=True)
class SheetLine:
    name: str
    status: str = ""  # the status marked, when the roll call was taken


@dataclass(frozen=True)
class Sheet:
    title: str
    organisation: str
    course: str
    group: str
    date: str
    hours: str
    place: str
    trainer: str
    lines: tuple[SheetLine, ...]
    labels: dict[str, str]  # translated column and field labels
    generated: str


def _pdf() -> FPDF:
    pdf = new_pdf("portrait")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(15, 15, 15)
    return pdf


def render(sheet: Sheet) -> bytes:
    pdf = _pdf()
    labels = sheet.labels
    pdf.set_title(sheet.title)
    pdf.set_creator("Déclic")

    def header_block() -> None:
        pdf.set_font(FAMILY, "B", 15)
        pdf.cell(0, 9, sheet.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FAMILY, "", 10)
        facts = [
            (labels["organisation"], sheet.organisation),
            (labels["course"], sheet.course + (f" — {sheet.group}" if sheet.group else "")),
            (labels["date"], sheet.date),
            (labels["hours"], sheet.hours),
            (labels["place"], sheet.place),
            (labels["trainer"], sheet.trainer),
        ]
        for label, value in facts:
            pdf.set_font(FAMILY, "B", 10)
            pdf.cell(35, 6, label)
            pdf.set_font(FAMILY, "", 10)
            pdf.cell(0, 6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)

    widths = (10, 70, 35, 65)

    def table_head() -> None:
        pdf.set_font(FAMILY, "B", 10)
        pdf.set_fill_color(230, 230, 230)
        for width, text in zip(
            widths, ("#", labels["learner"], labels["status"], labels["signature"]), strict=True
        ):
            pdf.cell(width, 8, text, border=1, fill=True)
        pdf.ln(8)

    pdf.add_page()
    header_block()
    table_head()
    row_height = 13  # room for a handwritten signature
    for number, line in enumerate(sheet.lines, start=1):
        if pdf.will_page_break(row_height):
            pdf.add_page()
            table_head()
        pdf.set_font(FAMILY, "", 10)
        pdf.cell(widths[0], row_height, str(number), border=1)
        pdf.cell(widths[1], row_height, line.name, border=1)
        pdf.cell(widths[2], row_height, line.status, border=1)
        pdf.cell(widths[3], row_height, "", border=1)
        pdf.ln(row_height)
    if not sheet.lines:
        pdf.set_font(FAMILY, "", 10)
        pdf.cell(0, 8, labels["nobody"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    if pdf.will_page_break(30):
        pdf.add_page()
    pdf.set_font(FAMILY, "B", 10)
    pdf.cell(0, 6, labels["trainer_signature"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(80, 22, "", border=1, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_font(FAMILY, "", 8)
    pdf.cell(0, 5, sheet.generated, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
