"""An attempt's answers with the question versions they were given against, read as plain rows
for the pages a learner opens while answering (question page, summary, saves).

The ORM objects of ``answers_with_versions`` are right where marks are written (grading,
overrides, regrades); a page only reads. Loading 20 answers and 20 versions as ORM objects was
the largest single cost of the question page (about a quarter of its CPU, profiled with
``python -m bench._profile page``): identity map, instance state, then the commit walking 40
states. Columns into frozen dataclasses cost a fraction of that, and the statements are built
once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from plugins.quiz.models import AttemptAnswer, QuestionVersion


@dataclass(frozen=True, slots=True)
class VersionRow:
    """What a page needs of a question version (an immutable snapshot of a question)."""

    id: int
    qtype: str
    name: str
    text: str
    data_json: str
    image_id: int | None

    @property
    def data(self) -> dict[str, Any]:
        # Parsed on each use, like QuestionVersion.data: callers may change what they get.
        return json.loads(self.data_json or "{}")


@dataclass(frozen=True, slots=True)
class AnswerRow:
    """What a page needs of a saved answer."""

    slot: int
    response_json: str | None
    saved_at: datetime | None
    checked_at: datetime | None

    @property
    def response(self) -> dict[str, Any] | None:
        return json.loads(self.response_json) if self.response_json else None


_VERSION_COLUMNS = (
    QuestionVersion.id,
    QuestionVersion.qtype,
    QuestionVersion.name,
    QuestionVersion.text,
    QuestionVersion.data_json,
    QuestionVersion.image_id,
)

_ANSWERS = (
    select(
        AttemptAnswer.slot,
        AttemptAnswer.response_json,
        AttemptAnswer.saved_at,
        AttemptAnswer.checked_at,
        *_VERSION_COLUMNS,
    )
    .join(QuestionVersion, QuestionVersion.id == AttemptAnswer.question_version_id)
    .where(AttemptAnswer.attempt_id == bindparam("attempt_id"))
    .order_by(AttemptAnswer.slot)
)

_VERSION = select(*_VERSION_COLUMNS).where(QuestionVersion.id == bindparam("version_id"))


def answer_rows(db: Session, attempt_id: int) -> list[tuple[AnswerRow, VersionRow]]:
    """Every answer of the attempt, in slot order, with its question version (always read from
    the database: saves are single UPDATE statements, nothing here is stale)."""
    return [
        (AnswerRow(r[0], r[1], r[2], r[3]), VersionRow(r[4], r[5], r[6], r[7], r[8], r[9]))
        for r in db.execute(_ANSWERS, {"attempt_id": attempt_id})
    ]


def version_row(db: Session, version_id: int) -> VersionRow | None:
    row = db.execute(_VERSION, {"version_id": version_id}).first()
    return VersionRow(*row) if row is not None else None
