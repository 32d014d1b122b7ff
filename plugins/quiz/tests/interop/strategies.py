"""Hypothesis strategies that build valid neutral banks of every question type.

``gift_only=True`` keeps to what GIFT can carry (default marks of 1, no images, no case
sensitivity, no general feedback on descriptions, no "->" where GIFT would read a matching pair);
docs/interop.md lists the same limits.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import strategies as st

from plugins.quiz.interop.model import (
    Answer,
    Bank,
    Category,
    Image,
    MatchPair,
    NumericalAnswer,
    Question,
)

# Every GIFT special character, format-marker brackets, percent signs (weights), arrows,
# slashes (comments, category paths), underscores (blanks), newlines, tabs, accents, Arabic.
SPECIALS = "~=#{}:\\[]%->/_$\n\t "
ALPHABET = st.one_of(
    st.sampled_from("abcXYZ019" + SPECIALS + "éàçœÉ«»’"),
    st.sampled_from("مرحبا بكم في الدرس"),
    st.characters(categories=["L", "N", "P", "S", "Zs"]),
)


def _clean(text: str) -> bool:
    return bool(text.strip()) and text == text.strip() and "_____" not in text


texts = st.text(ALPHABET, min_size=1, max_size=30).filter(_clean)
optional_texts = st.one_of(st.just(""), texts)
single_line = texts.filter(lambda t: "\n" not in t)
no_arrow = texts.filter(lambda t: "->" not in t)
optional_no_arrow = st.one_of(st.just(""), no_arrow)
# Moodle drops tags holding "<", ">" or "`" (its PARAM_TAG); "]" is written "\\]".
tags = st.lists(
    single_line.filter(lambda t: not set(t) & set("<>`\t")), max_size=3, unique=True
).map(tuple)
text_formats = st.sampled_from(["html", "markdown", "plain", "moodle"])
weights = st.one_of(
    st.integers(-100, 100).map(Decimal),
    st.sampled_from(["33.33333", "-33.33333", "12.5", "-12.5", "83.33333"]).map(Decimal),
)
positive_weights = st.one_of(
    st.integers(0, 99).map(Decimal), st.sampled_from(["33.33333", "12.5"]).map(Decimal)
)
numbers = st.decimals(min_value=-(10**6), max_value=10**6, places=3, allow_nan=False)
tolerances = st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False)
category_names = single_line.filter(lambda t: not t.startswith("/") and not t.endswith("/"))


@st.composite
def _texts_around_blank(draw: st.DrawFn, missing_word: bool) -> tuple[str, str | None]:
    text = draw(texts)
    if not missing_word:
        return text, None
    before = text + draw(st.sampled_from(["", " "]))
    after = draw(st.one_of(st.just(""), texts.map(lambda t: " " + t), texts))
    # A "_" either side of the blank would make Moodle's "_____" longer.
    if before.endswith("_") or after.startswith("_"):
        return text, None
    return before, after


@st.composite
def _multichoice(draw: st.DrawFn, common: dict) -> Question:
    answers = [Answer(draw(texts), Decimal(100), draw(optional_texts))]
    answers += [
        Answer(draw(texts), draw(weights), draw(optional_texts))
        for _ in range(draw(st.integers(1, 4)))
    ]
    return Question("multichoice", answers=tuple(draw(st.permutations(answers))), **common)


@st.composite
def _multichoice_multi(draw: st.DrawFn, common: dict) -> Question:
    if draw(st.booleans()):
        positives = [Decimal("33.33333")] * 3
    else:
        cuts = sorted(draw(st.sets(st.integers(1, 99), max_size=3)))
        bounds = [0, *cuts, 100]
        positives = [Decimal(b - a) for a, b in itertools.pairwise(bounds)]
    others = draw(st.lists(st.integers(-100, 0).map(Decimal), max_size=3))
    fractions = positives + others
    if len(fractions) < 2:
        fractions.append(Decimal(0))
    answers = [Answer(draw(texts), f, draw(optional_texts)) for f in fractions]
    return Question("multichoice_multi", answers=tuple(draw(st.permutations(answers))), **common)


@st.composite
def _shortanswer(draw: st.DrawFn, common: dict, gift_only: bool) -> Question:
    answer_text = no_arrow if gift_only else texts
    feedback = optional_no_arrow if gift_only else optional_texts
    answers = [Answer(draw(answer_text), Decimal(100), draw(feedback))]
    answers += [
        Answer(draw(answer_text), draw(positive_weights), draw(feedback))
        for _ in range(draw(st.integers(0, 3)))
    ]
    return Question(
        "shortanswer",
        answers=tuple(draw(st.permutations(answers))),
        case_sensitive=False if gift_only else draw(st.booleans()),
        **common,
    )


@st.composite
def _numerical(draw: st.DrawFn, common: dict) -> Question:
    answers = [NumericalAnswer(draw(numbers), draw(tolerances), Decimal(100), draw(optional_texts))]
    answers += [
        NumericalAnswer(
            draw(numbers), draw(tolerances), draw(positive_weights), draw(optional_texts)
        )
        for _ in range(draw(st.integers(0, 2)))
    ]
    answers = list(draw(st.permutations(answers)))
    if draw(st.booleans()):
        # "Any other answer" comes last, where GIFT's "~" puts it.
        answers.append(NumericalAnswer(None, Decimal(0), Decimal(0), draw(optional_texts)))
    return Question("numerical", numerical_answers=tuple(answers), **common)


@st.composite
def _matching(draw: st.DrawFn, common: dict) -> Question:
    pairs = [MatchPair(draw(no_arrow), draw(texts)) for _ in range(draw(st.integers(2, 4)))]
    if draw(st.booleans()):
        pairs.append(MatchPair("", draw(texts)))
    return Question("matching", pairs=tuple(pairs), **common)


@st.composite
def _truefalse(draw: st.DrawFn, common: dict) -> Question:
    return Question(
        "truefalse",
        correct_answer=draw(st.booleans()),
        feedback_true=draw(optional_texts),
        feedback_false=draw(optional_texts),
        **common,
    )


@st.composite
def questions(draw: st.DrawFn, gift_only: bool = False) -> Question:
    qtype = draw(
        st.sampled_from(
            [
                "multichoice",
                "multichoice_multi",
                "truefalse",
                "shortanswer",
                "numerical",
                "matching",
                "essay",
                "description",
            ]
        )
    )
    blank_possible = qtype != "description"
    text, after = draw(_texts_around_blank(blank_possible and draw(st.booleans())))
    common: dict = {
        "name": draw(texts),
        "text": text,
        "text_after": after,
        "text_format": draw(text_formats),
        "general_feedback": draw(optional_texts),
        "tags": draw(tags),
    }
    if gift_only:
        common["default_mark"] = Decimal(0 if qtype == "description" else 1)
        if qtype == "description":
            common["general_feedback"] = ""
    else:
        common["default_mark"] = draw(st.decimals(0, 100, places=2, allow_nan=False))
        common["images"] = tuple(
            Image(name, draw(st.binary(max_size=64)))
            for name in draw(
                st.lists(st.sampled_from(["a.png", "schéma 1.jpg", "صورة.gif"]), unique=True)
            )
        )
    if qtype == "multichoice":
        return draw(_multichoice(common))
    if qtype == "multichoice_multi":
        return draw(_multichoice_multi(common))
    if qtype == "shortanswer":
        return draw(_shortanswer(common, gift_only))
    if qtype == "numerical":
        return draw(_numerical(common))
    if qtype == "matching":
        return draw(_matching(common))
    if qtype == "truefalse":
        return draw(_truefalse(common))
    return Question(qtype, **common)


@st.composite
def banks(draw: st.DrawFn, gift_only: bool = False) -> Bank:
    categories = []
    if draw(st.booleans()):
        top = draw(st.lists(questions(gift_only), min_size=1, max_size=4))
        categories.append(Category((), tuple(top)))
    paths = draw(
        st.lists(
            st.lists(category_names, min_size=1, max_size=3).map(tuple), max_size=3, unique=True
        )
    )
    for path in paths:
        found = draw(st.lists(questions(gift_only), max_size=4))
        categories.append(Category(path, tuple(found)))
    # The top level may come anywhere: after a category it is written "$course$/top".
    return Bank(tuple(draw(st.permutations(categories))))
