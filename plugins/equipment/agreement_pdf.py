"""The loan agreement (charte de prêt) as a PDF: the organisation, the learner, the equipment with
its details, the agreement text of the version shown, the on-screen acceptance (date, address)
when there is one, and lines for handwritten signatures, so it can also be printed and signed.

The view stores the bytes made at acceptance (``Loan.agreement_pdf``): the record stays what the
learner accepted, whatever changes later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from fpdf.enums import XPos, YPos

from core.i18n import format_date, format_datetime
from core.i18n import gettext as _
from core.pdf import FAMILY, new_pdf


@dataclass(frozen=True)
class AssetLine:
    tag: str
    kind: str
    make_model: str
    serial: str
    specs: str
    grade: str


@dataclass(frozen=True)
class AgreementDocument:
    organisation: str
    learner: str
    kind: str  # "loan" or "donation"
    loan_id: int
    checked_out_at: datetime
    due_at: datetime | None
    agreement_version: int
    agreement_text: str
    assets: Sequence[AssetLine]
    accepted_at: datetime | None = None
    accepted_address: str = ""


def render(doc: AgreementDocument) -> bytes:
    """The agreement as PDF bytes."""
    pdf = new_pdf()
    pdf.set_title(_("Loan agreement"))
    pdf.add_page()
    width = pdf.epw

    def line(text: str, size: int = 11, style: str = "", height: float = 6) -> None:
        pdf.set_font(FAMILY, style, size)
        pdf.multi_cell(width, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    title = _("Loan agreement") if doc.kind == "loan" else _("Donation agreement")
    line(title, 18, "B", 9)
    line(doc.organisation, 12)
    pdf.ln(3)
    line(_("Borrower: %(name)s", name=doc.learner), 12, "B")
    line(
        _(
            "Reference: loan no. %(id)s, agreement version %(v)s",
            id=doc.loan_id,
            v=doc.agreement_version,
        )
    )
    line(_("Date of check-out: %(date)s", date=format_date(doc.checked_out_at, "long")))
    if doc.due_at is not None:
        line(_("To be returned by: %(date)s", date=format_date(doc.due_at, "long")), 11, "B")
    else:
        line(_("Donation: the equipment now belongs to the borrower."), 11, "B")
    pdf.ln(3)

    line(_("Equipment"), 13, "B", 8)
    for asset in doc.assets:
        line(f"{asset.tag} · {asset.kind} · {asset.make_model}", 11, "B")
        details = [
            _("Serial number: %(s)s", s=asset.serial) if asset.serial else "",
            asset.specs,
            _("Cosmetic grade: %(g)s", g=asset.grade) if asset.grade else "",
        ]
        line(" · ".join(d for d in details if d), 10)
    pdf.ln(3)

    line(_("Agreement"), 13, "B", 8)
    line(doc.agreement_text, 10, "", 5)
    pdf.ln(4)

    if doc.accepted_at is not None:
        line(
            _(
                "Accepted on screen by %(name)s on %(when)s (UTC), signed in to their own account.",
                name=doc.learner,
                when=format_datetime(doc.accepted_at, "medium", tz="UTC"),
            ),
            10,
            "B",
        )
        if doc.accepted_address:
            line(_("Network address at acceptance: %(a)s", a=doc.accepted_address), 9)
    else:
        line(_("Not yet accepted on screen."), 10)
    pdf.ln(8)

    half = width / 2 - 4
    pdf.set_font(FAMILY, "", 10)
    y = pdf.get_y()
    pdf.cell(half, 6, _("Borrower's signature"))
    pdf.set_x(pdf.l_margin + half + 8)
    pdf.cell(half, 6, _("For the association"))
    pdf.line(pdf.l_margin, y + 25, pdf.l_margin + half, y + 25)
    pdf.line(pdf.l_margin + half + 8, y + 25, pdf.l_margin + width, y + 25)
    return bytes(pdf.output())
