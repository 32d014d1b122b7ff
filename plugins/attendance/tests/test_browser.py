"""The roll call in a real browser (Chromium through Playwright, against uvicorn): the trainer
opens today's session and shows the code, a learner checks in by code in a second browser
context, the trainer marks all present, sets one learner late, downloads the sign-in sheet
(its text holds every name, the Arabic one included), and the report shows both rates."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from core.clock import now
from core.testing import sign_in_through_the_page
from plugins.attendance.checkin import new_code
from plugins.attendance.models import AttendanceSession

pytestmark = pytest.mark.browser

PASSWORD = "attendance-browser-password"


def test_roll_call_check_in_sheet_and_report(declic_new_context, live_server, tmp_path):
    kit = live_server.kit
    org = kit.org(name="Association Émargement")
    kit.enable(org, "attendance")
    course = kit.course(org, title="La prise en main de l'ordinateur")
    trainer = kit.user(org, "trainer", password=PASSWORD, display_name="Éloïse Formatrice")
    kit.enrol(course, trainer, "trainer")
    learners = {}
    for name in ("Amélie Dupré", "فاطمة الزهراء", "Ngozi Okafor"):
        learner = kit.user(org, "learner", password=PASSWORD, display_name=name)
        kit.enrol(course, learner)
        learners[name] = learner
    with kit.db() as db:
        today = AttendanceSession(
            organisation_id=org.id,
            course_id=course.id,
            trainer_id=trainer.id,
            starts_at=now() - timedelta(minutes=5),
            duration_minutes=180,
            place="Salle informatique",
            checkin_code=new_code(),
        )
        next_week = AttendanceSession(
            organisation_id=org.id,
            course_id=course.id,
            trainer_id=trainer.id,
            starts_at=now() + timedelta(days=7),
            duration_minutes=180,
            place="Salle informatique",
            checkin_code=new_code(),
        )
        db.add_all([today, next_week])

    trainer_context = declic_new_context(accept_downloads=True)
    learner_context = declic_new_context(accept_downloads=True)
    page = trainer_context.new_page()
    sign_in_through_the_page(page, trainer.login, PASSWORD)
    # Today's session, from the trainer's attendance page.
    page.goto(f"/o/{org.slug}/attendance/")
    todays = page.locator("section", has=page.get_by_role("heading", name="Séances du jour"))
    todays.get_by_role("link").first.click()
    page.wait_for_url(f"**/attendance/session/{today.id}")
    page.get_by_role("link", name="Afficher le code d'émargement").click()
    code = page.locator(".checkin-code").inner_text().strip()
    assert code == today.checkin_code
    assert page.locator(".qr svg").count() == 1

    # A learner checks in by code, in a second browser context.
    ngozi = learner_context.new_page()
    sign_in_through_the_page(ngozi, learners["Ngozi Okafor"].login, PASSWORD)
    ngozi.goto(f"/o/{org.slug}/attendance/checkin")
    ngozi.get_by_label("Le code affiché par votre formateur").fill(code.lower())
    ngozi.get_by_role("button", name="Je suis là").click()
    assert "votre présence est enregistrée : Présent" in ngozi.locator("[role=status]").inner_text()

    # Back on the roll call: Ngozi is present already; mark all present, then one late.
    page.get_by_role("link", name="Retour à l'appel").click()
    row = page.locator(f"#u{learners['Ngozi Okafor'].id}")
    assert "Présent" in row.locator(".current").inner_text()
    page.get_by_role("button", name="Tous présents").click()
    page.wait_for_load_state()
    for learner in learners.values():
        assert "Présent" in page.locator(f"#u{learner.id} .current").inner_text()
    amelie_row = page.locator(f"#u{learners['Amélie Dupré'].id}")
    amelie_row.get_by_role("button", name="En retard: Amélie Dupré").click()
    # htmx swaps the row in place: wait for the new status to show.
    page.wait_for_function(
        "id => document.querySelector(`#u${id} .current`).textContent.includes('En retard')",
        arg=learners["Amélie Dupré"].id,
    )
    assert (
        page.locator(f"#u{learners['Amélie Dupré'].id} [aria-pressed=true]").inner_text()
        == "En retard"
    )
    # htmx swapped the row: no page load (the plain form would land on ".../session/N#uID").
    assert "#u" not in page.url

    # The sign-in sheet.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger la feuille d'émargement (PDF)").click()
    path = tmp_path / "sheet.pdf"
    download_info.value.save_as(path)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)
    for name in learners:
        assert name in text, name
    assert "En retard" in text and "Éloïse Formatrice" in text

    # The report: both rates, labelled. Amélie: 1 of 2 points taken; 1 of 4 planned.
    page.get_by_role("link", name="Rapport de présence").first.click()
    assert page.get_by_role("columnheader", name="Taux sur les séances déjà faites").is_visible()
    assert page.get_by_role("columnheader", name="Taux sur toutes les séances prévues").is_visible()
    amelie = page.get_by_role("row", name="Amélie Dupré")
    assert "50" in amelie.locator(".rate-so-far").inner_text()
    assert "25" in amelie.locator(".rate-planned").inner_text()
    ngozi_row = page.get_by_role("row", name="Ngozi Okafor")
    assert "100" in ngozi_row.locator(".rate-so-far").inner_text()
    assert "50" in ngozi_row.locator(".rate-planned").inner_text()
