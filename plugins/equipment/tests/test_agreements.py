"""The loan agreement: on-screen acceptance by the learner, the PDF kept, versions."""

from __future__ import annotations

import io

from pypdf import PdfReader

from core.testing import Kit
from plugins.equipment.models import Agreement, Loan
from plugins.equipment.tests.conftest import Shop, add_laptops


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def lend_one(declic: Kit, shop: Shop) -> int:
    [pc] = add_laptops(declic, shop.org, 1)
    response = declic.post(
        declic.client(shop.admin),
        shop.url("/checkout"),
        {"asset": pc, "borrower": shop.learner.id, "kind": "loan"},
    )
    return int(response.headers["location"].rsplit("/", 1)[1])


def test_learner_accepts_and_the_pdf_is_kept(declic: Kit, shop: Shop) -> None:
    loan_id = lend_one(declic, shop)
    learner = declic.client(shop.learner)
    page = learner.get(shop.url(f"/my/loans/{loan_id}/accept"))
    assert page.status_code == 200 and "PC-001" in page.text
    # Without ticking the box: refused, nothing stored.
    assert declic.post(learner, shop.url(f"/my/loans/{loan_id}/accept"), {}).status_code == 400
    assert declic.reload(Loan, loan_id).accepted_at is None
    done = declic.post(learner, shop.url(f"/my/loans/{loan_id}/accept"), {"accept": "yes"})
    assert done.status_code == 303
    loan = declic.reload(Loan, loan_id)
    assert (
        loan.accepted_at is not None and loan.agreement_pdf and len(loan.agreement_pdf_sha256) == 64
    )
    text = pdf_text(loan.agreement_pdf)
    assert "PC-001" in text and "Fatima Zahra" in text and "Latitude E7450" in text
    # Both the borrower and the staff get the stored bytes.
    assert learner.get(shop.url(f"/loans/{loan_id}/agreement.pdf")).content == loan.agreement_pdf
    assert (
        declic.client(shop.admin).get(shop.url(f"/loans/{loan_id}/agreement.pdf")).content
        == loan.agreement_pdf
    )
    # Accepting twice changes nothing.
    declic.post(learner, shop.url(f"/my/loans/{loan_id}/accept"), {"accept": "yes"})
    assert declic.reload(Loan, loan_id).agreement_pdf == loan.agreement_pdf


def test_only_the_borrower_accepts_and_reads_it(declic: Kit, shop: Shop) -> None:
    loan_id = lend_one(declic, shop)
    other = declic.client(shop.other_learner)
    assert other.get(shop.url(f"/my/loans/{loan_id}/accept")).status_code == 404
    assert (
        declic.post(other, shop.url(f"/my/loans/{loan_id}/accept"), {"accept": "yes"}).status_code
        == 404
    )
    assert other.get(shop.url(f"/loans/{loan_id}/agreement.pdf")).status_code == 403
    # The admin cannot accept in the learner's place.
    assert (
        declic.post(
            declic.client(shop.admin), shop.url(f"/my/loans/{loan_id}/accept"), {"accept": "yes"}
        ).status_code
        == 403
    )
    assert declic.reload(Loan, loan_id).accepted_at is None


def test_printable_copy_before_acceptance(declic: Kit, shop: Shop) -> None:
    loan_id = lend_one(declic, shop)
    response = declic.client(shop.admin).get(shop.url(f"/loans/{loan_id}/agreement.pdf"))
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "PC-001" in text and "Fatima Zahra" in text


def test_new_version_never_changes_what_was_accepted(declic: Kit, shop: Shop) -> None:
    loan_id = lend_one(declic, shop)
    learner = declic.client(shop.learner)
    declic.post(learner, shop.url(f"/my/loans/{loan_id}/accept"), {"accept": "yes"})
    accepted = declic.reload(Loan, loan_id)
    admin = declic.client(shop.admin)
    assert declic.post(admin, shop.url("/agreements"), {"text": ""}).status_code == 400
    assert (
        declic.post(
            admin, shop.url("/agreements"), {"text": "Charte v2 : article unique."}
        ).status_code
        == 303
    )
    with declic.db() as db:
        versions = sorted(
            a.version for a in db.query(Agreement).filter_by(organisation_id=shop.org.id)
        )
    assert versions == [1, 2]
    after = declic.reload(Loan, loan_id)
    assert (
        after.agreement_id == accepted.agreement_id
        and after.agreement_pdf == accepted.agreement_pdf
    )
    assert "Charte v2" not in pdf_text(
        learner.get(shop.url(f"/loans/{loan_id}/agreement.pdf")).content
    )
    # A new loan is made under version 2.
    [pc] = add_laptops(declic, shop.org, 1, prefix="NEW")
    response = declic.post(
        admin,
        shop.url("/checkout"),
        {"asset": pc, "borrower": shop.other_learner.id, "kind": "loan"},
    )
    new_id = int(response.headers["location"].rsplit("/", 1)[1])
    assert "Charte v2" in pdf_text(admin.get(shop.url(f"/loans/{new_id}/agreement.pdf")).content)


def test_arabic_learner_pages_and_a_pdf_in_the_organisations_language(
    declic: Kit, shop: Shop
) -> None:
    loan_id = lend_one(declic, shop)
    with declic.db() as db:
        from core.models import User

        db.get(User, shop.learner.id).language = "ar"
    learner = declic.client(shop.learner)
    page = learner.get(shop.url("/my"))
    assert (
        'dir="rtl"' in page.text and "معداتي" in page.text and "اقرأ اتفاقية الإعارة" in page.text
    )
    assert (
        declic.post(learner, shop.url(f"/my/loans/{loan_id}/accept"), {"accept": "yes"}).status_code
        == 303
    )
    text = pdf_text(declic.reload(Loan, loan_id).agreement_pdf)
    assert "Charte de prêt" in text and "Emprunteur" in text  # the association's language (fr)


def test_pdf_holds_accented_and_arabic_names(declic: Kit, shop: Shop) -> None:
    name = "Hélène فاطمة الزهراء"
    with declic.db() as db:
        from core.models import User

        db.get(User, shop.learner.id).display_name = name
    loan_id = lend_one(declic, shop)
    body = declic.client(shop.admin).get(shop.url(f"/loans/{loan_id}/agreement.pdf")).content
    text = pdf_text(body)
    assert "Hélène" in text and "فاطمة" in text and "الزهراء" in text
