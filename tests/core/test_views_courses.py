"""Organisation admin: courses, sections (workshops), groups and enrolments."""

from __future__ import annotations

from datetime import UTC, datetime

from core import hookimpl
from core.contracts import PluginInfo
from core.models import AuditEvent, Course, Enrolment, Group, GroupMember, Section


def _admin(declic):
    org = declic.org("assoc")
    admin = declic.user(org, "admin", language="en")
    return org, declic.client(admin)


# --- courses ------------------------------------------------------------------------------------


def test_create_edit_and_delete_a_course_after_confirmation(declic):
    org, client = _admin(declic)
    response = declic.post(
        client, "/o/assoc/admin/courses/new", {"title": "Clic'Emploi", "summary": "4 ateliers"}
    )
    assert response.status_code == 303
    with declic.db() as db:
        course = db.query(Course).filter_by(organisation_id=org.id).one()
    assert (
        declic.post(
            client,
            f"/o/assoc/admin/courses/{course.id}/edit",
            {"title": "Clic'Emploi 2", "summary": ""},
        ).status_code
        == 303
    )
    assert declic.reload(Course, course.id).title == "Clic'Emploi 2"
    confirm = client.get(f"/o/assoc/admin/courses/{course.id}/delete")
    assert confirm.status_code == 200
    assert declic.count(Course) == 1  # asking is not deleting
    assert declic.post(client, f"/o/assoc/admin/courses/{course.id}/delete").status_code == 303
    assert declic.count(Course) == 0
    actions = {e.action for e in _events(declic)}
    assert {"course.created", "course.edited", "course.deleted"} <= actions


def _events(declic):
    with declic.db() as db:
        return db.query(AuditEvent).all()


def test_course_without_title_is_a_field_error(declic):
    _org, client = _admin(declic)
    response = declic.post(
        client, "/o/assoc/admin/courses/new", {"title": "  ", "summary": "kept text"}
    )
    assert response.status_code == 200
    assert 'id="e-title"' in response.text
    assert "kept text" in response.text
    assert declic.count(Course) == 0


# --- sections -----------------------------------------------------------------------------------


def test_add_edit_reorder_and_delete_sections(declic):
    org, client = _admin(declic)
    course = declic.course(org)
    base = f"/o/assoc/admin/courses/{course.id}/sections"
    for title, day in (("Prise en main", "2026-03-02"), ("Mon CV", "2026-03-09")):
        response = declic.post(
            client, base, {"title": title, "day": day, "hour": "09:30", "duration": "120"}
        )
        assert response.status_code == 303
    with declic.db() as db:
        sections = db.query(Section).filter_by(course_id=course.id).order_by(Section.position).all()
    assert [s.title for s in sections] == ["Prise en main", "Mon CV"]
    # 09:30 in Paris in March (winter time) is 08:30 UTC.
    assert sections[0].starts_at == datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    first, second = sections
    assert declic.post(client, f"{base}/{second.id}/move", {"direction": "up"}).status_code == 303
    with declic.db() as db:
        order = [
            s.id
            for s in db.query(Section).filter_by(course_id=course.id).order_by(Section.position)
        ]
    assert order == [second.id, first.id]
    edit = client.get(f"{base}/{first.id}")
    assert 'value="2026-03-02"' in edit.text and 'value="09:30"' in edit.text
    declic.post(
        client,
        f"{base}/{first.id}",
        {"title": "Prise en main", "day": "2026-07-01", "hour": "14:00", "duration": "90"},
    )
    edited = declic.reload(Section, first.id)
    assert edited.starts_at == datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # summer time: UTC+2
    assert edited.duration_minutes == 90
    assert declic.post(client, f"{base}/{first.id}/delete").status_code == 303
    assert declic.count(Section, course_id=course.id) == 1


def test_bad_section_date_and_duration_are_field_errors(declic):
    org, client = _admin(declic)
    course = declic.course(org)
    response = declic.post(
        client,
        f"/o/assoc/admin/courses/{course.id}/sections",
        {"title": "Atelier", "day": "2026-02-30", "hour": "09:00", "duration": "0"},
    )
    assert response.status_code == 200
    assert 'id="e-day"' in response.text
    assert 'id="e-duration"' in response.text
    assert 'id="e-hour"' not in response.text
    late = declic.post(
        client,
        f"/o/assoc/admin/courses/{course.id}/sections",
        {"title": "Atelier", "day": "2026-03-02", "hour": "25:00", "duration": "60"},
    )
    assert 'id="e-hour"' in late.text and 'id="e-day"' not in late.text
    assert 'value="Atelier"' in response.text
    assert declic.count(Section) == 0


def test_a_section_of_another_course_is_not_found_through_this_course(declic):
    org, client = _admin(declic)
    one = declic.course(org, "One", sections=1)
    two = declic.course(org, "Two")
    with declic.db() as db:
        sid = db.query(Section).filter_by(course_id=one.id).one().id
    response = declic.post(client, f"/o/assoc/admin/courses/{two.id}/sections/{sid}/delete")
    assert response.status_code == 404
    assert declic.count(Section) == 1


def test_trainer_runs_sections_only_of_the_courses_taught(declic):
    org = declic.org("assoc")
    trainer = declic.user(org, "trainer")
    taught, other = declic.course(org, "A"), declic.course(org, "B")
    declic.enrol(taught, trainer, "trainer")
    client = declic.client(trainer)
    assert (
        declic.post(
            client, f"/o/assoc/admin/courses/{taught.id}/sections", {"title": "S", "duration": "60"}
        ).status_code
        == 303
    )
    assert (
        declic.post(
            client, f"/o/assoc/admin/courses/{other.id}/sections", {"title": "S", "duration": "60"}
        ).status_code
        == 403
    )
    assert declic.count(Section, course_id=other.id) == 0


# --- groups -------------------------------------------------------------------------------------


def test_groups_take_only_people_enrolled_in_the_course(declic):
    org, client = _admin(declic)
    course = declic.course(org)
    enrolled = declic.user(org, "learner", display_name="Inside")
    outsider = declic.user(org, "learner", display_name="Outside")
    declic.enrol(course, enrolled)
    base = f"/o/assoc/admin/courses/{course.id}/groups"
    assert declic.post(client, base, {"name": "Mardi matin"}).status_code == 303
    with declic.db() as db:
        group = db.query(Group).one()
    page = client.get(f"{base}/{group.id}")
    assert "Inside" in page.text and "Outside" not in page.text
    declic.post(client, f"{base}/{group.id}/add", {"user_id": [str(enrolled.id), str(outsider.id)]})
    with declic.db() as db:
        assert [m.user_id for m in db.query(GroupMember).filter_by(group_id=group.id)] == [
            enrolled.id
        ]
    declic.post(client, f"{base}/{group.id}/remove", {"user_id": str(enrolled.id)})
    assert declic.count(GroupMember) == 0
    assert {"group.created", "group.members_added", "group.member_removed"} <= {
        e.action for e in _events(declic)
    }


def test_duplicate_group_name_is_a_field_error(declic):
    org, client = _admin(declic)
    course = declic.course(org)
    base = f"/o/assoc/admin/courses/{course.id}/groups"
    declic.post(client, base, {"name": "Groupe 1"})
    response = declic.post(client, base, {"name": "groupe 1"})
    assert response.status_code == 200
    assert 'id="e-name"' in response.text
    assert declic.count(Group) == 1


# --- enrolments -----------------------------------------------------------------------------------


class Listener:
    def __init__(self) -> None:
        self.events: list[tuple[str, int, str]] = []

    @hookimpl
    def declic_plugin_info(self):
        return PluginInfo(name="listener", version="1", description="hears enrolments")

    @hookimpl
    def declic_user_enrolled(self, db, enrolment):
        self.events.append(("enrolled", enrolment.user_id, enrolment.role))

    @hookimpl
    def declic_user_unenrolled(self, db, enrolment):
        self.events.append(("unenrolled", enrolment.user_id, enrolment.role))


def test_enrol_and_unenrol_emit_the_hooks_and_clear_groups(declic):
    org, client = _admin(declic)
    listener = Listener()
    declic.state.host.register(listener, "listener")
    declic.enable(org, "listener")
    course = declic.course(org)
    learner = declic.user(org, "learner")
    trainer = declic.user(org, "trainer")
    base = f"/o/assoc/admin/courses/{course.id}/enrolments"
    assert (
        declic.post(
            client, base + "/add", {"user_id": [str(learner.id)], "role": "learner"}
        ).status_code
        == 303
    )
    assert (
        declic.post(
            client, base + "/add", {"user_id": [str(trainer.id)], "role": "trainer"}
        ).status_code
        == 303
    )
    assert listener.events == [
        ("enrolled", learner.id, "learner"),
        ("enrolled", trainer.id, "trainer"),
    ]
    with declic.db() as db:
        group = Group(organisation_id=org.id, course_id=course.id, name="G")
        db.add(group)
        db.flush()
        db.add(GroupMember(organisation_id=org.id, group_id=group.id, user_id=learner.id))
        enrolment_id = db.query(Enrolment).filter_by(user_id=learner.id).one().id
    assert declic.post(client, f"{base}/{enrolment_id}/remove").status_code == 303
    assert listener.events[-1] == ("unenrolled", learner.id, "learner")
    assert declic.count(Enrolment, course_id=course.id) == 1
    assert declic.count(GroupMember) == 0
    assert declic.count(AuditEvent, action="enrolment.added") == 2
    assert declic.count(AuditEvent, action="enrolment.removed") == 1


def test_enrolling_someone_of_another_organisation_is_refused(declic):
    org, client = _admin(declic)
    course = declic.course(org)
    stranger = declic.user(declic.org("other"), "learner")
    response = declic.post(
        client,
        f"/o/assoc/admin/courses/{course.id}/enrolments/add",
        {"user_id": [str(stranger.id)], "role": "learner"},
    )
    assert response.status_code == 200
    assert 'id="e-user_id"' in response.text
    assert declic.count(Enrolment) == 0


def test_enrol_with_a_bad_role_keeps_the_ticks(declic):
    org, client = _admin(declic)
    course = declic.course(org)
    learner = declic.user(org, "learner")
    response = declic.post(
        client,
        f"/o/assoc/admin/courses/{course.id}/enrolments/add",
        {"user_id": [str(learner.id)], "role": "boss"},
    )
    assert response.status_code == 200
    assert 'id="e-role"' in response.text
    assert f'value="{learner.id}" checked' in response.text
    assert declic.count(Enrolment) == 0
