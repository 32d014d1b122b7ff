"""The fonts the plugin's PDFs use: DejaVu Sans (Latin and Arabic), shipped in ``fonts/`` with its
licence so a PDF looks the same on every machine. Text shaping (uharfbuzz) joins Arabic letters
and lays them right to left."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "dejavu"


def new_pdf(orientation: str = "portrait") -> FPDF:
    """An A4 document with DejaVu Sans (regular and bold) and text shaping on."""
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_text_shaping(True)
    pdf.set_font(FAMILY, size=11)
    pdf.set_creator("Déclic")
    return pdf
