"""Who is expected at a session: the course's learners, or the group's members for a group
session. Trainers enrolled in the course are not on the roll."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Enrolment, GroupMember, User
from plugins.attendance.models import AttendanceSession


def roster(db: Session, session: AttendanceSession) -> list[User]:
    stmt = (
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(
            Enrolment.course_id == session.course_id,
            Enrolment.organisation_id == session.organisation_id,
            Enrolment.role == "learner",
        )
    )
    if session.group_id is not None:
        stmt = stmt.join(GroupMember, GroupMember.user_id == User.id).where(
            GroupMember.group_id == session.group_id
        )
    return list(db.scalars(stmt.order_by(User.display_name, User.id)))


def is_on_roster(db: Session, session: AttendanceSession, user_id: int) -> bool:
    return any(user.id == user_id for user in roster(db, session))


def user_group_ids(db: Session, organisation_id: int, user_id: int) -> set[int]:
    return set(
        db.scalars(
            select(GroupMember.group_id).where(
                GroupMember.user_id == user_id, GroupMember.organisation_id == organisation_id
            )
        )
    )
