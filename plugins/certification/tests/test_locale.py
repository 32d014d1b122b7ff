"""Every string the plugin shows has its French translation (French is the default language)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

HERE = Path(__file__).resolve().parent.parent
PO = HERE / "locale" / "fr" / "LC_MESSAGES" / "certification.po"


def test_every_msgid_is_translated_in_french() -> None:
    method_map = [
        ("**/tests/**", "ignore"),
        ("**.py", "python"),
        ("**/templates/**.html", "jinja2"),
    ]
    options = {
        "**/templates/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}
    }
    keywords = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(HERE), method_map, options, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    assert catalog.plural_forms == "nplurals=2; plural=(n > 1);"
    translated = {m.id for m in catalog if m.id and m.string}
    assert len(found) > 150
    assert sorted(found - translated) == []
