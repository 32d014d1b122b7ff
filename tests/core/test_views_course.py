"""The course page: sections with date and time, plugins' activities, "add an activity" links."""

from __future__ import annotations

from datetime import UTC, datetime

from core import hookimpl
from core.contracts import Activity, ActivityType, PluginInfo
from core.models import Section


class ActivityPlugin:
    def __init__(self) -> None:
        self.calls: list[tuple[int, list[int]]] = []

    @hookimpl
    def declic_plugin_info(self):
        return PluginInfo(name="acts", version="1.0", description="test activities")

    @hookimpl
    def declic_section_activities(self, ctx, course_id, section_ids):
        self.calls.append((course_id, list(section_ids)))
        return [
            Activity(section_id=sid, title=f"Quiz of {sid}", url=f"/x/{sid}", kind="quiz")
            for sid in section_ids
        ]

    @hookimpl
    def declic_activity_types(self, ctx):
        return [
            ActivityType(
                name="quiz",
                label="A quiz",
                create_url=lambda org, course, section: f"/o/{org}/acts/new?c={course}&s={section}",
            )
        ]


def _setup(declic):
    org = declic.org("assoc")
    course = declic.course(org, "Clic'Emploi", sections=3)
    plugin = ActivityPlugin()
    declic.state.host.register(plugin, "acts")
    declic.enable(org, "acts")
    return org, course, plugin


def test_learner_sees_sections_with_date_and_activities_from_one_hook_call(declic):
    org, course, plugin = _setup(declic)
    with declic.db() as db:
        first = db.query(Section).filter_by(course_id=course.id).order_by(Section.position).first()
        first.starts_at = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
        first.duration_minutes = 120
        first_id = first.id
    learner = declic.user(org, "learner")
    declic.enrol(course, learner)
    page = declic.client(learner).get(f"/o/assoc/courses/{course.id}")
    assert page.status_code == 200
    assert "Workshop 1" in page.text and "Workshop 3" in page.text
    assert 'datetime="2026-03-02T08:30:00+00:00"' in page.text
    assert "09:30" in page.text  # shown in local time (Paris, winter)
    assert f"Quiz of {first_id}" in page.text
    assert len(plugin.calls) == 1
    assert len(plugin.calls[0][1]) == 3
    # Learners get no "add an activity" links.
    assert "/acts/new" not in page.text


def test_trainer_of_the_course_gets_add_activity_links_per_section(declic):
    org, course, _plugin = _setup(declic)
    trainer = declic.user(org, "trainer")
    declic.enrol(course, trainer, "trainer")
    page = declic.client(trainer).get(f"/o/assoc/courses/{course.id}")
    assert page.text.count("/o/assoc/acts/new?c=") == 3


def test_learner_not_enrolled_is_refused(declic):
    org = declic.org("assoc")
    course = declic.course(org)
    learner = declic.user(org, "learner")
    response = declic.client(learner).get(f"/o/assoc/courses/{course.id}")
    assert response.status_code == 403


def test_activities_vanish_when_the_plugin_is_off(declic):
    org, course, _plugin = _setup(declic)
    learner = declic.user(org, "learner")
    declic.enrol(course, learner)
    declic.disable(org, "acts")
    page = declic.client(learner).get(f"/o/assoc/courses/{course.id}")
    assert "Quiz of" not in page.text


def test_a_failing_plugin_does_not_take_the_course_page_down(declic):
    org = declic.org("assoc")
    course = declic.course(org, sections=1)

    class Broken:
        @hookimpl
        def declic_plugin_info(self):
            return PluginInfo(name="broken", version="1", description="fails")

        @hookimpl
        def declic_section_activities(self, ctx, course_id, section_ids):
            raise RuntimeError("boom")

    declic.state.host.register(Broken(), "broken")
    declic.enable(org, "broken")
    admin = declic.user(org, "admin")
    page = declic.client(admin).get(f"/o/assoc/courses/{course.id}")
    assert page.status_code == 200
    assert "Workshop 1" in page.text
    assert "broken (declic_section_activities)" in page.text
