"""Grading of every question type and every grading method, with property-based checks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.quiz import grading
from plugins.quiz.grading import (
    combine_attempts,
    grade,
    mark_for,
    overall_feedback,
    parse_number,
    wildcard_match,
)

SINGLE = {
    "choices": [
        {"id": "a", "fraction": 1.0, "feedback": "yes"},
        {"id": "b", "fraction": -0.5, "feedback": "no"},
    ]
}
MULTI = {
    "choices": [
        {"id": "a", "fraction": 0.5, "feedback": "a ok"},
        {"id": "b", "fraction": 0.5, "feedback": ""},
        {"id": "c", "fraction": -1.0, "feedback": "c wrong"},
        {"id": "d", "fraction": -0.25, "feedback": ""},
    ]
}


def test_single_choice():
    assert grade("single", SINGLE, {"choice": "a"}) == grading.Grade(1.0, "correct", ("yes",))
    wrong = grade("single", SINGLE, {"choice": "b"})
    assert wrong.fraction == 0.0 and wrong.state == "wrong"  # a negative choice never goes below 0
    assert grade("single", SINGLE, None).state == "unanswered"
    assert grade("single", SINGLE, {"choice": "zz"}).state == "unanswered"


def test_multiple_choice_weights_negative_marks_and_cap():
    assert grade("multiple", MULTI, {"choices": ["a", "b"]}).fraction == 1.0
    assert grade("multiple", MULTI, {"choices": ["a"]}).fraction == 0.5
    assert grade("multiple", MULTI, {"choices": ["a"]}).state == "partial"
    assert grade("multiple", MULTI, {"choices": ["a", "b", "d"]}).fraction == 0.75
    assert grade("multiple", MULTI, {"choices": ["a", "c"]}).fraction == 0.0  # capped at 0 %
    assert (
        grade("multiple", MULTI, {"choices": ["a", "a", "b"]}).fraction == 1.0
    )  # repeats count once
    assert grade("multiple", MULTI, {"choices": ["a", "c"]}).feedback == ("a ok", "c wrong")
    assert grade("multiple", MULTI, {"choices": []}).state == "unanswered"


def test_true_false():
    data = {"correct": False, "feedback_true": "no", "feedback_false": "yes"}
    assert grade("truefalse", data, {"value": "false"}) == grading.Grade(1.0, "correct", ("yes",))
    assert grade("truefalse", data, {"value": "true"}).fraction == 0.0
    assert grade("truefalse", data, {"value": ""}).state == "unanswered"


def test_short_answer_wildcards_case_and_order():
    data = {
        "answers": [
            {"text": "Paris", "fraction": 1.0, "feedback": "exact"},
            {"text": "Par*", "fraction": 0.5, "feedback": "close"},
            {"text": "2\\*3", "fraction": 1.0, "feedback": "star"},
        ],
        "case_sensitive": False,
    }
    assert grade("shortanswer", data, {"text": "  paris "}).feedback == ("exact",)
    assert grade("shortanswer", data, {"text": "Parie"}).fraction == 0.5
    assert grade("shortanswer", data, {"text": "2*3"}).fraction == 1.0
    assert grade("shortanswer", data, {"text": "2x3"}).fraction == 0.0
    assert grade("shortanswer", data, {"text": "Lyon"}).state == "wrong"
    assert grade("shortanswer", {**data, "case_sensitive": True}, {"text": "paris"}).fraction == 0.0
    assert wildcard_match("a*c", "abbbc") and not wildcard_match("a*c", "abd")
    assert wildcard_match("mot de  passe", "Mot  de passe")


def test_numerical_tolerance_range_and_several_answers():
    data = {
        "answers": [
            {"value": 21, "tolerance": 0.5, "fraction": 1.0, "feedback": "good"},
            {"min": 14, "max": 28, "fraction": 0.5, "feedback": "about"},
        ]
    }
    assert grade("numerical", data, {"value": "21,4"}).fraction == 1.0
    assert grade("numerical", data, {"value": "20.5"}).fraction == 1.0
    assert grade("numerical", data, {"value": "25"}).fraction == 0.5
    assert grade("numerical", data, {"value": "3"}).fraction == 0.0
    assert grade("numerical", data, {"value": "abc"}).fraction == 0.0
    assert grade("numerical", data, {"value": ""}).state == "unanswered"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3,5", 3.5),
        ("3.5", 3.5),
        ("-2", -2.0),
        ("1 000", 1000.0),
        ("1\u202f000,5", 1000.5),
        (",5", 0.5),
        ("1e3", 1000.0),
    ],
)
def test_parse_number_accepts_what_people_type(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "abc", "1,2.3", "3,5,1", "nan", "inf", "--2", "1e999"])
def test_parse_number_refuses_non_numbers(text):
    assert parse_number(text) is None


def test_matching_with_distractors_and_shared_answers():
    data = {
        "pairs": [
            {"id": "p1", "prompt": "Ctrl+C", "answer": "Copier"},
            {"id": "p2", "prompt": "Ctrl+V", "answer": "Coller"},
            {"id": "p3", "prompt": "Clic droit → Copier", "answer": "Copier"},
        ],
        "distractors": ["Couper"],
    }
    options = dict(grading.matching_options(data))
    assert sorted(options.values()) == ["Coller", "Copier", "Couper"]
    right = {"matches": {"p1": "p1", "p2": "p2", "p3": "p1"}}
    assert grade("matching", data, right).fraction == 1.0
    assert grade("matching", data, {"matches": {"p1": "p1", "p2": "d1"}}).fraction == pytest.approx(
        1 / 3
    )
    assert grade("matching", data, {"matches": {}}).state == "unanswered"


def test_ordering_absolute_position():
    data = {"items": [{"id": "i1"}, {"id": "i2"}, {"id": "i3"}, {"id": "i4"}]}
    assert (
        grade("ordering", data, {"positions": {"i1": 1, "i2": 2, "i3": 3, "i4": 4}}).fraction == 1.0
    )
    assert (
        grade("ordering", data, {"positions": {"i1": 1, "i2": 3, "i3": 2, "i4": 4}}).fraction == 0.5
    )
    assert grade("ordering", data, {"positions": {"i1": "x"}}).fraction == 0.0
    assert grade("ordering", data, {"positions": {}}).state == "unanswered"


def test_essay_waits_for_a_trainer_and_description_has_no_mark():
    assert grade("essay", {}, {"text": "Mon texte"}) == grading.Grade(None, "needs_grading")
    assert grade("essay", {}, {"text": "  "}).state == "unanswered"
    assert grade("description", {}, None) == grading.Grade(None, "info")
    assert mark_for(None, 2.0) is None


@pytest.mark.parametrize(
    ("method", "expected"), [("highest", 8.0), ("average", 6.0), ("first", 4.0), ("last", 6.0)]
)
def test_grading_methods(method, expected):
    assert combine_attempts(method, [4.0, 8.0, 6.0]) == expected


def test_grading_method_without_attempts_and_unknown_method():
    assert combine_attempts("highest", []) is None
    with pytest.raises(ValueError):
        combine_attempts("median", [1.0])


def test_overall_feedback_bands():
    bands = [(80.0, "Bravo"), (50.0, "Presque"), (0.0, "Encore")]
    assert overall_feedback(bands, 100) == "Bravo"
    assert overall_feedback(bands, 80) == "Bravo"
    assert overall_feedback(bands, 79.9) == "Presque"
    assert overall_feedback(bands, 0) == "Encore"
    assert overall_feedback([], 50) == ""


# --- properties ------------------------------------------------------------------------------

fractions = st.floats(min_value=-1, max_value=1, allow_nan=False)
ids = st.sampled_from(["a", "b", "c", "d", "e"])
choices = st.lists(
    st.builds(lambda i, f: {"id": i, "fraction": f, "feedback": ""}, ids, fractions),
    max_size=5,
    unique_by=lambda c: c["id"],
)
texts = st.text(max_size=12)
numbers = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)

questions = st.one_of(
    st.tuples(
        st.just("single"),
        st.builds(lambda c: {"choices": c}, choices),
        st.builds(lambda c: {"choice": c}, ids),
    ),
    st.tuples(
        st.just("multiple"),
        st.builds(lambda c: {"choices": c}, choices),
        st.builds(lambda c: {"choices": c}, st.lists(ids)),
    ),
    st.tuples(
        st.just("truefalse"),
        st.builds(lambda c: {"correct": c}, st.booleans()),
        st.builds(lambda v: {"value": v}, st.sampled_from(["true", "false", "", "x"])),
    ),
    st.tuples(
        st.just("shortanswer"),
        st.builds(
            lambda a, cs: {"answers": a, "case_sensitive": cs},
            st.lists(
                st.builds(lambda t, f: {"text": t, "fraction": f}, texts, fractions), max_size=4
            ),
            st.booleans(),
        ),
        st.builds(lambda t: {"text": t}, texts),
    ),
    st.tuples(
        st.just("numerical"),
        st.builds(
            lambda a: {"answers": a},
            st.lists(
                st.builds(
                    lambda v, t, f: {"value": v, "tolerance": t, "fraction": f},
                    numbers,
                    st.floats(0, 100),
                    fractions,
                ),
                max_size=3,
            ),
        ),
        st.builds(lambda v: {"value": v}, st.one_of(texts, numbers.map(str))),
    ),
    st.tuples(
        st.just("matching"),
        st.builds(
            lambda n: {
                "pairs": [
                    {"id": f"p{i}", "prompt": str(i), "answer": f"A{i % 3}"} for i in range(n)
                ],
                "distractors": ["X"],
            },
            st.integers(0, 5),
        ),
        st.builds(
            lambda m: {"matches": m},
            st.dictionaries(
                st.sampled_from(["p0", "p1", "p2", "p3"]),
                st.sampled_from(["p0", "p1", "p2", "d1", "zz"]),
            ),
        ),
    ),
    st.tuples(
        st.just("ordering"),
        st.builds(lambda n: {"items": [{"id": f"i{i}"} for i in range(n)]}, st.integers(0, 5)),
        st.builds(
            lambda p: {"positions": p},
            st.dictionaries(st.sampled_from(["i0", "i1", "i2", "i3"]), st.integers(-2, 6)),
        ),
    ),
)


@settings(max_examples=300, deadline=None)
@given(questions, st.floats(min_value=0, max_value=100, allow_nan=False))
def test_any_response_scores_within_zero_and_max(question, max_mark):
    qtype, data, response = question
    result = grade(qtype, data, response)
    assert result.fraction is not None and 0.0 <= result.fraction <= 1.0
    mark = mark_for(result.fraction, max_mark)
    assert mark is not None and 0.0 <= mark <= max_mark + 1e-6
    assert result.state in ("correct", "partial", "wrong", "unanswered")


@settings(max_examples=200, deadline=None)
@given(questions)
def test_regrading_is_deterministic(question):
    qtype, data, response = question
    assert grade(qtype, data, response) == grade(qtype, data, response)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(min_value=0, max_value=50, allow_nan=False), min_size=1, max_size=8),
    st.sampled_from(["highest", "average", "first", "last"]),
)
def test_quiz_grade_stays_within_the_attempts(scores, method):
    value = combine_attempts(method, scores)
    assert value is not None and min(scores) - 1e-9 <= value <= max(scores) + 1e-9
