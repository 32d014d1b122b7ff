"""The quiz plugin's tables: question bank (with immutable versions), quizzes and attempts.

Every table carries ``organisation_id`` so every query can be scoped to the organisation of the
request. Question content lives in :class:`QuestionVersion` rows that are never changed once
written: an attempt records the versions it saw, so editing a question never changes the grade
of a past attempt (until a trainer asks for a regrade).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import now
from core.db import Base, UTCDateTime

ATTEMPT_STATES = ("in_progress", "finished", "abandoned")
GRADING_METHODS = ("highest", "average", "first", "last")
OVERDUE_ACTIONS = ("autosubmit", "graceperiod")
NAVIGATION_MODES = ("free", "sequential")
FEEDBACK_MODES = ("deferred", "immediate")
REVIEW_TIMES = ("after_submit", "after_close", "never")


class QuestionCategory(Base):
    __tablename__ = "quiz_question_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class QuizImage(Base):
    """An uploaded picture (question or choice), checked by its magic bytes, size-limited."""

    __tablename__ = "quiz_image"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Question(Base):
    """A bank entry; its content is the version numbered ``current_version``."""

    __tablename__ = "quiz_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    category_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_question_category.id", ondelete="CASCADE"), index=True
    )
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )


class QuestionVersion(Base):
    """An immutable snapshot of a question: never updated, a new edit adds a row."""

    __tablename__ = "quiz_question_version"
    __table_args__ = (UniqueConstraint("question_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_question.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    qtype: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")  # sanitised HTML
    general_feedback: Mapped[str] = mapped_column(Text, default="")  # sanitised HTML
    data_json: Mapped[str] = mapped_column(Text, default="{}")
    default_mark: Mapped[float] = mapped_column(Float, default=1.0)
    image_id: Mapped[int | None] = mapped_column(
        ForeignKey("quiz_image.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )

    @property
    def data(self) -> dict[str, Any]:
        return json.loads(self.data_json or "{}")


class QuestionTag(Base):
    """A tag on a question, typically a competence code such as ``crcn:1.1`` or ``b2i:D1``."""

    __tablename__ = "quiz_question_tag"
    __table_args__ = (UniqueConstraint("question_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_question.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(64), index=True)


class Quiz(Base):
    """A quiz placed in a course section, with all its settings as columns."""

    __tablename__ = "quiz"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_section.id", ondelete="SET NULL"), default=None
    )
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")  # sanitised HTML
    open_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    close_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    time_limit_seconds: Mapped[int] = mapped_column(Integer, default=0)  # 0: no limit
    grace_seconds: Mapped[int] = mapped_column(Integer, default=0)
    overdue_action: Mapped[str] = mapped_column(String(16), default="autosubmit")
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=0)  # 0: unlimited
    grading_method: Mapped[str] = mapped_column(String(16), default="highest")
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=False)
    shuffle_choices: Mapped[bool] = mapped_column(Boolean, default=True)
    questions_per_page: Mapped[int] = mapped_column(Integer, default=1)  # 0: all on one page
    navigation: Mapped[str] = mapped_column(String(16), default="free")
    feedback_mode: Mapped[str] = mapped_column(String(16), default="deferred")
    review_when: Mapped[str] = mapped_column(String(16), default="after_submit")
    review_marks: Mapped[bool] = mapped_column(Boolean, default=True)
    review_correct: Mapped[bool] = mapped_column(Boolean, default=True)
    review_feedback: Mapped[bool] = mapped_column(Boolean, default=True)
    # [[minimum percent, sanitised HTML], ...], highest band first
    overall_feedback_json: Mapped[str] = mapped_column(Text, default="[]")
    visible: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    @property
    def overall_feedback(self) -> list[tuple[float, str]]:
        return [(float(m), str(t)) for m, t in json.loads(self.overall_feedback_json or "[]")]


class QuizSlot(Base):
    """A place in a quiz: a fixed question, or ``random_count`` questions drawn from a category
    (optionally only those carrying ``random_tag``) when an attempt starts."""

    __tablename__ = "quiz_slot"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("quiz_question.id", ondelete="CASCADE"), default=None
    )
    random_category_id: Mapped[int | None] = mapped_column(
        ForeignKey("quiz_question_category.id", ondelete="CASCADE"), default=None
    )
    random_tag: Mapped[str | None] = mapped_column(String(64), default=None)
    random_count: Mapped[int] = mapped_column(Integer, default=1)
    mark: Mapped[float] = mapped_column(Float, default=1.0)


class Attempt(Base):
    """One learner's attempt at a quiz. ``layout_json`` is what the attempt saw: for each item
    (numbered from 1), the question version, its mark, its page and its choice order."""

    __tablename__ = "quiz_attempt"
    __table_args__ = (UniqueConstraint("quiz_id", "user_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="in_progress", index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    current_page: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[float | None] = mapped_column(Float, default=None)
    max_score: Mapped[float] = mapped_column(Float, default=0.0)
    needs_grading: Mapped[bool] = mapped_column(Boolean, default=False)
    layout_json: Mapped[str] = mapped_column(Text, default="[]")

    @property
    def layout(self) -> list[dict[str, Any]]:
        return json.loads(self.layout_json or "[]")


class AttemptAnswer(Base):
    """The saved answer to one item of an attempt. ``sequence`` is the client's sequence number:
    a save only lands when it is newer than the one stored, so repeats and late arrivals of
    older saves never overwrite newer answers."""

    __tablename__ = "quiz_attempt_answer"
    __table_args__ = (UniqueConstraint("attempt_id", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id", ondelete="CASCADE"))
    slot: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_question.id", ondelete="CASCADE"))
    question_version_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_question_version.id", ondelete="CASCADE", name="fk_quiz_answer_version")
    )
    response_json: Mapped[str | None] = mapped_column(Text, default=None)
    sequence: Mapped[int] = mapped_column(BigInteger, default=0)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    max_mark: Mapped[float] = mapped_column(Float, default=1.0)
    # Immediate feedback: once the learner asked to check the answer, it no longer changes.
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    fraction: Mapped[float | None] = mapped_column(Float, default=None)
    mark: Mapped[float | None] = mapped_column(Float, default=None)
    override_mark: Mapped[float | None] = mapped_column(Float, default=None)
    override_comment: Mapped[str] = mapped_column(Text, default="")
    overridden_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    overridden_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    @property
    def response(self) -> dict[str, Any] | None:
        return json.loads(self.response_json) if self.response_json else None

    @property
    def final_mark(self) -> float | None:
        """The trainer's mark when overridden, else the computed one."""
        return self.override_mark if self.override_mark is not None else self.mark
