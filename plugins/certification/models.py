"""The certification plugin's tables. Quiz and attendance ids are kept as plain integers: this
plugin keeps its own copy of the evidence and never joins their tables (either may be off)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column

from core.clock import now
from core.db import Base, UTCDateTime

SOURCES = ("quiz", "attendance", "observation")


class Evidence(Base):
    """One piece of evidence about one learner on one competence (``crcn:1.1``).

    ``source`` says where it came from; ``label`` says what (quiz and question, workshop, or
    "observation"), ``given_by_id`` who (the trainer who observed or took the roll call).
    """

    __tablename__ = "certification_evidence"
    __table_args__ = (Index("ix_certification_evidence_org_user", "organisation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    competence: Mapped[str] = mapped_column(String(80))
    difficulty: Mapped[int] = mapped_column(Integer, default=1)
    outcome: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    label: Mapped[str] = mapped_column(String(300), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    given_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    course_id: Mapped[int | None] = mapped_column(Integer, default=None)
    quiz_id: Mapped[int | None] = mapped_column(Integer, default=None)
    attempt_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    question_id: Mapped[int | None] = mapped_column(Integer, default=None)
    session_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    section_id: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class TagProblem(Base):
    """A question tag in a framework's namespace that names nothing there (shown to trainers)."""

    __tablename__ = "certification_tag_problem"
    __table_args__ = (UniqueConstraint("organisation_id", "question_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    quiz_id: Mapped[int] = mapped_column(Integer)
    quiz_title: Mapped[str] = mapped_column(String(300), default="")
    question_id: Mapped[int] = mapped_column(Integer)
    question_name: Mapped[str] = mapped_column(String(300), default="")
    tag: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(String(32))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class QuizCoverage(Base):
    """Which quiz has questions on which competence (for "next steps" links)."""

    __tablename__ = "certification_quiz_coverage"
    __table_args__ = (UniqueConstraint("organisation_id", "quiz_id", "competence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int] = mapped_column(Integer)
    quiz_id: Mapped[int] = mapped_column(Integer)
    quiz_title: Mapped[str] = mapped_column(String(300), default="")
    competence: Mapped[str] = mapped_column(String(80))


class WorkshopMap(Base):
    """The competences a course section (a workshop) covers, set by a trainer."""

    __tablename__ = "certification_workshop_map"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    section_id: Mapped[int] = mapped_column(
        ForeignKey("course_section.id", ondelete="CASCADE"), unique=True
    )
    codes: Mapped[str] = mapped_column(Text, default="")  # space-separated keys
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)


class FrameworkFile(Base):
    """An organisation's own framework (or mapping) file, stored as uploaded once it validated."""

    __tablename__ = "certification_framework_file"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    content: Mapped[str] = mapped_column(Text)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Certificate(Base):
    """A certificate as issued: the printed facts and the PDF bytes are kept unchanged.

    ``code`` is what is printed; lookups go through ``code_digest`` (SHA-256) so a query never
    compares the secret itself character by character.
    """

    __tablename__ = "certification_certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None, index=True
    )
    code: Mapped[str] = mapped_column(String(32), unique=True)
    code_digest: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # "course" or "target"
    subject: Mapped[str] = mapped_column(String(80))  # course id, or target key ("b2i")
    course_id: Mapped[int | None] = mapped_column(Integer, default=None)
    title: Mapped[str] = mapped_column(String(300))
    learner_name: Mapped[str] = mapped_column(String(200))
    issuer_name: Mapped[str] = mapped_column(String(200), default="")
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    issued_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, default=None))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    revoke_reason: Mapped[str] = mapped_column(Text, default="")
