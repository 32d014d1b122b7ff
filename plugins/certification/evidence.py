"""Evidence rows: written from quiz results, attendance and trainers' observations, read back
as the estimation model's items.

The event handlers accept any object with the attributes described in ``briefs/events.md``
(``QuizAttemptResult``/``QuizItemResult``, ``AttendanceTaken``/``AttendanceRecord``): the quiz and
attendance dataclasses are never imported, so this works whether those plugins are on or off.
"""

from __future__ import annotations

import logging
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.clock import now
from core.models import Section
from plugins.certification.catalogue import Catalogue, FrameworkError, UnknownTagError
from plugins.certification.estimation import (
    ATTENDANCE_WEIGHT,
    OBSERVATION_WEIGHT,
    Estimate,
    Item,
    estimate,
    recency_weight,
)
from plugins.certification.framework_files import load_catalogue
from plugins.certification.models import (
    Evidence,
    FrameworkFile,
    QuizCoverage,
    TagProblem,
    WorkshopMap,
)
from plugins.certification.readiness import Practice

log = logging.getLogger("declic.certification")

SOURCE_WEIGHTS = {"quiz": 1.0, "observation": OBSERVATION_WEIGHT, "attendance": ATTENDANCE_WEIGHT}


# --- the organisation's frameworks ------------------------------------------------------------


def org_framework_files(db: Session, organisation_id: int) -> tuple[tuple[str, str], ...]:
    rows = db.scalars(
        select(FrameworkFile)
        .where(FrameworkFile.organisation_id == organisation_id)
        .order_by(FrameworkFile.uploaded_at, FrameworkFile.id)
    )
    return tuple((row.name, row.content) for row in rows)


def org_catalogue(db: Session, organisation_id: int) -> Catalogue:
    """Built-in frameworks plus the organisation's files (cached on the files' text)."""
    files = org_framework_files(db, organisation_id)
    try:
        return load_catalogue(files)
    except FrameworkError:
        # Files are validated on upload; one that no longer fits (a built-in file changed since)
        # must not take the pages down: fall back to the built-in frameworks.
        log.exception("organisation %s: stored framework files no longer load", organisation_id)
        return load_catalogue()


# --- quiz -------------------------------------------------------------------------------------


def record_quiz_result(db: Session, catalogue: Catalogue, result: Any) -> int:
    """Replace the evidence of one attempt (graded again after a regrade: same rows, new values).

    Every tag is resolved; a tag in a framework's namespace that names nothing is recorded as a
    ``TagProblem`` on its question. Returns the number of evidence rows written."""
    org_id = result.organisation_id
    db.execute(
        delete(Evidence).where(
            Evidence.organisation_id == org_id,
            Evidence.source == "quiz",
            Evidence.attempt_id == result.attempt_id,
        )
    )
    written = 0
    covered: set[str] = set()
    for item in result.items:
        bad: list[str] = []
        for tag in item.tags:
            try:
                resolved = catalogue.resolve_tag(tag)
            except UnknownTagError as problem:
                _note_tag_problem(db, org_id, result, item, problem)
                bad.append(problem.tag[:120])
                continue
            if resolved is None:
                continue
            covered.add(resolved.key)
            if item.fraction is None:  # not graded yet (an essay waiting for the trainer)
                continue
            db.add(
                Evidence(
                    organisation_id=org_id,
                    user_id=result.user_id,
                    competence=resolved.key,
                    difficulty=resolved.difficulty,
                    outcome=max(0.0, min(1.0, float(item.fraction))),
                    source="quiz",
                    occurred_at=result.submitted_at,
                    label=f"{result.quiz_title} — {item.question_name}"[:300],
                    course_id=result.course_id,
                    quiz_id=result.quiz_id,
                    attempt_id=result.attempt_id,
                    question_id=item.question_id,
                )
            )
            written += 1
        # A tag corrected in the question bank stops being reported at the next grading.
        db.execute(
            delete(TagProblem).where(
                TagProblem.organisation_id == org_id,
                TagProblem.question_id == item.question_id,
                TagProblem.tag.not_in(bad),
            )
        )
    _note_coverage(db, org_id, result, covered)
    db.flush()
    return written


def _note_tag_problem(
    db: Session, org_id: int, result: Any, item: Any, problem: UnknownTagError
) -> None:
    row = db.scalar(
        select(TagProblem).where(
            TagProblem.organisation_id == org_id,
            TagProblem.question_id == item.question_id,
            TagProblem.tag == problem.tag[:120],
        )
    )
    if row is None:
        row = TagProblem(
            organisation_id=org_id, question_id=item.question_id, tag=problem.tag[:120]
        )
        db.add(row)
    row.quiz_id = result.quiz_id
    row.quiz_title = str(result.quiz_title)[:300]
    row.question_name = str(item.question_name)[:300]
    row.reason = problem.reason
    row.seen_at = now()


def _note_coverage(db: Session, org_id: int, result: Any, keys: set[str]) -> None:
    known = set(
        db.scalars(
            select(QuizCoverage.competence).where(
                QuizCoverage.organisation_id == org_id, QuizCoverage.quiz_id == result.quiz_id
            )
        )
    )
    for key in sorted(keys - known):
        db.add(
            QuizCoverage(
                organisation_id=org_id,
                course_id=result.course_id,
                quiz_id=result.quiz_id,
                quiz_title=str(result.quiz_title)[:300],
                competence=key,
            )
        )


# --- attendance -------------------------------------------------------------------------------


def _normalise(title: str) -> str:
    text = unicodedata.normalize("NFKD", title.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.replace("’", "'").split())


def section_codes(db: Session, catalogue: Catalogue, section: Section) -> tuple[str, ...]:
    """What a workshop covers: the trainer's mapping, else the programme's default by title."""
    row = db.scalar(select(WorkshopMap).where(WorkshopMap.section_id == section.id))
    if row is not None:
        return tuple(code for code in row.codes.split() if catalogue.knows(code))
    wanted = _normalise(section.title)
    for workshop in catalogue.workshops:
        if _normalise(workshop.title) == wanted:
            return workshop.codes
    return ()


def record_attendance(db: Session, catalogue: Catalogue, taken: Any) -> int:
    """Replace the attendance evidence of one session: one row per present learner and code."""
    org_id = taken.organisation_id
    db.execute(
        delete(Evidence).where(
            Evidence.organisation_id == org_id,
            Evidence.source == "attendance",
            Evidence.session_id == taken.session_id,
        )
    )
    if taken.section_id is None:
        return 0
    section = db.get(Section, taken.section_id)
    if section is None or section.organisation_id != org_id:
        return 0
    codes = section_codes(db, catalogue, section)
    written = 0
    for record in taken.records:
        if not record.present:
            continue  # absence is no evidence of not knowing
        for code in codes:
            fw = catalogue.framework_of(code)
            db.add(
                Evidence(
                    organisation_id=org_id,
                    user_id=record.user_id,
                    competence=code,
                    difficulty=fw.default_difficulty if fw else 1,
                    outcome=1.0,
                    source="attendance",
                    occurred_at=taken.starts_at,
                    label=section.title[:300],
                    given_by_id=taken.taken_by_id,
                    course_id=taken.course_id,
                    session_id=taken.session_id,
                    section_id=taken.section_id,
                )
            )
            written += 1
    db.flush()
    return written


# --- observations -----------------------------------------------------------------------------


def add_observation(
    db: Session,
    organisation_id: int,
    user_id: int,
    key: str,
    level: int,
    validated: bool,
    comment: str,
    given_by_id: int | None,
    course_id: int | None = None,
) -> Evidence:
    row = Evidence(
        organisation_id=organisation_id,
        user_id=user_id,
        competence=key,
        difficulty=level,
        outcome=1.0 if validated else 0.0,
        source="observation",
        occurred_at=now(),
        label="",
        comment=comment,
        given_by_id=given_by_id,
        course_id=course_id,
    )
    db.add(row)
    db.flush()
    return row


# --- reading back -----------------------------------------------------------------------------


def evidence_of(
    db: Session, organisation_id: int, user_ids: Iterable[int]
) -> dict[int, list[Evidence]]:
    """Every piece of evidence of these learners in this organisation, newest first."""
    ids = list(user_ids)
    out: dict[int, list[Evidence]] = defaultdict(list)
    if not ids:
        return out
    rows = db.scalars(
        select(Evidence)
        .where(Evidence.organisation_id == organisation_id, Evidence.user_id.in_(ids))
        .order_by(Evidence.occurred_at.desc(), Evidence.id.desc())
    )
    for row in rows:
        out[row.user_id].append(row)
    return out


def item_of(row: Evidence, moment: datetime, half_life_days: float) -> Item:
    weight = recency_weight(row.occurred_at, moment, half_life_days) * SOURCE_WEIGHTS.get(
        row.source, 1.0
    )
    return Item(row.difficulty, row.outcome, weight, proves=row.source != "attendance")


def estimates_from(
    rows: Iterable[Evidence], catalogue: Catalogue, moment: datetime, half_life_days: float
) -> dict[str, Estimate]:
    grouped: dict[str, list[Item]] = defaultdict(list)
    for row in rows:
        if catalogue.knows(row.competence):
            grouped[row.competence].append(item_of(row, moment, half_life_days))
    out = {}
    for key, items in grouped.items():
        fw = catalogue.framework_of(key)
        out[key] = estimate(items, fw.max_level if fw else 8)
    return out


def practice_from(
    rows: Iterable[Evidence], catalogue: Catalogue, moment: datetime, half_life_days: float
) -> dict[str, Practice]:
    """Recency-weighted share of right answers on questions tagged with a module itself."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for row in rows:
        fw = catalogue.framework_of(row.competence)
        if row.source != "quiz" or fw is None or fw.rule.type != "per_module":
            continue
        weight = recency_weight(row.occurred_at, moment, half_life_days)
        acc = sums[row.competence]
        acc[0] += weight * row.outcome
        acc[1] += weight
        acc[2] += 1
    return {
        key: Practice(share=acc[0] / acc[1] if acc[1] else 0.0, answers=int(acc[2]))
        for key, acc in sums.items()
    }
