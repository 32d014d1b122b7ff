"""Report data: per session, per learner, per course or group (queries here, numbers in rates)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.models import Enrolment, Group, GroupMember, User
from plugins.attendance.models import AttendanceRecord, AttendanceSession, AttendanceStatus
from plugins.attendance.rates import RateSummary, SessionOutcome, summarise
from plugins.attendance.statuses import max_points


@dataclass
class LearnerLine:
    """One planned session as one learner sees it."""

    session: AttendanceSession
    record: AttendanceRecord | None
    outcome: SessionOutcome


@dataclass
class LearnerReport:
    user: User
    lines: list[LearnerLine]
    summary: RateSummary
    counts: dict[str, int] = field(default_factory=dict)
    left: bool = False  # no longer on the course's roll


def course_sessions(
    db: Session, organisation_id: int, course_id: int, group_id: int | None = None
) -> list[AttendanceSession]:
    """The course's sessions; with ``group_id``, the whole-course ones and that group's."""
    stmt = select(AttendanceSession).where(
        AttendanceSession.organisation_id == organisation_id,
        AttendanceSession.course_id == course_id,
    )
    if group_id is not None:
        stmt = stmt.where(
            or_(AttendanceSession.group_id.is_(None), AttendanceSession.group_id == group_id)
        )
    return list(db.scalars(stmt.order_by(AttendanceSession.starts_at, AttendanceSession.id)))


def sessions_for_learner(
    sessions: list[AttendanceSession], group_ids: set[int]
) -> list[AttendanceSession]:
    return [s for s in sessions if s.group_id is None or s.group_id in group_ids]


def _outcome(
    session: AttendanceSession, record: AttendanceRecord | None, best: float
) -> SessionOutcome:
    if record is not None:
        return SessionOutcome(
            taken=True,
            max_points=record.max_points,
            points=record.points,
            absent=record.points <= 0,
        )
    return SessionOutcome(taken=session.taken_at is not None, max_points=best)


def learner_reports(
    db: Session,
    organisation_id: int,
    course_id: int,
    statuses: list[AttendanceStatus],
    group_id: int | None = None,
    user_ids: list[int] | None = None,
    include_former: bool = True,
) -> list[LearnerReport]:
    """One report per learner of the course (or group, or the given users), in name order.

    Learners who left the course but were marked in its sessions are included (``left``) unless
    ``include_former`` is false: their attendance stays reportable, as on the sheets."""
    best = max_points(statuses)
    sessions = course_sessions(db, organisation_id, course_id, group_id)
    stmt = (
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(
            Enrolment.course_id == course_id,
            Enrolment.organisation_id == organisation_id,
            Enrolment.role == "learner",
        )
    )
    if group_id is not None:
        stmt = stmt.join(GroupMember, GroupMember.user_id == User.id).where(
            GroupMember.group_id == group_id
        )
    if user_ids is not None:
        stmt = stmt.where(User.id.in_(user_ids))
    users = list(db.scalars(stmt.order_by(User.display_name, User.id)))
    former = (
        _former_learners(db, organisation_id, sessions, group_id, {u.id for u in users}, user_ids)
        if include_former
        else []
    )
    users = sorted([*users, *former], key=lambda u: (u.display_name, u.id))
    left = {u.id for u in former}
    if not users:
        return []
    memberships: dict[int, set[int]] = {}
    for gid, uid in db.execute(
        select(GroupMember.group_id, GroupMember.user_id)
        .join(Group, Group.id == GroupMember.group_id)
        .where(Group.course_id == course_id, GroupMember.user_id.in_([u.id for u in users]))
    ):
        memberships.setdefault(uid, set()).add(gid)
    records: dict[tuple[int, int], AttendanceRecord] = {}
    if sessions:
        for found in db.scalars(
            select(AttendanceRecord).where(
                AttendanceRecord.organisation_id == organisation_id,
                AttendanceRecord.session_id.in_([s.id for s in sessions]),
                AttendanceRecord.user_id.in_([u.id for u in users]),
            )
        ):
            records[(found.session_id, found.user_id)] = found
    reports = []
    for user in users:
        lines = []
        counts: dict[str, int] = {}
        # A learner who left the course is reported on the sessions they were marked in only.
        mine = sessions_for_learner(sessions, memberships.get(user.id, set()))
        if user.id in left:
            mine = [s for s in sessions if (s.id, user.id) in records]
        for session in mine:
            record = records.get((session.id, user.id))
            lines.append(LearnerLine(session, record, _outcome(session, record, best)))
            if record is not None:
                counts[record.status_name] = counts.get(record.status_name, 0) + 1
        reports.append(
            LearnerReport(
                user, lines, summarise(line.outcome for line in lines), counts, user.id in left
            )
        )
    return reports


def _former_learners(
    db: Session,
    organisation_id: int,
    sessions: list[AttendanceSession],
    group_id: int | None,
    current: set[int],
    user_ids: list[int] | None,
) -> list[User]:
    """People marked in these sessions who are no longer on the course's (or group's) roll."""
    wanted = [s.id for s in sessions if group_id is None or s.group_id == group_id]
    if not wanted:
        return []
    stmt = (
        select(User)
        .join(AttendanceRecord, AttendanceRecord.user_id == User.id)
        .where(
            AttendanceRecord.organisation_id == organisation_id,
            AttendanceRecord.session_id.in_(wanted),
        )
        .distinct()
    )
    if user_ids is not None:
        stmt = stmt.where(User.id.in_(user_ids))
    return [u for u in db.scalars(stmt) if u.id not in current]


@dataclass
class SessionSummary:
    """One session across the learners of a report: how many had each status."""

    session: AttendanceSession
    expected: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    points: float = 0.0
    max_points: float = 0.0

    @property
    def marked(self) -> int:
        return sum(self.counts.values())

    @property
    def rate(self) -> float | None:
        """Points earned over points possible, once the roll call was taken."""
        if self.session.taken_at is None or self.max_points <= 0:
            return None
        return self.points / self.max_points


def per_session(reports: list[LearnerReport]) -> list[SessionSummary]:
    """Fold the learners' lines into one summary per session, in date order."""
    summaries: dict[int, SessionSummary] = {}
    for report in reports:
        for line in report.lines:
            summary = summaries.setdefault(line.session.id, SessionSummary(line.session))
            summary.expected += 1
            summary.max_points += line.outcome.max_points
            if line.record is not None:
                name = line.record.status_name
                summary.counts[name] = summary.counts.get(name, 0) + 1
                summary.points += line.record.points
    return sorted(summaries.values(), key=lambda s: (s.session.starts_at, s.session.id))
