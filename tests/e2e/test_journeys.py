"""The seven journeys of the product brief, end to end, each as one test, in French (and the
learner's part in Arabic too). axe-core checks every page a journey shows (``seen``): a serious
or critical WCAG 2.2 AA violation anywhere fails the journey.

The set-ups the journeys start from (a course with learners, a quiz, quiz evidence) are made
with the test kit; everything a person does is done through the pages.
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from browser_checks import PASSWORD, assert_accessible, set_language
from pypdf import PdfReader

from core.clock import now
from core.models import Course, Enrolment, Organisation, Section, User
from core.plugin_switches import save_settings
from core.testing import LiveServer, source_path
from plugins.equipment.tests.samples import laptops_csv

pytestmark = pytest.mark.browser


def seen(page: Any) -> None:
    """The page as shown now passes axe (WCAG 2.2 AA, serious and critical)."""
    page.wait_for_load_state()
    assert_accessible(page, page.url)


def sign_in(page: Any, login: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    seen(page)
    page.fill("input[name=identifier]", login)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    seen(page)


def wait_until(condition: Any, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


# --- 1. a new organisation, its admin, 12 learners, the course and its plugins ---------------

FIRST_NAMES = (
    "Amélie", "Bérénice", "Cédric", "Daphné", "Élodie", "François",
    "Gaëlle", "Hélène", "Inès", "Jérôme", "Karim", "Léa",
)  # fmt: skip
WORKSHOPS = (
    "Allumer l'ordinateur et utiliser la souris",
    "Le clavier et les fichiers",
    "Internet et le courriel",
    "Les démarches en ligne",
)


def learners_csv(tag: str) -> bytes:
    lines = ["Identifiant;Prénom;Nom;Courriel;Langue;Groupe"]
    for index, name in enumerate(FIRST_NAMES):
        login = f"{name.lower().translate(str.maketrans('éèëçôîïâä', 'eeecoiiaa'))}.{tag}"
        lines.append(f"{login};{name};Martin{index};;fr;Mardi matin")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def test_journey_1_platform_admin_sets_up_an_organisation(new_context, live_server) -> None:
    kit = live_server.kit
    tag = secrets.token_hex(3)
    platform = kit.user(None, "learner", login=f"programme-{tag}", password=PASSWORD)
    with kit.db() as db:
        db.get(User, platform.id).is_platform_admin = True  # type: ignore[union-attr]
    slug = f"clic-{tag}"

    page = new_context().new_page()
    sign_in(page, platform.login)
    page.goto("/admin/organisations/new")
    seen(page)
    page.fill("#f-name", "Association Clic Nord")
    page.fill("#f-slug", slug)
    page.fill("#f-display_name", "Alice Administratrice")
    page.fill("#f-login", f"alice-{tag}")
    page.fill("#f-password", "alice-password-1")
    with page.expect_navigation():
        page.get_by_role("button", name="Créer").click()
    assert f"created={slug}" in page.url
    seen(page)
    assert "Association Clic Nord" in page.inner_text("main")

    # The new admin signs in on a computer of their own.
    admin = new_context().new_page()
    sign_in(admin, f"alice-{tag}", "alice-password-1")
    assert admin.url.endswith(f"/o/{slug}/")
    admin.goto(f"/o/{slug}/admin/courses/new")
    seen(admin)
    admin.fill("#f-title", "Clic'Emploi")
    with admin.expect_navigation():
        admin.get_by_role("button", name="Créer").click()
    match = re.search(rf"/o/{slug}/admin/courses/(\d+)/sections$", admin.url)
    assert match, admin.url
    course_id = int(match.group(1))
    today = date.today()
    for n, title in enumerate(WORKSHOPS):
        admin.fill("#f-title", title)
        admin.fill("#f-day", (today + timedelta(days=7 * n)).isoformat())
        admin.fill("#f-hour", "09:30")
        admin.fill("#f-duration", "120")
        with admin.expect_navigation():
            admin.get_by_role("button", name="Ajouter", exact=True).click()
    seen(admin)
    rows = admin.locator("tbody th[scope=row]").all_inner_texts()
    assert rows == list(WORKSHOPS)

    # 12 learners from the association's spreadsheet (Windows-1252, ';').
    admin.goto(f"/o/{slug}/admin/courses/{course_id}/import")
    seen(admin)
    admin.set_input_files(
        "input[name=file]",
        files=[{"name": "apprenants.csv", "mimeType": "text/csv", "buffer": learners_csv(tag)}],
    )
    with admin.expect_navigation():
        admin.get_by_role("button", name="Voir ce qui sera importé").click()
    seen(admin)
    assert admin.locator("tbody tr").count() == 12
    with admin.expect_navigation():
        admin.get_by_role("button", name="Importer", exact=True).click()
    seen(admin)
    assert admin.locator("tbody tr").count() == 12
    with kit.db() as db:
        course = db.get(Course, course_id)
        assert course is not None and course.title == "Clic'Emploi"
        learners = db.query(Enrolment).filter_by(course_id=course_id, role="learner").count()
        assert learners == 12
        assert db.query(Section).filter_by(course_id=course_id).count() == 4

    # The four plugins, switched on from the Plugins page.
    admin.goto(f"/o/{slug}/admin/plugins")
    seen(admin)
    for plugin in ("quiz", "attendance", "certification", "equipment"):
        switch = admin.locator(f"#plugin-{plugin} button[role=switch]")
        if switch.get_attribute("aria-checked") != "true":
            switch.click()
            admin.locator(f'#plugin-{plugin} button[role=switch][aria-checked="true"]').wait_for()
    seen(admin)
    admin.goto(f"/o/{slug}/")
    seen(admin)
    for plugin in ("quiz", "attendance", "certification", "equipment"):
        assert admin.locator(f'nav a[href^="/o/{slug}/{plugin}/"]').count() >= 1, plugin


# --- 2. the trainer's roll call and the signed-attendance sheet ------------------------------


def test_journey_2_trainer_takes_the_roll_and_prints_the_sheet(
    new_context, live_server, tmp_path
) -> None:
    from plugins.attendance.checkin import new_code
    from plugins.attendance.models import AttendanceSession

    kit = live_server.kit
    org = kit.org(name="Association Émargement du jour")
    kit.enable(org, "attendance")
    course = kit.course(org, title="Clic'Emploi", sections=4)
    trainer = kit.user(org, "trainer", password=PASSWORD, display_name="Éloïse Formatrice")
    kit.enrol(course, trainer, "trainer")
    learners = [kit.user(org, "learner", display_name=f"{name} Martin") for name in FIRST_NAMES]
    for learner in learners:
        kit.enrol(course, learner)
    with kit.db() as db:
        session = AttendanceSession(
            organisation_id=org.id,
            course_id=course.id,
            trainer_id=trainer.id,
            starts_at=now() - timedelta(minutes=5),
            duration_minutes=120,
            place="Salle informatique",
            checkin_code=new_code(),
        )
        db.add(session)
        db.flush()
        session_id = session.id

    page = new_context(accept_downloads=True).new_page()
    sign_in(page, trainer.login)
    page.goto(f"/o/{org.slug}/attendance/")
    seen(page)
    page.locator("section", has=page.get_by_role("heading", name="Séances du jour")).get_by_role(
        "link"
    ).first.click()
    page.wait_for_url(f"**/attendance/session/{session_id}")
    seen(page)
    # One screen: everyone present in one tap, then one learner late.
    started = time.monotonic()
    page.get_by_role("button", name="Tous présents").click()
    page.wait_for_load_state()
    late = learners[3]
    page.locator(f"#u{late.id}").get_by_role(
        "button", name=f"En retard: {late.display_name}"
    ).click()
    page.wait_for_function(
        "id => document.querySelector(`#u${id} .current`).textContent.includes('En retard')",
        arg=late.id,
    )
    assert time.monotonic() - started < 20  # the brief: 12 people in 20 seconds
    seen(page)
    for learner in learners:
        expected = "En retard" if learner is late else "Présent"
        assert expected in page.locator(f"#u{learner.id} .current").inner_text()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger la feuille d'émargement (PDF)").click()
    path = tmp_path / "sheet.pdf"
    download_info.value.save_as(path)
    text = pdf_text(path.read_bytes())
    for learner in learners:
        assert learner.display_name in text
    assert "Éloïse Formatrice" in text and "En retard" in text


# --- 3. the learner's quiz: phone, Arabic, network drop, feedback, read-aloud ----------------

SPEECH_STUB = """
window.__spoken = [];
const fake = {
  speak(u) { window.__spoken.push({text: u.text, lang: u.lang}); },
  cancel() {}, pause() {}, resume() {}, getVoices() { return []; },
  speaking: false, pending: false, paused: false,
  addEventListener() {}, removeEventListener() {},
};
Object.defineProperty(window, 'speechSynthesis', {value: fake, configurable: true});
if (!('SpeechSynthesisUtterance' in window)) {
  window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ''; };
}
"""


def quiz_answers(kit: Any, attempt_id: int) -> dict[int, Any]:
    from plugins.quiz.models import AttemptAnswer

    with kit.db() as db:
        return {
            a.slot: a.response for a in db.query(AttemptAnswer).filter_by(attempt_id=attempt_id)
        }


@pytest.mark.parametrize(
    ("language", "viewport"),
    [("fr", {"width": 1280, "height": 800}), ("fr", {"width": 360, "height": 740}),
     ("ar", {"width": 360, "height": 740})],
    ids=["fr-laptop", "fr-phone", "ar-phone"],
)  # fmt: skip
def test_journey_3_learner_takes_a_quiz_through_a_network_drop(
    new_context, live_server, language, viewport
) -> None:
    from plugins.quiz.models import Attempt
    from plugins.quiz.tests.builders import make_quiz

    kit = live_server.kit
    org = kit.org(name="Association Quiz du jour")
    kit.enable(org, "quiz")
    course = kit.course(org, title="Clic'Emploi", sections=4)
    learner = kit.user(org, "learner", password=PASSWORD, display_name="Samira Benali")
    kit.enrol(course, learner)
    set_language(live_server, learner, language)
    quiz_id = make_quiz(kit, org, course, questions_per_page=0)

    context = new_context(viewport=viewport, is_mobile=viewport["width"] < 500)
    context.add_init_script(SPEECH_STUB)
    page = context.new_page()
    sign_in(page, learner.login)
    direction = "rtl" if language == "ar" else "ltr"
    assert page.locator("html").get_attribute("dir") == direction
    assert page.locator("html").get_attribute("lang") == language
    page.goto(f"/o/{org.slug}/quiz/{quiz_id}")
    seen(page)
    with page.expect_navigation():
        page.click("form[action$='/start'] button")
    seen(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    with kit.db() as db:
        attempt_id = db.query(Attempt).filter_by(quiz_id=quiz_id, user_id=learner.id).one().id

    # Read aloud: the button speaks the question.
    listen = page.locator("button.listen").first
    assert listen.is_visible()
    listen.click()
    spoken = page.evaluate("window.__spoken")
    assert len(spoken) == 1 and "Paris" in spoken[0]["text"], spoken
    # In the language the question is written in (the organisation's), whatever the interface's.
    written_in = page.locator("#q1 .question-text").get_attribute("lang")
    assert spoken[0]["lang"].startswith(written_in), (spoken, written_in)

    page.check("#q1-a")
    page.wait_for_selector("#status-1 .saved")
    # The network drops; the learner goes on answering; nothing is lost.
    context.set_offline(True)
    page.fill("#q2-text", "21")
    page.press("#q2-text", "Tab")
    page.check("#q3-true")
    page.wait_for_function("document.getElementById('save-status').classList.contains('pending')")
    time.sleep(3)  # "a while": the answers wait in the browser
    assert quiz_answers(kit, attempt_id)[2] is None
    assert page.locator("#q2-text").input_value() == "21" and page.locator("#q3-true").is_checked()
    context.set_offline(False)
    expected = {1: {"choice": "a"}, 2: {"value": "21"}, 3: {"value": "true"}}
    assert wait_until(lambda: quiz_answers(kit, attempt_id) == expected), quiz_answers(
        kit, attempt_id
    )
    page.reload()  # what the server holds: every answer is still there
    assert page.locator("#q1-a").is_checked() and page.locator("#q3-true").is_checked()
    assert page.locator("#q2-text").input_value() == "21"

    with page.expect_navigation():
        page.click("button[name=goto][value=summary]")
    seen(page)
    with page.expect_navigation(url="**/review"):
        page.click("form.submit-form button")
    seen(page)
    text = page.inner_text("main")
    if language == "fr":
        assert "3 sur 3" in text, text
    assert "Yes, Paris." in text and "21 days." in text and "Right." in text
    assert kit.reload(Attempt, attempt_id).score == 3.0
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


# --- 4. competence profile, readiness, certificate, public verification ----------------------


def test_journey_4_trainer_sees_readiness_and_issues_a_verifiable_certificate(
    new_context, live_server
) -> None:
    from plugins.certification import plugin
    from plugins.certification.tests.fakes import Attempt, answers

    kit = live_server.kit
    org = kit.org(name="Association Certifiée")
    kit.enable(org, "certification")
    learner = kit.user(org, "learner", password=PASSWORD, display_name="Samira Benali")
    trainer = kit.user(org, "trainer", password=PASSWORD, display_name="Thomas Formateur")
    course = kit.course(org, title="Clic'Emploi", sections=4)
    kit.enrol(course, learner)
    kit.enrol(course, trainer, "trainer")
    with kit.db() as db:  # quiz evidence, as the quiz announces a graded attempt
        done = answers(*[(f"crcn:{c}", 1.0) for c in ("1.1", "1.2", "2.1", "3.1", "4.1")])
        plugin.declic_quiz_attempt_graded(
            db=db,
            result=Attempt(org.id, course.id, learner.id, now(), done, quiz_id=7, attempt_id=7),
        )

    page = new_context().new_page()
    sign_in(page, trainer.login)
    page.goto(f"/o/{org.slug}/certification/")
    seen(page)
    page.get_by_role("link", name="Clic'Emploi").click()
    seen(page)
    assert "Samira Benali" in page.locator("table.readiness-grid").inner_text()
    page.get_by_role("link", name="Samira Benali").click()
    seen(page)
    # The profile: a verdict per target (B2i Adultes, PCIE modules, Pix) with reasons and what
    # to work on next, and the estimated level per competence.
    verdicts = page.locator("section.verdict")
    assert verdicts.count() >= 3
    titles = " ".join(verdicts.locator("h3").all_inner_texts())
    assert "B2i" in titles and "PCIE" in titles, titles
    assert page.locator("section.verdict .reasons li").count() >= 3
    assert page.locator(".next-steps li").count() >= 1
    assert "Compétence" in page.inner_text("main") and "1.1" in page.inner_text("main")

    page.select_option("#f-what", "target:crcn")
    with page.expect_navigation():
        page.get_by_role("button", name="Délivrer l'attestation").click()
    seen(page)
    assert "<strong>Valide</strong>" in page.content()
    verify_url = page.locator("a.verify-link").get_attribute("href")
    assert verify_url and verify_url.startswith(live_server.url)
    assert page.locator(".qr svg").count() == 1

    visitor = new_context(base_url=None).new_page()  # signed out, no cookie
    visitor.goto(verify_url)
    seen(visitor)
    assert "Valide" in visitor.locator(".verify-result").inner_text()
    assert "Samira Benali" in visitor.content()


# --- 5. laptops: import, loan with agreement, overdue reminder, return ------------------------


def run_cron(live_server: LiveServer) -> list[str]:
    """The reminder lines of ``declic cron`` run beside the server."""
    out = live_server.cli("cron").stdout
    return [line for line in out.splitlines() if line.startswith("equipment: reminder")]


@pytest.mark.parametrize("learner_language", ["fr", "ar"])
def test_journey_5_admin_lends_a_laptop_and_gets_it_back(
    new_context, live_server, learner_language
) -> None:
    from plugins.equipment.models import Loan

    kit = live_server.kit
    org = kit.org(name="Association Équipée du jour")
    kit.enable(org, "equipment")
    admin = kit.user(org, "admin", password=PASSWORD, display_name="Alice Administratrice")
    learner = kit.user(org, "learner", password=PASSWORD, display_name="Samira Benali")
    set_language(live_server, learner, learner_language)
    with kit.db() as db:
        save_settings(
            db,
            db.get(Organisation, org.id),
            "equipment",
            {"loan_days": 30, "max_renewals": 1, "grace_days": 3, "reminder_days": "1,7,14",
             "return_instructions": "Au local, le mardi après-midi."},
            actor=None,
        )  # fmt: skip
    prefix = f"P{secrets.token_hex(2).upper()}"
    tag = f"{prefix}-007"
    base = f"/o/{org.slug}/equipment"
    page = new_context().new_page()
    mine = new_context().new_page()
    try:
        sign_in(page, admin.login)
        page.goto(f"{base}/import")
        seen(page)
        page.set_input_files(
            "#f-file",
            {"name": "livraison.csv", "mimeType": "text/csv", "buffer": laptops_csv(prefix)},
        )
        with page.expect_navigation():
            page.click("button[type=submit].primary")
        seen(page)
        with page.expect_navigation():
            page.click("#import-run")
        seen(page)
        assert "30" in page.locator("#import-done").inner_text()
        page.goto(f"{base}/")
        seen(page)
        assert page.locator('[data-count="available"]').inner_text() == "30"

        page.get_by_role("link", name=tag).click()
        seen(page)
        page.get_by_role("link", name="Prêter ou donner").click()
        seen(page)
        page.select_option("#f-borrower", label="Samira Benali")
        page.check("input[name=kind][value=loan]")
        with page.expect_navigation():
            page.get_by_role("button", name="Confirmer").click()
        seen(page)
        loan_url = page.url
        assert "En prêt" in page.locator("#loan-state").inner_text()

        # The learner reads and accepts the loan agreement on her own computer.
        # (In Arabic too: the learner's language; found by address, not by French words.)
        sign_in(mine, learner.login)
        rtl = "rtl" if learner_language == "ar" else "ltr"
        assert mine.locator("html").get_attribute("dir") == rtl
        mine.goto(f"{base}/my")
        seen(mine)
        assert "Au local, le mardi après-midi." in mine.content()
        mine.locator("main a[href*='/accept']").first.click()
        seen(mine)
        assert tag in mine.content()
        mine.check("#f-accept")
        with mine.expect_navigation():
            mine.locator("main form button[type=submit]").last.click()
        seen(mine)
        assert mine.locator("html").get_attribute("dir") == rtl
        with kit.db() as db:
            loan_id = int(loan_url.rsplit("/", 1)[1])
            assert db.get(Loan, loan_id).accepted_at is not None  # type: ignore[union-attr]
        if learner_language == "fr":
            assert "Vous avez accepté la charte de prêt." in mine.content()
        agreement = page.context.request.get(f"{loan_url}/agreement.pdf")
        assert agreement.ok and tag in pdf_text(agreement.body())

        # 40 days later the loan is late: the daily job reminds once.
        live_server.set_clock(timedelta(days=40))
        assert len(run_cron(live_server)) == 1
        sign_in(page, admin.login)  # the session ran out with the clock
        page.goto(loan_url)
        seen(page)
        assert "jours de retard" in page.locator("#loan-overdue").inner_text()
        assert "relance envoyée" in page.locator("#loan-reminder").inner_text()

        page.select_option("#f-condition", "good")
        page.fill("#f-notes", "Rendu avec sa sacoche")
        with page.expect_navigation():
            page.get_by_role("button", name="Enregistrer le retour").click()
        seen(page)
        assert "Rendu" in page.locator("#loan-state").inner_text()
        page.get_by_role("link", name=tag).first.click()
        seen(page)
        assert page.locator("#asset-status").inner_text() == "Disponible"
    finally:
        live_server.set_clock(timedelta(0))


# --- 6. a plugin switched off and on again ----------------------------------------------------


def test_journey_6_admin_switches_a_plugin_off_and_on(new_context, live_server) -> None:
    from plugins.equipment.models import Asset

    kit = live_server.kit
    org = kit.org(name="Association Interrupteur")
    other = kit.org(name="Association Voisine")
    for o in (org, other):
        kit.enable(o, "equipment")
    admin = kit.user(org, "admin", password=PASSWORD)
    neighbour = kit.user(other, "admin", password=PASSWORD)
    # The organisation's equipment data, made by the plugin itself through its public hook.
    with kit.db() as db:
        made = kit.state.host.hooks_for({"equipment"}).collect(
            "declic_contract_sample_data",
            db=db,
            organisation=db.get(Organisation, org.id),
            user=db.get(User, admin.id),
        )
    assert made
    with kit.db() as db:
        asset = db.query(Asset).filter_by(organisation_id=org.id).first()
        assert asset is not None
        asset_id, asset_tag = asset.id, asset.tag
    assets_before = kit.count(Asset, organisation_id=org.id)

    page = new_context().new_page()
    sign_in(page, admin.login)
    home = f"/o/{org.slug}/"
    page.goto(home)
    assert page.locator(f'nav a[href^="/o/{org.slug}/equipment/"]').count() >= 1
    widgets_before = page.inner_text("main")
    assert page.goto(f"/o/{org.slug}/equipment/").status == 200

    page.goto(f"/o/{org.slug}/admin/plugins")
    seen(page)
    page.locator("#plugin-equipment button[role=switch]").click()
    page.locator('#plugin-equipment button[role=switch][aria-checked="false"]').wait_for()
    seen(page)
    # At once: the menu item, the pages and the dashboard widget are gone for this organisation.
    assert page.goto(f"/o/{org.slug}/equipment/").status == 404
    page.goto(home)
    seen(page)
    assert page.locator(f'nav a[href^="/o/{org.slug}/equipment/"]').count() == 0
    assert page.inner_text("main") != widgets_before
    # The neighbour organisation keeps it; the data is kept.
    neighbour_page = new_context().new_page()
    sign_in(neighbour_page, neighbour.login)
    assert neighbour_page.goto(f"/o/{other.slug}/equipment/").status == 200
    assert kit.count(Asset, organisation_id=org.id) == assets_before

    page.goto(f"/o/{org.slug}/admin/plugins")
    page.locator("#plugin-equipment button[role=switch]").click()
    page.locator('#plugin-equipment button[role=switch][aria-checked="true"]').wait_for()
    assert page.goto(f"/o/{org.slug}/equipment/").status == 200
    seen(page)
    page.goto(f"/o/{org.slug}/equipment/assets/{asset_id}")
    seen(page)
    assert asset_tag in page.inner_text("main")
    page.goto(home)
    assert page.locator(f'nav a[href^="/o/{org.slug}/equipment/"]').count() >= 1


# --- 7. a developer's own plugin ---------------------------------------------------------------


def test_journey_7_a_developer_scaffolds_installs_and_enables_a_plugin(tmp_path: Path) -> None:
    """In subprocesses, as a developer types the commands; the package goes into a private
    folder (``pip install --target``), never into the shared virtualenv."""
    name = "carnet"
    site = tmp_path / "site"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DECLIC_"))}
    env.update(
        DECLIC_DATA_DIR=str(tmp_path / "data"),
        DECLIC_SECRET_KEY="s" * 32,
        PYTHONPATH=os.pathsep.join([str(site), source_path()]),
    )

    def run(*args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            list(args), cwd=tmp_path, env=env, capture_output=True, text=True,
            timeout=timeout, check=False,
        )  # fmt: skip
        assert done.returncode == 0, (args, done.stdout[-3000:], done.stderr[-3000:])
        return done

    declic = (sys.executable, "-m", "core.cli")
    run(*declic, "plugins", "new", name, "--dir", str(tmp_path))
    folder = tmp_path / f"declic-{name}"
    assert (folder / f"declic_{name}" / "plugin.py").is_file()
    run(sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", "install",
        "--no-deps", "--target", str(site), str(folder))  # fmt: skip
    run(*declic, "init")
    run(*declic, "org", "add", "dev-assoc", "Association des Développeurs")
    listed = json.loads(run(*declic, "plugins", "list", "--json", "--org", "dev-assoc").stdout)
    mine = [p for p in listed if p["name"] == name]
    assert mine and mine[0]["enabled"] is False, listed
    run(*declic, "plugins", "enable", name, "--org", "dev-assoc")
    listed = json.loads(run(*declic, "plugins", "list", "--json", "--org", "dev-assoc").stdout)
    mine = next(p for p in listed if p["name"] == name)
    assert mine["enabled"] is True, mine
    # Its own tests pass with the platform's test kit (only the new plugin loaded: its author's
    # usual set-up).
    env["DECLIC_PLUGINS"] = name
    tests = run(sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", str(folder / "tests"))
    assert " passed" in tests.stdout and "failed" not in tests.stdout
