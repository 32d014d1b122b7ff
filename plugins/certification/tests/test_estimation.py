"""The level model: hand-checked values, and its promises as properties (hypothesis)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.certification.estimation import (
    PRIOR_SD,
    Item,
    estimate,
    map_theta,
    probability,
    recency_weight,
)
from plugins.certification.evidence import estimates_from
from plugins.certification.framework_files import load_catalogue
from plugins.certification.models import Evidence

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def score(theta: float, items: list[Item]) -> float:
    """The MAP condition written out independently: Σ w (y − P) − θ/σ²."""
    total = sum(i.weight * (i.outcome - 1 / (1 + math.exp(-(theta - i.difficulty)))) for i in items)
    return total - theta / PRIOR_SD**2


def test_probability_is_the_logistic_of_level_minus_difficulty() -> None:
    assert probability(3, 3) == 0.5
    assert math.isclose(probability(4, 3), 1 / (1 + math.exp(-1)))
    assert probability(-800, 0) == 0.0 and probability(800, 0) == 1.0  # no overflow


def test_no_evidence_is_level_0_with_no_confidence() -> None:
    est = estimate([], 8)
    assert est.level == 0 and abs(est.theta) < 1e-9 and est.confidence == "none"


def test_one_right_answer_at_difficulty_1_gives_level_1() -> None:
    # 1 − σ(θ − 1) = θ/4: at θ = 1.5 the left side is 0.3775, the right 0.375 → θ̂ ≈ 1.503.
    items = [Item(1, 1.0)]
    est = estimate(items, 8)
    assert 1.50 < est.theta < 1.51
    assert abs(score(est.theta, items)) < 1e-9
    assert est.level == 1


def test_level_never_above_the_hardest_success() -> None:
    # Two right answers at difficulty 1: θ̂ ≈ 2.05, but nothing at level 2 was shown.
    est = estimate([Item(1, 1.0), Item(1, 1.0)], 8)
    assert 2.0 < est.theta < 2.1
    assert est.level == 1


def test_a_right_answer_on_a_harder_item_supports_the_easier_levels() -> None:
    easy = estimate([Item(1, 1.0)], 8)
    hard = estimate([Item(3, 1.0)], 8)
    assert hard.theta > easy.theta
    # Succeeding at 3 makes success at 1 and 2 more likely than succeeding at 1 does.
    assert probability(hard.theta, 2) > probability(easy.theta, 2)
    both = estimate([Item(1, 1.0), Item(2, 1.0)], 8)  # θ̂ ≈ 2.4
    assert both.level == 2


def test_a_wrong_answer_gives_level_0() -> None:
    est = estimate([Item(1, 0.0)], 8)
    assert -1.0 < est.theta < -0.5 and est.level == 0


def test_attendance_alone_never_validates() -> None:
    # Eight workshops attended (a quarter of an answer each): θ̂ ≈ 1.5, but no proof at level 1.
    attended = estimate([Item(1, 1.0, 0.25, proves=False)] * 8, 1)
    assert attended.theta > 1.0 and attended.level == 0
    assert attended.nearly(1, 0.5)
    assert estimate([*[Item(1, 1.0, 0.25, proves=False)] * 8, Item(1, 1.0)], 1).level == 1


def test_levels_are_capped_by_the_framework() -> None:
    est = estimate([Item(1, 1.0)] * 20, 1)
    assert est.level == 1


def test_confidence_grows_with_consistent_evidence_and_drops_with_contradictions() -> None:
    assert estimate([Item(1, 1.0)], 8).confidence == "low"
    many = [Item(d, 1.0) for d in (1, 2, 3)] + [Item(d, 0.0) for d in (5, 6, 7)]
    assert estimate(many * 3, 8).confidence == "high"
    # Right on hard items, wrong on easy ones: the same amount of evidence, less trust.
    odd = [Item(d, 0.0) for d in (1, 2, 3)] + [Item(d, 1.0) for d in (5, 6, 7)]
    assert ["low", "medium", "high"].index(estimate(odd * 3, 8).confidence) < 2


def test_recency_weight_halves_every_half_life() -> None:
    assert recency_weight(NOW, NOW, 90) == 1.0
    assert math.isclose(recency_weight(NOW - timedelta(days=90), NOW, 90), 0.5)
    assert math.isclose(recency_weight(NOW - timedelta(days=180), NOW, 90), 0.25)
    assert recency_weight(NOW + timedelta(days=3), NOW, 90) == 1.0  # never more than today's


def test_newer_evidence_counts_more() -> None:
    """Old success, recent failure → lower than old failure, recent success."""
    old, new = recency_weight(NOW - timedelta(days=180), NOW, 90), 1.0
    recent_failure = map_theta([Item(2, 1.0, old), Item(2, 0.0, new)])
    recent_success = map_theta([Item(2, 0.0, old), Item(2, 1.0, new)])
    assert recent_success > recent_failure


items_strategy = st.lists(
    st.builds(
        Item,
        difficulty=st.integers(1, 8),
        outcome=st.sampled_from([0.0, 0.25, 0.5, 1.0]),
        weight=st.floats(0.01, 3.0, allow_nan=False),
        proves=st.booleans(),
    ),
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(
    items=items_strategy,
    extra=st.lists(st.integers(1, 8), min_size=1, max_size=5),
    weight=st.floats(0.01, 3.0),
    position=st.integers(0, 25),
    proves=st.booleans(),
)
def test_more_correct_evidence_never_lowers_a_level(
    items: list[Item], extra: list[int], weight: float, position: int, proves: bool
) -> None:
    before = estimate(items, 8)
    more = list(items)
    for difficulty in extra:
        more.insert(min(position, len(more)), Item(difficulty, 1.0, weight, proves=proves))
    after = estimate(more, 8)
    assert after.theta >= before.theta
    assert after.level >= before.level


@settings(max_examples=200, deadline=None)
@given(items=items_strategy, seed=st.randoms(use_true_random=False))
def test_an_estimate_is_deterministic_and_order_free(items: list[Item], seed: object) -> None:
    shuffled = list(items)
    seed.shuffle(shuffled)  # type: ignore[attr-defined]
    assert estimate(items, 8) == estimate(list(items), 8)
    assert estimate(shuffled, 8).level == estimate(items, 8).level
    assert math.isclose(estimate(shuffled, 8).theta, estimate(items, 8).theta, abs_tol=1e-9)


@settings(max_examples=200, deadline=None)
@given(items=items_strategy, age=st.integers(1, 1000))
def test_ageing_pulls_towards_no_evidence(items: list[Item], age: int) -> None:
    """Older evidence weighs less: θ̂ moves towards the prior's 0 and never past it."""
    factor = recency_weight(NOW - timedelta(days=age), NOW, 90)
    aged = [Item(i.difficulty, i.outcome, i.weight * factor) for i in items]
    fresh, old = map_theta(items), map_theta(aged)
    assert min(0.0, fresh) - 1e-9 <= old <= max(0.0, fresh) + 1e-9
    assert abs(score(old, aged)) < 1e-6


row_strategy = st.builds(
    lambda key, d, y, days, source: Evidence(
        competence=key,
        difficulty=d,
        outcome=y,
        source=source,
        occurred_at=NOW - timedelta(days=days),
    ),
    key=st.sampled_from(["crcn:1.1", "crcn:3.1", "b2i:D1.4"]),
    d=st.integers(1, 8),
    y=st.sampled_from([0.0, 0.5, 1.0]),
    days=st.integers(0, 400),
    source=st.sampled_from(["quiz", "observation", "attendance"]),
)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(row_strategy, max_size=20),
    extra=row_strategy,
    half_life=st.integers(7, 365),
)
def test_a_new_right_answer_never_lowers_a_level_whatever_its_source_or_age(
    rows: list[Evidence], extra: Evidence, half_life: int
) -> None:
    """The same promise at the evidence level: recency and source weights included."""
    catalogue = load_catalogue()
    extra.outcome = 1.0
    extra.difficulty = min(extra.difficulty, catalogue.framework_of(extra.competence).max_level)
    for row in rows:
        row.difficulty = min(row.difficulty, catalogue.framework_of(row.competence).max_level)
    before = estimates_from(rows, catalogue, NOW, half_life)
    after = estimates_from([*rows, extra], catalogue, NOW, half_life)
    for key, estimate_before in before.items():
        assert after[key].level >= estimate_before.level
        assert after[key].theta >= estimate_before.theta
