"""The certificate PDF: A4 landscape, DejaVu Sans shipped with the plugin (Latin, accents and
Arabic, shaped by HarfBuzz so a name in Arabic prints joined and right to left), a QR code of the
public verification URL and the code in clear."""

from __future__ import annotations

import io

import segno

from core.i18n import format_date
from core.i18n import gettext as _
from core.pdf import FAMILY, new_pdf
from plugins.certification.certificates import format_code
from plugins.certification.models import Certificate


def render_certificate(cert: Certificate, verify_url: str) -> bytes:
    pdf = new_pdf("landscape", _("Certificate"))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    width = pdf.w - 2 * pdf.l_margin

    pdf.set_draw_color(31, 95, 168)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, pdf.w - 16, pdf.h - 16)

    pdf.set_y(22)
    pdf.set_font(FAMILY, "", 14)
    pdf.cell(width, 8, cert.organisation_name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(FAMILY, "B", 30)
    pdf.cell(width, 14, _("Certificate"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(FAMILY, "", 14)
    pdf.cell(width, 8, _("awarded to"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FAMILY, "B", 24)
    pdf.multi_cell(width, 13, cert.learner_name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FAMILY, "", 14)
    pdf.cell(width, 8, _("for"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "B", 16)
    pdf.multi_cell(width, 9, cert.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FAMILY, "", 12)
    issued = _(
        "Issued on %(date)s by %(name)s",
        date=format_date(cert.issued_at, "long"),
        name=cert.issuer_name,
    )
    pdf.cell(width, 7, issued, align="C", new_x="LMARGIN", new_y="NEXT")

    qr = segno.make(verify_url, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=6, border=2)
    buffer.seek(0)
    size = 38
    top = pdf.h - 20 - size
    pdf.image(buffer, x=pdf.l_margin + 6, y=top, w=size, h=size)
    pdf.set_xy(pdf.l_margin + 6 + size + 6, top + 6)
    pdf.set_font(FAMILY, "", 11)
    pdf.cell(0, 6, _("Verification code"), new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, "B", 16)
    pdf.cell(0, 9, format_code(cert.code), new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, "", 9)
    pdf.cell(0, 6, _("Check it at %(url)s", url=verify_url), new_x="LEFT", new_y="NEXT")
    return bytes(pdf.output())
