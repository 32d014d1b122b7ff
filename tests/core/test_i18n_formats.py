"""Dates, times and numbers on pages are written the way each language writes them (Babel/CLDR)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel import dates, numbers

from core import i18n
from core.templating import THEMES_DIR, Templates

ROOT = Path(__file__).resolve().parents[2]
MOMENT = datetime(2026, 3, 5, 13, 30, tzinfo=UTC)  # 14:30 in Paris (winter time)
TEMPLATE = (
    "{{ moment|date }}|{{ moment|datetime('short') }}|{{ moment|time }}|"
    "{{ big|number }}|{{ share|percent }}"
)


def _render(language: str) -> list[str]:
    env = Templates([]).env("default")
    i18n.set_language(language)
    try:
        text = env.from_string(TEMPLATE).render(moment=MOMENT, big=1234567.5, share=0.875)
    finally:
        i18n.set_language(i18n.DEFAULT_LANGUAGE)
    return text.split("|")


@pytest.mark.parametrize("language", ["fr", "en", "ar"])
def test_template_filters_write_the_languages_own_shapes(language):
    day, moment, hour, big, share = _render(language)
    paris = dates.get_timezone("Europe/Paris")
    assert day == dates.format_date(MOMENT.astimezone(paris), "medium", locale=language)
    assert moment == dates.format_datetime(MOMENT, "short", tzinfo=paris, locale=language)
    assert hour == dates.format_time(MOMENT, "short", tzinfo=paris, locale=language)
    assert big == numbers.format_decimal(1234567.5, locale=language)
    assert share == numbers.format_percent(0.875, locale=language)
    # The digits, separators and month names are the locale's own (CLDR), whatever they are.
    decimal = numbers.get_decimal_symbol(language)
    group = numbers.get_group_symbol(language)
    assert f"234{group}567{decimal}5" in big
    # The year is written in the locale's own digits (Latin or Arabic-Indic, as CLDR says).
    assert numbers.format_decimal(2026, locale=language, group_separator=False) in day


def test_the_three_languages_differ_where_cldr_says_so():
    fr, en, ar = _render("fr"), _render("en"), _render("ar")
    assert fr[3] != en[3]  # 1 234 567,5 against 1,234,567.5
    assert "mars" in fr[0] and "Mar" in en[0]
    assert fr[2] == "14:30" and en[2].replace("\u202f", " ") == "2:30 PM"
    # Arabic: the time of day is written with the Arabic "PM" marker, in CLDR's digits.
    assert dates.get_period_names("abbreviated", "format", locale="ar")["pm"] in ar[2]


def test_pages_format_dates_through_babel_never_strftime():
    """Templates leave formatting to the date/datetime/time/number/percent filters."""
    folders = [ROOT / "core" / "templates", THEMES_DIR, ROOT / "plugins", ROOT / "examples"]
    offenders = [
        str(path.relative_to(ROOT))
        for folder in folders
        for path in folder.rglob("*.html")
        if "strftime" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
