"""Organisation isolation: members of organisation B never reach organisation A's sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import now
from plugins.attendance.models import AbsenceWarning, AttendanceRecord
from plugins.attendance.tests.conftest import make_session


@pytest.fixture
def org_b(declic):
    org = declic.org("orgb", name="Autre association")
    declic.enable(org, "attendance")
    course = declic.course(org, title="Cours B")
    admin = declic.user(org, "admin", login="admin-b")
    trainer = declic.user(org, "trainer", login="trainer-b")
    learner = declic.user(org, "learner", login="learner-b")
    declic.enrol(course, trainer, "trainer")
    declic.enrol(course, learner, "learner")
    return org, admin, trainer, learner


def test_org_b_members_cannot_reach_org_a_sessions_by_id(declic, world, org_b):
    org, admin_b, trainer_b, learner_b = org_b
    session = make_session(declic, world, starts_at=now() - timedelta(minutes=5))
    with declic.db() as db:
        warning = AbsenceWarning(
            organisation_id=world.org.id,
            course_id=world.course.id,
            user_id=world.learners[0].id,
            kind="rate",
        )
        db.add(warning)
    b = f"/o/{org.slug}/attendance"
    gets = [
        f"{b}/session/{session.id}",
        f"{b}/session/{session.id}/qr",
        f"{b}/session/{session.id}/edit",
        f"{b}/session/{session.id}/qr/code",
        f"{b}/session/{session.id}/sheet.pdf",
        f"{b}/session/{session.id}/history/{world.learners[0].id}",
        f"{b}/course/{world.course.id}",
        f"{b}/course/{world.course.id}/report",
        f"{b}/course/{world.course.id}/report.csv",
        f"{b}/course/{world.course.id}/report.xlsx",
        f"{b}/course/{world.course.id}/learner/{world.learners[0].id}",
        f"{b}/course/{world.course.id}/new",
    ]
    posts = [
        (f"{b}/session/{session.id}/mark", {"user_id": world.learners[0].id, "status_id": 1}),
        (f"{b}/session/{session.id}/all-present", {}),
        (f"{b}/session/{session.id}/delete", {}),
        (f"{b}/session/{session.id}/edit", {"date": "2026-01-01", "start": "09:00"}),
        (f"{b}/course/{world.course.id}/from-sections", {}),
        (f"{b}/warnings/{warning.id}/dismiss", {}),
    ]
    for user in (admin_b, trainer_b):
        client = declic.client(user)
        for url in gets:
            assert client.get(url).status_code == 404, url
        for url, data in posts:
            assert declic.post(client, url, data).status_code == 404, url
    learner = declic.client(learner_b)
    assert declic.post(learner, f"{b}/checkin", {"code": session.checkin_code}).status_code == 400
    assert declic.post(learner, f"{b}/checkin/{session.id}", {"t": "x"}).status_code == 400
    # Through organisation A's URLs they are not members at all.
    a = f"/o/{world.org.slug}/attendance"
    assert declic.client(admin_b).get(f"{a}/session/{session.id}").status_code == 403
    assert declic.post(learner, f"{a}/checkin", {"code": session.checkin_code}).status_code == 403
    assert declic.count(AttendanceRecord) == 0
    assert declic.count(AbsenceWarning, dismissed_at=None) == 1


def test_a_trainer_of_another_course_cannot_take_or_read_this_one(declic, world):
    other = declic.course(world.org, title="Bureautique")
    stranger = declic.user(world.org, "trainer", login="stranger-trainer")
    declic.enrol(other, stranger, "trainer")
    session = make_session(declic, world)
    client = declic.client(stranger)
    a = f"/o/{world.org.slug}/attendance"
    assert client.get(f"{a}/session/{session.id}").status_code == 403
    assert client.get(f"{a}/course/{world.course.id}/report").status_code == 403
    assert client.get(f"{a}/session/{session.id}/sheet.pdf").status_code == 403
    assert declic.post(client, f"{a}/session/{session.id}/all-present").status_code == 403
    assert declic.count(AttendanceRecord) == 0
    index = client.get(f"{a}/")
    assert "Bureautique" in index.text and "Clic&#39;Emploi" not in index.text
