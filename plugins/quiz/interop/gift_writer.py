"""Write a bank as GIFT that Moodle's importer (and ours) reads back to the same questions.

GIFT cannot carry everything: default marks (every question imports with 1, a description with
0), short-answer case sensitivity, images, and a description's general feedback are left out;
docs/interop.md lists them. What GIFT cannot say without changing the meaning (a "->" that would
turn a short answer into a matching question) raises GiftExportError naming the question.
"""

from __future__ import annotations

import re
from decimal import Decimal

from core.i18n import gettext as _

from .model import BLANK_MARKER, Bank, Question, category_path_to_text, decimal_text

# Moodle reads a tag up to "]" (written "\\]") and drops tags holding these.
_NOT_IN_TAG = re.compile(r"[<>`\x00-\x1f]")
_ESCAPES = {c: "\\" + c for c in "\\~=#{}:"} | {"\n": "\\n", "\r": ""}


class GiftExportError(ValueError):
    """The bank holds something GIFT cannot express; the message names the question."""


def write(bank: Bank) -> str:
    """The whole bank as GIFT text (UTF-8 when encoded; no BOM, LF line endings)."""
    blocks: list[str] = []
    for index, category in enumerate(bank.categories):
        if category.path or index:
            blocks.append(f"$CATEGORY: {category_path_to_text(category.path)}\n")
        blocks.extend(_question(q) for q in category.questions)
    return "\n".join(blocks)


def escape(text: str) -> str:
    return "".join(_ESCAPES.get(c, c) for c in text)


def _weight(value: Decimal) -> str:
    return f"%{decimal_text(value)}%"


def _part(text: str, question: Question) -> str:
    """An answer or feedback: a leading "[" would be read as a format marker, so mark it."""
    prefix = f"[{question.text_format}]" if text.startswith("[") else ""
    return prefix + escape(text)


def _question(question: Question) -> str:
    lines: list[str] = []
    if question.tags:
        for tag in question.tags:
            if _NOT_IN_TAG.search(tag):
                raise GiftExportError(
                    _(
                        "The tag “%(tag)s” of “%(name)s” cannot be written in GIFT.",
                        tag=tag,
                        name=question.name,
                    )
                )
        # One per line: a tag ending with "\\" would otherwise swallow the next one.
        lines.extend("// [tag:" + tag.replace("]", "\\]") + "]" for tag in question.tags)
    head = f"::{escape(question.name)}:: "
    text = question.text
    if question.text_format != "moodle" or text.startswith("["):
        head += f"[{question.text_format}]"
    if question.qtype == "description":
        lines.append(head + escape(text))
        return "\n".join(lines) + "\n"
    if question.text_after == "":
        # A blank at the very end: Moodle's own "_____" keeps it there.
        text += BLANK_MARKER
    # The blank of a missing-word question is where the braces are: no space may be added.
    opening = "{" if question.text_after is not None else " {"
    closing = "}" + escape(question.text_after or "")
    inner = _ANSWER_WRITERS[question.qtype](question)
    if question.general_feedback:
        inner.append("####" + _part(question.general_feedback, question))
    if question.qtype in ("essay", "truefalse") and len(inner) <= 1:
        lines.append(head + escape(text) + opening + "".join(inner) + closing)
    elif question.qtype == "numerical":
        lines.append(head + escape(text) + opening + "#")
        lines.extend("\t" + line for line in inner[1:])
        lines.append(closing)
    else:
        lines.append(head + escape(text) + opening)
        lines.extend("\t" + line for line in inner)
        lines.append(closing)
    return "\n".join(lines) + "\n"


def _choices(question: Question) -> list[str]:
    out = []
    single = question.qtype == "multichoice"
    equals_written = False
    for answer in question.answers:
        if single and answer.fraction == 100 and not equals_written:
            prefix = "="
            equals_written = True
        elif answer.fraction == 0 and not answer.text.startswith("%"):
            prefix = "~"
        else:
            prefix = "~" + _weight(answer.fraction)
        out.append(prefix + _part(answer.text, question) + _feedback(answer.feedback, question))
    return out


def _feedback(feedback: str, question: Question) -> str:
    return "#" + _part(feedback, question) if feedback else ""


def _short_answers(question: Question) -> list[str]:
    out = []
    for answer in question.answers:
        _refuse_arrow(answer.text, question)
        _refuse_arrow(answer.feedback, question)
        weight = ""
        if answer.fraction != 100 or answer.text.startswith("%"):
            weight = _weight(answer.fraction)
        out.append(
            "=" + weight + _part(answer.text, question) + _feedback(answer.feedback, question)
        )
    return out


def _refuse_arrow(text: str, question: Question) -> None:
    if "->" in text:
        raise GiftExportError(
            _(
                "“%(name)s”: GIFT would read “->” in an answer as a matching pair.",
                name=question.name,
            )
        )


def _numerical(question: Question) -> list[str]:
    out = ["#"]
    # GIFT reads everything after "~" as the feedback for any other answer: it must come last.
    ordered = sorted(question.numerical_answers, key=lambda answer: answer.value is None)
    for answer in ordered:
        feedback = _feedback(answer.feedback, question)
        if answer.value is None:
            out.append("~" + feedback)
            continue
        weight = "" if answer.fraction == 100 else _weight(answer.fraction)
        number = decimal_text(answer.value)
        if answer.tolerance:
            number += ":" + decimal_text(answer.tolerance)
        out.append("=" + weight + number + feedback)
    return out


def _pairs(question: Question) -> list[str]:
    out = []
    for pair in question.pairs:
        if "->" in pair.prompt:
            raise GiftExportError(
                _("“%(name)s”: a matching prompt cannot contain “->” in GIFT.", name=question.name)
            )
        out.append("=" + _part(pair.prompt, question) + " -> " + escape(pair.answer))
    return out


def _truefalse(question: Question) -> list[str]:
    correct = bool(question.correct_answer)
    right = question.feedback_true if correct else question.feedback_false
    wrong = question.feedback_false if correct else question.feedback_true
    line = "TRUE" if correct else "FALSE"
    if wrong or right:
        line += "#" + _part(wrong, question)
    if right:
        line += "#" + _part(right, question)
    return [line]


def _essay(question: Question) -> list[str]:
    return []


_ANSWER_WRITERS = {
    "multichoice": _choices,
    "multichoice_multi": _choices,
    "shortanswer": _short_answers,
    "numerical": _numerical,
    "matching": _pairs,
    "truefalse": _truefalse,
    "essay": _essay,
}
