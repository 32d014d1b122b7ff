"""Who sees which language: the user's choice, else the organisation's, else the browser's."""

from __future__ import annotations

import re
from pathlib import Path

from core import i18n
from core.testing import make_host


def _lang(html: str) -> tuple[str, str]:
    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)"', html)
    assert match, "the page's <html> has no lang and dir"
    return match.group(1), match.group(2)


def test_learner_home_offers_every_language_by_its_own_name_without_flags(declic):
    org = declic.org("assoc")
    learner = declic.user(org, "learner", display_name="Amina")
    page = declic.client(learner).get("/o/assoc/")
    choice = page.text.split('class="language-choice"', 1)[1].split("</section>", 1)[0]
    for code, name in i18n.supported_languages().items():
        assert f'value="{code}" lang="{code}"' in choice
        assert f">{name}</button>" in choice
    assert "<img" not in choice and "flag" not in choice.lower()
    assert 'aria-current="true">Français<' in choice  # the organisation's default, French


def test_user_with_arabic_gets_a_right_to_left_arabic_home(declic):
    org = declic.org("assoc")
    learner = declic.user(org, "learner", display_name="Amina", language="ar")
    page = declic.client(learner).get("/o/assoc/")
    assert _lang(page.text) == ("ar", "rtl")
    assert "مرحبًا Amina" in page.text
    assert "دوراتي" in page.text  # "My courses"
    assert "Mes cours" not in page.text


def test_choosing_a_language_saves_it_on_the_account(declic):
    org = declic.org("assoc")
    learner = declic.user(org, "learner", display_name="Amina")
    client = declic.client(learner)
    answer = declic.post(client, "/language", {"language": "ar", "next": "/o/assoc/"})
    assert answer.status_code in (302, 303)
    with declic.db() as db:
        assert db.get(type(learner), learner.id).language == "ar"
    # A fresh sign-in elsewhere (no cookie) still shows Arabic: the account holds the choice.
    assert _lang(declic.client(learner).get("/o/assoc/").text) == ("ar", "rtl")


def test_organisation_default_applies_to_a_user_without_a_language(declic):
    org = declic.org("assoc", default_language="en")
    learner = declic.user(org, "learner", display_name="Amina", language=None)
    page = declic.client(learner).get("/o/assoc/", headers={"Accept-Language": "ar"})
    assert _lang(page.text) == ("en", "ltr")
    assert "Hello Amina" in page.text and "My courses" in page.text
    # The user's own choice wins over the organisation's.
    chooser = declic.user(org, "learner", display_name="Samir", language="fr")
    assert _lang(declic.client(chooser).get("/o/assoc/").text) == ("fr", "ltr")


def test_signed_out_pages_follow_the_browser_language(declic):
    client = declic.client()
    arabic = client.get("/login", headers={"Accept-Language": "ar-MA,ar;q=0.9,fr;q=0.5"})
    assert _lang(arabic.text) == ("ar", "rtl")
    assert "كلمة المرور" in arabic.text  # "Password"
    english = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert _lang(english.text) == ("en", "ltr")
    assert "Password" in english.text
    unknown = client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert _lang(unknown.text) == (i18n.DEFAULT_LANGUAGE, "ltr")


def test_offered_languages_are_those_with_a_core_catalogue(tmp_path):
    """A language named in LANGUAGE_NAMES but without a catalogue is not offered."""
    (tmp_path / "fr" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "fr" / "LC_MESSAGES" / "core.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n', encoding="utf-8"
    )
    try:
        i18n.load_catalogues([("core", tmp_path)])
        assert i18n.available_languages() == ["fr"]
        assert i18n.supported_languages() == {"fr": "Français"}
        i18n.load_catalogues([("core", i18n.CORE_LOCALE_DIR)])
        assert set(i18n.available_languages()) == {"fr", "en", "ar"}
        i18n.load_catalogues([("core", i18n.CORE_LOCALE_DIR)], ["fr", "ar"])
        assert i18n.available_languages() == ["fr", "ar"]
    finally:
        # Leave every installed domain loaded, as the application does at start-up.
        plugins = [(n, Path(p)) for n, p in make_host().call_each("declic_locale_dir") if p]
        i18n.load_catalogues([("core", i18n.CORE_LOCALE_DIR), *plugins])


def test_administrator_sets_the_organisation_language_on_the_branding_page(declic):
    org = declic.org("assoc", name="Assoc", default_language="fr")
    admin = declic.user(org, "admin")
    learner = declic.user(org, "learner", display_name="Amina", language=None)
    form = {"name": "Assoc", "colour": "#1f5fa8", "theme": "default", "default_language": "ar"}
    saved = declic.post(declic.client(admin), "/o/assoc/admin/branding", form)
    assert saved.status_code in (200, 302, 303)
    page = declic.client(learner).get("/o/assoc/")
    assert _lang(page.text) == ("ar", "rtl")
    assert "مرحبًا Amina" in page.text
