"""Question types: the shape of each type's data, the editor form, the answer fields.

Shapes of ``QuestionVersion.data`` (all text fields are sanitised HTML):

- single / multiple: ``{"choices": [{"id", "text", "fraction", "feedback", "image_id"}]}``;
  fractions are -1..1 (multiple: positive ones add up to 1).
- truefalse: ``{"correct": bool, "feedback_true", "feedback_false"}``
- shortanswer: ``{"answers": [{"text", "fraction", "feedback"}], "case_sensitive": bool}``
- numerical: ``{"answers": [{"value", "tolerance"} or {"min", "max"}, + "fraction", "feedback"]}``
- matching: ``{"pairs": [{"id", "prompt", "answer"}], "distractors": [text]}``
- ordering: ``{"items": [{"id", "text"}]}`` in the right order
- essay, description: ``{}``

Responses: single ``{"choice"}``, multiple ``{"choices": []}``, truefalse ``{"value"}``,
shortanswer / essay ``{"text"}``, numerical ``{"value"}`` (as typed, checked to be a number),
matching ``{"matches": {pair id: option key}}``, ordering ``{"positions": {item id: n}}``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from plugins.quiz.grading import matching_options, parse_number
from plugins.quiz.sanitize import plain_text, sanitise_html

EDITOR_ROWS = 6  # empty rows offered in the editor for choices, answers, pairs, items


@dataclass(frozen=True)
class QType:
    name: str
    label: Any
    answerable: bool = True
    auto_graded: bool = True


QTYPES: dict[str, QType] = {
    t.name: t
    for t in (
        QType("single", _l("Single choice")),
        QType("multiple", _l("Multiple choice")),
        QType("truefalse", _l("True or false")),
        QType("shortanswer", _l("Short answer")),
        QType("numerical", _l("Number")),
        QType("matching", _l("Matching")),
        QType("ordering", _l("Ordering")),
        QType("essay", _l("Essay (marked by a trainer)"), auto_graded=False),
        QType("description", _l("Description (text only, no mark)"), answerable=False),
    )
}


class InvalidResponseError(ValueError):
    """An answer that no page of ours could have sent (unknown choice...): refused whole."""


Getter = Callable[[str], str]
ListGetter = Callable[[str], list[str]]


# --- the editor ------------------------------------------------------------------------------


def _percent(raw: str, errors: dict[str, str], key: str, low: float = -100.0) -> float:
    value = parse_number(raw or "0")
    if value is None or not low <= value <= 100:
        errors[key] = _("Give a percentage between %(low)s and 100.", low=int(low))
        return 0.0
    return value / 100.0


def _row_id(get: Getter, name: str, index: int, used: set[str], prefix: str) -> str:
    """Keep an existing row's id (so a regrade can carry responses over), else make one."""
    kept = get(f"{name}_{index}")
    if kept and kept not in used and kept.replace("_", "").isalnum() and len(kept) <= 16:
        used.add(kept)
        return kept
    n = 1
    while f"{prefix}{n}" in used:
        n += 1
    used.add(f"{prefix}{n}")
    return f"{prefix}{n}"


def _choices(get: Getter, errors: dict[str, str], multiple: bool) -> list[dict[str, Any]]:
    choices: list[dict[str, Any]] = []
    used: set[str] = set()
    for i in range(int(get("rows") or EDITOR_ROWS)):
        text = sanitise_html(get(f"choice_text_{i}"))
        if not text:
            continue
        image = get(f"choice_image_id_{i}")
        choices.append(
            {
                "id": _row_id(get, "choice_id", i, used, "c"),
                "text": text,
                "fraction": _percent(get(f"choice_fraction_{i}"), errors, f"choice_fraction_{i}"),
                "feedback": sanitise_html(get(f"choice_feedback_{i}")),
                "image_id": int(image) if image.isdigit() else None,
            }
        )
    if len(choices) < 2:
        errors["choices"] = _("Give at least two choices.")
    elif multiple:
        positive = sum(c["fraction"] for c in choices if c["fraction"] > 0)
        if abs(positive - 1.0) > 0.001:
            errors["choices"] = _("The positive marks of the choices must add up to 100 %.")
    elif max(c["fraction"] for c in choices) < 0.999:
        errors["choices"] = _("One choice must be worth 100 %.")
    return choices


def _answers(get: Getter, errors: dict[str, str], numerical: bool) -> list[dict[str, Any]]:
    answers: list[dict[str, Any]] = []
    for i in range(int(get("rows") or EDITOR_ROWS)):
        fraction_key = f"answer_fraction_{i}"
        if numerical:
            raw = {k: get(f"num_{k}_{i}") for k in ("value", "tolerance", "min", "max")}
            if not any(raw.values()):
                continue
            numbers = {k: parse_number(v) if v else None for k, v in raw.items()}
            bad = [k for k, v in raw.items() if v and numbers[k] is None]
            if bad:
                errors[f"num_{bad[0]}_{i}"] = _("This is not a number.")
                continue
            if numbers["min"] is not None and numbers["max"] is not None:
                if numbers["min"] > numbers["max"]:
                    errors[f"num_min_{i}"] = _("The lowest value must not be above the highest.")
                answer: dict[str, Any] = {"min": numbers["min"], "max": numbers["max"]}
            elif numbers["value"] is not None:
                answer = {"value": numbers["value"], "tolerance": abs(numbers["tolerance"] or 0.0)}
            else:
                errors[f"num_value_{i}"] = _("Give a value, or both ends of a range.")
                continue
        else:
            text = " ".join(get(f"answer_text_{i}").split())
            if not text:
                continue
            answer = {"text": text}
        answer["fraction"] = _percent(get(fraction_key), errors, fraction_key, low=0.0)
        answer["feedback"] = sanitise_html(get(f"answer_feedback_{i}"))
        answers.append(answer)
    if not answers:
        errors["answers"] = _("Give at least one accepted answer.")
    elif max(a["fraction"] for a in answers) < 0.999:
        errors["answers"] = _("One answer must be worth 100 %.")
    return answers


def parse_question_data(qtype: str, get: Getter) -> tuple[dict[str, Any], dict[str, str]]:
    """The type-specific part of the editor form, as version data and field errors."""
    errors: dict[str, str] = {}
    rows = range(int(get("rows") or EDITOR_ROWS))
    if qtype in ("single", "multiple"):
        return {"choices": _choices(get, errors, qtype == "multiple")}, errors
    if qtype == "truefalse":
        return {
            "correct": get("correct") != "false",
            "feedback_true": sanitise_html(get("feedback_true")),
            "feedback_false": sanitise_html(get("feedback_false")),
        }, errors
    if qtype == "shortanswer":
        data = {
            "answers": _answers(get, errors, False),
            "case_sensitive": get("case_sensitive") == "1",
        }
        return data, errors
    if qtype == "numerical":
        return {"answers": _answers(get, errors, True)}, errors
    if qtype == "matching":
        used: set[str] = set()
        pairs = []
        for i in rows:
            prompt, answer = (
                sanitise_html(get(f"pair_prompt_{i}")),
                " ".join(get(f"pair_answer_{i}").split()),
            )
            if prompt or answer:
                if not (prompt and answer):
                    errors[f"pair_prompt_{i}"] = _("Give both sides of the pair.")
                    continue
                pairs.append(
                    {
                        "id": _row_id(get, "pair_id", i, used, "p"),
                        "prompt": prompt,
                        "answer": answer,
                    }
                )
        if len(pairs) < 2:
            errors["pairs"] = _("Give at least two pairs.")
        distractors = [
            " ".join(line.split()) for line in get("distractors").splitlines() if line.strip()
        ]
        return {"pairs": pairs, "distractors": distractors}, errors
    if qtype == "ordering":
        used = set()
        items = [
            {
                "id": _row_id(get, "item_id", i, used, "i"),
                "text": sanitise_html(get(f"item_text_{i}")),
            }
            for i in rows
            if get(f"item_text_{i}").strip()
        ]
        if len(items) < 2:
            errors["items"] = _("Give at least two items to put in order.")
        return {"items": items}, errors
    if qtype in ("essay", "description"):
        return {}, errors
    raise ValueError(f"unknown question type {qtype!r}")


# --- attempts --------------------------------------------------------------------------------


def choice_order(
    qtype: str, data: Mapping[str, Any], shuffle: bool, rng: random.Random
) -> list[str]:
    """The order an attempt shows the choices (kept in the attempt's layout)."""
    if qtype in ("single", "multiple"):
        keys = [str(c["id"]) for c in data.get("choices", [])]
    elif qtype == "matching":
        keys = [key for key, _text in matching_options(data)]
    elif qtype == "ordering":
        keys = [str(i["id"]) for i in data.get("items", [])]
        # Shown in the right order, the question would answer itself.
        shuffled = keys[:]
        for _try in range(5):
            rng.shuffle(shuffled)
            if shuffled != keys or len(keys) < 2:
                break
        return shuffled
    else:
        return []
    if shuffle:
        rng.shuffle(keys)
    return keys


def parse_response(
    qtype: str, data: Mapping[str, Any], slot: int, get: Getter, getlist: ListGetter
) -> tuple[dict[str, Any] | None, str | None]:
    """The answer to item ``slot`` in submitted fields: ``(response, field error)``.

    ``response`` is None when the form carries no field for the item (nothing to save). A
    value no page of ours offers raises :class:`InvalidResponseError`.
    """
    name = f"q{slot}"
    present = get(f"{name}_present") == "1"
    if qtype == "single":
        value = get(name)
        if not value:
            return ({"choice": ""} if present else None), None
        if value not in {str(c["id"]) for c in data.get("choices", [])}:
            raise InvalidResponseError(value)
        return {"choice": value}, None
    if qtype == "multiple":
        values = getlist(name)
        if not values and not present:
            return None, None
        known = {str(c["id"]) for c in data.get("choices", [])}
        if any(v not in known for v in values):
            raise InvalidResponseError(values)
        return {"choices": sorted(set(values))}, None
    if qtype == "truefalse":
        value = get(name)
        if not value:
            return ({"value": ""} if present else None), None
        if value not in ("true", "false"):
            raise InvalidResponseError(value)
        return {"value": value}, None
    if qtype in ("shortanswer", "essay"):
        if not present and not get(name):
            return None, None
        limit = 20000 if qtype == "essay" else 500
        return {"text": get(name)[:limit]}, None
    if qtype == "numerical":
        if not present and not get(name):
            return None, None
        raw = get(name).strip()
        if raw and parse_number(raw) is None:
            return None, _("Type a number, for example 12 or 3,5.")
        return {"value": raw[:100]}, None
    if qtype == "matching":
        keys = {key for key, _t in matching_options(data)}
        matches: dict[str, str] = {}
        for pair in data.get("pairs", []):
            value = get(f"{name}_{pair['id']}")
            if value:
                if value not in keys:
                    raise InvalidResponseError(value)
                matches[str(pair["id"])] = value
        if not matches and not present:
            return None, None
        return {"matches": matches}, None
    if qtype == "ordering":
        items = [str(i["id"]) for i in data.get("items", [])]
        positions: dict[str, int] = {}
        for item in items:
            value = get(f"{name}_{item}")
            if value:
                if not value.isdigit() or not 1 <= int(value) <= len(items):
                    raise InvalidResponseError(value)
                positions[item] = int(value)
        if not positions and not present:
            return None, None
        return {"positions": positions}, None
    return None, None


# --- display ---------------------------------------------------------------------------------


def right_answer(qtype: str, data: Mapping[str, Any]) -> str:
    """The right answer in plain words, for the review page."""
    if qtype == "single":
        best = max(data.get("choices", []), key=lambda c: c["fraction"], default=None)
        return plain_text(best["text"]) if best else ""
    if qtype == "multiple":
        return ", ".join(
            plain_text(c["text"]) for c in data.get("choices", []) if c["fraction"] > 0
        )
    if qtype == "truefalse":
        return _("True") if data.get("correct", True) else _("False")
    if qtype == "shortanswer":
        best = max(data.get("answers", []), key=lambda a: a["fraction"], default=None)
        return best["text"].replace("\\*", "*") if best else ""
    if qtype == "numerical":
        best = max(data.get("answers", []), key=lambda a: a["fraction"], default=None)
        if not best:
            return ""
        if best.get("min") is not None:
            return _("between %(low)s and %(high)s", low=_num(best["min"]), high=_num(best["max"]))
        if best.get("tolerance"):
            return f"{_num(best['value'])} ± {_num(best['tolerance'])}"
        return _num(best["value"])
    if qtype == "matching":
        return "; ".join(
            f"{plain_text(p['prompt'])} → {p['answer']}" for p in data.get("pairs", [])
        )
    if qtype == "ordering":
        return ", ".join(
            f"{n}. {plain_text(i['text'])}" for n, i in enumerate(data.get("items", []), 1)
        )
    return ""


def _num(value: float) -> str:
    from core.i18n import format_number

    return format_number(value)


def response_text(qtype: str, data: Mapping[str, Any], response: Mapping[str, Any] | None) -> str:
    """A response in plain words (reports, exports)."""
    if not response:
        return ""
    if qtype in ("single", "multiple"):
        texts = {str(c["id"]): plain_text(c["text"]) for c in data.get("choices", [])}
        picked = [response.get("choice")] if qtype == "single" else response.get("choices", [])
        return ", ".join(texts.get(str(p), "") for p in picked if p)
    if qtype == "truefalse":
        return {"true": _("True"), "false": _("False")}.get(str(response.get("value")), "")
    if qtype in ("shortanswer", "essay"):
        return str(response.get("text", ""))
    if qtype == "numerical":
        return str(response.get("value", ""))
    if qtype == "matching":
        options = dict(matching_options(data))
        matches = response.get("matches", {})
        return "; ".join(
            f"{plain_text(p['prompt'])} → {options.get(matches.get(str(p['id']), ''), '')}"
            for p in data.get("pairs", [])
        )
    if qtype == "ordering":
        positions = response.get("positions", {})
        ranked = sorted(data.get("items", []), key=lambda i: positions.get(str(i["id"]), 99))
        return ", ".join(plain_text(i["text"]) for i in ranked)
    return ""


def _in_order(order: list[str], keys: list[str]) -> list[str]:
    """``keys`` in the attempt's ``order``; keys the order does not know (a choice added by a
    later version, after a regrade) come last."""
    known = set(keys)
    return [k for k in order if k in known] + [k for k in keys if k not in set(order)]


def present(
    qtype: str, data: Mapping[str, Any], order: list[str], response: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Plain data for the answer widgets of one item, in the attempt's order."""
    response = response or {}
    if qtype in ("single", "multiple"):
        by_id = {str(c["id"]): c for c in data.get("choices", [])}
        picked = {response.get("choice")} if qtype == "single" else set(response.get("choices", []))
        return {
            "choices": [{**by_id[k], "checked": k in picked} for k in _in_order(order, list(by_id))]
        }
    if qtype == "truefalse":
        return {"value": response.get("value", "")}
    if qtype in ("shortanswer", "essay"):
        return {"text": response.get("text", "")}
    if qtype == "numerical":
        return {"text": response.get("value", "")}
    if qtype == "matching":
        options = dict(matching_options(data))
        return {
            "options": [(k, options[k]) for k in _in_order(order, list(options))],
            "pairs": [
                {**p, "chosen": response.get("matches", {}).get(str(p["id"]), "")}
                for p in data.get("pairs", [])
            ],
        }
    if qtype == "ordering":
        by_id = {str(i["id"]): i for i in data.get("items", [])}
        positions = response.get("positions", {})
        return {
            "count": len(by_id),
            "items": [
                {**by_id[k], "position": positions.get(k, "")}
                for k in _in_order(order, list(by_id))
            ],
        }
    return {}
