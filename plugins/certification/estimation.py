"""The level model: how a learner's evidence on one competence becomes a level and a confidence.

The model (the one-parameter logistic, or Rasch, model that Pix also uses)::

    P(success on an item of difficulty d | level θ) = 1 / (1 + e^-(θ - d))

Each piece of evidence is an item: a difficulty ``d`` (the level it demonstrates: a question
tagged ``crcn:1.1@3`` has d = 3), an outcome ``y`` in [0, 1] (the question's graded fraction; 1 or
0 for a trainer's observation) and a weight ``w``:

- **recency**: ``w = 2 ** (-age_days / half_life_days)``, age measured from *now*, not from the
  newest piece, so adding evidence never changes the weight of the rest (half-life: a setting,
  90 days by default);
- **source**: a trainer's observation counts as two answers (they watched the skill being done);
  attending a workshop that covers the competence counts a quarter of an answer (being there is a
  hint, not a proof).

The level estimate is the maximum a posteriori (MAP) θ under a normal prior N(0, 2²): with no
evidence a learner sits at 0 ("not shown yet"), and a handful of correct answers cannot claim an
extreme level (maximum likelihood alone would answer +∞ for an all-correct record). θ̂ solves::

    g(θ) = Σ w_i (y_i − P_i(θ)) − θ / σ0² = 0

``g`` is strictly decreasing, so θ̂ is unique; it is found by a fixed bisection (deterministic,
no tolerance tricks). A correct answer adds a term ``w (1 − P) > 0`` to ``g`` at every θ, so the
root can only move up: **more correct evidence never lowers a level**. The sum uses ``math.fsum``
(exactly rounded), so the guarantee also holds in floating point whatever the order of the items.

The reported **level** is ``floor(θ̂)`` clamped to 0..max_level, and never above the hardest item
the learner succeeded on (``y ≥ 0.5``): as in Pix, a level is shown only on evidence at that
level, while success on a hard item raises θ̂ and so supports every easier level. Attendance
does not count as such a success: on its own it can bring a competence to "nearly", never to
validated.

**Confidence** comes from the Fisher information at θ̂, ``I = Σ w P (1 − P) + 1/σ0²``, as a
standard error ``se = 1/√I``: high below 0.8, medium below 1.3, low otherwise; it drops one step
when the answers disagree with each other (weighted outfit mean-square above 2: right on hard
items, wrong on easy ones).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

PRIOR_MEAN = 0.0
PRIOR_SD = 2.0
DEFAULT_HALF_LIFE_DAYS = 90
OBSERVATION_WEIGHT = 2.0
ATTENDANCE_WEIGHT = 0.25
SUCCESS = 0.5
_BISECTIONS = 80
_LOW, _HIGH = -12.0, 20.0


@dataclass(frozen=True)
class Item:
    """One piece of evidence as the model sees it."""

    difficulty: float
    outcome: float  # 0..1
    weight: float = 1.0
    proves: bool = True  # False for attendance: it moves θ̂ but never shows a level by itself


@dataclass(frozen=True)
class Estimate:
    theta: float  # θ̂, the continuous level
    level: int  # what is shown: 0..max_level
    se: float  # standard error of θ̂
    confidence: str  # "none", "low", "medium", "high"
    evidence_weight: float  # Σ w: how much (recency-weighted) evidence there is
    items: int

    def reaches(self, level: int) -> bool:
        return self.level >= level

    def nearly(self, level: int, margin: float) -> bool:
        """Not there yet, but within ``margin`` of the level (θ̂ ≥ level − margin)."""
        return not self.reaches(level) and self.theta >= level - margin


def recency_weight(evidence_at: datetime, now: datetime, half_life_days: float) -> float:
    """Exponential decay: evidence ``half_life_days`` old counts half, twice that a quarter."""
    age_days = max(0.0, (now - evidence_at).total_seconds() / 86400.0)
    return float(0.5 ** (age_days / half_life_days))


def probability(theta: float, difficulty: float) -> float:
    """P(success) = 1 / (1 + e^-(θ − d)), computed without overflow."""
    x = theta - difficulty
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _slope(theta: float, items: list[Item]) -> float:
    terms = [item.weight * (item.outcome - probability(theta, item.difficulty)) for item in items]
    terms.append(-(theta - PRIOR_MEAN) / PRIOR_SD**2)
    return math.fsum(terms)


def map_theta(items: Iterable[Item]) -> float:
    """The MAP level θ̂ (bisection on the strictly decreasing score function)."""
    items = list(items)
    low, high = _LOW, _HIGH
    for _ in range(_BISECTIONS):
        mid = (low + high) / 2.0
        if _slope(mid, items) > 0:
            low = mid
        else:
            high = mid
    return (low + high) / 2.0


def estimate(items: Iterable[Item], max_level: int) -> Estimate:
    """Level and confidence from the items of one learner on one competence."""
    items = [item for item in items if item.weight > 0]
    theta = map_theta(items)
    information = math.fsum(
        [
            i.weight * probability(theta, i.difficulty) * (1 - probability(theta, i.difficulty))
            for i in items
        ]
        + [1 / PRIOR_SD**2]
    )
    se = 1 / math.sqrt(information)
    hardest_success = max(
        (i.difficulty for i in items if i.outcome >= SUCCESS and i.proves), default=0
    )
    level = max(0, min(max_level, math.floor(theta), math.floor(hardest_success)))
    total_weight = math.fsum(i.weight for i in items)
    return Estimate(
        theta=theta,
        level=int(level),
        se=se,
        confidence=_confidence(items, theta, se, total_weight),
        evidence_weight=total_weight,
        items=len(items),
    )


def _confidence(items: list[Item], theta: float, se: float, total_weight: float) -> str:
    if not items:
        return "none"
    steps = ["low", "medium", "high"]
    rank = 2 if se < 0.8 else 1 if se < 1.3 else 0
    # Outfit mean-square: squared standardised residuals, averaged with the weights.
    residuals = []
    for item in items:
        p = probability(theta, item.difficulty)
        residuals.append(item.weight * (item.outcome - p) ** 2 / max(p * (1 - p), 1e-9))
    if total_weight > 0 and math.fsum(residuals) / total_weight > 2.0:
        rank = max(0, rank - 1)
    return steps[rank]
