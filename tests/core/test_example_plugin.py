"""The third-party example plugin (examples/declic-joblinks): found through its entry point, its
own Alembic branch, switched on for one organisation only, and its pages."""

from __future__ import annotations

import re
from importlib.metadata import distribution, entry_points
from pathlib import Path

import pytest
from declic_joblinks.models import JobLink, JobLinkUse
from sqlalchemy import inspect, select, text

from core.cli import main
from core.db import make_engine
from core.migrate import alembic_config, pending_heads, upgrade
from core.models import AuditEvent, PluginState
from core.plugins import ENTRY_POINT_GROUP, PluginHost

ROOT = Path(__file__).resolve().parents[2]


def test_installed_as_its_own_distribution_and_found_through_its_entry_point(declic):
    (point,) = [e for e in entry_points(group=ENTRY_POINT_GROUP) if e.name == "joblinks"]
    assert point.value == "declic_joblinks.plugin"
    assert distribution("declic-joblinks").version == "1.0.0"
    import declic_joblinks

    assert (
        Path(declic_joblinks.__file__)
        .resolve()
        .is_relative_to(ROOT / "examples" / "declic-joblinks")
    )
    assert "joblinks" in declic.state.host.names
    # Nothing in core names it: the platform knows it only through the entry point.
    for path in (ROOT / "core").rglob("*.py"):
        assert "joblinks" not in path.read_text(encoding="utf-8"), path


def test_its_branch_depends_on_core_and_init_twice_changes_nothing(tmp_path, monkeypatch, capsys):
    host = PluginHost(allow=("joblinks",))
    host.load_entry_points()
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(host, url))
    branch = script.get_revision("joblinks@head")
    assert branch.branch_labels == {"joblinks"}
    assert branch.dependencies == "core"
    engine = make_engine(url)
    assert pending_heads(engine, host) == {"0001_core", "joblinks_0001"}  # a blank database
    monkeypatch.setenv("DECLIC_DATABASE_URL", url)
    monkeypatch.setenv("DECLIC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DECLIC_PLUGINS", "joblinks")
    assert main(["init"]) == 0
    assert "created or upgraded" in capsys.readouterr().out
    tables = set(inspect(engine).get_table_names())
    assert {"organisation", "joblinks_link", "joblinks_use"} <= tables
    with engine.connect() as conn:
        versions = sorted(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    assert pending_heads(engine, host) == set()
    assert main(["init"]) == 0
    assert "nothing changed" in capsys.readouterr().out
    upgrade(engine, host)  # straight through Alembic too: a no-op
    with engine.connect() as conn:
        assert (
            sorted(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
            == versions
        )
    engine.dispose()


BATCH_REVISIONS = {
    "0001_first.py": """
revision = "batchy_0001"
down_revision = None
branch_labels = ("batchy",)
depends_on = "core"
import sqlalchemy as sa
from alembic import op

def upgrade():
    op.create_table(
        "batchy_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(20), nullable=True),
        sa.Column("obsolete", sa.Integer(), nullable=True),
    )
""",
    "0002_second.py": """
revision = "batchy_0002"
down_revision = "batchy_0001"
branch_labels = None
depends_on = None
import sqlalchemy as sa
from alembic import op

def upgrade():
    # SQLite cannot ALTER or DROP a column in place: batch mode rebuilds the table.
    with op.batch_alter_table("batchy_item") as batch:
        batch.alter_column(
            "title", existing_type=sa.String(20), type_=sa.String(200), nullable=False,
            server_default="",
        )
        batch.drop_column("obsolete")
""",
}


def test_a_plugin_branch_can_change_columns_on_sqlite_in_batch_mode(tmp_path):
    from core import hookimpl
    from core.contracts import PluginInfo

    folder = tmp_path / "migrations"
    folder.mkdir()
    for name, body in BATCH_REVISIONS.items():
        (folder / name).write_text(body)

    class Batchy:
        @hookimpl
        def declic_plugin_info(self):
            return PluginInfo("batchy", "1.0", "Changes a column")

        @hookimpl
        def declic_migrations_dir(self):
            return folder

    host = PluginHost(allow=())
    host.register(Batchy(), "batchy")
    engine = make_engine(f"sqlite:///{tmp_path / 'batch.sqlite3'}")
    upgrade(engine, host)
    columns = {c["name"]: c for c in inspect(engine).get_columns("batchy_item")}
    assert set(columns) == {"id", "title"}
    assert columns["title"]["nullable"] is False
    assert pending_heads(engine, host) == set()
    engine.dispose()


@pytest.fixture
def two_orgs(declic):
    org_a = declic.org("assoc-a")
    org_b = declic.org("assoc-b")
    declic.enable(org_a, "joblinks")
    return org_a, org_b


def test_switched_on_for_one_organisation_only(declic, two_orgs):
    org_a, org_b = two_orgs
    assert (
        declic.client(declic.user(org_a, "learner")).get("/o/assoc-a/joblinks/").status_code == 200
    )
    assert (
        declic.client(declic.user(org_b, "learner")).get("/o/assoc-b/joblinks/").status_code == 404
    )
    with declic.db() as db:
        states = db.execute(select(PluginState.organisation_id, PluginState.enabled)).all()
    assert states == [(org_a.id, True)]
    # Switching on gave the organisation starter links, and none to the other.
    assert declic.count(JobLink, organisation_id=org_a.id) == 3
    assert declic.count(JobLink, organisation_id=org_b.id) == 0


def test_admin_adds_edits_moves_and_removes_links_with_errors_by_field(declic, two_orgs):
    org_a, _org_b = two_orgs
    admin = declic.client(declic.user(org_a, "admin"))
    bad = declic.post(admin, "/o/assoc-a/joblinks/manage", {"title": "", "url": "ftp://x"})
    assert bad.status_code == 400
    assert 'id="e-title"' in bad.text and 'id="e-url"' in bad.text
    assert 'value="ftp://x"' in bad.text  # refilled
    assert declic.count(JobLink) == 3
    good = declic.post(
        admin, "/o/assoc-a/joblinks/manage", {"title": "Indeed", "url": "https://fr.indeed.com/"}
    )
    assert good.status_code == 303
    with declic.db() as db:
        link = db.scalar(select(JobLink).where(JobLink.title == "Indeed"))
        assert link.created_by_id is not None and link.position == 3
    edited = declic.post(
        admin,
        f"/o/assoc-a/joblinks/{link.id}/edit",
        {"title": "Indeed France", "url": "https://fr.indeed.com/"},
    )
    assert edited.status_code == 303
    assert (
        declic.post(admin, f"/o/assoc-a/joblinks/{link.id}/move", {"direction": "up"}).status_code
        == 303
    )
    with declic.db() as db:
        titles = list(
            db.scalars(
                select(JobLink.title)
                .where(JobLink.organisation_id == org_a.id)
                .order_by(JobLink.position)
            )
        )
    assert titles[2] == "Indeed France"
    assert declic.post(admin, f"/o/assoc-a/joblinks/{link.id}/remove").status_code == 303
    assert declic.count(JobLink, title="Indeed France") == 0
    assert declic.count(AuditEvent, action="joblinks.added") == 1
    assert declic.count(AuditEvent, action="joblinks.removed") == 1


def test_learners_read_in_french_tick_links_and_cannot_manage(declic, two_orgs):
    org_a, _org_b = two_orgs
    learner = declic.user(org_a, "learner")
    client = declic.client(learner)
    page = client.get("/o/assoc-a/joblinks/")
    assert "Des liens utiles pour votre recherche d’emploi" in page.text
    assert client.get("/o/assoc-a/joblinks/manage").status_code == 403
    with declic.db() as db:
        link_id = db.scalar(select(JobLink.id).where(JobLink.organisation_id == org_a.id).limit(1))
    row = client.post(
        f"/o/assoc-a/joblinks/{link_id}/used",
        headers={"HX-Request": "true", "X-CSRF-Token": declic.csrf(client)},
    )
    assert row.status_code == 200 and 'aria-pressed="true"' in row.text and "<html" not in row.text
    assert declic.count(JobLinkUse, user_id=learner.id) == 1
    assert (
        declic.post(client, f"/o/assoc-a/joblinks/{link_id}/used").status_code == 303
    )  # untick, no JS
    assert declic.count(JobLinkUse, user_id=learner.id) == 0


def test_the_learner_widget_follows_its_settings(declic, two_orgs):
    org_a, _org_b = two_orgs
    admin = declic.client(declic.user(org_a, "admin"))
    learner = declic.client(declic.user(org_a, "learner"))
    home = learner.get("/o/assoc-a/").text
    assert "Recherche d’emploi" in home and "France Travail" in home
    assert "Mon compte formation" in home  # 3 links by default
    declic.post(
        admin,
        "/o/assoc-a/admin/plugins/joblinks/settings",
        {"widget_links": "1", "show_widget": "1"},
    )
    home = learner.get("/o/assoc-a/").text
    assert "France Travail" in home and "Mon compte formation" not in home
    declic.post(admin, "/o/assoc-a/admin/plugins/joblinks/settings", {"widget_links": "1"})
    assert "France Travail" not in learner.get("/o/assoc-a/").text


MENU_ICON = re.compile(r'<li><a href="([^"]*)"><span aria-hidden="true">([^<]*)</span>')


def test_menu_icons_are_characters_the_bundled_dejavu_sans_draws(declic):
    """An emoji icon is an empty box in a Chromium without an emoji font (Debian's): every menu
    icon, the example plugin's included, is a character DejaVu Sans has (core/fonts)."""
    from fontTools.ttLib import TTFont

    drawn = TTFont(ROOT / "core" / "fonts" / "DejaVuSans.ttf").getBestCmap()
    org = declic.org("assoc-a")
    for name in sorted(declic.state.host.names):
        declic.enable(org, name)
    icons: dict[str, str] = {}
    for role in ("learner", "trainer", "admin"):
        home = declic.client(declic.user(org, role)).get("/o/assoc-a/").text
        icons.update((url, icon) for url, icon in MENU_ICON.findall(home))
    assert any("/joblinks/" in url for url in icons), icons
    for url, icon in icons.items():
        assert all(ord(char) in drawn for char in icon), f"{url}: {icon!r} not in DejaVu Sans"


def test_a_plugin_left_out_after_its_tables_exist_is_named_not_a_trace(tmp_path):
    from core.migrate import MigrationError

    with_plugin = PluginHost(allow=("joblinks",))
    with_plugin.load_entry_points()
    engine = make_engine(f"sqlite:///{tmp_path / 'left.sqlite3'}")
    upgrade(engine, with_plugin)
    without = PluginHost(allow=())
    without.load_entry_points()
    # alembic_version holds only the tips, and joblinks' tip stood for core's revision too:
    # without the plugin, upgrading stops with a message that names it.
    with pytest.raises(MigrationError, match="joblinks_0001"):
        upgrade(engine, without)
    engine.dispose()
