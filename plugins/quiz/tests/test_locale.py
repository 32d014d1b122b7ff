"""Every string of the quiz plugin's pages has its French translation, and the page speaks it."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from plugins.quiz.tests.builders import setup_learner, start

PLUGIN = Path(__file__).resolve().parents[1]
METHODS = [
    ("interop/**", "ignore"),
    ("tests/**", "ignore"),
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2"),
]


def test_every_string_has_a_french_translation():
    with (PLUGIN / "locale/fr/LC_MESSAGES/quiz.po").open("rb") as fh:
        catalogue = read_po(fh)
    translated = {
        m.id
        for m in catalogue
        if m.id and m.string and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    found = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(PLUGIN),
            METHODS,
            keywords={
                "_": None,
                "_l": None,
                "lazy_gettext": None,
                "gettext": None,
                "ngettext": (1, 2),
            },
            options_map={"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        )
    }
    missing = sorted(str(m) for m in found if m not in translated)
    assert not missing, f"add these to quiz.po: {missing}"
    assert len(found) > 300


def test_the_attempt_page_is_in_french_by_default(declic):
    world = setup_learner(declic, "assoc-fr")
    client = declic.client(world["learner"])
    attempt_id = start(declic, client, world["org"], world["quiz_id"])
    page = client.get(f"/o/assoc-fr/quiz/attempt/{attempt_id}")
    assert "Votre réponse" in page.text and "Écouter" in page.text and "Suivant →" in page.text
