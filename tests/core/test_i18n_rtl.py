"""Arabic pages mirror: styles use logical directions (start/end), never left or right.

With ``dir="rtl"`` on <html>, flex rows, grids and ``*-inline-start``/``*-inline-end`` turn
round by themselves; a ``margin-left`` or ``float: right`` would not.
"""

from __future__ import annotations

import re
from pathlib import Path

from core.templating import THEMES_DIR
from core.testing import make_host

ROOT = Path(__file__).resolve().parents[2]
# In a template, only style attributes and <style> blocks are styles (not "Time left: ...").
STYLES_IN_HTML = re.compile(r"""style\s*=\s*("[^"]*"|'[^']*')|<style[^>]*>(.*?)</style>""", re.S)
PHYSICAL = re.compile(
    r"(?:margin|padding|border|inset)-(?:left|right)\b"
    r"|(?:text-align|float|clear)\s*:\s*(?:left|right)\b"
    r"|(?<![-\w])(?:left|right)\s*:"
)


def _style_sources() -> list[Path]:
    folders = [ROOT / "core" / "templates", THEMES_DIR]
    for _name, locale_dir in make_host().call_each("declic_locale_dir"):
        if locale_dir:
            folders.append(Path(locale_dir).parent)
    return [
        path
        for folder in folders
        for pattern in ("*.css", "*.html")
        for path in folder.rglob(pattern)
        if "tests" not in path.parts
    ]


def test_styles_use_logical_directions_only():
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in _style_sources()
        for match in PHYSICAL.finditer(_styles(path))
    ]
    assert offenders == []


def _styles(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".css":
        return text
    return "\n".join(m.group(1) or m.group(2) or "" for m in STYLES_IN_HTML.finditer(text))


def test_the_check_sees_physical_directions():
    assert PHYSICAL.search(".a { margin-left: 1rem }")
    assert PHYSICAL.search('<p style="text-align: right">')
    assert PHYSICAL.search(".b { position: absolute; left: 0 }")
    assert not PHYSICAL.search(".c { margin-inline-start: 1rem; inset-inline-end: 0 }")
    assert not PHYSICAL.search(".d { border-top-left-radius: 2px }")
    styles = "".join(m.group(0) for m in STYLES_IN_HTML.finditer('<p data-x="Time left: 2">'))
    assert styles == ""
    assert STYLES_IN_HTML.search('<p style="float: left">')
