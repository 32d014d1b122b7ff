"""Per-organisation switches seen through the pages: routes, menus, widgets, data kept, other
workers, and fault isolation (a failing plugin does not take the page down)."""

from __future__ import annotations

import logging

from declic_joblinks.models import JobLink
from sqlalchemy import select, update

from core import hookimpl
from core.contracts import MenuItem, PluginInfo, Widget
from core.models import Organisation, PluginState
from core.plugin_switches import switch_plugin
from core.plugins import PluginHost


def test_switched_off_routes_404_menu_and_widget_go_data_stays_and_comes_back(declic):
    org_a = declic.org("assoc-a")
    org_b = declic.org("assoc-b")
    declic.enable(org_a, "joblinks")
    declic.enable(org_b, "joblinks")
    admin = declic.client(declic.user(org_a, "admin"))
    learner = declic.client(declic.user(org_a, "learner"))
    learner_b = declic.client(declic.user(org_b, "learner"))
    added = declic.post(
        admin,
        "/o/assoc-a/joblinks/manage",
        {"title": "Mission locale de Lille", "url": "https://ml.example/"},
    )
    assert added.status_code == 303
    home = learner.get("/o/assoc-a/").text
    assert 'href="/o/assoc-a/joblinks/"' in home  # menu item and widget link
    assert "Mission locale de Lille" in learner.get("/o/assoc-a/joblinks/").text
    rows_before = declic.count(JobLink, organisation_id=org_a.id)

    declic.disable(org_a, "joblinks")
    assert learner.get("/o/assoc-a/joblinks/").status_code == 404
    assert admin.get("/o/assoc-a/joblinks/manage").status_code == 404
    assert (
        declic.post(
            admin, "/o/assoc-a/joblinks/manage", {"title": "x", "url": "https://x.example/"}
        ).status_code
        == 404
    )
    home = learner.get("/o/assoc-a/")
    assert home.status_code == 200
    assert "/o/assoc-a/joblinks/" not in home.text
    assert "Mission locale de Lille" not in home.text
    assert declic.count(JobLink, organisation_id=org_a.id) == rows_before  # data kept
    # The other organisation is untouched.
    assert learner_b.get("/o/assoc-b/joblinks/").status_code == 200
    assert 'href="/o/assoc-b/joblinks/"' in learner_b.get("/o/assoc-b/").text

    declic.enable(org_a, "joblinks")
    assert "Mission locale de Lille" in learner.get("/o/assoc-a/joblinks/").text
    assert 'href="/o/assoc-a/joblinks/"' in learner.get("/o/assoc-a/").text


def test_a_plugin_is_off_until_switched_on_for_that_organisation_only(declic):
    org_a = declic.org("assoc-a")
    org_b = declic.org("assoc-b")
    declic.enable(org_a, "joblinks")
    b_member = declic.client(declic.user(org_b, "learner"))
    assert b_member.get("/o/assoc-b/joblinks/").status_code == 404
    assert declic.count(PluginState, plugin="joblinks", enabled=True) == 1


def test_a_switch_made_by_another_worker_is_seen_on_the_next_lookup(declic):
    """Two hosts = two worker processes: each caches the enabled set on plugins_version."""
    org = declic.org("assoc-a")
    worker_a = declic.state.host
    worker_b = PluginHost(allow=("joblinks",))
    worker_b.load_entry_points()
    with declic.db() as db:
        assert worker_a.enabled_for(db, db.get(Organisation, org.id)) == frozenset()
    with declic.db() as db:
        switch_plugin(db, worker_b, db.get(Organisation, org.id), "joblinks", True, None)
    with declic.db() as db:
        assert worker_a.enabled_for(db, db.get(Organisation, org.id)) == frozenset({"joblinks"})


def test_the_cache_is_keyed_on_the_version_not_reread_every_time(declic):
    org = declic.org("assoc-a")
    declic.enable(org, "joblinks")
    host = declic.state.host
    with declic.db() as db:
        assert "joblinks" in host.enabled_for(db, db.get(Organisation, org.id))
        # A row changed without bumping the version (never done by the platform) is not seen...
        db.execute(update(PluginState).values(enabled=False))
    with declic.db() as db:
        assert "joblinks" in host.enabled_for(db, db.get(Organisation, org.id))
        # ...and is seen as soon as the version moves.
        db.execute(update(Organisation).values(plugins_version=Organisation.plugins_version + 1))
    with declic.db() as db:
        assert host.enabled_for(db, db.get(Organisation, org.id)) == frozenset()


def test_switching_bumps_the_version_and_is_idempotent(declic):
    org = declic.org("assoc-a")
    version = declic.reload(Organisation, org.id).plugins_version
    declic.enable(org, "joblinks")
    assert declic.reload(Organisation, org.id).plugins_version == version + 1
    declic.enable(org, "joblinks")  # already on: nothing written
    assert declic.reload(Organisation, org.id).plugins_version == version + 1
    with declic.db() as db:
        states = db.scalars(select(PluginState).where(PluginState.organisation_id == org.id)).all()
        assert [(s.plugin, s.enabled) for s in states] == [("joblinks", True)]


class Boom:
    """A plugin whose menu and widget hooks raise."""

    @hookimpl
    def declic_plugin_info(self) -> PluginInfo:
        return PluginInfo("boom", "1.0", "Fails on purpose")

    @hookimpl
    def declic_menu_items(self, ctx) -> list[MenuItem]:
        raise RuntimeError("menu exploded")

    @hookimpl
    def declic_dashboard_widgets(self, ctx, audience) -> list[Widget]:
        raise ValueError("widget exploded")


def test_a_failing_plugin_does_not_take_the_page_down(declic, declic_register, caplog):
    org = declic.org("assoc-a")
    declic_register(Boom(), "boom")
    declic.enable(org, "boom")
    declic.enable(org, "joblinks")
    admin = declic.client(declic.user(org, "admin"))
    learner = declic.client(declic.user(org, "learner"))
    with caplog.at_level(logging.ERROR, "declic.plugins"):
        page = learner.get("/o/assoc-a/")
    assert page.status_code == 200
    assert 'href="/o/assoc-a/joblinks/"' in page.text  # the healthy plugin still answers
    assert "boom" not in page.text  # learners are not told about plugins
    assert "plugin boom failed in declic_menu_items" in caplog.text
    assert "plugin boom failed in declic_dashboard_widgets" in caplog.text
    page = admin.get("/o/assoc-a/")
    assert page.status_code == 200
    assert 'role="alert"' in page.text
    assert "boom (declic_menu_items)" in page.text  # the admin sees which plugin failed
    # Switched off, it is not called at all.
    declic.disable(org, "boom")
    caplog.clear()
    with caplog.at_level(logging.ERROR, "declic.plugins"):
        assert "boom" not in admin.get("/o/assoc-a/").text
    assert "boom" not in caplog.text


class DeafListener:
    @hookimpl
    def declic_plugin_info(self) -> PluginInfo:
        return PluginInfo("deaf", "1.0", "Fails when told about a switch")

    @hookimpl
    def declic_plugin_switched(self, db, organisation, plugin, enabled) -> None:
        raise RuntimeError("cannot hear")


def test_a_listener_that_fails_on_a_switch_does_not_block_it(declic, declic_register, caplog):
    org = declic.org("assoc-a")
    declic_register(DeafListener(), "deaf")
    with caplog.at_level(logging.ERROR, "declic.plugins"):
        declic.enable(org, "joblinks")
    assert declic.count(PluginState, plugin="joblinks", enabled=True) == 1
    assert "plugin deaf failed in declic_plugin_switched" in caplog.text
