"""GIFT, Moodle's plain-text question format: ``parse(text) -> ParseResult``, ``write(bank)``.

Reading follows Moodle's own importer (question/format/gift) so that a file behaves here as it
does in Moodle: questions are separated by blank lines, lines are trimmed, whole-line ``//``
comments are dropped, the first ``{`` and the ``}`` delimit the answers, the question type is
decided from the answers in Moodle's order (``{}`` essay, ``#`` numerical, ``~`` multiple choice,
``=`` with ``->`` matching, T/F true-false, otherwise short answer). Where Moodle would import
nonsense or refuse on save, a problem is reported instead, with its line.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from core.i18n import gettext as _

from .gift_writer import write
from .limits import ImportTooLargeError, check_import_size
from .model import (
    BLANK_MARKER,
    TEXT_FORMATS,
    Answer,
    BankBuilder,
    MatchPair,
    NumericalAnswer,
    ParseResult,
    Problem,
    Question,
    TextFormat,
    category_path_from_text,
    split_at_blank,
)
from .validation import is_reasonable, question_problems, unreasonable_number

__all__ = ["parse", "write"]

# Escaped specials become noncharacters while the structure is parsed, so "\{" is never a brace.
# Noncharacters are reserved for internal use by Unicode and never appear in a real file.
_SPECIALS = "~=#{}:"
_PLACEHOLDER = {c: chr(0xFDD0 + i) for i, c in enumerate(_SPECIALS)}
_NEWLINE_PLACEHOLDER = chr(0xFDD0 + len(_SPECIALS))
_UNESCAPE = {v: k for k, v in _PLACEHOLDER.items()} | {_NEWLINE_PLACEHOLDER: "\n"}
_RESERVED = re.compile("[\ufdd0-\ufdef]")

_WEIGHT = re.compile(r"^%\s*(-?\d+(?:\.\d+)?)\s*%")
_BAD_WEIGHT = re.compile(r"^%([-+\d.,\s]{1,12})%")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
# Moodle's convention: "// [tag:name]" in the comment lines of a question, "\]" for a "]".
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f])+)\]")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_HTML_TAG = re.compile(r"<[^>]*>")


def parse(data: str | bytes) -> ParseResult:
    """Read a GIFT file (UTF-8, with or without BOM, any line endings)."""
    try:
        check_import_size(len(data) if isinstance(data, bytes) else len(data.encode("utf-8")))
    except ImportTooLargeError as error:
        return ParseResult(problems=(Problem(str(error)),))
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            bad_line = data[: error.start].count(b"\n") + 1
            reason = _("The file is not UTF-8 text; save it as UTF-8 and import it again.")
            return ParseResult(problems=(Problem(reason, line=bad_line),))
    else:
        text = data.removeprefix("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")

    builder = BankBuilder()
    problems: list[Problem] = []
    category: tuple[str, ...] = ()
    for block in _blocks(text.split("\n")):
        reserved = next((n for n, content in block if _RESERVED.search(content)), None)
        if reserved is not None:
            reason = _("The line contains a character reserved by Unicode for internal use.")
            problems.append(Problem(reason, line=reserved))
            continue
        tags: list[str] = []
        lines: list[tuple[int, str]] = []
        for number, raw in block:
            line = raw.strip()
            if line.startswith("//"):
                tags.extend(t.replace("\\]", "]").strip() for t in _TAG.findall(line) if t.strip())
            elif not lines and line.startswith("$CATEGORY:"):
                # Moodle wants a blank line after it; accepting the next line as a question
                # is kinder and changes nothing for a well-formed file.
                category = category_path_from_text(line[len("$CATEGORY:") :])
                builder.category(category)
            else:
                lines.append((number, line))
        if not lines:
            continue
        question_or_problems = _QuestionReader(lines, tuple(tags)).read()
        if isinstance(question_or_problems, Question):
            builder.add(category, question_or_problems)
        else:
            problems.extend(question_or_problems)
    return ParseResult(builder.build(), tuple(problems))


def _blocks(lines: list[str]) -> list[list[tuple[int, str]]]:
    """Runs of non-blank lines, each line with its 1-based number."""
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            current.append((number, line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


_ESCAPE = re.compile(r"\\([\\~=#{}:n])")
_ESCAPED = {"\\": "\\", "n": _NEWLINE_PLACEHOLDER} | _PLACEHOLDER
_UNESCAPE_TABLE = str.maketrans(_UNESCAPE)


def _escape_line(line: str) -> str:
    """Replace "\\{" and the other escapes by placeholders ("\\\\" by a plain backslash)."""
    return _ESCAPE.sub(lambda match: _ESCAPED[match.group(1)], line)


def _unescape(text: str) -> str:
    return text.translate(_UNESCAPE_TABLE)


class _RejectedError(Exception):
    def __init__(self, reason: str, offset: int) -> None:
        self.reason = reason
        self.offset = offset


@dataclass
class _Piece:
    """A slice of the block's text, remembering where it starts (for line numbers)."""

    text: str
    start: int


class _QuestionReader:
    def __init__(self, lines: list[tuple[int, str]], tags: tuple[str, ...]) -> None:
        self.tags = tags
        self.numbers = [n for n, _line in lines]
        self.starts: list[int] = []
        parts: list[str] = []
        offset = 0
        for _number, line in lines:
            self.starts.append(offset)
            escaped = _escape_line(line)
            parts.append(escaped)
            offset += len(escaped) + 1
        self.text = "\n".join(parts)
        self.format: TextFormat = "moodle"
        self.name: str | None = None

    def line_of(self, offset: int) -> int:
        return self.numbers[max(0, bisect_right(self.starts, offset) - 1)]

    def read(self) -> Question | list[Problem]:
        try:
            question, answers_at = self._read()
        except _RejectedError as reject:
            line = self.line_of(reject.offset)
            return [Problem(reject.reason, line=line, question=self.name or "")]
        reasons = question_problems(question)
        if reasons:
            line = self.line_of(answers_at)
            return [Problem(reason, line=line, question=question.name) for reason in reasons]
        return question

    def _read(self) -> tuple[Question, int]:
        text, start = self.text, 0
        name = None
        if text.startswith("::"):
            end = text.find("::", 2)
            if end < 0:
                raise _RejectedError(_("The question name starts with “::” but is not closed."), 0)
            name = _unescape(text[2:end]).strip()
            self.name = name
            start = end + 2
        opening, closing = text.find("{", start), text.find("}", start)
        if opening < 0 and closing < 0:
            text_format, body = _take_format(text[start:].strip())
            self.format = text_format or "moodle"
            return self._question("description", name, _unescape(body).strip(), None, "", {}), 0
        self._check_braces(opening, closing)
        text_format, before = _take_format(text[start:opening].lstrip())
        self.format = text_format or "moodle"
        before = _unescape(before).lstrip()
        after_raw = text[closing + 1 :]
        inside = _Piece(text[opening + 1 : closing], opening + 1)
        general_feedback = ""
        separator = inside.text.rfind("####")
        if separator >= 0:
            general_feedback = self._part(inside.text[separator + 4 :])
            inside = _Piece(inside.text[:separator], inside.start)
        after: str | None = None
        if after_raw.strip():
            after = _unescape(after_raw).rstrip()
        else:
            before = before.rstrip()
            before, after = split_at_blank(before)
        qtype, fields = self._answers(inside)
        question = self._question(qtype, name, before, after, general_feedback, fields)
        return question, opening

    def _check_braces(self, opening: int, closing: int) -> None:
        text = self.text
        if opening < 0:
            raise _RejectedError(
                _("A “}” closes an answer block that was never opened with “{”."), closing
            )
        if closing < 0:
            reason = _("The answer block opened with “{” is never closed with “}”.")
            raise _RejectedError(reason, opening)
        if closing < opening:
            raise _RejectedError(_("A “}” comes before the “{” that opens the answers."), closing)
        second_open = text.find("{", opening + 1)
        if 0 <= second_open < closing:
            raise _RejectedError(
                _("A “{” opens a second answer block inside the first; write \\{ for a brace."),
                second_open,
            )
        extras = [i for i in (text.find("{", closing + 1), text.find("}", closing + 1)) if i >= 0]
        if extras:
            raise _RejectedError(
                _("A question has only one answer block {…}; write \\{ or \\} for a brace."),
                min(extras),
            )

    def _question(
        self,
        qtype: str,
        name: str | None,
        text: str,
        after: str | None,
        general_feedback: str,
        fields: dict,
    ) -> Question:
        if not name:
            name = _default_name(text if after is None else text + BLANK_MARKER + after)
        return Question(
            qtype=qtype,  # type: ignore[arg-type]
            name=name,
            text=text,
            text_format=self.format,
            text_after=after,
            general_feedback=general_feedback,
            default_mark=Decimal(0) if qtype == "description" else Decimal(1),
            tags=self.tags,
            **fields,
        )

    def _part(self, piece: _Piece | str) -> str:
        """An answer or feedback: unescaped, trimmed, a leading [format] marker dropped."""
        text = piece.text if isinstance(piece, _Piece) else piece
        _format, text = _take_format(text.strip())
        return _unescape(text).strip()

    # -- answers -------------------------------------------------------------------------------

    def _answers(self, inside: _Piece) -> tuple[str, dict]:
        body = inside.text.strip()
        lead = inside.start + len(inside.text) - len(inside.text.lstrip())
        if not body:
            return "essay", {}
        if body.startswith("#"):
            return "numerical", {"numerical_answers": self._numerical(_Piece(body[1:], lead + 1))}
        if "~" in body:
            single = "=" in body
            answers = self._choices(_Piece(body, lead))
            return ("multichoice" if single else "multichoice_multi"), {"answers": answers}
        if "=" in body and "->" in body:
            return "matching", {"pairs": self._pairs(_Piece(body, lead))}
        head = body.split("#", 1)[0].strip() if body.find("#") > 0 else body
        if head in _TRUE_FALSE:
            return "truefalse", self._truefalse(body)
        return "shortanswer", {"answers": self._short_answers(_Piece(body, lead))}

    def _split(self, piece: _Piece, markers: str) -> list[tuple[str, _Piece]]:
        """Split at each marker character; text before the first marker counts as an item."""
        items: list[tuple[str, _Piece]] = []
        marker, start = "", 0
        for i, char in enumerate(piece.text):
            if char in markers:
                items.append((marker, _Piece(piece.text[start:i], piece.start + start)))
                marker, start = char, i + 1
        items.append((marker, _Piece(piece.text[start:], piece.start + start)))
        if not items[0][1].text.strip():
            items.pop(0)
        return items

    def _weight(self, piece: _Piece, default: Decimal) -> tuple[Decimal, _Piece]:
        text = piece.text.lstrip()
        offset = piece.start + len(piece.text) - len(text)
        match = _WEIGHT.match(text)
        if match:
            return Decimal(match.group(1)), _Piece(text[match.end() :], offset + match.end())
        bad = _BAD_WEIGHT.match(text)
        if bad:
            raise _RejectedError(
                _(
                    "The weight “%(weight)s” is not a number like %%50%% or %%-33.333%%.",
                    weight=bad.group(0),
                ),
                offset,
            )
        return default, _Piece(text, offset)

    def _text_and_feedback(self, piece: _Piece) -> tuple[str, str]:
        cut = piece.text.find("#")
        if cut < 0:
            return self._part(piece), ""
        return self._part(piece.text[:cut]), self._part(piece.text[cut + 1 :])

    def _choices(self, piece: _Piece) -> tuple[Answer, ...]:
        answers = []
        for marker, item in self._split(piece, "~="):
            if marker == "=":
                weight = Decimal(100)
            else:
                weight, item = self._weight(item, Decimal(0))
            text, feedback = self._text_and_feedback(item)
            if not text:
                raise _RejectedError(_("A choice is empty."), item.start)
            answers.append(Answer(text, weight, feedback))
        return tuple(answers)

    def _short_answers(self, piece: _Piece) -> tuple[Answer, ...]:
        answers = []
        for _marker, item in self._split(piece, "="):
            weight, item = self._weight(item, Decimal(100))
            text, feedback = self._text_and_feedback(item)
            if not text:
                raise _RejectedError(_("An accepted answer is empty."), item.start)
            answers.append(Answer(text, weight, feedback))
        return tuple(answers)

    def _pairs(self, piece: _Piece) -> tuple[MatchPair, ...]:
        pairs = []
        for _marker, item in self._split(piece, "="):
            arrow = item.text.find("->")
            if arrow < 0:
                raise _RejectedError(
                    _("Each pair of a matching question is written “=left -> right”."),
                    item.start,
                )
            prompt = self._part(item.text[:arrow])
            answer = _unescape(item.text[arrow + 2 :]).strip()
            pairs.append(MatchPair(prompt, answer))
        return tuple(pairs)

    def _truefalse(self, body: str) -> dict:
        parts = [*body.split("#", 2), "", ""]
        correct = _TRUE_FALSE[parts[0].strip()]
        wrong, right = self._part(parts[1]), self._part(parts[2])
        return {
            "correct_answer": correct,
            "feedback_true": right if correct else wrong,
            "feedback_false": wrong if correct else right,
        }

    def _numerical(self, piece: _Piece) -> tuple[NumericalAnswer, ...]:
        answers = []
        wrong = piece.text.find("~")
        rest = _Piece(piece.text[:wrong] if wrong >= 0 else piece.text, piece.start)
        for _marker, item in self._split(rest, "="):
            weight, item = self._weight(item, Decimal(100))
            number, feedback = self._text_and_feedback(item)
            if number == "*":
                answers.append(NumericalAnswer(None, Decimal(0), weight, feedback))
                continue
            value, tolerance = _number_and_tolerance(number, item.start)
            answers.append(NumericalAnswer(value, tolerance, weight, feedback))
        if not answers:
            raise _RejectedError(_("The numerical question has no accepted number."), piece.start)
        if wrong >= 0:
            _unused, feedback = self._text_and_feedback(
                _Piece(piece.text[wrong + 1 :], piece.start + wrong + 1)
            )
            answers.append(NumericalAnswer(None, Decimal(0), Decimal(0), feedback))
        return tuple(answers)


def _take_format(text: str) -> tuple[TextFormat | None, str]:
    """Split a leading "[html]"-style marker off ``text``; an unknown name is left as text."""
    if text.startswith("["):
        end = text.find("]")
        if end > 0 and text[1:end] in TEXT_FORMATS:
            return text[1:end], text[end + 1 :]  # type: ignore[return-value]
    return None, text


def _decimal(text: str, offset: int) -> Decimal:
    text = text.strip()
    if not _NUMBER.match(text):
        if re.fullmatch(r"[+-]?\d+,\d+", text):
            reason = _("“%(text)s” is not a number: write decimals with a dot.", text=text)
        else:
            reason = _("“%(text)s” is not a number.", text=text)
        raise _RejectedError(reason, offset)
    try:
        number = Decimal(text)
    except InvalidOperation as error:  # pragma: no cover - the pattern only lets numbers through
        raise _RejectedError(_("“%(text)s” is not a number.", text=text), offset) from error
    if not is_reasonable(number):
        # Refused before "1..3" arithmetic could overflow.
        raise _RejectedError(unreasonable_number(number), offset)
    return number


def _number_and_tolerance(text: str, offset: int) -> tuple[Decimal, Decimal]:
    """Read "2", "2:0.5" or "1..3"; a range is kept as its middle ± half its width, as in Moodle."""
    if text.find("..") > 0:
        low_text, high_text = text.split("..", 1)
        low, high = _decimal(low_text, offset), _decimal(high_text, offset)
        if high < low:
            raise _RejectedError(
                _(
                    "The range %(low)s..%(high)s goes down; write the smaller number first.",
                    low=low_text.strip(),
                    high=high_text.strip(),
                ),
                offset,
            )
        middle = (low + high) / 2
        return middle, high - middle
    if text.find(":") > 0:
        value_text, tolerance_text = text.split(":", 1)
        return _decimal(value_text, offset), _decimal(tolerance_text, offset)
    return _decimal(text, offset), Decimal(0)


def _default_name(text: str) -> str:
    """Moodle names an unnamed question after the start of its text."""
    # A prefix is enough for 80 characters, and keeps a text full of "<" from being slow.
    plain = " ".join(_HTML_TAG.sub(" ", text[:2000]).split())
    if len(plain) > 80:
        plain = plain[:79].rstrip() + "…"
    return plain or _("Question")
