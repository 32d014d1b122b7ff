"""The roll call: one tap per status, mark all present, remarks, refusals, history, the event."""

from __future__ import annotations

from sqlalchemy import select

from core import hookimpl
from core.contracts import PluginInfo
from core.models import AuditEvent
from plugins.attendance.models import AttendanceRecord, AttendanceStatus, RecordChange
from plugins.attendance.tests.conftest import base, make_group, make_session


def _statuses(declic, world):
    with declic.db() as db:
        rows = db.scalars(
            select(AttendanceStatus).where(AttendanceStatus.organisation_id == world.org.id)
        ).all()
        return {r.key: r for r in rows}


def _records(declic, session):
    with declic.db() as db:
        rows = db.scalars(select(AttendanceRecord).where(AttendanceRecord.session_id == session.id))
        return {r.user_id: r for r in rows}


def test_the_roll_call_lists_the_learners_with_one_button_per_status(declic, world):
    session = make_session(declic, world)
    page = declic.client(world.trainer).get(f"{base(world)}/session/{session.id}")
    assert page.status_code == 200
    for learner in world.learners:
        assert learner.display_name in page.text
    for name in ("Présent", "En retard", "Excusé", "Absent"):
        assert f">{name}</button>" in page.text
    assert "Tous présents" in page.text
    assert "Éloïse Martin" not in page.text.split('class="rollcall"')[1]  # trainers are not on it


def test_mark_all_present_then_one_late_then_a_correction_with_history(declic, world):
    session = make_session(declic, world)
    statuses = _statuses(declic, world)
    trainer = declic.client(world.trainer)
    url = f"{base(world)}/session/{session.id}"
    assert declic.post(trainer, f"{url}/all-present").status_code == 303
    records = _records(declic, session)
    assert {r.status_name for r in records.values()} == {"Présent"}
    assert all(r.points == 2 and r.max_points == 2 for r in records.values())

    late = world.learners[1]
    response = declic.post(
        trainer,
        f"{url}/mark",
        {"user_id": late.id, "status_id": statuses["late"].id, "remark": "Bus en retard"},
    )
    assert response.status_code == 303
    # "Mark all present" again keeps the exception.
    declic.post(trainer, f"{url}/all-present")
    record = _records(declic, session)[late.id]
    assert (record.status_name, record.points, record.remark) == ("En retard", 1, "Bus en retard")

    # Later correction by an admin: late → excused.
    admin = declic.client(world.admin)
    declic.post(admin, f"{url}/mark", {"user_id": late.id, "status_id": statuses["excused"].id})
    record = _records(declic, session)[late.id]
    assert record.status_name == "Excusé" and record.remark == "Bus en retard"
    with declic.db() as db:
        changes = db.scalars(
            select(RecordChange)
            .where(RecordChange.record_id == record.id)
            .order_by(RecordChange.id)
        ).all()
        trail = [(c.old_status, c.new_status, c.changed_by_id) for c in changes]
        audited = db.scalars(
            select(AuditEvent.action).where(AuditEvent.target == f"session:{session.id}")
        ).all()
    assert trail == [
        ("", "Présent", world.trainer.id),
        ("Présent", "En retard", world.trainer.id),
        ("En retard", "Excusé", world.admin.id),
    ]
    assert audited.count("attendance.marked") == 2 and "attendance.all_present" in audited
    history = trainer.get(f"{url}/history/{late.id}")
    assert history.status_code == 200
    assert "Admin" in history.text and "Éloïse Martin" in history.text
    assert history.text.count("<tr>") == 4  # header + 3 changes


def test_the_same_tap_twice_writes_no_second_history_line(declic, world):
    session = make_session(declic, world)
    statuses = _statuses(declic, world)
    trainer = declic.client(world.trainer)
    data = {"user_id": world.learners[0].id, "status_id": statuses["present"].id}
    declic.post(trainer, f"{base(world)}/session/{session.id}/mark", data)
    declic.post(trainer, f"{base(world)}/session/{session.id}/mark", data)
    assert declic.count(RecordChange) == 1


def test_htmx_tap_answers_the_row_only(declic, world):
    session = make_session(declic, world)
    statuses = _statuses(declic, world)
    trainer = declic.client(world.trainer)
    learner = world.learners[2]
    response = declic.post(
        trainer,
        f"{base(world)}/session/{session.id}/mark",
        {"user_id": learner.id, "status_id": statuses["absent"].id},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<li id="u{learner.id}"')
    assert "<html" not in response.text
    assert 'aria-pressed="true"' in response.text and "— Absent" in response.text


def test_a_learner_not_in_the_session_is_refused_and_nothing_is_written(declic, world):
    group = make_group(declic, world, "Groupe A", world.learners[:1])
    session = make_session(declic, world, group_id=group.id)
    statuses = _statuses(declic, world)
    outsider = declic.user(world.org, "learner", login="outsider")
    trainer = declic.client(world.trainer)
    url = f"{base(world)}/session/{session.id}/mark"
    for user_id in (world.learners[1].id, outsider.id, world.trainer.id):
        response = declic.post(
            trainer, url, {"user_id": user_id, "status_id": statuses["present"].id}
        )
        assert response.status_code == 403
    assert declic.count(AttendanceRecord) == 0
    # The group's roll call lists only the group's members; all-present marks only them.
    page = trainer.get(f"{base(world)}/session/{session.id}")
    assert world.learners[0].display_name in page.text
    assert world.learners[1].display_name not in page.text
    declic.post(trainer, f"{base(world)}/session/{session.id}/all-present")
    assert set(_records(declic, session)) == {world.learners[0].id}


def test_a_retired_or_foreign_status_is_refused(declic, world):
    session = make_session(declic, world)
    statuses = _statuses(declic, world)
    other = declic.org("other")
    declic.enable(other, "attendance")
    with declic.db() as db:
        foreign = db.scalars(
            select(AttendanceStatus).where(AttendanceStatus.organisation_id == other.id)
        ).first()
        db.get(AttendanceStatus, statuses["excused"].id).active = False
    trainer = declic.client(world.trainer)
    url = f"{base(world)}/session/{session.id}/mark"
    for status_id in (foreign.id, statuses["excused"].id, "x"):
        response = declic.post(
            trainer, url, {"user_id": world.learners[0].id, "status_id": status_id}
        )
        assert response.status_code == 400
    assert declic.count(AttendanceRecord) == 0


def test_learners_cannot_take_the_roll_call(declic, world):
    session = make_session(declic, world)
    statuses = _statuses(declic, world)
    learner = declic.client(world.learners[0])
    assert learner.get(f"{base(world)}/session/{session.id}").status_code == 403
    response = declic.post(
        learner,
        f"{base(world)}/session/{session.id}/mark",
        {"user_id": world.learners[0].id, "status_id": statuses["present"].id},
    )
    assert response.status_code == 403
    assert declic.count(AttendanceRecord) == 0


class Listener:
    """A plugin that hears declic_attendance_taken (as certification would)."""

    def __init__(self) -> None:
        self.heard = []

    @hookimpl
    def declic_plugin_info(self):
        return PluginInfo(name="listener", version="1.0", description="test listener")

    @hookimpl
    def declic_attendance_taken(self, db, taken):
        self.heard.append(taken)


class Broken:
    @hookimpl
    def declic_plugin_info(self):
        return PluginInfo(name="broken", version="1.0", description="fails on purpose")

    @hookimpl
    def declic_attendance_taken(self, db, taken):
        raise RuntimeError("listener failure")


def test_each_change_announces_the_sessions_full_records(declic, world, declic_register):
    listener = declic_register(Listener(), "listener")
    declic_register(Broken(), "broken")
    declic.enable(world.org, "listener")
    declic.enable(world.org, "broken")
    session = make_session(declic, world)
    statuses = _statuses(declic, world)
    trainer = declic.client(world.trainer)
    url = f"{base(world)}/session/{session.id}"
    assert declic.post(trainer, f"{url}/all-present").status_code == 303
    response = declic.post(
        trainer, f"{url}/mark", {"user_id": world.learners[0].id, "status_id": statuses["late"].id}
    )
    assert response.status_code == 303  # the broken listener did not break the roll call
    assert len(listener.heard) == 2
    taken = listener.heard[-1]
    assert taken.session_id == session.id and taken.course_id == world.course.id
    assert taken.organisation_id == world.org.id and taken.taken_by_id == world.trainer.id
    assert len(taken.records) == 3
    first = next(r for r in taken.records if r.user_id == world.learners[0].id)
    assert (first.status, first.points, first.max_points, first.present) == (
        "En retard",
        1,
        2,
        True,
    )
    assert _records(declic, session)[world.learners[0].id].status_name == "En retard"


def test_the_event_is_not_heard_by_a_plugin_switched_off(declic, world, declic_register):
    listener = declic_register(Listener(), "listener")
    session = make_session(declic, world)
    declic.post(declic.client(world.trainer), f"{base(world)}/session/{session.id}/all-present")
    assert listener.heard == []


def test_two_trainers_marking_the_same_learner_the_first_wins_the_second_is_told(declic, world):
    """Both pages showed the learner unmarked; the second tap does not overwrite the first."""
    session = make_session(declic, world)
    statuses = _statuses(declic, world)
    url = f"{base(world)}/session/{session.id}/mark"
    learner = world.learners[0]
    first = declic.client(world.trainer)
    second = declic.client(world.admin)
    seen = {"user_id": learner.id, "seen": ""}
    assert declic.post(first, url, {**seen, "status_id": statuses["late"].id}).status_code == 303
    refused = declic.post(second, url, {**seen, "status_id": statuses["absent"].id})
    assert refused.status_code == 409
    assert "En retard" in refused.text and "Rien n’a été changé" in refused.text
    assert _records(declic, session)[learner.id].status_name == "En retard"
    # With htmx, the row comes back as it is now, with the reason, so the trainer sees the mark.
    row = declic.post(
        second,
        url,
        {**seen, "status_id": statuses["absent"].id},
        headers={"HX-Request": "true"},
    )
    assert row.status_code == 200 and 'role="alert"' in row.text
    assert 'aria-pressed="true"' in row.text and "En retard" in row.text
    assert _records(declic, session)[learner.id].status_name == "En retard"
    # Having seen the new mark, the second trainer may change it.
    seen_now = {"user_id": learner.id, "seen": statuses["late"].id}
    changed = declic.post(second, url, {**seen_now, "status_id": statuses["absent"].id})
    assert changed.status_code == 303
    assert _records(declic, session)[learner.id].status_name == "Absent"
