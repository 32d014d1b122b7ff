"""Every string the plugin shows has its French translation in equipment.po."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

PLUGIN = Path(__file__).resolve().parent.parent
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "N_": None,
}


def test_every_msgid_is_translated_to_french() -> None:
    method_map = [("tests/**.py", "ignore"), ("**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    wanted = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PLUGIN), method_map, options, keywords=KEYWORDS
    ):
        wanted.add(message if isinstance(message, str) else message[0])
    with (PLUGIN / "locale/fr/LC_MESSAGES/equipment.po").open("rb") as fh:
        catalog = read_po(fh)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and (m.string if isinstance(m.string, str) else all(m.string))
    }
    assert len(wanted) > 250
    assert sorted(wanted - translated) == []
    assert catalog.plural_forms == "nplurals=2; plural=(n > 1);"


def test_arabic_catalogue_holds_only_current_strings() -> None:
    method_map = [("tests/**.py", "ignore"), ("**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    wanted = {
        message if isinstance(message, str) else message[0]
        for _f, _l, message, _c, _x in extract_from_dir(
            str(PLUGIN), method_map, options, keywords=KEYWORDS
        )
    }
    with (PLUGIN / "locale/ar/LC_MESSAGES/equipment.po").open("rb") as fh:
        catalog = read_po(fh)
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert "My equipment" in ids and "I accept" in ids
    assert ids <= wanted
