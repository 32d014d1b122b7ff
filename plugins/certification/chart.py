"""The skills chart: a server-rendered SVG of horizontal bars, readable without colour.

Each bar carries its competence code and title as text and its level as a number; the filled
part is hatched (a pattern, not only a colour) and the scale has a tick per level. The page also
gives the same data as a table for screen readers, so the SVG itself is ``aria-hidden``.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

ROW = 34
LABEL_WIDTH = 330
BAR_WIDTH = 320
LEFT_PAD = 8


@dataclass(frozen=True)
class Bar:
    code: str
    title: str
    level: int
    max_level: int


def svg_bars(bars: list[Bar], level_word: str) -> str:
    """An SVG of the bars; ``level_word`` is the translated word for "level" used on each bar."""
    width = LEFT_PAD + LABEL_WIDTH + BAR_WIDTH + 90
    height = ROW * len(bars) + 30
    top = max((b.max_level for b in bars), default=1)
    step = BAR_WIDTH / top
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="presentation" aria-hidden="true" focusable="false" '
        'class="skills-chart">',
        '<defs><pattern id="hatch" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="8" height="8" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="8" stroke="#1a1a1a" stroke-width="4"/></pattern></defs>',
    ]
    x0 = LEFT_PAD + LABEL_WIDTH
    for level in range(top + 1):
        x = x0 + level * step
        out.append(
            f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 22}" '
            'stroke="#bbbbbb" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{x:.1f}" y="{height - 6}" font-size="12" text-anchor="middle" '
            f'fill="#1a1a1a">{level}</text>'
        )
    for i, bar in enumerate(bars):
        y = 6 + i * ROW
        title = bar.title if len(bar.title) <= 38 else bar.title[:37] + "…"
        out.append(
            f'<text x="{LEFT_PAD}" y="{y + 18}" font-size="14" fill="#1a1a1a">'
            f"{escape(bar.code)} {escape(title)}</text>"
        )
        out.append(
            f'<rect x="{x0}" y="{y + 3}" width="{bar.max_level * step:.1f}" height="20" '
            f'fill="none" stroke="#1a1a1a" stroke-dasharray="3 3"/>'
        )
        if bar.level > 0:
            out.append(
                f'<rect x="{x0}" y="{y + 3}" width="{bar.level * step:.1f}" height="20" '
                f'fill="url(#hatch)" stroke="#1a1a1a" stroke-width="2"/>'
            )
        out.append(
            f'<text x="{x0 + BAR_WIDTH + 10}" y="{y + 18}" font-size="14" '
            'font-weight="bold" fill="#1a1a1a">'
            f"{escape(level_word)} {bar.level}</text>"
        )
    out.append("</svg>")
    return "".join(out)
