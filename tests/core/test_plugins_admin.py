"""The "Plugins" admin page: switches (htmx and plain posts), dependencies, settings, audit,
and the platform admin's page of every organisation's switches."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from core import hookimpl
from core.contracts import PluginInfo, SettingSpec
from core.models import AuditEvent, PluginState
from core.testing import form_token


class Needy:
    """A throwaway plugin that depends on the example plugin (joblinks)."""

    @hookimpl
    def declic_plugin_info(self) -> PluginInfo:
        return PluginInfo("needy", "1.0", "Depends on joblinks", depends=("joblinks",))

    @hookimpl
    def declic_settings(self) -> list[SettingSpec]:
        return [
            SettingSpec("mode", "Mode", "a", kind="choice", choices=(("a", "A"), ("b", "B"))),
            SettingSpec(
                "motto",
                "Motto",
                "",
                validate=lambda v: "Say it without shouting." if v.isupper() else None,
            ),
        ]


@pytest.fixture
def admin_setup(declic):
    org = declic.org("assoc-a")
    admin = declic.user(org, "admin")
    return org, admin, declic.client(admin)


def url(org, tail=""):
    return f"/o/{org.slug}/admin/plugins{tail}"


def test_the_page_lists_every_installed_plugin_with_its_switch(declic, admin_setup):
    org, _admin, client = admin_setup
    page = client.get(url(org))
    assert page.status_code == 200
    for name in declic.state.host.names:
        assert f'id="plugin-{name}"' in page.text
    assert 'role="switch"' in page.text
    form_token(page.text)  # every switch is a real form with its CSRF field


def test_only_holders_of_plugins_manage_open_it(declic, admin_setup):
    org, _admin, _client = admin_setup
    trainer = declic.client(declic.user(org, "trainer"))
    assert trainer.get(url(org)).status_code == 403
    response = declic.post(trainer, url(org, "/joblinks/switch"), {"enabled": "1"})
    assert response.status_code == 403
    assert declic.count(PluginState, plugin="joblinks") == 0


def test_plain_post_switches_on_then_off_and_writes_the_audit_log(declic, admin_setup):
    org, admin, client = admin_setup
    answer = declic.post(client, url(org, "/joblinks/switch"), {"enabled": "1"})
    assert answer.status_code == 303
    assert answer.headers["location"] == url(org) + "?done=joblinks"
    assert client.get(f"/o/{org.slug}/joblinks/").status_code == 200
    answer = declic.post(client, url(org, "/joblinks/switch"), {"enabled": "0"})
    assert answer.status_code == 303
    assert client.get(f"/o/{org.slug}/joblinks/").status_code == 404
    with declic.db() as db:
        actions = [
            (e.action, e.target, e.actor_id)
            for e in db.scalars(
                select(AuditEvent)
                .where(AuditEvent.organisation_id == org.id)
                .order_by(AuditEvent.id)
            )
        ]
    assert ("plugin.enabled", "joblinks", admin.id) in actions
    assert ("plugin.disabled", "joblinks", admin.id) in actions


def test_htmx_switch_answers_the_plugin_card_alone(declic, admin_setup):
    org, _admin, client = admin_setup
    answer = client.post(
        url(org, "/joblinks/switch"),
        data={"enabled": "1"},
        headers={"HX-Request": "true", "X-CSRF-Token": declic.csrf(client)},
    )
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith('<li class="card plugin" id="plugin-joblinks"')
    assert 'aria-checked="true"' in answer.text
    assert "<html" not in answer.text


def test_enabling_a_plugin_whose_dependency_is_off_names_it_and_offers_both(declic, admin_setup):
    from core.testing import app_with_plugins

    org, _admin, _client = admin_setup
    with app_with_plugins(declic.state.settings, {"needy": Needy()}) as kit:
        client = kit.client(kit.reload(type(_admin), _admin.id))
        answer = kit.post(client, url(org, "/needy/switch"), {"enabled": "1"})
        assert answer.status_code == 409
        assert "joblinks" in answer.text
        assert 'name="confirm" value="1"' in answer.text
        assert kit.count(PluginState, plugin="needy", enabled=True) == 0
        # htmx: the same question inside the card.
        card = client.post(
            url(org, "/needy/switch"),
            data={"enabled": "1"},
            headers={"HX-Request": "true", "X-CSRF-Token": kit.csrf(client)},
        )
        assert "joblinks" in card.text and 'name="confirm"' in card.text
        # Confirmed: both are on.
        answer = kit.post(client, url(org, "/needy/switch"), {"enabled": "1", "confirm": "1"})
        assert answer.status_code == 303
        assert kit.count(PluginState, plugin="needy", enabled=True) == 1
        assert kit.count(PluginState, plugin="joblinks", enabled=True) == 1
        # Disabling what another depends on names the dependent.
        answer = kit.post(client, url(org, "/joblinks/switch"), {"enabled": "0"})
        assert answer.status_code == 409
        assert "needy" in answer.text
        assert kit.count(PluginState, plugin="joblinks", enabled=True) == 1
        answer = kit.post(client, url(org, "/joblinks/switch"), {"enabled": "0", "confirm": "1"})
        assert answer.status_code == 303
        assert kit.count(PluginState, plugin="needy", enabled=True) == 0
        assert kit.count(PluginState, plugin="joblinks", enabled=True) == 0


def test_settings_form_is_generated_validated_by_field_and_audited(declic, admin_setup):
    org, admin, client = admin_setup
    page = client.get(url(org))
    assert 'id="f-joblinks-widget_links"' in page.text
    assert 'type="number"' in page.text
    bad = declic.post(
        client,
        url(org, "/joblinks/settings"),
        {"intro": "Hello", "widget_links": "99", "show_widget": "1"},
    )
    assert bad.status_code == 400
    assert 'id="e-joblinks-widget_links"' in bad.text
    assert 'aria-invalid="true"' in bad.text
    assert "Hello" in bad.text  # the form is refilled
    assert declic.count(AuditEvent, action="plugin.settings") == 0
    good = declic.post(
        client, url(org, "/joblinks/settings"), {"intro": "Open 9-12", "widget_links": "2"}
    )
    assert good.status_code == 303
    with declic.db() as db:
        state = db.scalar(select(PluginState).where(PluginState.plugin == "joblinks"))
        assert json.loads(state.settings_json) == {
            "intro": "Open 9-12",
            "show_widget": False,
            "widget_links": 2,
        }
        event = db.scalar(select(AuditEvent).where(AuditEvent.action == "plugin.settings"))
        assert event.actor_id == admin.id and event.target == "joblinks"
        assert json.loads(event.detail)["after"]["widget_links"] == 2


def test_platform_admin_sees_every_organisation_and_switches_from_there(declic):
    org_a = declic.org("assoc-a")
    org_b = declic.org("assoc-b")
    declic.enable(org_b, "joblinks")
    root = declic.user(None, "admin", is_platform_admin=True)
    client = declic.client(root)
    page = client.get("/admin/plugins")
    assert page.status_code == 200
    assert org_a.name in page.text and org_b.name in page.text
    assert f'action="/o/{org_a.slug}/admin/plugins/joblinks/switch"' in page.text
    answer = declic.post(
        client,
        f"/o/{org_a.slug}/admin/plugins/joblinks/switch",
        {"enabled": "1", "next": "/admin/plugins"},
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/plugins?done=joblinks"
    assert declic.count(PluginState, organisation_id=org_a.id, plugin="joblinks", enabled=True) == 1
    # An organisation admin is not a platform admin.
    other = declic.client(declic.user(org_a, "admin"))
    assert other.get("/admin/plugins").status_code == 403
