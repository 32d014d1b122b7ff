"""Journey 1 in Chromium: an admin imports 12 learners from the CSV file a French association's
spreadsheet writes (Windows-1252, ';'), checks the preview, confirms, downloads the login codes
PDF, and one of those learners signs in with their code in a browser of their own."""

from __future__ import annotations

import io
import re
import secrets
from pathlib import Path

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.browser

FIRST_NAMES = (
    "Amélie", "Bérénice", "Cédric", "Daphné", "Élodie", "François",
    "Gaëlle", "Hélène", "Inès", "Jérôme", "Karim", "Léa",
)  # fmt: skip


def learners_csv(suffix: str) -> tuple[bytes, list[tuple[str, str]]]:
    """12 learners as (login, display name), and the file a French Excel saves for them."""
    people = [
        (f"{name.lower().translate(str.maketrans('éèëçôîïâä', 'eeecoiiaa'))}.{suffix}", name)
        for name in FIRST_NAMES
    ]
    lines = ["Identifiant;Prénom;Nom;Courriel;Langue;Groupe"]
    for index, (login, first) in enumerate(people):
        group = "Mardi matin" if index % 2 else "Jeudi après-midi"
        lines.append(f"{login};{first};Lefèvre{index};;fr;{group}")
    rows = [(login, f"{first} Lefèvre{index}") for index, (login, first) in enumerate(people)]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252"), rows


def test_admin_imports_12_learners_and_one_signs_in_with_a_printed_code(
    browser, page, e2e_people, sign_in, live_server
):
    suffix = secrets.token_hex(3)
    course = live_server.kit.course(e2e_people.org, title=f"Clic'Emploi {suffix}")
    data, people = learners_csv(suffix)
    slug = e2e_people.org.slug

    sign_in(page, e2e_people.admin.login)
    page.goto(f"/o/{slug}/admin/courses/{course.id}/import")
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "apprenants.csv", "mimeType": "text/csv", "buffer": data}],
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Voir ce qui sera importé").click()

    # The preview: one row per learner, each to be created, nothing written yet.
    assert re.search(rf"/o/{slug}/admin/courses/{course.id}/import/[A-Za-z0-9_-]+$", page.url)
    rows = page.locator("tbody tr")
    assert rows.count() == 12
    for login, name in people:
        row = page.locator("tbody tr", has_text=login)
        assert name in row.inner_text()
        assert "À créer" in row.inner_text()
    assert "Jeudi après-midi" in page.locator("main").inner_text()

    with page.expect_navigation():
        page.get_by_role("button", name="Importer", exact=True).click()

    # The result: the 12 codes, shown once.
    assert page.locator("[role=status]").is_visible()
    codes = {
        row.locator("td").nth(0).inner_text(): row.locator("td.code").inner_text()
        for row in page.locator("tbody tr").all()
    }
    assert set(codes) == {login for login, _name in people}
    assert all(re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code) for code in codes.values())

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Télécharger la feuille en PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    reader = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    assert len(reader.pages) == 2  # eight cards a page
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    for login, name in people:
        assert name in text
        assert codes[login] in text

    # One learner, on a computer of their own, types the code from the sheet.
    login, name = people[4]
    learner_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    try:
        learner_page = learner_context.new_page()
        learner_page.goto("/login/code")
        learner_page.fill("input[name=code]", codes[login].lower().replace("-", " "))
        with learner_page.expect_navigation():
            learner_page.get_by_role("button", name="Se connecter").click()
        learner_page.wait_for_url(re.compile(rf"/o/{slug}/$"))
        assert name in learner_page.locator("h1").inner_text()
        assert learner_page.get_by_role("link", name=f"Clic'Emploi {suffix}").is_visible()
    finally:
        learner_context.close()
