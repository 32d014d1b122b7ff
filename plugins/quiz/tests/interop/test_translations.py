"""Every reason the interop layer can give has a French translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

INTEROP = Path(__file__).resolve().parents[2] / "interop"
CATALOGUE = INTEROP.parent / "locale" / "fr" / "LC_MESSAGES" / "quiz.po"


def test_every_message_has_a_french_translation():
    found = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(INTEROP), method_map=[("**.py", "python")], keywords={"_": None}
        )
    }
    assert len(found) > 40
    with CATALOGUE.open("rb") as po:
        catalog = read_po(po)
    translated = {m.id for m in catalog if m.id and m.string}
    assert found - translated == set()
