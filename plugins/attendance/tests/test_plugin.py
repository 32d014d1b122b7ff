"""The plugin as a whole: contract check, defaults on switch-on, switch-off, demo data, privacy."""

from __future__ import annotations

from sqlalchemy import select

from core.models import Organisation, Section, User
from core.testing import assert_plugin_contract
from plugins.attendance import plugin
from plugins.attendance.models import (
    AbsenceWarning,
    AttendanceRecord,
    AttendanceSession,
    AttendanceStatus,
    RecordChange,
)
from plugins.attendance.tests.conftest import base, make_session


def test_the_plugin_passes_the_contract_check(declic):
    assert_plugin_contract(declic, "attendance")


def test_switching_on_creates_the_default_statuses_in_the_organisations_language(declic):
    org = declic.org("statuses")
    declic.enable(org, "attendance")
    with declic.db() as db:
        rows = db.scalars(
            select(AttendanceStatus)
            .where(AttendanceStatus.organisation_id == org.id)
            .order_by(AttendanceStatus.position)
        ).all()
        assert [(r.name, r.points) for r in rows] == [
            ("Présent", 2),
            ("En retard", 1),
            ("Excusé", 1),
            ("Absent", 0),
        ]
    # Switching off and on again does not duplicate them.
    declic.disable(org, "attendance")
    declic.enable(org, "attendance")
    assert declic.count(AttendanceStatus, organisation_id=org.id) == 4


def test_switched_off_every_route_answers_404(declic, world):
    session = make_session(declic, world)
    trainer = declic.client(world.trainer)
    url = f"{base(world)}/session/{session.id}"
    assert trainer.get(url).status_code == 200
    declic.disable(world.org, "attendance")
    assert trainer.get(url).status_code == 404
    assert trainer.get(f"{base(world)}/").status_code == 404
    learner = declic.client(world.learners[0])
    assert learner.get(f"{base(world)}/my").status_code == 404
    response = declic.post(learner, f"{base(world)}/checkin", {"code": session.checkin_code})
    assert response.status_code == 404
    assert declic.count(AttendanceRecord) == 0
    # The home page still renders, without the plugin's widget.
    home = learner.get(f"/o/{world.org.slug}/")
    assert home.status_code == 200
    assert "/attendance/" not in home.text


def test_demo_data_plans_the_four_workshops_and_takes_the_past_ones(declic, world):
    with declic.db() as db:
        org = db.get(Organisation, world.org.id)
        plugin.declic_demo_data(db=db, organisation=org, users={})
    with declic.db() as db:
        sessions = db.scalars(
            select(AttendanceSession)
            .where(AttendanceSession.course_id == world.course.id)
            .order_by(AttendanceSession.starts_at)
        ).all()
        sections = db.scalars(select(Section).where(Section.course_id == world.course.id)).all()
        assert {s.section_id for s in sessions} == {s.id for s in sections}
        taken = [s for s in sessions if s.taken_at is not None]
    assert len(taken) == 2
    assert declic.count(AttendanceRecord) == 2 * len(world.learners)


def test_privacy_export_then_delete_leaves_nothing_of_the_learner(declic, world):
    with declic.db() as db:
        org = db.get(Organisation, world.org.id)
        learner = db.get(User, world.learners[0].id)
        session_id = plugin.declic_contract_sample_data(db=db, organisation=org, user=learner)
        db.add(
            AbsenceWarning(
                organisation_id=org.id, course_id=world.course.id, user_id=learner.id, kind="rate"
            )
        )
    assert session_id is not None
    with declic.db() as db:
        learner = db.get(User, world.learners[0].id)
        exported = plugin.declic_privacy_export(db=db, user=learner)
        assert exported is not None
        assert exported["records"][0]["status"] == "Présent"
        assert len(exported["warnings"]) == 1
        plugin.declic_privacy_delete(db=db, user=learner)
    with declic.db() as db:
        learner = db.get(User, world.learners[0].id)
        assert plugin.declic_privacy_export(db=db, user=learner) is None
    assert declic.count(AttendanceRecord, user_id=world.learners[0].id) == 0
    assert declic.count(RecordChange) == 0
    assert declic.count(AbsenceWarning) == 0


def test_privacy_delete_of_a_trainer_keeps_the_learners_records_without_naming_them(declic, world):
    session = make_session(declic, world)
    trainer = declic.client(world.trainer)
    declic.post(trainer, f"{base(world)}/session/{session.id}/all-present")
    with declic.db() as db:
        plugin.declic_privacy_delete(db=db, user=db.get(User, world.trainer.id))
    with declic.db() as db:
        assert plugin.declic_privacy_export(db=db, user=db.get(User, world.trainer.id)) is None
        records = db.scalars(select(AttendanceRecord)).all()
        assert len(records) == 3
        assert all(r.marked_by_id is None for r in records)
        assert db.get(AttendanceSession, session.id).trainer_id is None


def test_menu_and_section_activities(declic, world):
    with declic.db() as db:
        section = db.scalars(
            select(Section).where(Section.course_id == world.course.id).order_by(Section.position)
        ).first()
    session = make_session(declic, world, section_id=section.id)
    trainer = declic.client(world.trainer)
    assert f'href="{base(world)}/"' in trainer.get(f"/o/{world.org.slug}/").text
    course_page = trainer.get(f"/o/{world.org.slug}/courses/{world.course.id}")
    assert course_page.status_code == 200
    assert f"{base(world)}/session/{session.id}" in course_page.text
    add_url = f"{base(world)}/course/{world.course.id}/new?section_id={section.id}"
    assert add_url in course_page.text
    form = trainer.get(add_url)
    assert f'<option value="{section.id}" selected>' in form.text
    learner = declic.client(world.learners[0])
    assert f'href="{base(world)}/my"' in learner.get(f"/o/{world.org.slug}/").text
    learner_course = learner.get(f"/o/{world.org.slug}/courses/{world.course.id}")
    assert f"{base(world)}/my" in learner_course.text
    assert f"{base(world)}/session/{session.id}" not in learner_course.text
    assert add_url not in learner_course.text


def test_settings_through_the_organisations_plugin_page(declic, world):
    admin = declic.client(world.admin)
    url = f"/o/{world.org.slug}/admin/plugins/attendance/settings"
    values = {
        "checkin_enabled": "1",
        "qr_step_seconds": "30",
        "open_before_minutes": "10",
        "late_after_minutes": "5",
        "allowed_networks": "192.168.1.0/33",
        "warn_consecutive": "2",
        "warn_rate_percent": "60",
        "warn_rate_after": "3",
    }
    refused = declic.post(admin, url, values)
    assert refused.status_code == 400
    assert "Adresse réseau invalide" in refused.text
    values["allowed_networks"] = "192.168.1.0/24\n10.0.0.0/8"
    assert declic.post(admin, url, values).status_code == 303
    from plugins.attendance.settings import org_settings

    with declic.db() as db:
        stored = org_settings(db, world.org.id)
    assert stored["qr_step_seconds"] == 30 and stored["warn_consecutive"] == 2
    assert stored["allowed_networks"] == "192.168.1.0/24\n10.0.0.0/8"
    session = make_session(declic, world)
    learner = declic.client(world.learners[0])  # the test client is not on those networks
    response = declic.post(learner, f"{base(world)}/checkin", {"code": session.checkin_code})
    assert response.status_code == 403
