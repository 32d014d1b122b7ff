"""The neutral bank of ``plugins/quiz/interop`` mapped onto the quiz's tables, both ways.

Import is two steps so that a preview can be shown before anything is written:
:func:`plan_import` turns a ``ParseResult`` into an :class:`ImportPlan` (pure: no database), with
every text converted from its format (HTML, Markdown, plain, Moodle auto-format) to HTML and then
sanitised like any question text; :func:`apply_plan` writes the plan in the caller's transaction.
:func:`export_bank` reads the bank (or one category) back into the neutral model.

Images: a text refers to a file of its question as ``@@PLUGINFILE@@/name``; those files are
stored through the quiz's image storage (same type and size checks as an upload) and the
references pointed at the quiz's image URL. A file no text refers to, or one shown alone at the
very end of the question text, becomes the question's picture. On export inline images become
``@@PLUGINFILE@@`` references again and the picture is shown alone at the end of the text (so
that Moodle displays it, and so that it comes back as the picture).
"""

from __future__ import annotations

import html
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote, unquote

import markdown as markdown_lib
import nh3
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.i18n import gettext as _
from plugins.quiz.bank import TAG_RE, ensure_category, tags_of
from plugins.quiz.images import MAX_IMAGE_BYTES, sniff, store_image
from plugins.quiz.interop import model as neutral
from plugins.quiz.models import Question, QuestionCategory, QuestionVersion, QuizImage
from plugins.quiz.sanitize import TAG_RE as HTML_TAG_RE
from plugins.quiz.sanitize import sanitise_html

TYPES_IN = {"multichoice": "single", "multichoice_multi": "multiple"}
TYPES_OUT = {"single": "multichoice", "multiple": "multichoice_multi"}
NAME_LIMIT = 200  # QuestionVersion.name and QuestionCategory.name
MAX_MARK = 100  # what the question editor accepts
# A real bank is a few hundred questions; 5 000 are written in about 10 s on the shared 2-core
# server. More in one request would hold it too long: such a file is to be split.
MAX_QUESTIONS = 5000
CATEGORY_SEPARATOR = " / "  # a Moodle path ("Office", "Word") is the category "Office / Word"
# Placeholders that survive Markdown and the sanitiser untouched, swapped back afterwards.
_BLANK_MARK = "declicblanktoken"
_IMAGE_MARK = "declic-import-image-{n}"
_IMAGE_MARK_RE = re.compile(r"declic-import-image-(\d+)")
_PICTURE_AT_END = re.compile(r'<p><img src="(declic-import-image-(\d+))" alt=""></p>$')
_PLUGINFILE_RE = re.compile(re.escape(neutral.PLUGINFILE) + r"([^\"'<>\s)]+)")
_QUIZ_IMAGE_SRC = re.compile(r"/o/[^/\"']+/quiz/images/(\d+)")
_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}


@dataclass(frozen=True)
class Rejection:
    """A question (or the file) left out, and why: at a GIFT ``line``, an XML element ``path``,
    or (for the quiz's own rules) the ``number``-th valid question of the file."""

    reason: str
    question: str = ""
    line: int | None = None
    path: str | None = None
    number: int | None = None
    category: str = ""

    @property
    def where(self) -> str:
        """Where, in the reader's language (pages)."""
        if self.line is not None:
            return _("line %(line)s", line=self.line)
        if self.number is not None:
            return _("question %(n)s (in %(category)s)", n=self.number, category=self.category)
        return self.path or ""

    @property
    def where_en(self) -> str:
        """Where, in English (the command line, like every other command)."""
        if self.line is not None:
            return f"line {self.line}"
        if self.number is not None:
            return f"question {self.number} (in {self.category})"
        return self.path or ""


@dataclass
class PlannedQuestion:
    """A question ready to be written: quiz type, sanitised texts, version data."""

    category: str
    qtype: str
    name: str
    text: str
    data: dict[str, Any]
    general_feedback: str = ""
    default_mark: float = 1.0
    tags: list[str] = field(default_factory=list)
    # (content, content type); texts refer to image n by _IMAGE_MARK.format(n=n)
    images: list[tuple[bytes, str]] = field(default_factory=list)
    picture: int | None = None  # index in images of the question's picture


@dataclass
class ImportPlan:
    questions: list[PlannedQuestion]
    rejected: list[Rejection]
    notes: list[str]

    @property
    def ok(self) -> bool:
        return not self.rejected

    def count_by_type(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for q in self.questions:
            counts[q.qtype] = counts.get(q.qtype, 0) + 1
        return counts

    def count_by_category(self) -> dict[str, dict[str, int]]:
        """``{category: {type: count}}`` in the file's order."""
        counts: dict[str, dict[str, int]] = {}
        for q in self.questions:
            per_type = counts.setdefault(q.category, {})
            per_type[q.qtype] = per_type.get(q.qtype, 0) + 1
        return counts


class _RejectedError(Exception):
    """One question cannot be imported; the message says why."""


# --- texts -----------------------------------------------------------------------------------


def to_html(text: str, text_format: str) -> str:
    """A text of the given Moodle format as HTML (not yet sanitised)."""
    if text_format == "markdown":
        return markdown_lib.markdown(text)
    if text_format == "plain":
        return "<br>".join(html.escape(line, quote=False) for line in text.splitlines())
    if text_format == "moodle":
        # Moodle's auto-format: HTML allowed, and a new line is a line break.
        return "<br>".join(text.splitlines())
    return text


def _clean(text: str, text_format: str, images: dict[str, int] | None = None) -> str:
    """Convert, point image references at placeholders, sanitise."""
    if images is not None:

        def swap(match: re.Match[str]) -> str:
            index = images.get(unquote(match.group(1)))
            return _IMAGE_MARK.format(n=index) if index is not None else match.group(0)

        text = _PLUGINFILE_RE.sub(swap, text)
    converted = to_html(text, text_format).strip()
    if HTML_TAG_RE.search(converted):
        return sanitise_html(converted)
    # Without a tag the text is already HTML (entities and all): the sanitiser would take it for
    # typed plain text and escape it again ("&lt;" shown to learners). Parsed and written back
    # by nh3 with no tag allowed, it is safe and written the way the sanitiser writes text.
    return nh3.clean(converted, tags=set())


def _plain_answer(text: str) -> str:
    return " ".join(text.split())


def normalise_tag(raw: str) -> str | None:
    """A Moodle tag as a quiz tag (``Word processing`` → ``word-processing``), None if nothing
    usable is left (a tag in Arabic script, say)."""
    prefix, colon, rest = raw.strip().partition(":")
    tag = prefix.lower() + colon + rest
    if TAG_RE.match(tag.lower()):
        return tag
    ascii_only = unicodedata.normalize("NFKD", tag).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-zA-Z0-9_.:@-]+", "-", ascii_only).strip("-")
    prefix, colon, rest = slug.partition(":")
    slug = (prefix.lower() + colon + rest)[:64]
    return slug if TAG_RE.match(slug.lower()) else None


# --- import ----------------------------------------------------------------------------------


def _weight(value: Decimal) -> float:
    # Moodle keeps fractions with 7 decimals; so do we, so that exports are exact.
    return round(float(value) / 100, 7)


def category_name(path: tuple[str, ...]) -> str:
    return CATEGORY_SEPARATOR.join(" ".join(p.split()) for p in path) or _("Imported questions")


def plan_import(result: neutral.ParseResult, target_category: str | None = None) -> ImportPlan:
    """What importing ``result`` would create and what it leaves out, and why.

    With ``target_category`` every question goes there (Moodle's import without "get category
    from file"); otherwise into the file's categories, the path joined with " / ".
    """
    rejected = [Rejection(p.reason, p.question, p.line, p.path) for p in result.problems]
    if len(result.questions) > MAX_QUESTIONS:
        reason = _(
            "The file holds %(count)s questions; at most %(limit)s can be imported at once: "
            "split it into several files.",
            count=len(result.questions),
            limit=MAX_QUESTIONS,
        )
        return ImportPlan([], [Rejection(reason), *rejected], [])
    notes: list[str] = []
    planned: list[PlannedQuestion] = []
    number = 0
    for category in result.bank.categories:
        name = target_category or category_name(category.path)
        if len(name) > NAME_LIMIT:
            notes.append(
                _(
                    "The category name “%(name)s…” is cut to %(limit)s characters.",
                    name=name[:40],
                    limit=NAME_LIMIT,
                )
            )
            name = name[:NAME_LIMIT].rstrip()
        for question in category.questions:
            number += 1
            try:
                planned.append(_plan_question(question, name, notes))
            except _RejectedError as exc:
                rejected.append(Rejection(str(exc), question.name, number=number, category=name))
    return ImportPlan(planned, rejected, notes)


def _plan_question(q: neutral.Question, category: str, notes: list[str]) -> PlannedQuestion:
    if q.default_mark > MAX_MARK:
        raise _RejectedError(
            _("The mark %(mark)s is over 100.", mark=neutral.decimal_text(q.default_mark))
        )
    images, indexes = _images(q)
    fmt = q.text_format

    def clean(text: str) -> str:
        return _clean(text, fmt, indexes)

    source = q.text if q.text_after is None else q.text + _BLANK_MARK + q.text_after
    text = clean(source).replace(_BLANK_MARK, neutral.BLANK_MARKER)
    if not text:
        raise _RejectedError(_("The question text is empty once unsafe content is removed."))
    data = _data(q, clean, notes)
    general_feedback = clean(q.general_feedback)
    picture = None
    last = _PICTURE_AT_END.search(text)
    if last and text.count(last.group(1)) == 1 and last.group(1) not in json.dumps(data):
        # A picture alone at the very end (how the quiz exports a question's picture, so that
        # Moodle shows it): the question's picture again.
        picture, text = int(last.group(2)), text[: last.start()]
    referenced = {
        int(n) for n in _IMAGE_MARK_RE.findall(json.dumps(data) + text + general_feedback)
    }
    unreferenced = [i for i in range(len(images)) if i not in referenced and i != picture]
    if picture is None and unreferenced:
        picture = unreferenced.pop(0)
    for extra in unreferenced:
        # A second file no text shows: show it after the text rather than lose it.
        text += f'<p><img src="{_IMAGE_MARK.format(n=extra)}" alt=""></p>'
    tags = []
    for raw in q.tags:
        tag = normalise_tag(raw)
        if tag is None:
            notes.append(_("The tag “%(tag)s” cannot be kept (letters a-z and digits).", tag=raw))
        elif tag not in tags:
            tags.append(tag)
    return PlannedQuestion(
        category=category,
        qtype=TYPES_IN.get(q.qtype, q.qtype),
        name=" ".join(q.name.split())[:NAME_LIMIT],
        text=text,
        data=data,
        general_feedback=general_feedback,
        default_mark=float(q.default_mark),
        tags=tags,
        images=images,
        picture=picture,
    )


def _images(q: neutral.Question) -> tuple[list[tuple[bytes, str]], dict[str, int]]:
    images: list[tuple[bytes, str]] = []
    indexes: dict[str, int] = {}
    for image in q.images:
        if len(image.content) > MAX_IMAGE_BYTES:
            raise _RejectedError(
                _("The image “%(name)s” is too large: 1 MB at most.", name=image.filename)
            )
        content_type = sniff(image.content)
        if content_type is None:
            raise _RejectedError(
                _(
                    "The file “%(name)s” is not a picture: use a PNG, JPEG, WebP or GIF image.",
                    name=image.filename,
                )
            )
        indexes[image.filename] = len(images)
        images.append((image.content, content_type))
    return images, indexes


def _data(q: neutral.Question, clean: Any, notes: list[str]) -> dict[str, Any]:
    if q.qtype in ("multichoice", "multichoice_multi"):
        choices = []
        for n, answer in enumerate(q.answers, 1):
            text = clean(answer.text)
            if not text:
                raise _RejectedError(_("A choice is empty once unsafe content is removed."))
            choices.append(
                {
                    "id": f"c{n}",
                    "text": text,
                    "fraction": _weight(answer.fraction),
                    "feedback": clean(answer.feedback),
                    "image_id": None,
                }
            )
        return {"choices": choices}
    if q.qtype == "truefalse":
        return {
            "correct": bool(q.correct_answer),
            "feedback_true": clean(q.feedback_true),
            "feedback_false": clean(q.feedback_false),
        }
    if q.qtype == "shortanswer":
        answers = [
            {
                "text": _plain_answer(a.text),
                "fraction": _weight(a.fraction),
                "feedback": clean(a.feedback),
            }
            for a in q.answers
        ]
        return {"answers": answers, "case_sensitive": q.case_sensitive}
    if q.qtype == "numerical":
        numbers = []
        for answer in q.numerical_answers:
            if answer.value is None:
                if answer.fraction > 0:
                    raise _RejectedError(
                        _("Marks for “any other answer” cannot be kept: only listed numbers.")
                    )
                notes.append(
                    _(
                        "“%(name)s”: the feedback for any other answer is not kept.",
                        name=q.name,
                    )
                )
                continue
            numbers.append(
                {
                    "value": float(answer.value),
                    "tolerance": float(answer.tolerance),
                    "fraction": _weight(answer.fraction),
                    "feedback": clean(answer.feedback),
                }
            )
        return {"answers": numbers}
    if q.qtype == "matching":
        pairs, distractors = [], []
        for pair in q.pairs:
            if not pair.prompt.strip():
                distractors.append(_plain_answer(pair.answer))
                continue
            prompt = clean(pair.prompt)
            if not prompt:
                raise _RejectedError(
                    _("A matching prompt is empty once unsafe content is removed.")
                )
            pairs.append(
                {"id": f"p{len(pairs) + 1}", "prompt": prompt, "answer": _plain_answer(pair.answer)}
            )
        return {"pairs": pairs, "distractors": distractors}
    return {}


class _Upload:
    """Image bytes in the shape the quiz's image storage reads an upload."""

    def __init__(self, content: bytes) -> None:
        self.file = io.BytesIO(content)
        self.filename = "imported"


def image_url(org_slug: str, image_id: int) -> str:
    """The quiz's URL of a picture (the route ``quiz.image``)."""
    return f"/o/{quote(org_slug)}/quiz/images/{image_id}"


def apply_plan(
    db: Session,
    organisation_id: int,
    org_slug: str,
    plan: ImportPlan,
    user_id: int | None = None,
) -> list[int]:
    """Write every planned question (the caller commits, or rolls back on error); returns the
    new question ids."""
    from plugins.quiz.bank import create_question

    categories: dict[str, QuestionCategory] = {}
    created = []
    for planned in plan.questions:
        if planned.category not in categories:
            categories[planned.category] = ensure_category(db, organisation_id, planned.category)
        ids = []
        for content, _type in planned.images:
            image, error = store_image(db, organisation_id, _Upload(content), user_id)
            if image is None:  # checked by the plan already; the storage checks again
                raise ValueError(error)
            ids.append(image.id)

        def point(text: str, ids: list[int] = ids) -> str:
            def url(match: re.Match[str]) -> str:
                index = int(match.group(1))
                # The same words typed in a text of the file are left as they are.
                return image_url(org_slug, ids[index]) if index < len(ids) else match.group(0)

            return _IMAGE_MARK_RE.sub(url, text)

        data = json.loads(point(json.dumps(planned.data, ensure_ascii=False)))
        question, _version = create_question(
            db,
            organisation_id,
            categories[planned.category].id,
            planned.qtype,
            planned.name,
            point(planned.text),
            data,
            general_feedback=point(planned.general_feedback),
            default_mark=planned.default_mark,
            image_id=ids[planned.picture] if planned.picture is not None else None,
            tags=planned.tags,
            user_id=user_id,
        )
        created.append(question.id)
    return created


# --- export ----------------------------------------------------------------------------------


@dataclass
class ExportResult:
    bank: neutral.Bank
    skipped: list[str]  # names of questions the formats cannot carry (ordering)


def export_bank(
    db: Session, organisation_id: int, category_id: int | None = None, with_files: bool = True
) -> ExportResult:
    """The current version of every question of the organisation (or of one category).

    ``with_files=False`` is for GIFT, which cannot carry files: texts keep the quiz's own image
    URLs (still shown when the file comes back into the same organisation) and pictures are
    left out, rather than written as references to files that are not there.
    """
    stmt = (
        select(Question, QuestionVersion, QuestionCategory.name)
        .join(
            QuestionVersion,
            (QuestionVersion.question_id == Question.id)
            & (QuestionVersion.version == Question.current_version),
        )
        .join(QuestionCategory, QuestionCategory.id == Question.category_id)
        .where(Question.organisation_id == organisation_id)
        .order_by(QuestionCategory.name, Question.id)
    )
    if category_id is not None:
        stmt = stmt.where(Question.category_id == category_id)
    rows = db.execute(stmt).all()
    tags = tags_of(db, [q.id for q, _v, _c in rows])
    images = _ImageLoader(db, organisation_id) if with_files else None
    by_category: dict[str, list[neutral.Question]] = {}
    skipped = []
    for question, version, name in rows:
        if version.qtype not in TYPES_OUT and version.qtype not in neutral.QTYPES:
            skipped.append(version.name)
            continue
        by_category.setdefault(name, []).append(
            _export_question(version, tags.get(question.id, []), images)
        )
    bank = neutral.Bank(
        tuple(
            neutral.Category(tuple(name.split(CATEGORY_SEPARATOR)), tuple(questions))
            for name, questions in by_category.items()
        )
    )
    return ExportResult(bank, skipped)


class _ImageLoader:
    """Pictures of one organisation by id, each loaded once, named ``image-ID.ext``."""

    def __init__(self, db: Session, organisation_id: int) -> None:
        self.db, self.organisation_id = db, organisation_id
        self.cache: dict[int, neutral.Image | None] = {}

    def get(self, image_id: int) -> neutral.Image | None:
        if image_id not in self.cache:
            picture = self.db.scalar(
                select(QuizImage).where(
                    QuizImage.id == image_id, QuizImage.organisation_id == self.organisation_id
                )
            )
            self.cache[image_id] = (
                neutral.Image(
                    f"image-{image_id}.{_EXTENSIONS.get(picture.content_type, 'bin')}",
                    picture.data,
                )
                if picture
                else None
            )
        return self.cache[image_id]


def _decimal(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def _percent(fraction: float) -> Decimal:
    return _decimal(round(float(fraction) * 100, 5))


def _export_question(
    version: QuestionVersion, tags: list[str], loader: _ImageLoader | None
) -> neutral.Question:
    used: dict[str, neutral.Image] = {}

    def refs(text: str) -> str:
        if loader is None:
            return text or ""

        def swap(match: re.Match[str]) -> str:
            image = loader.get(int(match.group(1)))
            if image is None:
                return match.group(0)
            used[image.filename] = image
            return neutral.pluginfile_reference(image.filename)

        return _QUIZ_IMAGE_SRC.sub(swap, text or "")

    data = version.data
    qtype = TYPES_OUT.get(version.qtype, version.qtype)
    fields: dict[str, Any] = {}
    if version.qtype in ("single", "multiple"):
        answers = []
        for choice in data.get("choices", []):
            text = refs(choice["text"])
            picture = loader.get(choice["image_id"]) if loader and choice.get("image_id") else None
            if picture is not None:
                used[picture.filename] = picture
                text += f'<br><img src="{neutral.pluginfile_reference(picture.filename)}" alt="">'
            answers.append(
                neutral.Answer(text, _percent(choice["fraction"]), refs(choice.get("feedback", "")))
            )
        fields["answers"] = tuple(answers)
    elif version.qtype == "truefalse":
        fields["correct_answer"] = bool(data.get("correct", True))
        fields["feedback_true"] = refs(data.get("feedback_true", ""))
        fields["feedback_false"] = refs(data.get("feedback_false", ""))
    elif version.qtype == "shortanswer":
        fields["answers"] = tuple(
            neutral.Answer(a["text"], _percent(a["fraction"]), refs(a.get("feedback", "")))
            for a in data.get("answers", [])
        )
        fields["case_sensitive"] = bool(data.get("case_sensitive"))
    elif version.qtype == "numerical":
        fields["numerical_answers"] = tuple(_numerical(a, refs) for a in data.get("answers", []))
    elif version.qtype == "matching":
        pairs = [neutral.MatchPair(refs(p["prompt"]), p["answer"]) for p in data.get("pairs", [])]
        pairs += [neutral.MatchPair("", d) for d in data.get("distractors", [])]
        fields["pairs"] = tuple(pairs)
    text = refs(version.text)
    if version.image_id and loader is not None:
        picture = loader.get(version.image_id)
        if picture is not None:
            # Shown at the end of the text, where Moodle displays it (read back as the picture).
            used[picture.filename] = picture
            text += f'<p><img src="{neutral.pluginfile_reference(picture.filename)}" alt=""></p>'
    text_after = None
    if qtype not in ("essay", "description"):
        text, text_after = neutral.split_at_blank(text)
    general_feedback = refs(version.general_feedback)
    return neutral.Question(
        qtype=qtype,  # type: ignore[arg-type]
        name=version.name,
        text=text,
        text_format="html",
        text_after=text_after,
        general_feedback=general_feedback,
        default_mark=_decimal(version.default_mark),
        tags=tuple(tags),
        images=tuple(used.values()),
        **fields,
    )


def _numerical(answer: dict[str, Any], refs: Any) -> neutral.NumericalAnswer:
    if answer.get("min") is not None and answer.get("max") is not None:
        low, high = _decimal(answer["min"]), _decimal(answer["max"])
        value, tolerance = (low + high) / 2, (high - low) / 2
    else:
        value, tolerance = _decimal(answer["value"]), _decimal(abs(answer.get("tolerance") or 0))
    return neutral.NumericalAnswer(
        value,
        tolerance,
        _percent(answer["fraction"]),
        refs(answer.get("feedback", "")),
    )


def rejected_rows(plan: ImportPlan) -> list[dict[str, str]]:
    """The rejections as plain rows (CLI ``--json``, the preview table)."""
    return [
        {"where": r.where_en, "question": r.question, "reason": r.reason} for r in plan.rejected
    ]
