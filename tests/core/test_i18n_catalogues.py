"""Every message of every installed domain is translated in every language, correctly.

The messages are extracted from each domain's sources in memory (babel, with the project's
babel.cfg), exactly as ``make messages`` does, so a string added to a view or a template without
its translations fails here, naming the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from gettext import c2py
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from core import i18n
from core.templating import THEMES_DIR
from core.testing import make_host

ROOT = Path(__file__).resolve().parents[2]
BABEL_CFG = ROOT / "babel.cfg"
# The project's lazy spellings, on top of babel's defaults (``_``, ``gettext``, ``ngettext``...).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}

# Domains whose catalogues are still being written, with the languages not yet checked. Empty this
# as soon as their authors are done: nothing else is ever skipped.
PENDING_DOMAINS: dict[str, set[str]] = {}

# The plural rule gettext must use, per language (and the one a new language gets from CLDR).
PLURAL_FORMS = {
    "fr": (2, "(n > 1)"),
    "en": (2, "(n != 1)"),
    "ar": (
        6,
        "(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5)",
    ),
}

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]")
LETTERS = re.compile(r"[^\W\d_]")
# A translation into these languages must use their script (an English text copied over is not
# a translation), except for names that stay as they are in every language.
SCRIPTS = {"ar": re.compile(r"[\u0600-\u06FF\u0750-\u077F]")}
# File formats are product names too: the quiz import/export pages list them alone.
SAME_IN_EVERY_LANGUAGE = {"Déclic", "GIFT", "Moodle XML"}

Key = str | tuple[str, str]


def domain_sources() -> dict[str, tuple[list[Path], Path]]:
    """``domain -> (source folders, locale folder)`` for core and every installed plugin."""
    found = {"core": ([i18n.CORE_LOCALE_DIR.parent, THEMES_DIR], i18n.CORE_LOCALE_DIR)}
    for name, locale_dir in make_host().call_each("declic_locale_dir"):
        if locale_dir:
            found[name] = ([Path(locale_dir).parent], Path(locale_dir))
    return found


def extract_messages(folders: list[Path]) -> dict[Key, list[str]]:
    """Message id (or ``(singular, plural)``) -> where it is used, from the folders' sources."""
    with BABEL_CFG.open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found: dict[Key, list[str]] = {}
    for folder in folders:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            str(folder), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
        ):
            key: Key
            if isinstance(message, tuple):
                if not message[0]:
                    continue
                key = (message[0], message[1]) if len(message) > 1 and message[1] else message[0]
            else:
                key = message
            if not key:
                continue
            found.setdefault(key, []).append(f"{folder.name}/{filename}:{lineno}")
    return found


def read_catalogue(locale_dir: Path, language: str, domain: str) -> Catalog | None:
    path = locale_dir / language / "LC_MESSAGES" / f"{domain}.po"
    if not path.exists():
        return None
    with path.open("rb") as fh:
        return read_po(fh, locale=language)


def placeholders(text: str) -> set[str]:
    return {m.group(1) or m.group(0) for m in PLACEHOLDER.finditer(text)}


def catalogue_problems(
    messages: dict[Key, list[str]], catalogue: Catalog, language: str = ""
) -> list[str]:
    """Missing, fuzzy, wrongly placeholdered, short plural or untranslated-looking entries."""
    problems: list[str] = []
    script = SCRIPTS.get(language)
    for key, where in sorted(messages.items(), key=lambda item: str(item[0])):
        msgid = key[0] if isinstance(key, tuple) else key
        entry = catalogue.get(msgid)
        place = where[0]
        if entry is None or entry.fuzzy:
            problems.append(f"missing: {msgid!r} ({place})")
            continue
        if script is not None and msgid not in SAME_IN_EVERY_LANGUAGE:
            strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            if LETTERS.search(PLACEHOLDER.sub("", msgid)) and not any(
                script.search(PLACEHOLDER.sub("", text)) for text in strings if text
            ):
                problems.append(f"not in the {language} script: {msgid!r} ({place})")
                continue
        if isinstance(key, tuple):
            forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            if not isinstance(entry.id, tuple):
                problems.append(f"not a plural entry: {msgid!r} ({place})")
                continue
            if len(forms) != catalogue.num_plurals or not all(forms):
                problems.append(
                    f"plural forms: {msgid!r} has {sum(1 for f in forms if f)} of "
                    f"{catalogue.num_plurals} ({place})"
                )
                continue
            allowed = placeholders(key[0]) | placeholders(key[1])
            needed = allowed - {"num"}
            for form in forms:
                got = placeholders(form)
                if not got <= allowed or not needed <= got:
                    problems.append(f"placeholders: {msgid!r} -> {form!r} ({place})")
        else:
            if not entry.string:
                problems.append(f"missing: {msgid!r} ({place})")
            elif placeholders(msgid) != placeholders(str(entry.string)):
                problems.append(f"placeholders: {msgid!r} -> {entry.string!r} ({place})")
    return problems


def _cases() -> Iterator[tuple[str, str]]:
    for domain in domain_sources():
        for language in i18n.LANGUAGE_NAMES:
            yield domain, language


DOMAINS = domain_sources()


def test_every_plugin_with_a_catalogue_is_checked():
    # The example plugin and the bundled ones all declare their catalogue through the hook.
    assert {"core", "attendance", "certification", "equipment"} <= set(DOMAINS)


@pytest.mark.parametrize(("domain", "language"), list(_cases()))
def test_catalogue_translates_every_message(domain: str, language: str) -> None:
    if language in PENDING_DOMAINS.get(domain, set()):
        pytest.skip(f"{domain}/{language} listed in PENDING_DOMAINS")
    folders, locale_dir = DOMAINS[domain]
    messages = extract_messages(folders)
    assert messages, f"no message found in {folders}: babel.cfg patterns wrong?"
    catalogue = read_catalogue(locale_dir, language, domain)
    assert catalogue is not None, f"{locale_dir}/{language}/LC_MESSAGES/{domain}.po is missing"
    problems = catalogue_problems(messages, catalogue, language)
    assert not problems, f"{domain} ({language}): {len(problems)} problem(s)\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize(("domain", "language"), list(_cases()))
def test_plural_rule_is_the_languages_own(domain: str, language: str) -> None:
    """The Plural-Forms header sorts numbers as CLDR does (Arabic: six forms)."""
    if language in PENDING_DOMAINS.get(domain, set()):
        pytest.skip(f"{domain}/{language} listed in PENDING_DOMAINS")
    catalogue = read_catalogue(DOMAINS[domain][1], language, domain)
    assert catalogue is not None
    expected = PLURAL_FORMS.get(language) or get_plural(language)
    assert catalogue.num_plurals == expected[0]
    assert catalogue.plural_expr.replace(" ", "") == expected[1].replace(" ", "")
    # The gettext rule and CLDR's categories split 0..300 into the same groups.
    rule = c2py(catalogue.plural_expr)
    cldr = Locale.parse(language).plural_form
    by_index: dict[int, set[str]] = {}
    by_category: dict[str, set[int]] = {}
    for n in range(301):
        by_index.setdefault(rule(n), set()).add(cldr(n))
        by_category.setdefault(cldr(n), set()).add(rule(n))
    assert all(len(v) == 1 for v in by_index.values()), by_index
    assert all(len(v) == 1 for v in by_category.values()), by_category
    assert set(by_index) == set(range(catalogue.num_plurals))


def test_a_message_without_translation_is_reported(tmp_path):
    """The check itself: a message the catalogue lacks, a lost placeholder, a short plural."""
    po = tmp_path / "ar" / "LC_MESSAGES"
    po.mkdir(parents=True)
    (po / "demo.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        f'"Plural-Forms: nplurals=6; plural={PLURAL_FORMS["ar"][1]};\\n"\n\n'
        'msgid "Hello %(name)s"\nmsgstr "مرحبا"\n\n'
        'msgid "%(num)s file"\nmsgid_plural "%(num)s files"\n'
        'msgstr[0] "لا ملفات"\nmsgstr[1] "ملف واحد"\n\n'
        'msgid "Save"\nmsgstr "Save"\n\nmsgid "Déclic"\nmsgstr "Déclic"\n',
        encoding="utf-8",
    )
    catalogue = read_catalogue(tmp_path, "ar", "demo")
    assert catalogue is not None
    problems = catalogue_problems(
        {
            "Hello %(name)s": ["x.py:1"],
            ("%(num)s file", "%(num)s files"): ["x.py:2"],
            "Goodbye": ["x.py:3"],
            "Save": ["x.py:4"],
            "Déclic": ["x.py:5"],
        },
        catalogue,
        "ar",
    )
    assert problems == [
        "plural forms: '%(num)s file' has 2 of 6 (x.py:2)",
        "missing: 'Goodbye' (x.py:3)",
        "placeholders: 'Hello %(name)s' -> 'مرحبا' (x.py:1)",
        "not in the ar script: 'Save' (x.py:4)",
    ]
