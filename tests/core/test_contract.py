"""The contract check finds what a plugin gets wrong, and says what, where and which hook."""

from __future__ import annotations

import types
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from declic_joblinks.models import JobLinkUse
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table, delete
from starlette.responses import PlainTextResponse

import core.contract
from core import hookimpl
from core.cli import main
from core.contract import Problem, check_files, check_hooks, check_metadata, check_plugin
from core.contracts import PageRoute, PluginInfo, PrivacyField, needs
from core.plugins import ENTRY_POINT_GROUP, PluginHost
from core.testing import app_with_plugins, assert_plugin_contract


def test_the_example_plugin_holds_to_the_contract(declic):
    assert_plugin_contract(declic, "joblinks")


def test_the_check_leaves_no_organisation_or_account_behind(declic):
    from core.models import Organisation, User

    before = (declic.count(Organisation), declic.count(User))
    assert check_plugin(declic.app, "joblinks") == []
    assert (declic.count(Organisation), declic.count(User)) == before


def test_an_unknown_plugin_is_one_clear_problem(declic):
    problems = check_plugin(declic, "nosuchplugin")
    assert problems == [
        Problem(
            "metadata",
            "nosuchplugin is not installed (no entry point in 'declic.plugins', "
            "or denied by DECLIC_PLUGINS)",
        )
    ]


def host_with(plugin: object, name: str) -> types.SimpleNamespace:
    host = PluginHost()
    host.register(plugin, name, check=False)
    return types.SimpleNamespace(host=host)


def info_plugin(**fields) -> types.ModuleType:
    module = types.ModuleType("declic_test_contract_info")
    values = {"name": "sloppy", "version": "1.0", "description": "ok", **fields}
    module.declic_plugin_info = hookimpl(lambda: PluginInfo(**values))
    return module


def test_metadata_problems_are_named():
    messages = [
        p.message for p in check_metadata(host_with(info_plugin(version="one"), "sloppy"), "sloppy")
    ]
    assert messages == ["version 'one' is not a PEP 440 version"]
    messages = [
        p.message
        for p in check_metadata(host_with(info_plugin(description=" "), "sloppy"), "sloppy")
    ]
    assert messages == ["description is empty"]
    state = host_with(info_plugin(requires_core=">=9", depends=("ghost",)), "sloppy")
    messages = [p.message for p in check_metadata(state, "sloppy")]
    assert "requires_core '>=9' excludes this core (0.1.0)" in messages
    assert "depends on 'ghost', which is not installed" in messages
    state = host_with(info_plugin(name="Bad-Name"), "Bad-Name")
    assert any("lower-case" in p.message for p in check_metadata(state, "Bad-Name"))


def test_a_hook_whose_spec_has_no_docstring_is_reported():
    spec_module = types.ModuleType("declic_test_undocumented_specs")

    @core.hookspec
    def declic_test_undocumented(what: str) -> None:
        pass

    spec_module.declic_test_undocumented = declic_test_undocumented
    plugin = info_plugin()
    plugin.declic_add_hookspecs = hookimpl(
        lambda pluginmanager: pluginmanager.add_hookspecs(spec_module)
    )
    plugin.declic_test_undocumented = hookimpl(lambda what: None)
    state = host_with(plugin, "sloppy")
    assert [p.message for p in check_hooks(state, "sloppy")] == [
        "declic_test_undocumented: its hookspec has no docstring"
    ]


def test_tables_without_migrations_templates_outside_the_namespace_and_silent_privacy(
    tmp_path, monkeypatch
):
    table = Table(
        "notes",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("user_id", Integer, ForeignKey("user_account.id")),
    )
    Table("user_account", table.metadata, Column("id", Integer, primary_key=True))
    monkeypatch.setattr(core.contract, "plugin_tables", lambda plugin: [table])
    templates = tmp_path / "templates"
    (templates / "sloppy").mkdir(parents=True)
    (templates / "page.html").write_text("x")
    plugin = info_plugin()
    plugin.declic_template_dir = hookimpl(lambda: templates)
    plugin.declic_privacy_metadata = hookimpl(lambda: [])
    state = host_with(plugin, "sloppy")
    messages = [str(p) for p in check_files(state, "sloppy")]
    assert (
        "[schema] maps tables notes but declic_migrations_dir gives no folder of revisions"
        in messages
    )
    assert (
        "[schema] table notes: prefix plugin tables with sloppy_ so names never collide" in messages
    )
    assert (
        f"[templates] page.html in {templates}: templates go under sloppy/ (namespaced)" in messages
    )
    assert "[privacy] stores notes.user_id but declic_privacy_metadata declares nothing" in messages
    assert "[privacy] stores notes.user_id but does not implement declic_privacy_export" in messages
    assert (
        "[privacy] stores notes.user_id but does not implement declic_contract_sample_data"
        in messages
    )


class Leaky:
    """Everything a plugin should not do: a route that serves any organisation's object, an
    export that still finds the user after delete, a delete that removes nothing."""

    @hookimpl
    def declic_plugin_info(self) -> PluginInfo:
        return PluginInfo("leaky", "1.0", "Breaks the contract on purpose")

    @hookimpl
    def declic_routes(self) -> list[PageRoute]:
        def show(ctx, use_id: int):
            # Loads by id without the organisation: the mistake the check is there to catch.
            row = ctx.db.get(JobLinkUse, use_id)
            return PlainTextResponse(f"use {row.id if row else '-'}")

        def crash(ctx):
            raise RuntimeError("bug")

        def forget(ctx, use_id: int):
            row = ctx.db.get(JobLinkUse, use_id)  # the same mistake, on a form post
            if row is not None:
                ctx.db.delete(row)
            return ctx.redirect("/")

        return [
            PageRoute("/uses/{use_id:int}", show, ("GET",), needs("core:course.view"), "show"),
            PageRoute("/crash", crash, ("GET",), needs("core:course.view"), "crash"),
            PageRoute(
                "/uses/{use_id:int}/forget", forget, ("POST",), needs("core:course.view"), "forget"
            ),
        ]

    @hookimpl
    def declic_privacy_metadata(self) -> list[PrivacyField]:
        return [PrivacyField("joblinks_use", ("user_id",), "borrowed table")]

    @hookimpl
    def declic_contract_sample_data(self, db, organisation, user) -> int:
        from declic_joblinks.models import JobLink

        link = JobLink(organisation_id=organisation.id, title="t", url="https://t.example/")
        db.add(link)
        db.flush()
        use = JobLinkUse(organisation_id=organisation.id, link_id=link.id, user_id=user.id)
        db.add(use)
        db.flush()
        return use.id

    @hookimpl
    def declic_privacy_export(self, db, user) -> dict:
        return {"uses": [user.id]}

    @hookimpl
    def declic_privacy_delete(self, db, user) -> None:
        return None


def test_a_leaky_plugin_is_caught_with_the_route_and_hook_named(declic):
    with app_with_plugins(declic.state.settings, {"leaky": Leaky()}) as kit:
        problems = [str(p) for p in check_plugin(kit, "leaky")]
        with kit.db() as db:
            db.execute(delete(JobLinkUse))
    isolation = [p for p in problems if p.startswith("[isolation]")]
    assert len(isolation) == 2
    assert "GET /o/contract-" in isolation[0] and "(leaky.show)" in isolation[0]
    assert "answered 200, not 403/404" in isolation[0]
    assert (
        "POST /o/contract-" in isolation[1]
        and "(leaky.forget) as an admin of another" in isolation[1]
    )
    assert "answered 303: it accepted the object" in isolation[1]
    assert any(
        p.startswith("[routes] GET /o/contract-") and "(leaky.crash) answered 500" in p
        for p in problems
    )
    assert (
        "[privacy] after declic_privacy_delete, declic_privacy_export still returns {'uses': ["
        in "\n".join(problems)
    )
    with (
        pytest.raises(AssertionError, match="leaky breaks the contract"),
        app_with_plugins(declic.state.settings, {"leaky": Leaky()}) as kit,
    ):
        assert_plugin_contract(kit, "leaky")


def test_cli_check_runs_on_a_throwaway_database(declic, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("DECLIC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DECLIC_DATABASE_URL", f"sqlite:///{tmp_path / 'real.sqlite3'}")
    monkeypatch.setenv("DECLIC_SECRET_KEY", "x" * 32)
    assert main(["plugins", "check", "joblinks"]) == 0
    assert "joblinks: the plugin holds to the contract." in capsys.readouterr().out
    # The real database was never created: the check used its own.
    assert not Path(tmp_path / "real.sqlite3").exists()
    assert main(["plugins", "check", "ghost"]) == 2


def test_models_that_disagree_with_their_migrations_are_named(declic, monkeypatch):
    assert core.contract.schema_drift(declic.state, {"joblinks_link", "joblinks_use"}) == []
    # A model of joblinks_use that lost its columns, in a metadata of its own.
    drifted = MetaData()
    Table("joblinks_use", drifted, Column("id", Integer, primary_key=True))
    monkeypatch.setattr(core.contract, "Base", types.SimpleNamespace(metadata=drifted))
    messages = [p.message for p in core.contract.schema_drift(declic.state, {"joblinks_use"})]
    assert messages
    assert all(m.startswith("models and migrations disagree on joblinks_use (") for m in messages)
    assert any("(remove_column)" in m for m in messages)


INSTALLED = sorted(e.name for e in entry_points(group=ENTRY_POINT_GROUP))


@pytest.mark.parametrize("name", INSTALLED)
def test_every_installed_plugin_holds_to_the_contract(declic, name):
    if name not in declic.state.host.names:
        pytest.skip(f"{name} is left out by DECLIC_PLUGINS / DECLIC_PLUGINS_DENY")
    assert_plugin_contract(declic, name)
