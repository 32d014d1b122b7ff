"""Planning sessions through the form: single, repeated, field errors, per workshop, rights."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from core.models import Section
from plugins.attendance.models import AttendanceSession
from plugins.attendance.tests.conftest import base, make_group


def _form(**overrides):
    data = {
        "group_id": "",
        "date": "2026-03-02",
        "start": "09:30",
        "duration": "180",
        "place": "Salle 2",
        "trainer_id": "",
        "description": "",
    }
    data.update(overrides)
    return data


def _sessions(declic, world):
    with declic.db() as db:
        return db.scalars(
            select(AttendanceSession)
            .where(AttendanceSession.course_id == world.course.id)
            .order_by(AttendanceSession.starts_at)
        ).all()


def test_a_single_session_in_paris_time(declic, world):
    trainer = declic.client(world.trainer)
    url = f"{base(world)}/course/{world.course.id}/new"
    response = declic.post(trainer, url, _form(trainer_id=str(world.trainer.id)))
    assert response.status_code == 303, response.text
    assert "made=1" in response.headers["location"]
    [session] = _sessions(declic, world)
    assert session.starts_at == datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    assert session.duration_minutes == 180
    assert session.place == "Salle 2"
    assert session.trainer_id == world.trainer.id
    assert len(session.checkin_code) == 6
    page = trainer.get(response.headers["location"])
    assert "1 séance planifiée." in page.text


def test_repeated_on_weekdays_every_two_weeks_until_a_date(declic, world):
    trainer = declic.client(world.trainer)
    data = _form(repeat="1", every_weeks="2", until="2026-03-31")
    data["weekday"] = ["0", "2"]
    response = declic.post(trainer, f"{base(world)}/course/{world.course.id}/new", data)
    assert response.status_code == 303, response.text
    sessions = _sessions(declic, world)
    assert [s.starts_at.date().isoformat() for s in sessions] == [
        "2026-03-02",
        "2026-03-04",
        "2026-03-16",
        "2026-03-18",
        "2026-03-30",
    ]
    # Paris switches to summer time on 29 March: 9:30 local is 7:30 UTC on the 30th.
    assert sessions[-1].starts_at.hour == 7 and sessions[0].starts_at.hour == 8
    assert {s.series_id for s in sessions} == {sessions[0].id}
    assert len({s.checkin_code for s in sessions}) == 5


def test_end_before_start_is_a_field_error_and_nothing_is_written(declic, world):
    trainer = declic.client(world.trainer)
    payload = _form(repeat="1", until="2026-03-01", place="Salle 9", weekday=["0"])
    response = declic.post(trainer, f"{base(world)}/course/{world.course.id}/new", payload)
    assert response.status_code == 400
    assert 'id="e-until"' in response.text
    assert "La date de fin est avant la première séance." in response.text
    assert 'value="Salle 9"' in response.text  # the form is refilled
    assert _sessions(declic, world) == []


def test_more_than_200_occurrences_is_a_field_error(declic, world):
    trainer = declic.client(world.trainer)
    payload = _form(repeat="1", until="2027-12-31", weekday=[str(d) for d in range(7)])
    response = declic.post(trainer, f"{base(world)}/course/{world.course.id}/new", payload)
    assert response.status_code == 400
    assert "plus de 200 séances" in response.text
    assert _sessions(declic, world) == []


def test_bad_fields_are_each_reported(declic, world):
    trainer = declic.client(world.trainer)
    response = declic.post(
        trainer,
        f"{base(world)}/course/{world.course.id}/new",
        _form(date="", start="25:99", duration="0", group_id="999999", trainer_id="999999"),
    )
    assert response.status_code == 400
    for name in ("date", "start", "duration", "group_id", "trainer_id"):
        assert f'id="e-{name}"' in response.text, name
    assert _sessions(declic, world) == []


def test_a_session_for_a_group(declic, world):
    group = make_group(declic, world, "Lundi matin", world.learners[:1])
    trainer = declic.client(world.trainer)
    response = declic.post(
        trainer, f"{base(world)}/course/{world.course.id}/new", _form(group_id=str(group.id))
    )
    assert response.status_code == 303
    [session] = _sessions(declic, world)
    assert session.group_id == group.id


def test_one_session_per_workshop_in_one_step(declic, world):
    with declic.db() as db:
        sections = db.scalars(
            select(Section).where(Section.course_id == world.course.id).order_by(Section.position)
        ).all()
        first = datetime(2026, 4, 7, 7, 30, tzinfo=UTC)
        for index, section in enumerate(sections[:3]):
            db.execute(
                update(Section)
                .where(Section.id == section.id)
                .values(starts_at=first + timedelta(days=7 * index), duration_minutes=150)
            )
        section_ids = [s.id for s in sections]
    trainer = declic.client(world.trainer)
    url = f"{base(world)}/course/{world.course.id}/from-sections"
    response = declic.post(trainer, url, {"place": "Médiathèque"})
    assert response.status_code == 303
    assert "made=3" in response.headers["location"] and "skipped=1" in response.headers["location"]
    sessions = _sessions(declic, world)
    assert [s.section_id for s in sessions] == section_ids[:3]
    assert all(s.place == "Médiathèque" and s.duration_minutes == 150 for s in sessions)
    assert sessions[0].starts_at == first
    page = trainer.get(response.headers["location"])
    assert "3 séances planifiées." in page.text and "1 atelier n" in page.text
    # A second run adds nothing: each workshop already has its session.
    declic.post(trainer, url, {"place": ""})
    assert len(_sessions(declic, world)) == 3


def test_a_trainer_plans_only_in_the_courses_they_teach(declic, world):
    other = declic.course(world.org, title="Autre formation")
    trainer = declic.client(world.trainer)
    response = declic.post(trainer, f"{base(world)}/course/{other.id}/new", _form())
    assert response.status_code == 403
    admin = declic.client(world.admin)
    assert declic.post(admin, f"{base(world)}/course/{other.id}/new", _form()).status_code == 303
    learner = declic.client(world.learners[0])
    response = declic.post(learner, f"{base(world)}/course/{world.course.id}/new", _form())
    assert response.status_code == 403


def test_deleting_a_session(declic, world):
    trainer = declic.client(world.trainer)
    declic.post(trainer, f"{base(world)}/course/{world.course.id}/new", _form())
    [session] = _sessions(declic, world)
    response = declic.post(trainer, f"{base(world)}/session/{session.id}/delete")
    assert response.status_code == 303
    assert _sessions(declic, world) == []


def test_a_session_whose_attendance_was_taken_cannot_be_deleted(declic, world):
    from plugins.attendance.tests.conftest import make_session

    session = make_session(declic, world)
    trainer = declic.client(world.trainer)
    declic.post(trainer, f"{base(world)}/session/{session.id}/all-present")
    response = declic.post(trainer, f"{base(world)}/session/{session.id}/delete")
    assert response.status_code == 409
    assert len(_sessions(declic, world)) == 1


def test_changing_one_session(declic, world):
    from plugins.attendance.tests.conftest import make_session

    session = make_session(declic, world)
    trainer = declic.client(world.trainer)
    url = f"{base(world)}/session/{session.id}/edit"
    form = trainer.get(url)
    assert form.status_code == 200
    assert 'value="Salle 1"' in form.text and 'name="repeat"' not in form.text
    bad = declic.post(trainer, url, _form(date="2026-13-01", place="Salle 7"))
    assert bad.status_code == 400 and 'id="e-date"' in bad.text and 'value="Salle 7"' in bad.text
    response = declic.post(trainer, url, _form(date="2026-06-15", start="14:00", place="Salle 7"))
    assert response.status_code == 303
    [changed] = _sessions(declic, world)
    assert changed.starts_at == datetime(2026, 6, 15, 12, 0, tzinfo=UTC)  # summer time
    assert changed.place == "Salle 7" and changed.checkin_code == session.checkin_code
    # Repeat fields sent anyway change one session only.
    declic.post(trainer, url, _form(repeat="1", until="2026-12-31", weekday=["0"]))
    assert len(_sessions(declic, world)) == 1
    other = declic.user(world.org, "trainer", login="other-editor")
    assert declic.post(declic.client(other), url, _form()).status_code == 403
