"""Each hook, seen working from a throwaway plugin ("kitchen"): templates, static files, strings,
routes, capabilities, settings, activities, enrolment events, switch events, CLI, cron, demo."""

from __future__ import annotations

import sys
import types
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.responses import PlainTextResponse

import core.plugins
from core import hookimpl
from core.cli import Runtime, build_parser, main
from core.contracts import (
    Activity,
    ActivityType,
    Capability,
    PageRoute,
    PluginInfo,
    SettingSpec,
    needs,
)
from core.models import Enrolment, Organisation
from core.plugins import ENTRY_POINT_GROUP, PluginHost
from core.testing import app_with_plugins

PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=utf-8\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"

msgid "Kitchen page"
msgstr "Page cuisine"
"""


class Kitchen:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.events: list[tuple] = []
        (folder / "templates" / "kitchen").mkdir(parents=True)
        (folder / "templates" / "kitchen" / "page.html").write_text(
            '{% extends "base.html" %}{% block content %}<h1>{{ _("Kitchen page") }}</h1>'
            "<p>spice={{ spice }}</p>{% endblock %}"
        )
        (folder / "static").mkdir()
        (folder / "static" / "kitchen.css").write_text("h1 { color: teal; }")
        (folder / "locale" / "fr" / "LC_MESSAGES").mkdir(parents=True)
        (folder / "locale" / "fr" / "LC_MESSAGES" / "kitchen.po").write_text(PO)

    @hookimpl
    def declic_plugin_info(self) -> PluginInfo:
        return PluginInfo("kitchen", "1.0", "Every hook at once, for tests")

    @hookimpl
    def declic_template_dir(self) -> Path:
        return self.folder / "templates"

    @hookimpl
    def declic_static_dir(self) -> Path:
        return self.folder / "static"

    @hookimpl
    def declic_locale_dir(self) -> Path:
        return self.folder / "locale"

    @hookimpl
    def declic_routes(self) -> list[PageRoute]:
        def page(ctx):
            return ctx.render("kitchen/page.html", spice=ctx.plugin_settings("kitchen")["spice"])

        def cook(ctx):
            return PlainTextResponse("cooked")

        return [
            PageRoute("/", page, ("GET",), needs("core:course.view"), "page"),
            PageRoute("/cook", cook, ("GET",), needs("kitchen:cook"), "cook"),
        ]

    @hookimpl
    def declic_capabilities(self) -> list[Capability]:
        return [Capability("kitchen:cook", "Cook", ("trainer", "admin"))]

    @hookimpl
    def declic_settings(self) -> list[SettingSpec]:
        return [SettingSpec("spice", "Spice", "pepper")]

    @hookimpl
    def declic_activity_types(self, ctx) -> list[ActivityType]:
        return [
            ActivityType(
                "stew",
                "Add a stew",
                create_url=lambda org, course, section: f"/o/{org}/kitchen/?s={section}",
            )
        ]

    @hookimpl
    def declic_section_activities(self, ctx, course_id, section_ids) -> list[Activity]:
        return [Activity(section_ids[0], "Tuesday stew", "/o/x/kitchen/", "stew")]

    @hookimpl
    def declic_user_enrolled(self, db, enrolment) -> None:
        self.events.append(("enrolled", enrolment.user_id))

    @hookimpl
    def declic_user_unenrolled(self, db, enrolment) -> None:
        # Called before the row goes: it can still be read.
        self.events.append(("unenrolled", db.get(Enrolment, enrolment.id) is not None))

    @hookimpl
    def declic_plugin_switched(self, db, organisation, plugin, enabled) -> None:
        self.events.append(("switched", organisation.slug, plugin, enabled))


@pytest.fixture
def kitchen(declic, tmp_path):
    plugin = Kitchen(tmp_path / "kitchen")
    with app_with_plugins(declic.state.settings, {"kitchen": plugin}) as kit:
        kit.kitchen = plugin
        yield kit


def test_routes_templates_strings_settings_and_static_files(kitchen):
    org = kitchen.org("assoc-a")
    kitchen.enable(org, "kitchen")
    learner = kitchen.client(kitchen.user(org, "learner"))
    page = learner.get("/o/assoc-a/kitchen/")
    assert page.status_code == 200
    assert "<h1>Page cuisine</h1>" in page.text  # declic_locale_dir: French by default
    assert "spice=pepper" in page.text  # declic_settings default, read with ctx.plugin_settings
    css = learner.get("/static/p/kitchen/kitchen.css")
    assert css.status_code == 200 and "teal" in css.text
    assert kitchen.state.extra["static_url"]("p/kitchen/kitchen.css").startswith(
        "/static/p/kitchen/kitchen.css?v="
    )


def test_a_theme_overrides_a_plugin_template(kitchen, monkeypatch, tmp_path):
    from core import templating

    themes = tmp_path / "themes"
    (themes / "default" / "templates" / "kitchen").mkdir(parents=True)
    (themes / "default" / "templates" / "kitchen" / "page.html").write_text(
        "overridden by the theme"
    )
    monkeypatch.setattr(templating, "THEMES_DIR", themes)
    kitchen.state.templates._envs.clear()
    org = kitchen.org("assoc-a")
    kitchen.enable(org, "kitchen")
    page = kitchen.client(kitchen.user(org, "learner")).get("/o/assoc-a/kitchen/")
    assert page.text == "overridden by the theme"


def test_capabilities_come_with_their_default_roles(kitchen):
    org = kitchen.org("assoc-a")
    kitchen.enable(org, "kitchen")
    assert kitchen.state.capabilities.describe("kitchen:cook") == "Cook"
    assert (
        kitchen.client(kitchen.user(org, "learner")).get("/o/assoc-a/kitchen/cook").status_code
        == 403
    )
    assert (
        kitchen.client(kitchen.user(org, "trainer")).get("/o/assoc-a/kitchen/cook").text == "cooked"
    )


def test_activity_types_and_section_activities_show_on_the_course_page_only_when_on(kitchen):
    org = kitchen.org("assoc-a")
    course = kitchen.course(org, sections=1)
    trainer = kitchen.user(org, "trainer")
    kitchen.enrol(course, trainer, "trainer")
    client = kitchen.client(trainer)
    page = client.get(f"/o/assoc-a/courses/{course.id}").text
    assert "Tuesday stew" not in page and "Add a stew" not in page
    kitchen.enable(org, "kitchen")
    page = client.get(f"/o/assoc-a/courses/{course.id}").text
    assert "Tuesday stew" in page and "Add a stew" in page


def test_enrolment_events_reach_enabled_plugins(kitchen):
    org = kitchen.org("assoc-a")
    kitchen.enable(org, "kitchen")
    course = kitchen.course(org)
    admin = kitchen.client(kitchen.user(org, "admin"))
    learner = kitchen.user(org, "learner")
    base = f"/o/assoc-a/admin/courses/{course.id}/enrolments"
    assert (
        kitchen.post(
            admin, base + "/add", {"user_id": str(learner.id), "role": "learner"}
        ).status_code
        == 303
    )
    with kitchen.db() as db:
        enrolment_id = db.scalar(select(Enrolment.id).where(Enrolment.user_id == learner.id))
    assert kitchen.post(admin, f"{base}/{enrolment_id}/remove").status_code == 303
    assert [e for e in kitchen.kitchen.events if e[0] != "switched"] == [
        ("enrolled", learner.id),
        ("unenrolled", True),
    ]


def test_switch_events_reach_every_installed_plugin(kitchen):
    org = kitchen.org("assoc-a")
    kitchen.enable(org, "joblinks")
    kitchen.enable(org, "kitchen")
    kitchen.disable(org, "joblinks")
    assert kitchen.kitchen.events == [
        ("switched", "assoc-a", "joblinks", True),  # heard while kitchen itself was off
        ("switched", "assoc-a", "kitchen", True),
        ("switched", "assoc-a", "joblinks", False),
    ]


# --- hooks of the command line: declic_cli, declic_cron, declic_demo_data -----------------------


@pytest.fixture
def cli_plugin(declic, monkeypatch, tmp_path):
    """A plugin module installed as an entry point next to the example plugin."""
    module = types.ModuleType("declic_test_cli_plugin")
    seen: list = []

    def hello(args, runtime):
        print(f"hello {args.who} from {sorted(runtime.host.names)}")
        return 0

    def declic_cli(subparsers):
        parser = subparsers.add_parser("kitchen", help="cook")
        parser.add_argument("who")
        parser.set_defaults(func=hello)

    def declic_cron(db, now):
        seen.append(("cron", now.tzinfo is not None))
        return ["stew simmered"]

    def declic_demo_data(db, organisation, users):
        seen.append(("demo", organisation.slug, sorted(users)[:1]))

    module.declic_plugin_info = hookimpl(lambda: PluginInfo("clikit", "1.0", "Command-line hooks"))
    module.declic_cli = hookimpl(declic_cli)
    module.declic_cron = hookimpl(declic_cron)
    module.declic_demo_data = hookimpl(declic_demo_data)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    real = core.plugins.entry_points

    def entry_points(group):
        found = [e for e in real(group=group) if e.name == "joblinks"]
        return [*found, EntryPoint("clikit", module.__name__, ENTRY_POINT_GROUP)]

    monkeypatch.setattr(core.plugins, "entry_points", entry_points)
    monkeypatch.setenv("DECLIC_DATABASE_URL", declic.state.settings.database_url)
    monkeypatch.setenv("DECLIC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DECLIC_SECRET_KEY", "x" * 32)
    monkeypatch.delenv("DECLIC_PLUGINS", raising=False)
    monkeypatch.delenv("DECLIC_PLUGINS_DENY", raising=False)
    return seen


def test_a_plugin_adds_a_subcommand(cli_plugin, capsys):
    parser = build_parser(Runtime())
    assert "kitchen" in parser.format_help()
    assert main(["kitchen", "Amina"]) == 0
    assert "hello Amina from ['clikit', 'joblinks']" in capsys.readouterr().out


def test_cron_calls_each_plugin(cli_plugin, capsys):
    assert main(["cron"]) == 0
    assert "clikit: stew simmered" in capsys.readouterr().out
    assert cli_plugin == [("cron", True)]


def test_demo_data_is_asked_of_the_plugins_enabled_for_each_demo_organisation(declic, cli_plugin):
    from core.demo import seed_demo

    host = PluginHost()
    host.load_entry_points()
    with declic.db() as db:
        report = seed_demo(db, host)
        slugs = set(db.scalars(select(Organisation.slug)))
    assert report.created and set(report.created) <= slugs
    demo_calls = [call for call in cli_plugin if call[0] == "demo"]
    assert sorted(call[1] for call in demo_calls) == sorted(report.created)


def test_declic_platform_routes_are_for_platform_admins_only(declic, declic_settings):
    """A plugin's platform page lives under /admin/p/NAME, outside any organisation; whatever
    access it declares, only platform admins get in, and a labelled page is linked from /admin."""
    from core.contracts import PUBLIC

    def overview(ctx):
        return PlainTextResponse("every organisation")

    module = types.ModuleType("declic_test_platform_pages")
    module.declic_plugin_info = hookimpl(lambda: PluginInfo("overview", "1.0", "Overview"))
    module.declic_platform_routes = hookimpl(
        lambda: [PageRoute("/all", overview, ("GET",), PUBLIC, "all", label="Everything")]
    )
    with app_with_plugins(declic_settings, {"overview": module}) as kit:
        org = kit.org("plat")
        member = kit.user(org, "admin")
        boss = kit.user(None, login="boss", is_platform_admin=True)
        assert kit.client().get("/admin/p/overview/all").status_code == 303  # to sign in
        assert kit.client(member).get("/admin/p/overview/all").status_code == 403
        answer = kit.client(boss).get("/admin/p/overview/all")
        assert answer.status_code == 200 and answer.text == "every organisation"
        assert "/admin/p/overview/all" in kit.client(boss).get("/admin").text
