"""Shared set-up for the attendance tests: an organisation with the plugin on, a course with a
trainer and learners (one with an Arabic name), and helpers to make sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from core.clock import now, set_offset
from core.models import Course, Group, GroupMember, Organisation, User
from core.testing import Kit
from plugins.attendance.checkin import new_code
from plugins.attendance.models import AttendanceSession


@dataclass
class World:
    org: Organisation
    course: Course
    trainer: User
    admin: User
    learners: list[User]


@pytest.fixture(autouse=True)
def _reset_clock() -> Any:
    yield
    set_offset(timedelta(0))


@pytest.fixture
def world(declic: Kit) -> World:
    org = declic.org("asso", name="Association Déclic")
    declic.enable(org, "attendance")
    course = declic.course(org, title="Clic'Emploi", sections=4)
    trainer = declic.user(org, "trainer", login="trainer", display_name="Éloïse Martin")
    admin = declic.user(org, "admin", login="admin", display_name="Admin")
    declic.enrol(course, trainer, "trainer")
    learners = []
    for login, name in (
        ("amelie", "Amélie Dupré"),
        ("fatima", "فاطمة الزهراء"),
        ("ngozi", "Ngozi Okafor"),
    ):
        learner = declic.user(org, "learner", login=login, display_name=name)
        declic.enrol(course, learner, "learner")
        learners.append(learner)
    return World(org, course, trainer, admin, learners)


def make_session(
    declic: Kit,
    world: World,
    starts_at: datetime | None = None,
    duration: int = 120,
    group_id: int | None = None,
    **fields: Any,
) -> AttendanceSession:
    with declic.db() as db:
        session = AttendanceSession(
            organisation_id=world.org.id,
            course_id=world.course.id,
            starts_at=starts_at or now(),
            duration_minutes=duration,
            place=fields.pop("place", "Salle 1"),
            trainer_id=world.trainer.id,
            group_id=group_id,
            checkin_code=fields.pop("checkin_code", None) or new_code(),
            **fields,
        )
        db.add(session)
    return session


def make_group(declic: Kit, world: World, name: str, members: list[User]) -> Group:
    with declic.db() as db:
        group = Group(organisation_id=world.org.id, course_id=world.course.id, name=name)
        db.add(group)
        db.flush()
        for member in members:
            db.add(GroupMember(organisation_id=world.org.id, group_id=group.id, user_id=member.id))
    return group


def base(world: World) -> str:
    return f"/o/{world.org.slug}/attendance"
