"""``core.plugin_folders.standard_folders``: the four folder hooks of a plugin of the standard
shape in one statement, found by pluggy as module-level hookimpls, holding to the contract, and a
missing folder treated as it was with hand-written hooks."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from alembic.script import ScriptDirectory

import core
from core.migrate import alembic_config
from core.plugin_folders import FOLDERS, standard_folders
from core.plugins import PluginHost
from core.testing import app_with_plugins, assert_plugin_contract

HOOKS = ("declic_template_dir", "declic_static_dir", "declic_locale_dir", "declic_migrations_dir")

PLUGIN = """
from core import hookimpl
from core.contracts import PageRoute, PluginInfo, needs
from core.plugin_folders import standard_folders

{assignment}


@hookimpl
def declic_plugin_info():
    return PluginInfo("{name}", "1.0", "A plugin of the standard shape")


def page(ctx):
    return ctx.render("{name}/page.html")


@hookimpl
def declic_routes():
    return [PageRoute("/", page, ("GET",), needs("core:course.view"), "page")]


@hookimpl
def declic_privacy_metadata():
    return []
"""
ONE_LINER = (
    "declic_template_dir, declic_static_dir, declic_locale_dir, declic_migrations_dir = "
    "standard_folders(__file__)"
)
PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=utf-8\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"

msgid "Shelf page"
msgstr "Page étagère"
"""


def write_plugin(
    root: Path, name: str, folders: tuple[str, ...], assignment: str = ONE_LINER
) -> Path:
    """``root/declic_NAME/plugin.py`` with the one-liner, and the folders asked for."""
    package = root / f"declic_{name}"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "plugin.py").write_text(PLUGIN.format(name=name, assignment=assignment))
    templates = package / "templates" / name
    templates.mkdir(parents=True)
    (templates / "page.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>{{ _("Shelf page") }}</h1>{% endblock %}'
    )
    if "static" in folders:
        (package / "static").mkdir()
        (package / "static" / f"{name}.css").write_text("h1 { color: teal; }")
    if "locale" in folders:
        messages = package / "locale" / "fr" / "LC_MESSAGES"
        messages.mkdir(parents=True)
        (messages / f"{name}.po").write_text(PO)
    if "migrations" in folders:
        (package / "migrations").mkdir()
    return package


@pytest.fixture
def import_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """Import ``declic_NAME.plugin`` from tmp_path as a real module (with its ``__file__``)."""
    monkeypatch.syspath_prepend(str(tmp_path))
    imported: list[str] = []

    def load(name: str) -> ModuleType:
        imported.extend([f"declic_{name}", f"declic_{name}.plugin"])
        return importlib.import_module(f"declic_{name}.plugin")

    yield load
    for module in imported:
        sys.modules.pop(module, None)


def test_the_four_hooks_return_the_folders_next_to_the_module(tmp_path):
    here = tmp_path / "declic_shelf"
    hooks = standard_folders(str(here / "plugin.py"))
    assert hooks._fields == HOOKS
    assert [hook() for hook in hooks] == [
        here.resolve() / name for name in ("templates", "static", "locale", "migrations")
    ]
    assert list(FOLDERS) == list(HOOKS)
    for name, hook in zip(HOOKS, hooks, strict=True):
        assert hook.__name__ == name
        # Marked as a hookimpl of Déclic's project, under its own hook's name.
        assert getattr(hook, f"{core.PROJECT_NAME}_impl")["specname"] == name
    # A path-like works as well as __file__'s str, relative paths are resolved like Path.resolve.
    assert standard_folders(here / "plugin.py").declic_locale_dir() == here.resolve() / "locale"


def test_pluggy_finds_them_as_module_level_hookimpls(tmp_path, import_plugin):
    write_plugin(tmp_path, "shelfa", ("static", "locale", "migrations"))
    module = import_plugin("shelfa")
    host = PluginHost(allow=())
    host.register(module, "shelfa")
    assert set(HOOKS) <= set(host.hook_names_of("shelfa"))
    package = (tmp_path / "declic_shelfa").resolve()
    for hook, folder in FOLDERS.items():
        assert host.call_each(hook) == [("shelfa", package / folder)]


def test_an_assignment_in_another_order_still_answers_the_right_hooks(tmp_path, import_plugin):
    shuffled = (
        "declic_migrations_dir, declic_locale_dir, declic_static_dir, declic_template_dir = "
        "standard_folders(__file__)"
    )
    write_plugin(tmp_path, "shelfb", (), assignment=shuffled)
    host = PluginHost(allow=())
    host.register(import_plugin("shelfb"), "shelfb")
    package = (tmp_path / "declic_shelfb").resolve()
    for hook, folder in FOLDERS.items():
        assert host.call_each(hook) == [("shelfb", package / folder)]


def test_a_plugin_written_with_it_serves_its_files_and_holds_to_the_contract(
    declic, tmp_path, import_plugin
):
    write_plugin(tmp_path, "shelfc", ("static", "locale", "migrations"))
    module = import_plugin("shelfc")
    with app_with_plugins(declic.state.settings, {"shelfc": module}) as kit:
        assert_plugin_contract(kit, "shelfc")
        org = kit.org("shelf-org")
        kit.enable(org, "shelfc")
        learner = kit.client(kit.user(org, "learner"))
        page = learner.get("/o/shelf-org/shelfc/")
        assert page.status_code == 200
        assert "<h1>Page étagère</h1>" in page.text  # templates/ and locale/ (French default)
        css = learner.get("/static/p/shelfc/shelfc.css")
        assert css.status_code == 200 and "teal" in css.text  # static/


def test_missing_folders_are_returned_and_core_treats_them_as_empty(
    declic, tmp_path, import_plugin
):
    """Only templates/ exists: the other paths are returned as the hand-written hooks returned
    them, and nothing breaks: no static mount, no strings, Alembic skips the location."""
    package = write_plugin(tmp_path, "shelfd", ())
    module = import_plugin("shelfd")
    for folder in ("static", "locale", "migrations"):
        assert not (package / folder).exists()
    assert module.declic_static_dir() == package.resolve() / "static"
    assert module.declic_migrations_dir() == package.resolve() / "migrations"
    with app_with_plugins(declic.state.settings, {"shelfd": module}) as kit:
        assert_plugin_contract(kit, "shelfd")  # no tables: no migrations folder needed
        state = kit.app.state.declic
        assert "p/shelfd" not in state.extra["static_url"].roots  # as with no declic_static_dir
        org = kit.org("shelf-org")
        kit.enable(org, "shelfd")
        learner = kit.client(kit.user(org, "learner"))
        page = learner.get("/o/shelf-org/shelfd/")
        assert page.status_code == 200 and "<h1>Shelf page</h1>" in page.text  # no French
        assert learner.get("/static/p/shelfd/shelfd.css").status_code == 404
        cfg = alembic_config(state.host, "sqlite://")
        assert str(package.resolve() / "migrations") in cfg.get_main_option("version_locations")
        assert ScriptDirectory.from_config(cfg).get_heads()  # the missing location is skipped
