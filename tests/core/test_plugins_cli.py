"""``declic plugins list|enable|disable``: the JSON shape, per-organisation state, dependencies."""

from __future__ import annotations

import io
import json
import sys
import types
from importlib.metadata import EntryPoint

import pytest

import core.plugins
from core import hookimpl
from core.cli import main
from core.contracts import PluginInfo
from core.models import AuditEvent, PluginState
from core.plugins import ENTRY_POINT_GROUP


@pytest.fixture
def cli(declic, monkeypatch, tmp_path):
    monkeypatch.setenv("DECLIC_DATABASE_URL", declic.state.settings.database_url)
    monkeypatch.setenv("DECLIC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DECLIC_SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DECLIC_PLUGINS", "joblinks")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    return declic


def test_list_json_is_an_array_of_plugins_with_their_hooks(cli, capsys):
    assert main(["plugins", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert isinstance(rows, list)
    # DECLIC_PLUGINS leaves only joblinks loaded, though the test database also has the
    # built-in plugins' tables: their revisions are left alone.
    (row,) = rows
    assert set(row) == {"name", "version", "description", "enabled", "hooks"}
    assert row["name"] == "joblinks" and row["version"] == "1.0.0"
    assert row["enabled"] is None  # no organisation given
    assert "declic_routes" in row["hooks"] and "declic_privacy_export" in row["hooks"]


def test_enable_and_disable_for_one_organisation(cli, capsys):
    org = cli.org("assoc-a")
    cli.org("assoc-b")
    assert main(["plugins", "enable", "joblinks", "--org", "assoc-a"]) == 0
    assert "joblinks is on for assoc-a" in capsys.readouterr().out
    assert main(["plugins", "list", "--org", "assoc-a", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["enabled"] is True
    assert main(["plugins", "list", "--org", "assoc-b", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["enabled"] is False
    assert main(["plugins", "list", "--org", "assoc-a"]) == 0
    table = capsys.readouterr().out
    assert "joblinks" in table and " on " in table
    assert main(["plugins", "disable", "joblinks", "--org", "assoc-a"]) == 0
    assert cli.count(PluginState, organisation_id=org.id, enabled=True) == 0
    assert cli.count(AuditEvent, action="plugin.disabled", target="joblinks") == 1


def test_bad_names_say_what_is_wrong(cli, capsys):
    cli.org("assoc-a")
    assert main(["plugins", "enable", "ghost", "--org", "assoc-a"]) == 2
    assert "no plugin 'ghost'" in capsys.readouterr().err
    assert main(["plugins", "enable", "joblinks", "--org", "nowhere"]) == 2
    assert "no organisation 'nowhere'" in capsys.readouterr().err
    assert main(["plugins", "list", "--org", "nowhere"]) == 2


@pytest.fixture
def needy_installed(cli, monkeypatch):
    """A plugin that depends on joblinks, installed next to it as an entry point."""
    module = types.ModuleType("declic_test_needy")
    module.declic_plugin_info = hookimpl(
        lambda: PluginInfo("needy", "1.0", "Needs joblinks", depends=("joblinks",))
    )
    monkeypatch.setitem(sys.modules, module.__name__, module)
    real = core.plugins.entry_points
    monkeypatch.setattr(
        core.plugins,
        "entry_points",
        lambda group: [*real(group=group), EntryPoint("needy", module.__name__, ENTRY_POINT_GROUP)],
    )
    monkeypatch.setenv("DECLIC_PLUGINS", "joblinks,needy")
    return cli


def test_dependencies_are_named_and_moved_with_cascade(needy_installed, capsys):
    kit = needy_installed
    org = kit.org("assoc-a")
    assert main(["plugins", "enable", "needy", "--org", "assoc-a"]) == 2
    error = capsys.readouterr().err
    assert "needy needs joblinks" in error and "--cascade" in error
    assert kit.count(PluginState, organisation_id=org.id, enabled=True) == 0
    assert main(["plugins", "enable", "needy", "--org", "assoc-a", "--cascade"]) == 0
    assert "Plugins on: joblinks, needy." in capsys.readouterr().out
    assert main(["plugins", "disable", "joblinks", "--org", "assoc-a"]) == 2
    assert "needy need joblinks" in capsys.readouterr().err
    assert main(["plugins", "disable", "joblinks", "--org", "assoc-a", "--cascade"]) == 0
    assert kit.count(PluginState, organisation_id=org.id, enabled=True) == 0
