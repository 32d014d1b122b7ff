"""The question bank's operations: create a question, save a new version, set its tags.

A question is never changed in place: each save adds an immutable :class:`QuestionVersion` and
moves the question's ``current_version`` pointer, so past attempts keep the version they saw.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from plugins.quiz.models import Question, QuestionCategory, QuestionTag, QuestionVersion

# "crcn:1.1", "b2i:D1", "pcie:CE"; "crcn:1.1@3" gives the item a difficulty (certification).
TAG_RE = re.compile(r"^[a-z0-9][a-z0-9_.:@-]{0,63}$")


def parse_tags(raw: str) -> tuple[list[str], list[str]]:
    """Tags typed as ``crcn:1.1, b2i:D1``: ``(valid tags, rejected words)``; lower-cased except
    the part after a colon, which keeps its case (``b2i:D1``)."""
    tags, bad = [], []
    for word in re.split(r"[,\s]+", raw or ""):
        if not word:
            continue
        prefix, colon, rest = word.partition(":")
        tag = prefix.lower() + colon + rest
        if TAG_RE.match(tag.lower()) and tag not in tags:
            tags.append(tag)
        else:
            bad.append(word)
    return tags, bad


def ensure_category(db: Session, organisation_id: int, name: str) -> QuestionCategory:
    category = db.scalar(
        select(QuestionCategory).where(
            QuestionCategory.organisation_id == organisation_id, QuestionCategory.name == name
        )
    )
    if category is None:
        category = QuestionCategory(organisation_id=organisation_id, name=name)
        db.add(category)
        db.flush()
    return category


def create_question(
    db: Session,
    organisation_id: int,
    category_id: int,
    qtype: str,
    name: str,
    text: str,
    data: dict[str, Any],
    *,
    general_feedback: str = "",
    default_mark: float = 1.0,
    image_id: int | None = None,
    tags: Iterable[str] = (),
    user_id: int | None = None,
) -> tuple[Question, QuestionVersion]:
    """A new question with its first version (texts must already be sanitised)."""
    question = Question(
        organisation_id=organisation_id,
        category_id=category_id,
        current_version=1,
        created_by_id=user_id,
    )
    db.add(question)
    db.flush()
    version = QuestionVersion(
        organisation_id=organisation_id,
        question_id=question.id,
        version=1,
        qtype=qtype,
        name=name,
        text=text,
        general_feedback=general_feedback,
        data_json=json.dumps(data, ensure_ascii=False),
        default_mark=default_mark,
        image_id=image_id,
        created_by_id=user_id,
    )
    db.add(version)
    set_tags(db, question, tags)
    db.flush()
    return question, version


def add_version(
    db: Session,
    question: Question,
    name: str,
    text: str,
    data: dict[str, Any],
    *,
    general_feedback: str = "",
    default_mark: float = 1.0,
    image_id: int | None = None,
    user_id: int | None = None,
    qtype: str | None = None,
) -> QuestionVersion:
    """Save an edit as the next version and make it current."""
    latest = db.scalar(
        select(func.max(QuestionVersion.version)).where(QuestionVersion.question_id == question.id)
    )
    current = current_version(db, question)
    version = QuestionVersion(
        organisation_id=question.organisation_id,
        question_id=question.id,
        version=(latest or 0) + 1,
        qtype=qtype or current.qtype,
        name=name,
        text=text,
        general_feedback=general_feedback,
        data_json=json.dumps(data, ensure_ascii=False),
        default_mark=default_mark,
        image_id=image_id,
        created_by_id=user_id,
    )
    db.add(version)
    db.flush()
    question.current_version = version.version
    db.flush()
    return version


def current_version(db: Session, question: Question) -> QuestionVersion:
    version = db.scalar(
        select(QuestionVersion).where(
            QuestionVersion.question_id == question.id,
            QuestionVersion.version == question.current_version,
        )
    )
    assert version is not None, f"question {question.id} has no version {question.current_version}"
    return version


def set_tags(db: Session, question: Question, tags: Iterable[str]) -> None:
    db.execute(delete(QuestionTag).where(QuestionTag.question_id == question.id))
    db.add_all(
        QuestionTag(organisation_id=question.organisation_id, question_id=question.id, tag=tag)
        for tag in dict.fromkeys(tags)
    )
    db.flush()


def tags_of(db: Session, question_ids: Iterable[int]) -> dict[int, list[str]]:
    ids = list(question_ids)
    found: dict[int, list[str]] = {}
    if not ids:
        return found
    for question_id, tag in db.execute(
        select(QuestionTag.question_id, QuestionTag.tag)
        .where(QuestionTag.question_id.in_(ids))
        .order_by(QuestionTag.tag)
    ):
        found.setdefault(question_id, []).append(tag)
    return found
