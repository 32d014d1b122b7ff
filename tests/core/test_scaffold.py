"""``declic plugins new NAME``: the package it writes installs, passes its own tests and the
contract check (end to end, in subprocesses, in the project's virtualenv)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.cli import main
from core.i18n import compile_po
from core.scaffold import ScaffoldError, scaffold
from core.testing import source_path

EXPECTED = {
    "pyproject.toml",
    "README.md",
    "declic_{n}/__init__.py",
    "declic_{n}/plugin.py",
    "declic_{n}/models.py",
    "declic_{n}/views.py",
    "declic_{n}/templates/{n}/index.html",
    "declic_{n}/templates/{n}/note.html",
    "declic_{n}/locale/fr/LC_MESSAGES/{n}.po",
    "declic_{n}/migrations/0001_{n}_tables.py",
    "tests/test_{n}.py",
}


def test_the_package_has_every_file_of_a_plugin(tmp_path):
    folder = scaffold("jobboard", tmp_path)
    assert folder == tmp_path / "declic-jobboard"
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert files == {f.format(n="jobboard") for f in EXPECTED}
    pyproject = (folder / "pyproject.toml").read_text()
    assert (
        '[project.entry-points."declic.plugins"]\njobboard = "declic_jobboard.plugin"' in pyproject
    )
    assert "__NAME__" not in "".join(p.read_text() for p in folder.rglob("*") if p.is_file())
    catalogue = compile_po(folder / "declic_jobboard/locale/fr/LC_MESSAGES/jobboard.po")
    assert catalogue.gettext("My notes") == "Mes notes"
    migration = (folder / "declic_jobboard/migrations/0001_jobboard_tables.py").read_text()
    assert 'branch_labels: str | Sequence[str] | None = ("jobboard",)' in migration
    assert 'depends_on: str | Sequence[str] | None = "core"' in migration
    for path in folder.rglob("*.py"):
        compile(path.read_text(), str(path), "exec")


@pytest.mark.parametrize("name", ["Bad", "a", "has-dash", "core", "x__y", "class", "end_"])
def test_bad_names_are_refused_and_nothing_is_written(tmp_path, name):
    with pytest.raises(ScaffoldError):
        scaffold(name, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_never_overwritten(tmp_path):
    scaffold("jobboard", tmp_path)
    (tmp_path / "declic-jobboard" / "README.md").write_text("mine")
    with pytest.raises(ScaffoldError, match="already exists"):
        scaffold("jobboard", tmp_path)
    assert (tmp_path / "declic-jobboard" / "README.md").read_text() == "mine"


def test_the_command_writes_the_package(tmp_path, capsys):
    assert main(["plugins", "new", "jobboard", "--dir", str(tmp_path)]) == 0
    assert (tmp_path / "declic-jobboard" / "declic_jobboard" / "plugin.py").exists()
    assert "pip install -e" in capsys.readouterr().out
    assert main(["plugins", "new", "Bad", "--dir", str(tmp_path)]) == 2


NAME = "scaffolded"
# Upgrade a fresh database with the plugin's branch, then compare with its models.
COMPARE = """
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from core.db import Base, make_engine
from core.migrate import upgrade
from core.plugins import PluginHost
host = PluginHost(allow=("{name}",))
host.load_entry_points()
engine = make_engine("sqlite:///{db}")
upgrade(engine, host)
with engine.connect() as conn:
    context = MigrationContext.configure(conn, opts={{"compare_type": True}})
    print([str(d) for d in compare_metadata(context, Base.metadata) if "{name}" in str(d)])
"""


def _run(
    args: list[str], cwd: Path, env: dict[str, str], timeout: int = 240
) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.mark.install
def test_a_scaffolded_plugin_installs_passes_its_tests_and_the_contract(tmp_path):
    """Built and installed with pip like any package, into a folder of its own that only the
    subprocesses see: installing it into the shared virtualenv would show a half-installed
    plugin to every other test process running meanwhile (xdist workers, a second checkout),
    and an interrupted run would leave an entry point to a deleted folder behind."""
    folder = scaffold(NAME, tmp_path)
    site = tmp_path / "site"
    python = sys.executable
    # Only the new plugin is loaded in the subprocesses: its author's usual set-up.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DECLIC_"))}
    env.update(
        DECLIC_PLUGINS=NAME,
        DECLIC_DATA_DIR=str(tmp_path / "data"),
        DECLIC_SECRET_KEY="s" * 32,
        PYTHONPATH=os.pathsep.join([str(site), source_path()]),
    )
    if os.environ.get("DECLIC_TEST_BACKEND"):
        env["DECLIC_TEST_BACKEND"] = os.environ["DECLIC_TEST_BACKEND"]
        env["DECLIC_TEST_POSTGRES_URL"] = os.environ.get("DECLIC_TEST_POSTGRES_URL", "")
    pip = [python, "-m", "pip", "--disable-pip-version-check", "-q"]
    installed = _run(
        [*pip, "install", "--no-deps", "--target", str(site), str(folder)], tmp_path, env
    )
    assert installed.returncode == 0, installed.stderr
    # The built package carries its templates, strings and migrations (package data).
    package = site / f"declic_{NAME}"
    for relative in (
        f"templates/{NAME}/index.html",
        f"locale/fr/LC_MESSAGES/{NAME}.po",
        f"migrations/0001_{NAME}_tables.py",
    ):
        assert (package / relative).is_file(), relative
    # Run from tmp_path, so ``declic_scaffolded`` is imported from the installed copy.
    tests = _run(
        [python, "-m", "pytest", "-q", "-p", "no:randomly", str(folder / "tests")], tmp_path, env
    )
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-2000:]
    assert "4 passed" in tests.stdout
    compared = _run(
        [python, "-c", COMPARE.format(name=NAME, db=tmp_path / "compare.sqlite3")], tmp_path, env
    )
    assert compared.returncode == 0, compared.stderr
    assert compared.stdout.strip() == "[]", (
        f"its migration and its model disagree: {compared.stdout}"
    )
    listed = _run([python, "-m", "core.cli", "plugins", "list", "--json"], tmp_path, env)
    assert listed.returncode == 0, listed.stderr
    assert f'"name": "{NAME}"' in listed.stdout
    checked = _run([python, "-m", "core.cli", "plugins", "check", NAME], tmp_path, env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "holds to the contract" in checked.stdout
