"""Question types: the editor form of each type, answer fields, display order."""

from __future__ import annotations

import random

import pytest

from plugins.quiz.questions import (
    InvalidResponseError,
    choice_order,
    parse_question_data,
    parse_response,
    present,
    response_text,
    right_answer,
)


def getter(fields):
    return lambda name: fields.get(name, "")


def test_editor_numerical_values_ranges_and_errors():
    data, errors = parse_question_data(
        "numerical",
        getter(
            {
                "num_value_0": "21",
                "num_tolerance_0": "0,5",
                "answer_fraction_0": "100",
                "num_min_1": "14",
                "num_max_1": "28",
                "answer_fraction_1": "50",
                "num_value_2": "douze",
                "answer_fraction_2": "0",
            }
        ),
    )
    assert data["answers"][:2] == [
        {"value": 21.0, "tolerance": 0.5, "fraction": 1.0, "feedback": ""},
        {"min": 14.0, "max": 28.0, "fraction": 0.5, "feedback": ""},
    ]
    assert "num_value_2" in errors
    _data, errors = parse_question_data(
        "numerical", getter({"num_min_0": "9", "num_max_0": "3", "answer_fraction_0": "100"})
    )
    assert "num_min_0" in errors


def test_editor_choices_keep_ids_and_check_weights():
    fields = {
        "choice_id_0": "keep",
        "choice_text_0": "A",
        "choice_fraction_0": "50",
        "choice_text_1": "B",
        "choice_fraction_1": "50",
        "choice_text_2": "C",
        "choice_fraction_2": "-100",
    }
    data, errors = parse_question_data("multiple", getter(fields))
    assert not errors and [c["id"] for c in data["choices"]] == ["keep", "c1", "c2"]
    _data, errors = parse_question_data("multiple", getter({**fields, "choice_fraction_1": "20"}))
    assert "choices" in errors
    _data, errors = parse_question_data("single", getter({**fields, "choice_fraction_0": "150"}))
    assert "choice_fraction_0" in errors


def test_editor_matching_ordering_and_short_answer():
    data, errors = parse_question_data(
        "matching",
        getter(
            {
                "pair_prompt_0": "Ctrl+C",
                "pair_answer_0": "Copier",
                "pair_prompt_1": "Ctrl+V",
                "pair_answer_1": "Coller",
                "distractors": "Couper\n\n",
            }
        ),
    )
    assert not errors and len(data["pairs"]) == 2 and data["distractors"] == ["Couper"]
    _d, errors = parse_question_data("matching", getter({"pair_prompt_0": "Seul"}))
    assert "pair_prompt_0" in errors and "pairs" in errors
    data, errors = parse_question_data(
        "ordering", getter({"item_text_0": "Allumer", "item_text_1": "Se connecter"})
    )
    assert not errors and [i["id"] for i in data["items"]] == ["i1", "i2"]
    data, errors = parse_question_data(
        "shortanswer",
        getter({"answer_text_0": "pdf", "answer_fraction_0": "100", "case_sensitive": "1"}),
    )
    assert not errors and data["case_sensitive"] is True
    _d, errors = parse_question_data(
        "shortanswer", getter({"answer_text_0": "pdf", "answer_fraction_0": "50"})
    )
    assert "answers" in errors


def test_answer_fields_of_each_type():
    single = {
        "choices": [
            {"id": "a", "text": "A", "fraction": 1.0},
            {"id": "b", "text": "B", "fraction": 0.0},
        ]
    }
    assert parse_response("single", single, 3, getter({"q3": "a"}), lambda n: []) == (
        {"choice": "a"},
        None,
    )
    assert parse_response("single", single, 3, getter({}), lambda n: []) == (None, None)
    with pytest.raises(InvalidResponseError):
        parse_response("single", single, 3, getter({"q3": "zz"}), lambda n: [])
    assert parse_response("multiple", single, 1, getter({"q1_present": "1"}), lambda n: []) == (
        {"choices": []},
        None,
    )
    assert parse_response("numerical", {}, 2, getter({"q2": "abc"}), lambda n: [])[1]
    ordering = {"items": [{"id": "i1", "text": "x"}, {"id": "i2", "text": "y"}]}
    assert parse_response(
        "ordering", ordering, 1, getter({"q1_i1": "2", "q1_i2": "1"}), lambda n: []
    )[0] == {"positions": {"i1": 2, "i2": 1}}
    with pytest.raises(InvalidResponseError):
        parse_response("ordering", ordering, 1, getter({"q1_i1": "9"}), lambda n: [])
    assert response_text("ordering", ordering, {"positions": {"i1": 2, "i2": 1}}) == "y, x"
    assert right_answer("ordering", ordering) == "1. x, 2. y"


def test_display_order_is_kept_and_new_choices_come_last():
    data = {"choices": [{"id": k, "text": k, "fraction": 0.0} for k in ("a", "b", "c")]}
    shown = present("single", data, ["c", "a"], {"choice": "a"})
    assert [c["id"] for c in shown["choices"]] == ["c", "a", "b"]
    assert [c["checked"] for c in shown["choices"]] == [False, True, False]
    items = {"items": [{"id": f"i{n}", "text": str(n)} for n in range(4)]}
    for seed in range(20):  # an ordering question is never shown already in order
        assert choice_order("ordering", items, False, random.Random(seed)) != [
            "i0",
            "i1",
            "i2",
            "i3",
        ]
