"""The whole equipment journey in Chromium, against the server run by uvicorn (``live_server``):

the admin imports a CSV of 30 laptops and lends one; the learner, in a second browser context,
accepts the agreement; the agreement PDF names the tag and the learner; time passes (the clock
file the server reads) and the loan shows overdue with one reminder sent by the cron hook; the
check-in makes the laptop available again, and its history shows every step.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from core.models import Organisation
from core.testing import LiveServer, sign_in_through_the_page
from plugins.equipment.tests.samples import laptops_csv

pytestmark = pytest.mark.browser

PASSWORD = "equipment-browser-pass"


def run_cron(live_server: LiveServer) -> list[str]:
    """The reminder lines of ``declic cron`` run beside the server."""
    out = live_server.cli("cron").stdout
    return [line for line in out.splitlines() if line.startswith("equipment: reminder")]


def test_import_lend_accept_overdue_reminder_return(
    declic_new_context: Any, live_server: LiveServer
) -> None:
    kit = live_server.kit
    org = kit.org(name="Association Équipée")
    kit.enable(org, "equipment")
    admin = kit.user(org, "admin", password=PASSWORD, display_name="Alice Administratrice")
    learner = kit.user(org, "learner", password=PASSWORD, display_name="Samira Benali")
    from core.plugin_switches import save_settings

    with kit.db() as db:
        save_settings(
            db,
            db.get(Organisation, org.id),
            "equipment",
            {
                "loan_days": 30,
                "max_renewals": 1,
                "grace_days": 3,
                "reminder_days": "1,7,14",
                "return_instructions": "Au local, le mardi après-midi.",
            },
            actor=None,
        )
    base = f"/o/{org.slug}/equipment"
    admin_ctx = declic_new_context()
    learner_ctx = declic_new_context()
    try:
        page = admin_ctx.new_page()
        sign_in_through_the_page(page, admin.login, PASSWORD)

        # 1. Import the refurbisher's file: mapping guessed, preview, import.
        page.goto(f"{base}/import")
        page.set_input_files(
            "#f-file", {"name": "livraison.csv", "mimeType": "text/csv", "buffer": laptops_csv()}
        )
        with page.expect_navigation():
            page.click("button[type=submit].primary")
        assert "30" in page.locator("#import-summary").inner_text()
        assert page.locator("#f-map-tag").input_value() == "0"
        with page.expect_navigation():
            page.click("#import-run")
        assert "30" in page.locator("#import-done").inner_text()
        page.goto(f"{base}/")
        assert page.locator('[data-count="available"]').inner_text() == "30"

        # 2. Lend NAV-007 to Samira through the pages.
        page.get_by_role("link", name="NAV-007").click()
        page.get_by_role("link", name="Prêter ou donner").click()
        page.select_option("#f-borrower", label="Samira Benali")
        page.check("input[name=kind][value=loan]")
        with page.expect_navigation():
            page.get_by_role("button", name="Confirmer").click()
        loan_url = page.url
        assert re.search(r"/loans/\d+$", loan_url), loan_url
        assert "En prêt" in page.locator("#loan-state").inner_text()

        # 3. Samira, in her own browser context, accepts the agreement.
        mine = learner_ctx.new_page()
        sign_in_through_the_page(mine, learner.login, PASSWORD)
        mine.goto(f"{base}/my")
        assert "Au local, le mardi après-midi." in mine.content()
        mine.get_by_role("link", name="Lire et accepter la charte de prêt").click()
        assert "NAV-007" in mine.content()
        mine.check("#f-accept")
        with mine.expect_navigation():
            mine.get_by_role("button", name="J’accepte").click()
        assert "Vous avez accepté la charte de prêt." in mine.content()
        pdf_link = mine.get_by_role("link", name="La voir (PDF)").get_attribute("href")
        pdf = learner_ctx.request.get(pdf_link)
        assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
        assert "NAV-007" in text and "Samira Benali" in text
        # The admin's copy is the same stored document.
        assert admin_ctx.request.get(f"{loan_url}/agreement.pdf").body() == pdf.body()

        # 4. Time passes: 40 days later the loan is 10 days late; the cron sends one reminder.
        live_server.set_clock(timedelta(days=40))
        sent = run_cron(live_server)
        assert len(sent) == 1, sent
        assert run_cron(live_server) == []  # never twice
        # The old session ran out with the clock: sign in again.
        sign_in_through_the_page(page, admin.login, PASSWORD)
        page.goto(loan_url)
        assert "jours de retard" in page.locator("#loan-overdue").inner_text()
        assert "relance envoyée" in page.locator("#loan-reminder").inner_text()
        page.goto(f"/o/{org.slug}/")
        assert "NAV-007" in page.locator("main").inner_text()  # the dashboard's overdue list

        # 5. Check-in: available again, and the history shows every step.
        page.goto(loan_url)
        page.select_option("#f-condition", "good")
        page.fill("#f-notes", "Rendu avec sa sacoche")
        with page.expect_navigation():
            page.get_by_role("button", name="Enregistrer le retour").click()
        assert "Rendu" in page.locator("#loan-state").inner_text()
        page.get_by_role("link", name="NAV-007").first.click()
        assert page.locator("#asset-status").inner_text() == "Disponible"
        history = page.locator("table.eq-history").inner_text()
        steps = [
            "Importé depuis un fichier",
            "Prêté",
            "Charte acceptée par l’apprenant",
            "Relance de retard envoyée",
            "Rendu",
        ]
        positions = [history.find(step) for step in steps]
        assert all(p >= 0 for p in positions), (steps, history)
        assert positions == sorted(positions), history
        assert "Samira Benali" in history and "Alice Administratrice" in history
    finally:
        live_server.set_clock(timedelta(0))
