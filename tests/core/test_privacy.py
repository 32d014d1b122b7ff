"""``declic privacy export|delete``: one archive with every plugin's data; deletion in every
plugin, core last, all or nothing."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from declic_joblinks.models import JobLink, JobLinkUse
from sqlalchemy import select

from core import hookimpl
from core.cli import main
from core.contracts import PluginInfo
from core.models import AuditEvent, Enrolment, LoginAttempt, Membership, User, UserSession
from core.privacy import PrivacyError, delete_user, export_archive, find_user


@pytest.fixture
def amina(declic):
    """A learner with data in core (membership, enrolment, session, audit) and in joblinks."""
    org = declic.org("assoc-a")
    declic.enable(org, "joblinks")
    user = declic.user(org, "learner", login="amina", email="amina@example.org")
    declic.enrol(declic.course(org, "Clic'Emploi"), user)
    client = declic.client(user)
    with declic.db() as db:
        # One of the starter links made when joblinks was switched on.
        link_id = db.scalar(select(JobLink.id).where(JobLink.organisation_id == org.id).limit(1))
    assert link_id is not None
    assert declic.post(client, f"/o/assoc-a/joblinks/{link_id}/used").status_code == 303
    with declic.db() as db:
        db.add(
            AuditEvent(organisation_id=org.id, actor_id=user.id, action="test.action", target="x")
        )
        db.add(LoginAttempt(key="account:amina", succeeded=False))
    return user


def read_zip(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_export_is_one_archive_with_core_each_plugin_and_an_index(declic, amina):
    with declic.db() as db:
        files = read_zip(export_archive(declic.state.host, db, db.get(User, amina.id)))
    assert {"core.json", "joblinks.json", "index.html"} <= set(files)
    core_part = json.loads(files["core.json"])
    assert core_part["account"]["login"] == "amina"
    assert core_part["memberships"][0]["organisation"] == "assoc-a"
    assert core_part["enrolments"][0]["course"] == "Clic'Emploi"
    assert core_part["sessions"]  # the client's session
    assert [a["action"] for a in core_part["actions"]] == ["test.action"]
    plugin_part = json.loads(files["joblinks.json"])
    assert len(plugin_part["links_used"]) == 1
    assert (
        'href="joblinks.json"' in files["index.html"] and 'href="core.json"' in files["index.html"]
    )
    assert "joblinks_use" in files["index.html"]  # the plugin's declared purpose is shown


def test_a_user_without_plugin_data_gets_core_only(declic):
    org = declic.org()
    user = declic.user(org, "learner")
    with declic.db() as db:
        files = read_zip(export_archive(declic.state.host, db, db.get(User, user.id)))
    assert set(files) == {"core.json", "index.html"}


class Witness:
    """Records what it sees when asked to delete: core must still hold the account."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, object]] = []

    @hookimpl
    def declic_plugin_info(self) -> PluginInfo:
        return PluginInfo("witness", "1.0", "Watches the deletion order")

    @hookimpl
    def declic_privacy_delete(self, db, user) -> None:
        memberships = db.scalars(select(Membership).where(Membership.user_id == user.id)).all()
        self.seen.append(("delete", len(memberships)))

    @hookimpl
    def declic_user_deleted(self, db, user_id) -> None:
        self.seen.append(("deleted", db.get(User, user_id)))


def test_delete_runs_every_plugin_then_core_and_leaves_nothing(declic, declic_register, amina):
    witness = declic_register(Witness(), "witness")
    with declic.db() as db:
        parts = delete_user(declic.state.host, db, db.get(User, amina.id))
    assert parts[-1] == "core" and {"joblinks", "witness"} <= set(parts)
    assert witness.seen == [("delete", 1), ("deleted", None)]  # plugins first, core last
    assert declic.count(User, id=amina.id) == 0
    for model in (Membership, Enrolment, UserSession, JobLinkUse):
        assert declic.count(model, user_id=amina.id) == 0
    assert declic.count(LoginAttempt, key="account:amina") == 0
    with declic.db() as db:
        event = db.scalar(select(AuditEvent).where(AuditEvent.action == "test.action"))
        assert event.actor_id is None  # what happened is kept, not who
        assert (
            db.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.deleted")) is not None
        )
        assert db.scalar(select(JobLink.id).where(JobLink.created_by_id == amina.id)) is None


class Broken:
    @hookimpl
    def declic_plugin_info(self) -> PluginInfo:
        return PluginInfo("broken", "1.0", "Fails to delete")

    @hookimpl
    def declic_privacy_delete(self, db, user) -> None:
        raise RuntimeError("disk full")


def test_a_failing_plugin_stops_the_deletion_and_names_itself(declic, declic_register, amina):
    declic_register(Broken(), "broken")
    db = declic.state.write_db()
    try:
        with pytest.raises(PrivacyError, match="broken"):
            delete_user(declic.state.host, db, db.get(User, amina.id))
        db.rollback()
    finally:
        db.close()
    assert declic.count(User, id=amina.id) == 1
    assert declic.count(JobLinkUse, user_id=amina.id) == 1


def test_find_user_by_login_email_or_id(declic, amina):
    with declic.db() as db:
        assert find_user(db, "amina").id == amina.id
        assert find_user(db, "amina@example.org").id == amina.id
        assert find_user(db, str(amina.id)).id == amina.id
        assert find_user(db, "nobody") is None


@pytest.fixture
def cli_env(declic, monkeypatch, tmp_path):
    settings = declic.state.settings
    monkeypatch.setenv("DECLIC_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DECLIC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DECLIC_SECRET_KEY", settings.secret_key)
    return tmp_path


def test_cli_export_writes_the_archive(declic, amina, cli_env, capsys):
    target = cli_env / "amina.zip"
    assert main(["privacy", "export", "amina", "-o", str(target)]) == 0
    assert "joblinks.json" in read_zip(target.read_bytes())
    assert main(["privacy", "export", "nobody", "-o", str(target)]) == 2
    assert "no user 'nobody'" in capsys.readouterr().err


def test_cli_delete_needs_yes_when_not_interactive(declic, amina, cli_env, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["privacy", "delete", "amina"]) == 2
    assert "--yes" in capsys.readouterr().err
    assert declic.count(User, id=amina.id) == 1
    assert main(["privacy", "delete", "amina", "--yes"]) == 0
    assert "Deleted amina" in capsys.readouterr().out
    assert declic.count(User, id=amina.id) == 0
