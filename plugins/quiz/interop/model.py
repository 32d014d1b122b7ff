"""The neutral question bank that GIFT and Moodle XML are read into and written from.

Plain frozen dataclasses, no database: the quiz plugin maps them onto its own tables. Weights
("fractions") are Decimal percentages (100 = full marks, -50 = minus half), so values such as
33.33333 survive a round trip exactly.

Missing-word questions are not a separate type: they are the underlying type (multiple choice,
short answer...) with ``text_after`` set; the blank sits between ``text`` and ``text_after``.

Images are the files of the question; texts refer to them as ``@@PLUGINFILE@@/<filename>``,
Moodle's own convention, so that the quiz plugin can rewrite the references to its own URLs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal
from urllib.parse import quote

QType = Literal[
    "multichoice",  # one answer to pick (radio buttons)
    "multichoice_multi",  # several answers to tick, each weighted (checkboxes)
    "truefalse",
    "shortanswer",
    "numerical",
    "matching",
    "essay",  # free text, marked by hand
    "description",  # no answer: information shown between questions
]
QTYPES: tuple[QType, ...] = (
    "multichoice",
    "multichoice_multi",
    "truefalse",
    "shortanswer",
    "numerical",
    "matching",
    "essay",
    "description",
)

TextFormat = Literal["html", "markdown", "plain", "moodle"]
TEXT_FORMATS: tuple[TextFormat, ...] = ("html", "markdown", "plain", "moodle")

# Moodle writes this in a question text where the answer block of a missing-word question was.
BLANK_MARKER = "_____"
PLUGINFILE = "@@PLUGINFILE@@/"
_BLANK_RUN = re.compile(r"_{5,}")


@dataclass(frozen=True)
class Answer:
    """A choice (multiple choice) or an accepted answer (short answer)."""

    text: str
    fraction: Decimal  # percentage of the mark: 100, 50, 0, -100...
    feedback: str = ""


@dataclass(frozen=True)
class NumericalAnswer:
    """An accepted number: ``value`` ± ``tolerance``; ``value`` None means "any other answer"."""

    value: Decimal | None
    tolerance: Decimal
    fraction: Decimal
    feedback: str = ""


@dataclass(frozen=True)
class MatchPair:
    """A matching pair; an empty ``prompt`` makes ``answer`` an extra wrong choice."""

    prompt: str
    answer: str


@dataclass(frozen=True)
class Image:
    filename: str
    content: bytes


@dataclass(frozen=True)
class Question:
    qtype: QType
    name: str
    text: str
    text_format: TextFormat = "moodle"
    # Set only for a missing-word question: the text after the blank.
    text_after: str | None = None
    general_feedback: str = ""
    default_mark: Decimal = Decimal(1)
    # multichoice, multichoice_multi, shortanswer
    answers: tuple[Answer, ...] = ()
    # numerical
    numerical_answers: tuple[NumericalAnswer, ...] = ()
    # matching
    pairs: tuple[MatchPair, ...] = ()
    # truefalse: the right answer, and the feedback shown to whoever answers true / false
    correct_answer: bool | None = None
    feedback_true: str = ""
    feedback_false: str = ""
    # shortanswer
    case_sensitive: bool = False
    tags: tuple[str, ...] = ()
    images: tuple[Image, ...] = ()

    @property
    def is_missing_word(self) -> bool:
        return self.text_after is not None


@dataclass(frozen=True)
class Category:
    """A category path such as ("Bureautique", "Word"); () is the bank's top level."""

    path: tuple[str, ...]
    questions: tuple[Question, ...] = ()


@dataclass(frozen=True)
class Bank:
    categories: tuple[Category, ...] = ()

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for category in self.categories for q in category.questions)


@dataclass(frozen=True)
class Problem:
    """Why part of a file was rejected: ``line`` (GIFT, 1-based) or ``path`` (Moodle XML)."""

    reason: str
    line: int | None = None
    path: str | None = None
    # The question's name when it could be read, so that a preview can say which one.
    question: str = ""

    @property
    def where(self) -> str:
        if self.line is not None:
            return f"line {self.line}"
        return self.path or ""


@dataclass(frozen=True)
class ParseResult:
    """The valid part of a file (``bank``) and everything rejected (``problems``).

    The caller chooses: all-or-nothing (refuse when ``problems`` is not empty) or keep the
    valid part.
    """

    bank: Bank = field(default_factory=Bank)
    problems: tuple[Problem, ...] = ()

    @property
    def questions(self) -> tuple[Question, ...]:
        return self.bank.questions

    @property
    def ok(self) -> bool:
        return not self.problems

    def count_by_type(self) -> dict[str, int]:
        """How many valid questions of each type, for a preview or a CLI summary."""
        counts: dict[str, int] = {}
        for question in self.questions:
            counts[question.qtype] = counts.get(question.qtype, 0) + 1
        return counts


class BankBuilder:
    """Collects questions category by category, keeping the first-seen order of categories."""

    def __init__(self) -> None:
        self._categories: dict[tuple[str, ...], list[Question]] = {}

    def category(self, path: tuple[str, ...]) -> None:
        self._categories.setdefault(path, [])

    def add(self, path: tuple[str, ...], question: Question) -> None:
        self._categories.setdefault(path, []).append(question)

    def build(self) -> Bank:
        return Bank(
            tuple(
                Category(path, tuple(questions))
                for path, questions in self._categories.items()
                # The implicit top level exists only when something is in it.
                if path or questions
            )
        )


# Category paths are written like Moodle's: "$course$/top/A/B", a "/" inside a name doubled.
def category_path_to_text(path: tuple[str, ...]) -> str:
    return "/".join(["$course$", "top", *(part.replace("/", "//") for part in path)])


def category_path_from_text(text: str) -> tuple[str, ...]:
    """Split "$course$/top/A/B" (or "A/B", "top/A/B") into ("A", "B"); "//" is a literal "/"."""
    parts: list[str] = []
    current = []
    i = 0
    text = text.strip()
    while i < len(text):
        if text.startswith("//", i):
            current.append("/")
            i += 2
        elif text[i] == "/":
            parts.append("".join(current))
            current = []
            i += 1
        else:
            current.append(text[i])
            i += 1
    parts.append("".join(current))
    parts = [p.strip() for p in parts]
    if parts and parts[0].startswith("$") and parts[0].endswith("$") and len(parts[0]) > 1:
        parts = parts[1:]
    if parts and parts[0].lower() == "top":
        parts = parts[1:]
    return tuple(p for p in parts if p)


def split_at_blank(text: str) -> tuple[str, str | None]:
    """Find the blank of a missing-word question written the way Moodle stores it.

    Moodle keeps "Grant is _____ in Grant's tomb." (exactly five underscores) and its exports
    write it so; a text with exactly one such blank is split there, anything else is left whole.
    """
    runs = _BLANK_RUN.findall(text)
    if len(runs) == 1 and runs[0] == BLANK_MARKER:
        before, after = text.split(BLANK_MARKER, 1)
        return before, after
    return text, None


def pluginfile_reference(filename: str) -> str:
    """How a Moodle text refers to one of its images: the name URL-encoded, as Moodle writes it.

    Texts may hold either this form or the plain name; the quiz plugin rewrites both.
    """
    return PLUGINFILE + quote(filename, safe="")


def decimal_text(value: Decimal) -> str:
    """A number the way a person writes it: "2.5", "100", "-33.33333" (never "1E+2")."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
