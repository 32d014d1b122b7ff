"""Helpers for the tests of the bank import/export: a comparable snapshot of a bank."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from sqlalchemy import select

from plugins.quiz.bank import tags_of
from plugins.quiz.interop import formats
from plugins.quiz.interop_bank import apply_plan, plan_import
from plugins.quiz.models import Question, QuestionCategory, QuestionVersion, QuizImage

_IMAGE_URL = re.compile(r"/o/[^/\"']+/quiz/images/(\d+)")


def import_bytes(declic: Any, org: Any, data: bytes, fmt: str, **options: Any) -> Any:
    """Plan and write an import in one transaction; returns the plan."""
    plan = plan_import(formats.parse(data, fmt), options.get("category"))  # type: ignore[arg-type]
    with declic.db() as db:
        apply_plan(db, org.id, org.slug, plan)
    return plan


def snapshot(declic: Any, org: Any) -> list[tuple[Any, ...]]:
    """Everything an export must keep, with image ids replaced by the pictures' content hash
    (ids differ between two imports of the same file)."""
    with declic.db() as db:
        digests = {
            image.id: hashlib.sha256(image.data).hexdigest()[:16]
            for image in db.scalars(select(QuizImage).where(QuizImage.organisation_id == org.id))
        }

        def norm(value: str) -> str:
            return _IMAGE_URL.sub(lambda m: "image:" + digests[int(m.group(1))], value)

        rows = db.execute(
            select(Question, QuestionVersion, QuestionCategory.name)
            .join(
                QuestionVersion,
                (QuestionVersion.question_id == Question.id)
                & (QuestionVersion.version == Question.current_version),
            )
            .join(QuestionCategory, QuestionCategory.id == Question.category_id)
            .where(Question.organisation_id == org.id)
        ).all()
        tags = tags_of(db, [q.id for q, _v, _c in rows])
        return sorted(
            (
                category,
                version.qtype,
                version.name,
                norm(version.text),
                norm(version.general_feedback),
                norm(version.data_json),
                version.default_mark,
                tuple(tags.get(question.id, [])),
                digests.get(version.image_id) if version.image_id else None,
            )
            for question, version, category in rows
        )
