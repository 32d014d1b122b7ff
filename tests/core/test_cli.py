"""The ``declic`` command: JSON output, bad input (exit 2, nothing written), idempotent init, and
the ``make run`` path (init, demo, run, login page) in a real subprocess."""

from __future__ import annotations

import argparse
import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import inspect

from core import clock, hookimpl
from core.auth import check_password
from core.cli import main
from core.commands.setup import cmd_cron
from core.contracts import PluginInfo
from core.db import make_engine
from core.models import AuditEvent, Membership, Organisation, User, UserSession
from core.testing import blank_database, free_port, source_path, wait_for_health


@pytest.fixture
def cli(declic, declic_settings, monkeypatch, capsys):
    """Run ``declic ARGS`` in-process against the test database; returns (code, stdout, stderr)."""
    monkeypatch.setenv("DECLIC_DATA_DIR", str(declic_settings.data_dir))
    monkeypatch.setenv("DECLIC_DATABASE_URL", declic_settings.database_url)
    monkeypatch.setenv("DECLIC_SECRET_KEY", declic_settings.secret_key)

    def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
        capsys.readouterr()
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse refusals
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_help_lists_every_core_command(cli):
    code, out, _err = cli("--help")
    assert code == 0
    for command in ("init", "run", "demo", "cron", "org", "user", "admin", "revision"):
        assert f"    {command} " in out or f"    {command}\n" in out


def test_org_add_and_list_as_json(cli, declic):
    code, out, err = cli("org", "add", "nord", "Association Déclic Nord", "--json")
    assert (code, err) == (0, "")
    created = json.loads(out)
    assert created == [
        {
            "id": created[0]["id"],
            "slug": "nord",
            "name": "Association Déclic Nord",
            "language": "fr",
            "theme": "default",
            "members": 0,
            "plugins": [],
        }
    ]
    assert cli("org", "add", "sud", "Association Clic Sud", "--language", "ar")[0] == 0

    code, out, _err = cli("org", "list", "--json")
    rows = json.loads(out)
    assert code == 0
    assert [(r["slug"], r["name"], r["language"]) for r in rows] == [
        ("nord", "Association Déclic Nord", "fr"),
        ("sud", "Association Clic Sud", "ar"),
    ]
    assert declic.count(AuditEvent, action="organisation.created") == 2


def test_org_list_json_is_an_empty_array_without_organisations(cli):
    code, out, _err = cli("org", "list", "--json")
    assert code == 0
    assert json.loads(out) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("org", "add", "Bad Slug", "X"), "bad slug"),
        (("org", "add", "x", "X"), "bad slug"),
        (("org", "add", "nord_sud", "X"), "bad slug"),
        (("org", "add", "nord", "   "), "name must not be empty"),
        (("org", "add", "nord", "Nord", "--language", "klingon"), "unknown language"),
    ],
)
def test_org_add_refuses_bad_input_and_writes_nothing(cli, declic, args, message):
    code, out, err = cli(*args)
    assert code == 2
    assert message in err
    assert out == ""
    assert declic.count(Organisation) == 0


def test_org_add_refuses_a_duplicate_slug(cli, declic):
    declic.org("nord", name="Déjà là")
    code, _out, err = cli("org", "add", "nord", "Autre")
    assert code == 2
    assert "already exists" in err
    assert declic.count(Organisation) == 1
    assert declic.reload(Organisation, declic.count(Organisation)).name == "Déjà là"


def test_user_add_with_password_from_stdin_then_sign_in(cli, declic):
    org = declic.org("nord")
    code, out, err = cli(
        "user", "add", "Amina", "--org", "nord", "--role", "learner",
        "--name", "Amina Haddad", "--password-stdin", "--json",
        stdin="un mot de passe\n",
    )  # fmt: skip
    assert (code, err) == (0, "")
    [row] = json.loads(out)
    assert row["login"] == "amina"  # logins are stored in small letters, like the web form's
    assert row["role"] == "learner"
    assert row["email"] is None
    with declic.db() as db:
        user = db.query(User).filter_by(login="amina").one()
        assert check_password(user, "un mot de passe")
        membership = db.query(Membership).filter_by(user_id=user.id).one()
        assert (membership.organisation_id, membership.role) == (org.id, "learner")

    client = declic.client()
    response = declic.post(client, "/login", {"identifier": "amina", "password": "un mot de passe"})
    assert response.status_code == 303


def test_user_add_asks_the_password_twice(cli, declic, monkeypatch):
    declic.org("nord")
    answers = iter(["premier essai", "second essai"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code, _out, err = cli("user", "add", "karim", "--org", "nord", "--role", "trainer")
    assert code == 2
    assert "passwords differ" in err
    assert declic.count(User) == 0

    answers = iter(["même phrase", "même phrase"])
    code, out, _err = cli("user", "add", "karim", "--org", "nord", "--role", "trainer")
    assert code == 0
    assert "created as trainer" in out
    assert declic.count(User, login="karim") == 1


def test_user_add_without_password_for_login_codes(cli, declic):
    declic.org("nord")
    code, out, _err = cli(
        "user", "add", "fatima", "--org", "nord", "--role", "learner", "--no-password", "--json"
    )
    assert code == 0
    assert json.loads(out)[0]["has_password"] is False


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("user", "add", "zoe", "--org", "nowhere", "--role", "learner"), "longpassword\n",
         "no organisation has the slug"),
        (("user", "add", "zoe", "--org", "nord", "--role", "boss"), "longpassword\n",
         "bad role"),
        (("user", "add", "z", "--org", "nord", "--role", "learner"), "longpassword\n",
         "bad login"),
        (("user", "add", "zoé!", "--org", "nord", "--role", "learner"), "longpassword\n",
         "bad login"),
        (("user", "add", "zoe", "--org", "nord", "--role", "learner", "--email", "nope"),
         "longpassword\n", "does not look like an email"),
        (("user", "add", "zoe", "--org", "nord", "--role", "learner"), "short\n",
         "at least 8 characters"),
    ],
)  # fmt: skip
def test_user_add_refuses_bad_input_and_writes_nothing(cli, declic, args, stdin, message):
    declic.org("nord")
    code, out, err = cli(*args, "--password-stdin", stdin=stdin)
    assert code == 2, err
    assert message in err
    assert out == ""
    assert declic.count(User) == 0
    assert declic.count(Membership) == 0


def test_user_add_refuses_a_duplicate_login_or_email(cli, declic):
    org = declic.org("nord")
    declic.user(org, login="amina", email="amina@example.org")
    code, _out, err = cli(
        "user", "add", "AMINA", "--org", "nord", "--role", "learner", "--password-stdin",
        stdin="longpassword\n",
    )  # fmt: skip
    assert code == 2
    assert "already taken" in err
    code, _out, err = cli(
        "user", "add", "amina2", "--org", "nord", "--role", "learner",
        "--email", "Amina@Example.org", "--password-stdin", stdin="longpassword\n",
    )  # fmt: skip
    assert code == 2
    assert "already uses the email" in err
    assert declic.count(User) == 1


def test_user_list_as_json_shows_only_that_organisation(cli, declic):
    nord, sud = declic.org("nord"), declic.org("sud")
    declic.user(nord, "trainer", login="karim", display_name="Karim Benali")
    declic.user(nord, "learner", login="amina", email="amina@example.org")
    declic.user(sud, "learner", login="youssef", display_name="يوسف العلوي")

    code, out, _err = cli("user", "list", "--org", "nord", "--json")
    rows = json.loads(out)
    assert code == 0
    assert [(r["login"], r["role"]) for r in rows] == [("amina", "learner"), ("karim", "trainer")]
    assert rows[0]["email"] == "amina@example.org"

    code, out, _err = cli("user", "list", "--org", "sud", "--json")
    assert [r["name"] for r in json.loads(out)] == ["يوسف العلوي"]

    code, _out, err = cli("user", "list", "--org", "nowhere", "--json")
    assert code == 2
    assert "no organisation" in err


def test_user_passwd_changes_the_password_and_ends_sessions(cli, declic):
    org = declic.org("nord")
    user = declic.user(org, login="amina", password="ancien mot de passe")
    declic.login(declic.client(), user)

    code, out, _err = cli("user", "passwd", "amina", "--password-stdin", stdin="nouveau secret\n")
    assert code == 0
    assert "1 open session(s) ended" in out
    with declic.db() as db:
        assert check_password(db.get(User, user.id), "nouveau secret")
        assert all(s.revoked_at is not None for s in db.query(UserSession).all())

    code, _out, err = cli("user", "passwd", "nobody", "--password-stdin", stdin="nouveau secret\n")
    assert code == 2
    assert "no account" in err


def test_admin_add_creates_or_promotes_a_platform_admin(cli, declic):
    org = declic.org("nord")
    existing = declic.user(org, "admin", login="claire")
    code, out, _err = cli("admin", "add", "claire")
    assert code == 0
    assert declic.reload(User, existing.id).is_platform_admin
    code, out, _err = cli("admin", "add", "claire")
    assert "nothing changed" in out

    code, _out, _err = cli(
        "admin", "add", "root.platform", "--password-stdin", stdin="admin secret\n"
    )
    assert code == 0
    with declic.db() as db:
        created = db.query(User).filter_by(login="root.platform").one()
        assert created.is_platform_admin
        assert check_password(created, "admin secret")


def test_cron_runs_and_reports_plugin_lines(cli):
    code, _out, err = cli("cron")
    assert code == 0, err


# --- init on an empty database ------------------------------------------------------------


def _schema_snapshot(url: str) -> dict[str, list[str]]:
    engine = make_engine(url)
    try:
        inspector = inspect(engine)
        return {
            table: sorted(c["name"] for c in inspector.get_columns(table))
            for table in sorted(inspector.get_table_names())
        }
    finally:
        engine.dispose()


def test_init_creates_the_schema_and_a_second_run_changes_nothing(tmp_path, monkeypatch, capsys):
    with blank_database(tmp_path, "init") as url:
        monkeypatch.setenv("DECLIC_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("DECLIC_DATABASE_URL", url)
        assert main(["init"]) == 0
        assert "created or upgraded" in capsys.readouterr().out
        first = _schema_snapshot(url)
        assert {"organisation", "user_account", "course", "alembic_version"} <= set(first)

        assert main(["init"]) == 0
        assert "nothing changed" in capsys.readouterr().out
        assert _schema_snapshot(url) == first


# --- the `make run` path, as a newcomer runs it ---------------------------------------------


def _declic_command() -> list[str]:
    script = Path(sys.executable).parent / "declic"
    return [str(script)] if script.exists() else [sys.executable, "-m", "core.cli"]


def test_init_demo_run_serve_the_login_page_within_60_seconds(tmp_path):
    started = time.monotonic()
    with blank_database(tmp_path, "quickstart") as url:
        port = free_port()
        env = {
            **os.environ,
            "DECLIC_DATA_DIR": str(tmp_path / "var"),
            "DECLIC_DATABASE_URL": url,
            "PORT": str(port),
            "PYTHONPATH": source_path(),
        }
        env.pop("DECLIC_SECRET_KEY", None)
        declic = _declic_command()
        init = subprocess.run(
            [*declic, "init"], env=env, capture_output=True, text=True, timeout=60
        )
        assert init.returncode == 0, init.stderr
        demo = subprocess.run(
            [*declic, "demo"], env=env, capture_output=True, text=True, timeout=60
        )
        assert demo.returncode == 0, demo.stderr
        assert f"http://127.0.0.1:{port}/login" in demo.stdout
        assert "amina" in demo.stdout and "demo-learner" in demo.stdout

        log = (tmp_path / "server.log").open("wb")
        server = subprocess.Popen(
            [*declic, "run", "--host", "127.0.0.1"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            remaining = 60 - (time.monotonic() - started)
            up = wait_for_health(f"http://127.0.0.1:{port}", server, timeout=max(remaining, 1))
            assert up, (tmp_path / "server.log").read_text()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=10) as page:
                html = page.read().decode()
            assert page.status == 200
            assert 'name="identifier"' in html
            assert time.monotonic() - started < 60
            # The secret key was generated once and kept in the data dir.
            assert (tmp_path / "var" / "secret_key").exists()
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=15)
            log.close()


# --- cron: each plugin in its own transaction ------------------------------------------------


class CronWriter:
    @hookimpl
    def declic_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="cronwriter", version="1.0", description="writes in cron")

    @hookimpl
    def declic_cron(self, db, now):
        db.add(AuditEvent(action="cron.wrote", target=now.isoformat()))
        return ["one reminder sent"]


class CronBreaker:
    @hookimpl
    def declic_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="cronbreaker", version="1.0", description="fails in cron")

    @hookimpl
    def declic_cron(self, db, now):
        db.add(AuditEvent(action="cron.half_done"))
        db.flush()
        raise RuntimeError("mail server down")


def test_cron_prints_each_plugins_lines_and_a_failure_undoes_only_that_plugin(
    declic, declic_register, capsys
):
    declic_register(CronWriter(), "cronwriter")
    declic_register(CronBreaker(), "cronbreaker")
    runtime = SimpleNamespace(
        settings=declic.state.settings, host=declic.state.host, state=declic.state
    )
    code = cmd_cron(argparse.Namespace(), runtime)
    out, err = capsys.readouterr()
    assert code == 1
    assert "cronwriter: one reminder sent" in out
    assert "plugin cronbreaker failed in cron" in err and "mail server down" in err
    assert declic.count(AuditEvent, action="cron.wrote") == 1
    assert declic.count(AuditEvent, action="cron.half_done") == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("run", "--workers", "0"), "--workers must be 1 or more"),
        (("run", "--port", "70000"), "not a valid port"),
    ],
)
def test_run_refuses_bad_options_before_serving(cli, args, message):
    code, _out, err = cli(*args)
    assert code == 2
    assert message in err


def test_run_on_a_busy_port_is_refused_clearly(cli):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _out, err = cli("run", "--port", str(port), "--workers", "2")
    assert code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in err


def test_cron_removes_sign_in_attempts_older_than_a_day(cli, declic):
    from core.auth import record_attempt
    from core.models import LoginAttempt

    with declic.db() as db:
        record_attempt(db, ["address:203.0.113.9"], succeeded=False)
        db.commit()
        db.query(LoginAttempt).update({"created_at": clock.now() - timedelta(days=2)})
        record_attempt(db, ["address:203.0.113.10"], succeeded=False)
        db.commit()
    code, out, err = cli("cron")
    assert code == 0, err
    assert "core: 1 sign-in attempt(s) older than a day removed" in out
    assert declic.count(LoginAttempt) == 1
    code, out, _err = cli("cron")
    assert "sign-in attempt" not in out  # nothing to say when nothing was removed
