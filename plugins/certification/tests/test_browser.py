"""In Chromium: a trainer opens the readiness grid, opens a learner, issues a certificate; the
URL in its QR code, opened signed out, says valid; after an admin revokes it, revoked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import segno

from core.testing import sign_in_through_the_page
from plugins.certification import plugin
from plugins.certification.tests.fakes import Attempt, answers

pytestmark = pytest.mark.browser

PASSWORD = "browser-certification-password"


def test_issue_verify_and_revoke_in_a_browser(declic_browser, live_server) -> None:
    kit = live_server.kit
    org = kit.org(name="Association Certif")
    kit.enable(org, "certification")
    learner = kit.user(org, "learner", display_name="Samira Benali")
    trainer = kit.user(org, "trainer", password=PASSWORD, display_name="Thomas Formateur")
    admin = kit.user(org, "admin", password=PASSWORD, display_name="Alice Admin")
    course = kit.course(org, title="Clic'Emploi", sections=2)
    kit.enrol(course, learner)
    kit.enrol(course, trainer, "trainer")
    with kit.db() as db:
        done = answers(*[(f"crcn:{c}", 1.0) for c in ("1.1", "1.2", "2.1", "3.1", "4.1")])
        plugin.declic_quiz_attempt_graded(
            db=db,
            result=Attempt(
                org.id, course.id, learner.id, datetime.now(UTC), done, quiz_id=99, attempt_id=99
            ),
        )

    trainer_context = declic_browser.new_context(base_url=live_server.url, locale="fr-FR")
    trainer_context.set_default_timeout(15_000)
    page = trainer_context.new_page()
    sign_in_through_the_page(page, trainer.login, PASSWORD)
    page.goto(f"/o/{org.slug}/certification/")
    page.get_by_role("link", name="Clic'Emploi").click()
    grid = page.locator("table.readiness-grid")
    assert "Samira Benali" in grid.inner_text()
    page.get_by_role("link", name="Samira Benali").click()
    assert page.locator("h1").inner_text() == "Samira Benali"
    page.select_option("#f-what", "target:crcn")  # ready for Pix: 5 competences at level 1
    with page.expect_navigation():
        page.get_by_role("button", name="Délivrer l'attestation").click()
    assert "<strong>Valide</strong>" in page.content()
    verify_url = page.locator("a.verify-link").get_attribute("href")
    assert verify_url and verify_url.startswith(live_server.url)
    # The QR code on the page is the one of this URL.
    expected = segno.make(verify_url, error="m").svg_inline(scale=4)
    shown = page.locator(".qr svg").evaluate("node => node.outerHTML")
    assert _paths(shown) == _paths(expected)
    trainer_context.close()

    visitor = declic_browser.new_context(locale="fr-FR")  # signed out, no cookie at all
    check = visitor.new_page()
    check.goto(verify_url)
    result = check.locator(".verify-result")
    assert "Valide" in result.inner_text()
    assert "Samira Benali" in check.content() and "Thomas Formateur" not in check.content()

    admin_context = declic_browser.new_context(base_url=live_server.url, locale="fr-FR")
    admin_page = admin_context.new_page()
    sign_in_through_the_page(admin_page, admin.login, PASSWORD)
    admin_page.goto(f"/o/{org.slug}/certification/courses/{course.id}/learners/{learner.id}")
    admin_page.locator("section", has_text="Attestations").get_by_role("link").first.click()
    admin_page.fill("#f-reason", "Délivrée par erreur")
    with admin_page.expect_navigation():
        admin_page.get_by_role("button", name="Révoquer").click()
    assert "<strong>Révoquée</strong>" in admin_page.content()
    admin_context.close()

    check.goto(verify_url)
    assert "Révoquée" in check.locator(".verify-result").inner_text()
    visitor.close()


def _paths(svg: str) -> str:
    """The drawing of a segno SVG (its path data), without attributes that may be reordered."""
    start = svg.index(' d="') + 4
    return svg[start : svg.index('"', start)]
