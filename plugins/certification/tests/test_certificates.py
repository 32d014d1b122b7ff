"""Certificates: issue → PDF kept as issued (name and code inside), public verification valid →
revoked, unknown codes, rate limit, equal work on a miss, isolation, privacy."""

from __future__ import annotations

import io
import re

import segno
from PIL import Image, ImageChops
from pypdf import PdfReader
from sqlalchemy import event, select

from core.models import AuditEvent, User
from plugins.certification import plugin
from plugins.certification.certificates import CODE_ALPHABET, CODE_LENGTH, normalise_code
from plugins.certification.models import Certificate
from plugins.certification.tests.conftest import make_setting
from plugins.certification.views.verify import MAX_UNKNOWN_PER_ADDRESS


def base(setting) -> str:
    return f"/o/{setting.org.slug}/certification"


def issue(declic, setting, what="course", client=None):
    client = client or declic.client(setting.trainer)
    url = base(setting) + f"/courses/{setting.course.id}/learners/{setting.learner.id}/issue"
    return declic.post(client, url, {"what": what})


def only_certificate(declic) -> Certificate:
    with declic.db() as db:
        cert = db.scalar(select(Certificate))
        _ = cert.pdf  # load the deferred bytes before the session closes
        return cert


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_issue_keeps_a_pdf_with_name_code_and_verification_url(declic, setting) -> None:
    answer = issue(declic, setting)
    assert answer.status_code == 303
    cert = only_certificate(declic)
    assert len(cert.code) == CODE_LENGTH and set(cert.code) <= set(CODE_ALPHABET)
    text = pdf_text(cert.pdf)
    assert "Samira Benali" in text
    assert "-".join(re.findall(".{4}", cert.code)) in text
    assert f"/certification/verify/{cert.code}" in text
    # The QR image in the PDF is, pixel for pixel, the QR code of the verification URL.
    url = "http://testserver" + base(setting) + f"/verify/{cert.code}"
    assert f"{url}" in text.replace("\n", "")
    images = PdfReader(io.BytesIO(cert.pdf)).pages[0].images
    assert len(images) == 1
    expected = io.BytesIO()
    segno.make(url, error="m").save(expected, kind="png", scale=6, border=2)
    expected.seek(0)
    difference = ImageChops.difference(
        images[0].image.convert("L"), Image.open(expected).convert("L")
    )
    assert difference.getbbox() is None
    assert cert.issuer_name == "Thomas Formateur" and "Clic'Emploi" in cert.title
    client = declic.client(setting.trainer)
    page = client.get(answer.headers["location"])
    assert page.status_code == 200 and "<svg" in page.text  # the QR code
    download = client.get(base(setting) + f"/certificates/{cert.id}/pdf")
    assert download.headers["content-type"] == "application/pdf"
    assert download.content == cert.pdf  # served exactly as issued
    with declic.db() as db:
        assert db.scalar(select(AuditEvent).where(AuditEvent.action == "certification.issue"))


def test_an_arabic_name_is_printed(declic) -> None:
    setting = make_setting(declic)
    with declic.db() as db:
        db.get(User, setting.learner.id).display_name = "Samira سميرة"
    assert issue(declic, setting).status_code == 303
    text = pdf_text(only_certificate(declic).pdf)
    assert "Samira" in text
    # Shaped Arabic comes out as presentation forms or base letters; either way, Arabic script.
    assert re.search("[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]", text)


def test_a_target_certificate_needs_the_target_to_be_ready(declic, setting) -> None:
    answer = issue(declic, setting, what="target:crcn")
    assert answer.status_code == 400
    assert declic.count(Certificate) == 0


def test_a_learner_cannot_issue(declic, setting) -> None:
    answer = issue(declic, setting, client=declic.client(setting.learner))
    assert answer.status_code == 403 and declic.count(Certificate) == 0


def test_verify_valid_then_revoked(declic, setting) -> None:
    issue(declic, setting)
    cert = only_certificate(declic)
    anonymous = declic.client()
    url = base(setting) + f"/verify/{cert.code}"
    page = anonymous.get(url)
    assert page.status_code == 200
    assert "Samira Benali" in page.text and "<strong>Valide</strong>" in page.text
    assert "Thomas Formateur" not in page.text  # nothing more than name, what, date, status
    # A code typed with dashes and in lower case still matches.
    typed = "-".join(re.findall(".{4}", cert.code)).lower()
    assert (
        anonymous.get(base(setting) + f"/verify?code={typed}")
        .headers["location"]
        .endswith(cert.code)
    )
    admin = declic.client(setting.admin)
    revoke_url = base(setting) + f"/certificates/{cert.id}/revoke"
    refused = declic.post(admin, revoke_url, {"reason": ""})
    assert refused.status_code == 400
    assert (
        declic.post(admin, revoke_url, {"reason": "Issued to the wrong person"}).status_code == 303
    )
    assert declic.post(admin, revoke_url, {"reason": "again"}).status_code == 409
    page = anonymous.get(url)
    assert page.status_code == 200
    with declic.db() as db:
        stored = db.get(Certificate, cert.id)
        assert (
            stored.revoked_at is not None and stored.revoke_reason == "Issued to the wrong person"
        )
        audit = db.scalar(select(AuditEvent).where(AuditEvent.action == "certification.revoke"))
        assert "wrong person" in audit.detail
    assert page.text.count("verify-result") == 1
    assert "<strong>Révoquée</strong>" in page.text and "<strong>Valide</strong>" not in page.text


def test_only_an_admin_revokes(declic, setting) -> None:
    issue(declic, setting)
    cert = only_certificate(declic)
    trainer = declic.client(setting.trainer)
    url = base(setting) + f"/certificates/{cert.id}/revoke"
    assert declic.post(trainer, url, {"reason": "no"}).status_code == 403


def test_unknown_code_is_not_found_and_then_rate_limited(declic, setting) -> None:
    anonymous = declic.client()
    for i in range(MAX_UNKNOWN_PER_ADDRESS):
        page = anonymous.get(base(setting) + f"/verify/NOPE{i:08d}")
        assert page.status_code == 404
        assert "verify-result" in page.text
    blocked = anonymous.get(base(setting) + "/verify/NOPE99999999")
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    issue(declic, setting)
    # Still blocked for a real code: the limit is on the address, so guessing stays slow.
    real = only_certificate(declic)
    assert anonymous.get(base(setting) + f"/verify/{real.code}").status_code == 429


def test_a_miss_does_the_same_database_work_as_a_hit(declic, setting) -> None:
    issue(declic, setting)
    cert = only_certificate(declic)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement.split()[0])

    engines = {declic.state.engine, declic.state.write_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        anonymous = declic.client()
        anonymous.get(base(setting) + "/verify/")  # warm the anonymous cookie
        statements.clear()
        assert anonymous.get(base(setting) + f"/verify/{cert.code}").status_code == 200
        hit = list(statements)
        statements.clear()
        wrong = cert.code[:-1] + ("A" if cert.code[-1] != "A" else "B")
        assert anonymous.get(base(setting) + f"/verify/{wrong}").status_code == 404
        miss = list(statements)
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)
    assert hit and hit == miss


def test_the_verification_route_belongs_to_the_plugin_and_the_organisation(declic, setting) -> None:
    issue(declic, setting)
    cert = only_certificate(declic)
    other = make_setting(declic)
    anonymous = declic.client()
    # Another organisation's URL does not know this code.
    assert anonymous.get(base(other) + f"/verify/{cert.code}").status_code == 404
    # Org B's admin cannot open org A's certificate by id.
    assert (
        declic.client(other.admin).get(base(other) + f"/certificates/{cert.id}").status_code == 404
    )
    assert (
        declic.client(other.admin).get(base(other) + f"/certificates/{cert.id}/pdf").status_code
        == 404
    )
    declic.disable(setting.org, "certification")
    assert anonymous.get(base(setting) + f"/verify/{cert.code}").status_code == 404


def test_the_holder_downloads_their_certificate_and_others_cannot(declic, setting) -> None:
    issue(declic, setting)
    cert = only_certificate(declic)
    assert (
        declic.client(setting.learner)
        .get(base(setting) + f"/certificates/{cert.id}/pdf")
        .status_code
        == 200
    )
    stranger = declic.user(setting.org, "learner")
    assert (
        declic.client(stranger).get(base(setting) + f"/certificates/{cert.id}/pdf").status_code
        == 404
    )


def test_privacy_delete_anonymises_the_certificate_and_export_is_empty_after(
    declic, setting
) -> None:
    issue(declic, setting)
    cert = only_certificate(declic)
    with declic.db() as db:
        learner = db.get(User, setting.learner.id)
        exported = plugin.declic_privacy_export(db=db, user=learner)
        assert exported["certificates"][0]["name"] == "Samira Benali"
        plugin.declic_privacy_delete(db=db, user=learner)
    with declic.db() as db:
        assert plugin.declic_privacy_export(db=db, user=db.get(User, setting.learner.id)) is None
        stored = db.get(Certificate, cert.id)
        assert stored.learner_name == "—" and stored.pdf is None and stored.revoked_at is not None
    page = declic.client().get(base(setting) + f"/verify/{cert.code}")
    assert "Samira" not in page.text and page.status_code == 200


def test_codes_normalise_what_people_type() -> None:
    assert normalise_code(" abcd-efgh jkmn ") == "ABCDEFGHJKMN"


def test_the_list_of_certificates_is_the_organisations_only(declic, setting) -> None:
    issue(declic, setting)
    other = make_setting(declic)
    mine = declic.client(setting.trainer).get(base(setting) + "/certificates")
    assert mine.status_code == 200 and "Samira Benali" in mine.text
    theirs = declic.client(other.trainer).get(base(other) + "/certificates")
    assert theirs.status_code == 200 and "Samira Benali" not in theirs.text
    assert declic.client(setting.learner).get(base(setting) + "/certificates").status_code == 403
