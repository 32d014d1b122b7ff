"""Data made for others: the demo seed (``declic demo``) and the contract check's sample."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import now
from core.models import Course, Enrolment, Organisation, Section, User
from plugins.attendance.checkin import new_code
from plugins.attendance.marking import mark
from plugins.attendance.models import AttendanceSession
from plugins.attendance.roster import roster
from plugins.attendance.statuses import by_key, ensure_statuses, max_points
from plugins.attendance.views.common import ZONE, local


def contract_sample(db: Session, organisation: Organisation, user: User) -> int | None:
    """A session of the learner's course, taken, with the learner present."""
    course_id = db.scalar(
        select(Enrolment.course_id).where(
            Enrolment.user_id == user.id, Enrolment.organisation_id == organisation.id
        )
    )
    if course_id is None:
        return None
    session = AttendanceSession(
        organisation_id=organisation.id,
        course_id=course_id,
        starts_at=now() - timedelta(days=1),
        duration_minutes=120,
        place="Salle 1",
        checkin_code=new_code(),
    )
    db.add(session)
    db.flush()
    statuses = ensure_statuses(db, organisation)
    present = by_key(statuses, "present")
    assert present is not None
    mark(db, session, user.id, present, max_points(statuses), actor_id=None)
    return session.id


def seed(db: Session, organisation: Organisation, users: dict[str, User]) -> None:
    """Sessions for each workshop of the demo courses; the past ones taken."""
    statuses = ensure_statuses(db, organisation)
    best = max_points(statuses)
    present, late, absent = (by_key(statuses, k) for k in ("present", "late", "absent"))
    current = now()
    today = local(current).date()
    courses = db.scalars(select(Course).where(Course.organisation_id == organisation.id)).all()
    for course in courses:
        trainer_id = db.scalar(
            select(Enrolment.user_id).where(
                Enrolment.course_id == course.id, Enrolment.role == "trainer"
            )
        )
        sections = db.scalars(
            select(Section).where(Section.course_id == course.id).order_by(Section.position)
        ).all()
        for index, section in enumerate(sections[:4]):
            # Two workshops already held, one running now (to try the roll call and the
            # check-in), one next week.
            day = today + timedelta(days=7 * (index - 2))
            at = time(local(current).hour) if index == 2 else time(9, 30)
            starts = section.starts_at or datetime.combine(day, at, tzinfo=ZONE)
            session = AttendanceSession(
                organisation_id=organisation.id,
                course_id=course.id,
                section_id=section.id,
                trainer_id=trainer_id,
                starts_at=starts,
                duration_minutes=section.duration_minutes or 180,
                place="Salle informatique",
                description=section.title,
                checkin_code=new_code(),
            )
            db.add(session)
            db.flush()
            if session.starts_at + timedelta(minutes=session.duration_minutes) > current:
                continue
            for number, learner in enumerate(roster(db, session)):
                status = (present, present, late, absent)[(number + index) % 4]
                if status is not None:
                    mark(db, session, learner.id, status, best, actor_id=trainer_id)
    db.flush()
