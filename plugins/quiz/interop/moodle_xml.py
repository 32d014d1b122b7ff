"""Moodle XML questions: ``parse(bytes) -> ParseResult`` and ``write(bank) -> bytes``.

The file is read by defusedxml with document type declarations forbidden: Moodle never writes
one, and refusing them outright means entity expansion ("billion laughs") and external entities
(reading server files or URLs) can never happen. Problems name the element, XPath-style:
``/quiz/question[3]/answer[2]``.
"""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element

import defusedxml
from defusedxml.ElementTree import ParseError, fromstring

from core.i18n import gettext as _

from .limits import ImportTooLargeError, check_import_size
from .model import (
    Answer,
    BankBuilder,
    Image,
    MatchPair,
    NumericalAnswer,
    ParseResult,
    Problem,
    QType,
    Question,
    TextFormat,
    category_path_from_text,
    split_at_blank,
)
from .moodle_xml_writer import write
from .validation import question_problems

__all__ = ["parse", "write"]

FORMATS_FROM_XML: dict[str, TextFormat] = {
    "html": "html",
    "moodle_auto_format": "moodle",
    "plain_text": "plain",
    "markdown": "markdown",
}
SUPPORTED_TYPES = {
    "multichoice",
    "truefalse",
    "shortanswer",
    "numerical",
    "matching",
    "essay",
    "description",
}


class _RejectedError(Exception):
    def __init__(self, reason: str, path: str) -> None:
        self.reason = reason
        self.path = path


def parse(data: bytes | str) -> ParseResult:
    """Read a Moodle XML question file; nothing in it is ever fetched or expanded."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        check_import_size(len(raw))
    except ImportTooLargeError as error:
        return ParseResult(problems=(Problem(str(error)),))
    try:
        root = fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden:
        reason = _(
            "The file declares a document type (DTD). Moodle never writes one and it can hide "
            "dangerous entity definitions, so the file was refused without being read."
        )
        return ParseResult(problems=(Problem(reason, path="/"),))
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden):
        reason = _("The file defines or loads entities; it was refused without expanding them.")
        return ParseResult(problems=(Problem(reason, path="/"),))
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        reason = _(
            "The file is not well-formed XML (line %(line)s, column %(column)s).",
            line=line,
            column=column + 1,
        )
        return ParseResult(problems=(Problem(reason, line=line or None, path="/"),))
    if root.tag != "quiz":
        reason = _(
            "This is not a Moodle XML question file: it starts with <%(tag)s>, not <quiz>.",
            tag=root.tag,
        )
        return ParseResult(problems=(Problem(reason, path=f"/{root.tag}"),))

    builder = BankBuilder()
    problems: list[Problem] = []
    category: tuple[str, ...] = ()
    for index, element in enumerate(root.findall("question"), start=1):
        path = f"/quiz/question[{index}]"
        kind = element.get("type", "")
        if kind == "category":
            category = category_path_from_text(_text(element, "category"))
            builder.category(category)
            continue
        name = _text(element, "name")
        try:
            question = _question(element, kind, path)
        except _RejectedError as reject:
            problems.append(Problem(reject.reason, path=reject.path, question=name))
            continue
        reasons = question_problems(question)
        if reasons:
            problems.extend(Problem(reason, path=path, question=name) for reason in reasons)
        else:
            builder.add(category, question)
    return ParseResult(builder.build(), tuple(problems))


def _text(element: Element, child: str) -> str:
    """The <text> of a child element such as <name><text>…</text></name>, trimmed as Moodle does."""
    found = element.find(f"{child}/text")
    return (found.text or "").strip() if found is not None else ""


def _answer_text(answer: Element) -> str:
    found = answer.find("text")
    return (found.text or "").strip() if found is not None else ""


def _decimal(value: str | None, reason: str, path: str, default: Decimal | None = None) -> Decimal:
    if value is None or not value.strip():
        if default is not None:
            return default
        raise _RejectedError(reason, path)
    try:
        number = Decimal(value.strip())
    except InvalidOperation as error:
        raise _RejectedError(reason, path) from error
    if not number.is_finite():
        raise _RejectedError(reason, path)
    return number


def _single(element: Element) -> bool:
    """Moodle's reading of <single>: one answer unless it says "false" or "0" (or is empty)."""
    found = element.find("single")
    if found is None:
        return True
    return (found.text or "").strip().lower() not in {"false", "0", ""}


def _usecase(element: Element) -> bool:
    found = element.find("usecase")
    return found is not None and (found.text or "").strip().lower() in {"1", "true"}


def _question(element: Element, kind: str, path: str) -> Question:
    if kind not in SUPPORTED_TYPES:
        reason = _("The question type “%(type)s” is not supported.", type=kind or "?")
        raise _RejectedError(reason, path)
    text_element = element.find("questiontext")
    format_name = (
        text_element.get("format", "moodle_auto_format")
        if text_element is not None
        else "moodle_auto_format"
    )
    if format_name not in FORMATS_FROM_XML:
        raise _RejectedError(
            _("The text format “%(format)s” is unknown.", format=format_name),
            f"{path}/questiontext",
        )
    text, after = _text(element, "questiontext"), None
    if kind != "description":
        text, after = split_at_blank(text)
    qtype: QType = kind  # type: ignore[assignment]
    fields: dict = {}
    if kind == "multichoice":
        qtype = "multichoice" if _single(element) else "multichoice_multi"
        fields["answers"] = _answers(element, path)
    elif kind == "shortanswer":
        fields["answers"] = _answers(element, path)
        fields["case_sensitive"] = _usecase(element)
    elif kind == "truefalse":
        fields.update(_truefalse(element, path))
    elif kind == "numerical":
        fields["numerical_answers"] = _numerical(element, path)
    elif kind == "matching":
        fields["pairs"] = tuple(
            MatchPair(_answer_text(sub), _text(sub, "answer"))
            for sub in element.findall("subquestion")
            # Moodle writes an empty subquestion for a blank row of its form.
            if _answer_text(sub) or _text(sub, "answer")
        )
    default = Decimal(0) if kind == "description" else Decimal(1)
    return Question(
        qtype=qtype,
        name=_text(element, "name"),
        text=text,
        text_format=FORMATS_FROM_XML[format_name],
        text_after=after,
        general_feedback=_text(element, "generalfeedback"),
        default_mark=_decimal(
            _child_text(element, "defaultgrade"),
            _("The default mark is not a number."),
            f"{path}/defaultgrade",
            default,
        ),
        tags=tuple(
            (tag.text or "").strip()
            for tag in element.findall("tags/tag/text")
            if (tag.text or "").strip()
        ),
        images=_images(element, path),
        **fields,
    )


def _child_text(element: Element, child: str) -> str | None:
    found = element.find(child)
    return found.text if found is not None else None


def _fraction(answer: Element, path: str) -> Decimal:
    raw = answer.get("fraction", "0")
    return _decimal(raw, _("The weight “%(weight)s” is not a number.", weight=raw), path)


def _answers(element: Element, path: str) -> tuple[Answer, ...]:
    return tuple(
        Answer(
            _answer_text(answer),
            _fraction(answer, f"{path}/answer[{i}]"),
            _text(answer, "feedback"),
        )
        for i, answer in enumerate(element.findall("answer"), start=1)
    )


def _truefalse(element: Element, path: str) -> dict:
    answers = element.findall("answer")
    found = {_answer_text(answer).lower(): answer for answer in answers}
    if set(found) != {"true", "false"}:
        if len(answers) != 2:
            raise _RejectedError(
                _("A true/false question needs one answer “true” and one answer “false”."), path
            )
        # Files from old Moodle versions: the first answer is "true", as Moodle assumes.
        found = {"true": answers[0], "false": answers[1]}
    return {
        "correct_answer": _fraction(found["true"], path) == 100,
        "feedback_true": _text(found["true"], "feedback"),
        "feedback_false": _text(found["false"], "feedback"),
    }


def _numerical(element: Element, path: str) -> tuple[NumericalAnswer, ...]:
    answers = []
    for i, answer in enumerate(element.findall("answer"), start=1):
        where = f"{path}/answer[{i}]"
        raw = _answer_text(answer)
        fraction = _fraction(answer, where)
        feedback = _text(answer, "feedback")
        if raw == "*":
            answers.append(NumericalAnswer(None, Decimal(0), fraction, feedback))
            continue
        value = _decimal(raw, _("“%(text)s” is not a number.", text=raw), where)
        tolerance = _decimal(
            _child_text(answer, "tolerance"),
            _("The tolerance is not a number."),
            f"{where}/tolerance",
            Decimal(0),
        )
        answers.append(NumericalAnswer(value, tolerance, fraction, feedback))
    return tuple(answers)


def _files(element: Element, path: str) -> list[tuple[Element, str]]:
    """Every <file> below ``element`` with its XPath-style path (siblings numbered per tag).

    A loop, not recursion, and paths built only for files: a hostile file may nest elements
    tens of thousands deep.
    """
    steps: list[tuple[int, str]] = [(-1, path)]  # (parent step, "tag[n]")
    stack = [(element, 0)]
    found: list[tuple[Element, int]] = []
    while stack:
        parent, parent_step = stack.pop()
        counts: dict[str, int] = {}
        children = []
        for child in parent:
            counts[child.tag] = counts.get(child.tag, 0) + 1
            steps.append((parent_step, f"{child.tag}[{counts[child.tag]}]"))
            if child.tag == "file":
                found.append((child, len(steps) - 1))
            children.append((child, len(steps) - 1))
        # Reversed so that files deeper down come out in document order.
        stack.extend(reversed(children))

    def path_of(step: int) -> str:
        parts = []
        while step >= 0:
            step, part = steps[step]
            parts.append(part)
        return "/".join(reversed(parts))

    return [(file, path_of(step)) for file, step in found]


def _images(element: Element, path: str) -> tuple[Image, ...]:
    images: dict[str, Image] = {}
    if element.find(".//file") is None:
        return ()
    for file, where in _files(element, path):
        name = (file.get("name") or "").strip()
        if file.get("encoding", "base64") != "base64":
            raise _RejectedError(_("The file “%(name)s” is not base64-encoded.", name=name), where)
        try:
            content = base64.b64decode("".join((file.text or "").split()), validate=True)
        except (binascii.Error, ValueError) as error:
            raise _RejectedError(
                _("The file “%(name)s” is not valid base64.", name=name), where
            ) from error
        # Moodle repeats a file in every text area that shows it; one copy is enough.
        images.setdefault(name, Image(name, content))
    return tuple(images.values())
