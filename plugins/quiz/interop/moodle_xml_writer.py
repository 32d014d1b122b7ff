"""Write a bank as Moodle XML (the layout of Moodle's own export, which its importer expects)."""

from __future__ import annotations

import base64
import re
from decimal import Decimal
from xml.etree.ElementTree import Element, SubElement, indent, tostring

from core.i18n import gettext as _

from .model import (
    BLANK_MARKER,
    Bank,
    Question,
    TextFormat,
    category_path_to_text,
    decimal_text,
)

FORMATS_TO_XML: dict[TextFormat, str] = {
    "html": "html",
    "moodle": "moodle_auto_format",
    "plain": "plain_text",
    "markdown": "markdown",
}
XML_TYPES = {"multichoice_multi": "multichoice"}
# Moodle's defaults: the share of the mark lost per wrong try in interactive quizzes.
_PENALTIES = {"truefalse": "1", "essay": "0", "description": "0"}
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class MoodleXmlExportError(ValueError):
    """The bank holds characters XML cannot carry; the message names the question."""


def write(bank: Bank) -> bytes:
    """The whole bank as a UTF-8 Moodle XML document."""
    quiz = Element("quiz")
    for index, category in enumerate(bank.categories):
        if category.path or index:
            element = SubElement(quiz, "question", type="category")
            _text(element, "category", category_path_to_text(category.path))
        for question in category.questions:
            _question(quiz, question)
    indent(quiz, space="  ")
    return tostring(quiz, encoding="utf-8", xml_declaration=True, short_empty_elements=False)


def _text(parent: Element, tag: str, text: str, text_format: str | None = None) -> Element:
    element = SubElement(parent, tag)
    if text_format is not None:
        element.set("format", text_format)
    SubElement(element, "text").text = text.replace("\r\n", "\n")
    return element


def _check(question: Question) -> None:
    texts = [question.name, question.text, question.text_after or "", question.general_feedback]
    texts += [a.text + a.feedback for a in question.answers]
    texts += [a.feedback for a in question.numerical_answers]
    texts += [p.prompt + p.answer for p in question.pairs]
    texts += [question.feedback_true, question.feedback_false, *question.tags]
    if any(_NOT_XML.search(text) for text in texts):
        raise MoodleXmlExportError(
            _("“%(name)s” contains control characters that XML cannot carry.", name=question.name)
        )


def _question(quiz: Element, question: Question) -> None:
    _check(question)
    element = SubElement(quiz, "question", type=XML_TYPES.get(question.qtype, question.qtype))
    fmt = FORMATS_TO_XML[question.text_format]
    _text(element, "name", question.name)
    text = question.text
    if question.text_after is not None:
        text += BLANK_MARKER + question.text_after
    text_element = _text(element, "questiontext", text, fmt)
    for image in question.images:
        file = SubElement(text_element, "file", name=image.filename, path="/", encoding="base64")
        file.text = base64.b64encode(image.content).decode("ascii")
    _text(element, "generalfeedback", question.general_feedback, fmt)
    SubElement(element, "defaultgrade").text = decimal_text(question.default_mark)
    SubElement(element, "penalty").text = _PENALTIES.get(question.qtype, "0.3333333")
    SubElement(element, "hidden").text = "0"
    _BODY_WRITERS.get(question.qtype, _nothing)(element, question, fmt)
    if question.tags:
        tags = SubElement(element, "tags")
        for tag in question.tags:
            _text(tags, "tag", tag)


def _answer(parent: Element, text: str, fraction: Decimal, feedback: str, fmt: str) -> Element:
    answer = SubElement(parent, "answer", fraction=decimal_text(fraction), format=fmt)
    SubElement(answer, "text").text = text
    _text(answer, "feedback", feedback, fmt)
    return answer


def _multichoice(element: Element, question: Question, fmt: str) -> None:
    single = question.qtype == "multichoice"
    SubElement(element, "single").text = "true" if single else "false"
    SubElement(element, "shuffleanswers").text = "true"
    SubElement(element, "answernumbering").text = "abc"
    for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        _text(element, tag, "", fmt)
    for answer in question.answers:
        _answer(element, answer.text, answer.fraction, answer.feedback, fmt)


def _shortanswer(element: Element, question: Question, fmt: str) -> None:
    SubElement(element, "usecase").text = "1" if question.case_sensitive else "0"
    for answer in question.answers:
        _answer(element, answer.text, answer.fraction, answer.feedback, "moodle_auto_format")


def _truefalse(element: Element, question: Question, fmt: str) -> None:
    correct = bool(question.correct_answer)
    _answer(
        element,
        "true",
        Decimal(100 if correct else 0),
        question.feedback_true,
        "moodle_auto_format",
    )
    _answer(
        element,
        "false",
        Decimal(0 if correct else 100),
        question.feedback_false,
        "moodle_auto_format",
    )


def _numerical(element: Element, question: Question, fmt: str) -> None:
    for answer in question.numerical_answers:
        value = "*" if answer.value is None else decimal_text(answer.value)
        written = _answer(element, value, answer.fraction, answer.feedback, "moodle_auto_format")
        SubElement(written, "tolerance").text = decimal_text(answer.tolerance)


def _matching(element: Element, question: Question, fmt: str) -> None:
    SubElement(element, "shuffleanswers").text = "true"
    for pair in question.pairs:
        sub = _text(element, "subquestion", pair.prompt, fmt)
        _text(sub, "answer", pair.answer)


def _essay(element: Element, question: Question, fmt: str) -> None:
    SubElement(element, "responseformat").text = "editor"
    SubElement(element, "responserequired").text = "1"
    SubElement(element, "responsefieldlines").text = "15"
    SubElement(element, "attachments").text = "0"
    SubElement(element, "attachmentsrequired").text = "0"


def _nothing(element: Element, question: Question, fmt: str) -> None:
    return None


_BODY_WRITERS = {
    "multichoice": _multichoice,
    "multichoice_multi": _multichoice,
    "shortanswer": _shortanswer,
    "truefalse": _truefalse,
    "numerical": _numerical,
    "matching": _matching,
    "essay": _essay,
}
