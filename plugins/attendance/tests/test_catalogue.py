"""Every string the plugin shows has a French translation in its catalogue, with the same
placeholders (a missing or broken one would show English, or crash the % formatting)."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from plugins.attendance.statuses import DEFAULTS

PLUGIN = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _used() -> set[str | tuple[str, str]]:
    keywords = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
    found: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PLUGIN),
        method_map=[
            ("tests/**", "ignore"),
            ("**.py", "python"),
            ("**/templates/**.html", "jinja2.ext:babel_extract"),
        ],
        options_map={"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords=keywords,
    ):
        found.add(message)
    for _key, acronym, name, _points, _present in DEFAULTS:
        found.update({acronym, name})
    return found


def test_every_string_has_a_french_translation_with_the_same_placeholders():
    with (PLUGIN / "locale/fr/LC_MESSAGES/attendance.po").open("rb") as fh:
        catalogue = read_po(fh)
    assert catalogue.plural_forms == "nplurals=2; plural=(n > 1);"
    missing = []
    for message in _used():
        key = message[0] if isinstance(message, tuple) else message
        entry = catalogue.get(key)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(key)
            continue
        source = message if isinstance(message, tuple) else (message,)
        targets = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = set(PLACEHOLDER.findall(source[-1])) | set(PLACEHOLDER.findall(source[0]))
        for target in targets:
            assert set(PLACEHOLDER.findall(target)) <= wanted | {"num"}, key
            assert set(PLACEHOLDER.findall(source[0])) <= set(PLACEHOLDER.findall(target)) | {
                "num"
            }, key
    assert len(_used()) > 150  # the extraction itself worked
    assert not missing, "untranslated: " + ", ".join(sorted(missing))
