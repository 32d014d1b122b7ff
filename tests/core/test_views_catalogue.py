"""The French core catalogue covers every core string: the msgids extracted from core's Python
and templates (with the repository's babel.cfg) all have a French translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
FR = ROOT / "core" / "locale" / "fr" / "LC_MESSAGES" / "core.po"


def extracted_msgids() -> set[str]:
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh, "babel.cfg")
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found: set[str] = set()

    def core_only(path: str) -> bool:
        parts = Path(path).resolve().relative_to(ROOT).parts
        return not parts or parts[0] in ("core", "themes")

    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords=keywords, directory_filter=core_only
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_core_string_has_a_french_translation():
    with FR.open("rb") as fh:
        catalogue = read_po(fh)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalogue
        if m.id and (all(m.string) if isinstance(m.string, (list, tuple)) else m.string)
    }
    wanted = extracted_msgids()
    assert len(wanted) > 250  # the extraction itself works
    missing = sorted(wanted - translated)
    assert not missing, f"add these to {FR.relative_to(ROOT)}: {missing}"


def test_the_catalogue_header_is_valid():
    with FR.open("rb") as fh:
        catalogue = read_po(fh)
    assert catalogue.plural_forms == "nplurals=2; plural=(n > 1);"
    assert catalogue.charset == "utf-8"
