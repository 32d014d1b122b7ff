"""PDF documents for core and plugins: fpdf2 with DejaVu Sans (Latin and Arabic), shipped in
``core/fonts/`` with its licence so a document looks the same on every machine. Text shaping
(uharfbuzz) joins Arabic letters and lays them right to left, so one line may mix French and
Arabic names (sign-in sheets, certificates, loan agreements, login-code cards)."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "dejavu"


def new_pdf(orientation: str = "portrait", title: str | None = None) -> FPDF:
    """An A4 document (millimetres) with DejaVu Sans regular and bold and text shaping on."""
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_text_shaping(True)
    pdf.set_font(FAMILY, size=11)
    pdf.set_creator("Déclic")
    if title:
        pdf.set_title(title)
    return pdf
