"""The plugin host: loading through entry points (allow/deny lists, check_pending, tracing) and
the per-organisation hook callers with pluggy's traps (late registration, ``specname=``)."""

from __future__ import annotations

import logging
import sys
import types
from importlib.metadata import EntryPoint

import pytest

import core.plugins
from core import hookimpl
from core.contracts import Activity, ActivityType, MenuItem, PluginInfo, Widget
from core.plugins import ENTRY_POINT_GROUP, PluginHost, PluginLoadError
from core.settings import load_settings


def plugin_module(
    name: str,
    *,
    depends: tuple[str, ...] = (),
    requires_core: str = ">=0.1",
    needs_enabled: tuple[str, ...] | None = None,
    **hooks,
):
    """A throwaway plugin as a module (what an entry point loads), with ``hooks`` as functions."""
    module = types.ModuleType(f"declic_test_plugin_{name}")

    @hookimpl
    def declic_plugin_info() -> PluginInfo:
        return PluginInfo(
            name,
            "1.0",
            f"Test plugin {name}",
            requires_core=requires_core,
            depends=depends,
            needs_enabled=needs_enabled,
        )

    module.declic_plugin_info = declic_plugin_info
    for hook_name, function in hooks.items():
        setattr(module, hook_name, hookimpl(function))
    return module


def menu_of(label: str):
    def declic_menu_items(ctx):
        return [MenuItem(label, f"/{label}")]

    return declic_menu_items


@pytest.fixture
def fake_entry_points(monkeypatch):
    """Replace the installed entry points by throwaway modules: ``install(name=module, ...)``."""
    installed: list[EntryPoint] = []

    def install(**modules: types.ModuleType) -> None:
        for name, module in modules.items():
            monkeypatch.setitem(sys.modules, module.__name__, module)
            installed.append(EntryPoint(name, module.__name__, ENTRY_POINT_GROUP))

    monkeypatch.setattr(
        core.plugins, "entry_points", lambda group: [e for e in installed if e.group == group]
    )
    return install


# --- loading ----------------------------------------------------------------------------------


def test_real_entry_points_bring_the_example_plugin():
    host = PluginHost(allow=("joblinks",))
    host.load_entry_points()
    assert host.names == ["joblinks"]
    assert "declic_routes" in host.hook_names_of("joblinks")
    assert host.infos["joblinks"].version == "1.0.0"


def test_allow_list_loads_only_what_it_names(fake_entry_points, caplog):
    fake_entry_points(alpha=plugin_module("alpha"), beta=plugin_module("beta"))
    host = PluginHost(allow=("beta", "gamma"))
    with caplog.at_level(logging.WARNING, "declic.plugins"):
        host.load_entry_points()
    assert host.names == ["beta"]
    assert "gamma" in caplog.text  # an allowed name that is not installed is reported


def test_deny_list_wins_over_the_allow_list(fake_entry_points):
    fake_entry_points(alpha=plugin_module("alpha"), beta=plugin_module("beta"))
    assert PluginHost(deny=("alpha",)).names == []  # nothing loaded before load_entry_points
    host = PluginHost(deny=("alpha",))
    host.load_entry_points()
    assert host.names == ["beta"]
    host = PluginHost(allow=("alpha", "beta"), deny=("beta",))
    host.load_entry_points()
    assert host.names == ["alpha"]


def test_environment_variables_feed_the_lists_and_tracing(monkeypatch, tmp_path):
    monkeypatch.setenv("DECLIC_PLUGINS", "quiz, joblinks")
    monkeypatch.setenv("DECLIC_PLUGINS_DENY", "quiz")
    monkeypatch.setenv("DECLIC_TRACE_HOOKS", "1")
    settings = load_settings(data_dir=tmp_path, secret_key="x")
    assert settings.plugins_allow == ("quiz", "joblinks")
    assert settings.plugins_deny == ("quiz",)
    assert settings.trace_hooks is True


def test_a_misspelled_hook_fails_at_start_up(fake_entry_points):
    fake_entry_points(typo=plugin_module("typo", declic_menu_itemz=lambda ctx: []))
    host = PluginHost()
    with pytest.raises(PluginLoadError) as error:
        host.load_entry_points()
    assert "typo" in str(error.value) and "declic_menu_itemz" in str(error.value)


def test_a_hook_with_an_argument_the_spec_lacks_is_refused():
    host = PluginHost()
    module = plugin_module("wrongargs", declic_menu_items=lambda ctx, organisation: [])
    with pytest.raises(PluginLoadError, match="wrongargs"):
        host.register(module, "wrongargs")


def test_an_entry_point_that_cannot_be_imported_is_named(fake_entry_points, monkeypatch):
    fake_entry_points()
    broken = EntryPoint("broken", "declic_no_such_module_anywhere", ENTRY_POINT_GROUP)
    monkeypatch.setattr(core.plugins, "entry_points", lambda group: [broken])
    with pytest.raises(PluginLoadError, match="broken"):
        PluginHost().load_entry_points()


def test_metadata_is_required_and_must_match_the_entry_point():
    host = PluginHost()
    nameless = types.ModuleType("declic_test_nameless")
    nameless.declic_menu_items = hookimpl(lambda ctx: [])
    with pytest.raises(PluginLoadError, match="declic_plugin_info"):
        host.register(nameless, "nameless")
    with pytest.raises(PluginLoadError, match="calls itself"):
        host.register(plugin_module("other"), "renamed")
    assert host.names == []


def test_unmet_dependencies_and_incompatible_core_fail_loudly():
    host = PluginHost()
    with pytest.raises(PluginLoadError, match="needs ghost"):
        host.register(plugin_module("child", depends=("ghost",)), "child")
    host = PluginHost()
    with pytest.raises(PluginLoadError, match="needs core >=99"):
        host.register(plugin_module("future", requires_core=">=99"), "future")


def test_hook_tracing_names_each_hook_and_plugin(caplog):
    host = PluginHost(trace=True)
    host.register(plugin_module("traced", declic_menu_items=menu_of("traced")), "traced")
    with caplog.at_level(logging.WARNING, "declic.hooks"):
        host.hooks_for({"traced"}).declic_menu_items(ctx=None)
        host.hooks_for({"traced"}).collect("declic_menu_items", ctx=None)
    assert "declic_menu_items" in caplog.text
    assert "declic_menu_items -> traced" in caplog.text


def test_without_tracing_nothing_is_logged(caplog):
    host = PluginHost()
    host.register(plugin_module("quiet", declic_menu_items=menu_of("quiet")), "quiet")
    with caplog.at_level(logging.DEBUG, "declic.hooks"):
        host.hooks_for({"quiet"}).collect("declic_menu_items", ctx=None)
    assert "hook trace" not in caplog.text


def test_a_plugin_publishes_its_own_hookspecs_for_others():
    spec_module = types.ModuleType("declic_test_specs")

    @core.hookspec
    def declic_test_thing_happened(what: str) -> None:
        """Announced by the publisher plugin."""

    spec_module.declic_test_thing_happened = declic_test_thing_happened
    heard: list[str] = []
    # The listener is registered first: its hook is pending until the publisher adds the spec.
    listener = plugin_module("listener", declic_test_thing_happened=lambda what: heard.append(what))
    publisher = plugin_module(
        "publisher",
        declic_add_hookspecs=lambda pluginmanager: pluginmanager.add_hookspecs(spec_module),
    )
    host = PluginHost()
    host.register(listener, "listener", check=False)
    host.register(publisher, "publisher", check=False)
    host.check()
    host.hooks_for({"listener", "publisher"}).declic_test_thing_happened(what="attempt")
    host.hooks_for({"publisher"}).declic_test_thing_happened(what="ignored")
    assert heard == ["attempt"]


# --- per-organisation callers: pluggy's traps ---------------------------------------------------


def results(hooks, hook="declic_menu_items"):
    return sorted(item.label for items in getattr(hooks, hook)(ctx=None) for item in items)


def test_only_enabled_plugins_answer():
    host = PluginHost()
    for name in ("a", "b", "c"):
        host.register(plugin_module(name, declic_menu_items=menu_of(name)), name)
    assert results(host.hooks_for({"a", "c"})) == ["a", "c"]
    assert results(host.hooks_for(set())) == []
    assert results(host.all_hooks()) == ["a", "b", "c"]
    # Names that are not installed are ignored, not an error.
    assert results(host.hooks_for({"a", "ghost"})) == ["a"]


def test_a_plugin_registered_later_does_not_leak_into_callers_built_earlier():
    host = PluginHost()
    host.register(plugin_module("a", declic_menu_items=menu_of("a")), "a")
    early = host.hooks_for({"a"})
    # Every installed implementation is enabled here, so pluggy hands back the plain caller,
    # which would include anything registered afterwards.
    assert results(early) == ["a"]
    host.register(plugin_module("late", declic_menu_items=menu_of("late")), "late")
    assert results(early) == ["a"]
    assert [name for name, _r in early.collect("declic_menu_items", ctx=None)] == ["a"]
    # Registered behind the host's back (straight on pluggy): still kept out.
    host.pm.register(plugin_module("sneaky", declic_menu_items=menu_of("sneaky")), name="sneaky")
    assert results(early) == ["a"]
    assert results(host.hooks_for({"a"})) == ["a"]
    # The host drops its caches on register: a new caller for the same set is built.
    assert host.hooks_for({"a", "late"}) is not early
    assert results(host.hooks_for({"a", "late"})) == ["a", "late"]


def test_caches_are_dropped_on_register_and_unregister():
    host = PluginHost()
    host.register(plugin_module("a", declic_menu_items=menu_of("a")), "a")
    first = host.hooks_for({"a"})
    assert host.hooks_for({"a"}) is first  # cached per set
    host.register(plugin_module("b", declic_menu_items=menu_of("b")), "b")
    assert host.hooks_for({"a"}) is not first
    host.unregister("b")
    assert results(host.hooks_for({"a", "b"})) == ["a"]


def test_specname_implementations_are_removed_with_their_plugin():
    host = PluginHost()
    host.register(plugin_module("a", declic_menu_items=menu_of("a")), "a")
    renamed = types.ModuleType("declic_test_renamed")

    @hookimpl
    def declic_plugin_info() -> PluginInfo:
        return PluginInfo("renamed", "1.0", "Implements under another function name")

    @hookimpl(specname="declic_menu_items")
    def my_menu(ctx):
        return [MenuItem("renamed", "/renamed")]

    renamed.declic_plugin_info = declic_plugin_info
    renamed.my_menu = my_menu
    host.register(renamed, "renamed")
    assert results(host.hooks_for({"a"})) == ["a"]
    assert results(host.hooks_for({"a", "renamed"})) == ["a", "renamed"]
    assert [n for n, _r in host.hooks_for({"a"}).collect("declic_menu_items", ctx=None)] == ["a"]


def test_a_disabled_plugin_never_runs_in_any_per_organisation_hook():
    calls: list[str] = []

    def menu(ctx):
        calls.append("menu")
        return [MenuItem("x", "/x")]

    def widgets(ctx, audience):
        calls.append("widgets")
        return [Widget("x", "x.html")]

    def activity_types(ctx):
        calls.append("activity_types")
        return [ActivityType("x", "x")]

    def activities(ctx, course_id, section_ids):
        calls.append("activities")
        return [Activity(1, "x", "/x", "x")]

    def enrolled(db, enrolment):
        calls.append("enrolled")

    recorder = plugin_module(
        "recorder",
        declic_menu_items=menu,
        declic_dashboard_widgets=widgets,
        declic_activity_types=activity_types,
        declic_section_activities=activities,
        declic_user_enrolled=enrolled,
    )
    host = PluginHost()
    host.register(recorder, "recorder")
    host.register(plugin_module("other"), "other")
    kwargs = {"ctx": None, "audience": "learner", "course_id": 1, "section_ids": [1]}
    event = {"db": None, "enrolment": None}
    for hooks in (host.hooks_for(set()), host.hooks_for({"other"})):
        hooks.declic_menu_items(ctx=None)
        hooks.declic_dashboard_widgets(ctx=None, audience="learner")
        hooks.declic_activity_types(ctx=None)
        hooks.declic_section_activities(ctx=None, course_id=1, section_ids=[1])
        hooks.declic_user_enrolled(**event)
        for hook_name in ("declic_menu_items", "declic_dashboard_widgets", "declic_activity_types"):
            assert hooks.collect(hook_name, **kwargs) == []
    assert calls == []
    on = host.hooks_for({"recorder"})
    assert [n for n, _r in on.collect("declic_activity_types", **kwargs)] == ["recorder"]
    on.declic_user_enrolled(**event)
    assert calls == ["activity_types", "enrolled"]


def test_effective_set_drops_plugins_whose_dependency_is_off():
    host = PluginHost()
    host.register(plugin_module("base"), "base")
    host.register(plugin_module("child", depends=("base",)), "child")
    host.register(plugin_module("grandchild", depends=("child",)), "grandchild")
    assert host.effective({"child", "grandchild"}) == frozenset()
    assert host.effective({"base", "grandchild"}) == frozenset({"base"})
    assert host.effective({"base", "child", "grandchild", "ghost"}) == frozenset(
        {"base", "child", "grandchild"}
    )
    assert host.dependents_of("base", {"child", "grandchild"}) == ["child"]


def test_a_plugin_may_need_another_installed_but_not_switched_on():
    host = PluginHost()
    host.register(plugin_module("base"), "base")
    host.register(plugin_module("listener", depends=("base",), needs_enabled=()), "listener")
    assert host.effective({"listener"}) == frozenset({"listener"})
    assert host.dependents_of("base", {"listener"}) == []
    with pytest.raises(PluginLoadError, match="needs base"):
        lonely = PluginHost()
        lonely.register(plugin_module("listener", depends=("base",), needs_enabled=()), "listener")


def test_a_dependency_cycle_fails_at_start_up(fake_entry_points):
    fake_entry_points(
        hen=plugin_module("hen", depends=("egg",)),
        egg=plugin_module("egg", depends=("hen",)),
        chick=plugin_module("chick", depends=("hen",)),
    )
    with pytest.raises(PluginLoadError, match="circle: hen -> egg -> hen"):
        PluginHost().load_entry_points()
