"""Item statistics as Moodle's quiz statistics report computes them (pure functions).

- Facility index: the mean score on the item as a percentage of its maximum (how easy it is).
- Standard deviation: of the item's score, as a percentage of its maximum.
- Discrimination index: the correlation (Pearson, ×100) between the score on the item and the
  score on the *rest* of the quiz, over the attempts analysed. Positive: learners who do well
  overall do well on this item; near zero or negative: the item needs a look.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ItemStats:
    key: int
    count: int
    facility: float | None  # 0..100
    sd: float | None  # 0..100
    discrimination: float | None  # -100..100


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _sample_sd(values: Sequence[float]) -> float:
    if len(values) < 2:
        return 0.0
    m = _mean(values)
    return math.sqrt(sum((v - m) ** 2 for v in values) / (len(values) - 1))


def correlation(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r, or None when either side does not vary."""
    if len(xs) < 2:
        return None
    mx, my = _mean(xs), _mean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sxy / math.sqrt(sxx * syy)


def item_statistics(
    attempts: Sequence[Mapping[int, tuple[float | None, float]]],
) -> list[ItemStats]:
    """``attempts``: for each finished attempt, item key → (mark or None if ungraded, max mark).

    Items with no maximum (descriptions) and ungraded marks are left out of the figures.
    """
    totals = [sum(m for m, _mx in a.values() if m is not None) for a in attempts]
    keys = sorted({k for a in attempts for k, (_m, mx) in a.items() if mx > 0})
    result = []
    for key in keys:
        xs, rests, fractions = [], [], []
        for attempt, total in zip(attempts, totals, strict=True):
            if key not in attempt:
                continue
            mark, maximum = attempt[key]
            if mark is None or maximum <= 0:
                continue
            xs.append(mark)
            rests.append(total - mark)
            fractions.append(mark / maximum)
        if not xs:
            result.append(ItemStats(key, 0, None, None, None))
            continue
        r = correlation(xs, rests)
        result.append(
            ItemStats(
                key=key,
                count=len(xs),
                facility=100 * _mean(fractions),
                sd=100 * _sample_sd(fractions),
                discrimination=None if r is None else 100 * r,
            )
        )
    return result
