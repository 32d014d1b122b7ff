"""Home pages: chosen by capability, listing the right courses, with plugins' widgets."""

from __future__ import annotations

from pathlib import Path

from core import hookimpl
from core.contracts import PluginInfo, Widget


def test_learner_home_lists_only_enrolled_courses_with_links(declic):
    org = declic.org("assoc")
    learner = declic.user(org, "learner", display_name="Amina")
    mine = declic.course(org, "Clic'Emploi")
    declic.course(org, "Cours secret")
    declic.enrol(mine, learner)
    page = declic.client(learner).get("/o/assoc/")
    assert page.status_code == 200
    assert f'href="/o/assoc/courses/{mine.id}"' in page.text
    assert "Clic&#39;Emploi" in page.text
    assert "Cours secret" not in page.text
    assert page.text.count("<h1") == 1


def test_trainer_home_links_to_running_the_courses_taught(declic):
    org = declic.org("assoc")
    trainer = declic.user(org, "trainer")
    taught = declic.course(org, "Atelier CV")
    declic.course(org, "Other course")
    declic.enrol(taught, trainer, "trainer")
    page = declic.client(trainer).get("/o/assoc/")
    assert page.status_code == 200
    assert f"/o/assoc/admin/courses/{taught.id}/sections" in page.text
    assert f"/o/assoc/admin/courses/{taught.id}/groups" in page.text
    assert f"/o/assoc/admin/courses/{taught.id}/login-codes" in page.text
    assert "Other course" not in page.text
    # No admin page is offered to a trainer.
    assert "/o/assoc/admin/members" not in page.text


def test_trainer_enrolled_as_learner_gets_no_teaching_links_for_that_course(declic):
    org = declic.org("assoc")
    trainer = declic.user(org, "trainer")
    followed = declic.course(org, "Bureautique")
    declic.enrol(followed, trainer, "learner")
    page = declic.client(trainer).get("/o/assoc/")
    assert f"/admin/courses/{followed.id}/sections" not in page.text


def test_admin_home_links_every_admin_page(declic):
    org = declic.org("assoc")
    admin = declic.user(org, "admin")
    page = declic.client(admin).get("/o/assoc/")
    assert page.status_code == 200
    for path in ("members", "courses", "login-codes", "branding", "plugins", "audit"):
        assert f'href="/o/assoc/admin/{path}"' in page.text


def test_admin_may_look_at_the_learner_home_but_a_learner_not_at_the_admin_one(declic):
    org = declic.org("assoc")
    admin = declic.user(org, "admin")
    learner = declic.user(org, "learner")
    as_learner = declic.client(admin).get("/o/assoc/?as=learner")
    assert "/o/assoc/admin/members" not in as_learner.text
    forced = declic.client(learner).get("/o/assoc/?as=admin")
    assert forced.status_code == 200
    assert "/o/assoc/admin/members" not in forced.text


def test_home_is_chosen_by_capability_not_by_role_name(declic):
    """A plugin-free check: a role that loses core:organisation.manage loses the admin home."""
    org = declic.org("assoc")
    admin = declic.user(org, "admin")
    course = declic.course(org)
    client = declic.client(admin)
    assert 'href="/o/assoc/admin/branding"' in client.get("/o/assoc/").text
    registry = declic.state.capabilities
    registry.by_role["admin"] = registry.by_role["admin"] - {"core:organisation.manage"}
    page = client.get("/o/assoc/")
    assert 'href="/o/assoc/admin/branding"' not in page.text
    assert f"/o/assoc/admin/courses/{course.id}/sections" in page.text


class WidgetPlugin:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @hookimpl
    def declic_plugin_info(self):
        return PluginInfo(name="widgety", version="1.0", description="test widgets")

    @hookimpl
    def declic_template_dir(self):
        return self.folder

    @hookimpl
    def declic_dashboard_widgets(self, ctx, audience):
        return [Widget(title=f"Box for {audience}", template="widgety/box.html", context={"n": 7})]


def test_plugin_widgets_show_on_the_home_of_their_audience(declic, tmp_path):
    (tmp_path / "widgety").mkdir()
    (tmp_path / "widgety" / "box.html").write_text("<p>seven={{ widget.n }}</p>")
    declic.state.host.register(WidgetPlugin(tmp_path), "widgety")
    declic.state.templates.plugin_dirs.append(tmp_path)
    declic.state.templates._envs.clear()
    org = declic.org("assoc")
    learner = declic.user(org, "learner")
    client = declic.client(learner)
    assert "Box for learner" not in client.get("/o/assoc/").text
    declic.enable(org, "widgety")
    page = client.get("/o/assoc/")
    assert "Box for learner" in page.text
    assert "seven=7" in page.text
