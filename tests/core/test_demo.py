"""``declic demo``: two organisations with their people, the Clic'Emploi course and its workshops,
every plugin switched on, each plugin's demo content, and a second run that changes nothing."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core import hookimpl
from core.cli import main
from core.contracts import PluginInfo
from core.demo import (
    DEMO_ORGANISATIONS,
    PASSWORDS,
    WORKSHOPS,
    DemoError,
    seed_demo,
    workshop_times,
)
from core.models import (
    Course,
    Enrolment,
    Group,
    GroupMember,
    Membership,
    Organisation,
    PluginState,
    Section,
    User,
)
from core.plugin_switches import switched_on

ARABIC = re.compile(r"[\u0600-\u06FF]")


@pytest.fixture
def run_demo(declic, declic_settings, monkeypatch, capsys):
    monkeypatch.setenv("DECLIC_DATA_DIR", str(declic_settings.data_dir))
    monkeypatch.setenv("DECLIC_DATABASE_URL", declic_settings.database_url)
    monkeypatch.setenv("DECLIC_SECRET_KEY", declic_settings.secret_key)

    def run() -> tuple[int, str]:
        capsys.readouterr()
        code = main(["demo", "--url", "http://127.0.0.1:8123"])
        return code, capsys.readouterr().out

    return run


def _counts(declic) -> dict[str, int]:
    models = (Organisation, User, Membership, Course, Section, Group, GroupMember, Enrolment)
    counts = {model.__name__: declic.count(model) for model in models}
    with declic.db() as db:
        counts["enabled plugins"] = int(
            db.scalar(select(func.count()).where(PluginState.enabled.is_(True))) or 0
        )
    return counts


def test_demo_seeds_two_organisations_with_people_course_and_plugins(declic, run_demo):
    code, out = run_demo()
    assert code == 0
    assert "created: nord, sud" in out
    assert "http://127.0.0.1:8123/login" in out
    host = declic.state.host

    with declic.db() as db:
        orgs = db.scalars(select(Organisation).order_by(Organisation.slug)).all()
        assert [(o.slug, o.name) for o in orgs] == [
            ("nord", "Association Déclic Nord"),
            ("sud", "Association Clic Sud"),
        ]
        for org in orgs:
            roles = dict(
                db.execute(
                    select(Membership.role, func.count())
                    .where(Membership.organisation_id == org.id)
                    .group_by(Membership.role)
                ).all()
            )
            assert roles["admin"] == 1
            assert roles["trainer"] == 1
            assert roles["learner"] >= 6
            learners = db.scalars(
                select(User)
                .join(Membership, Membership.user_id == User.id)
                .where(Membership.organisation_id == org.id, Membership.role == "learner")
            ).all()
            assert any(u.email is None for u in learners), "some learners have no email"
            assert any(u.email for u in learners)
            assert any(ARABIC.search(u.display_name) for u in learners)

            course = db.scalars(select(Course).where(Course.organisation_id == org.id)).one()
            assert course.title == "Clic'Emploi"
            sections = db.scalars(
                select(Section).where(Section.course_id == course.id).order_by(Section.position)
            ).all()
            assert [s.title for s in sections] == list(WORKSHOPS)
            assert all(s.duration_minutes == 120 and s.starts_at for s in sections)
            assert all(s.organisation_id == org.id for s in sections)

            group = db.scalars(select(Group).where(Group.course_id == course.id)).one()
            members = db.scalars(
                select(GroupMember.user_id).where(GroupMember.group_id == group.id)
            ).all()
            assert sorted(members) == sorted(u.id for u in learners)
            enrolled = dict(
                db.execute(
                    select(Enrolment.role, func.count())
                    .where(Enrolment.course_id == course.id)
                    .group_by(Enrolment.role)
                ).all()
            )
            assert enrolled == {"learner": len(learners), "trainer": 1}

            assert switched_on(db, org.id) == set(host.names)
        admin = db.scalars(select(User).where(User.is_platform_admin.is_(True))).one()
        assert admin.login in out


def test_second_demo_run_changes_nothing_and_says_so(declic, run_demo):
    assert run_demo()[0] == 0
    before = _counts(declic)
    code, out = run_demo()
    assert code == 0
    assert "already present; nothing changed" in out
    assert "demo-learner" in out  # the sign-in help is printed again
    assert _counts(declic) == before


def test_demo_accounts_sign_in_and_see_only_their_organisation(declic, run_demo):
    run_demo()
    nord = DEMO_ORGANISATIONS[0]
    learner = next(p for p in nord.people if p.role == "learner")
    client = declic.client()
    answer = declic.post(
        client, "/login", {"identifier": learner.login, "password": PASSWORDS["learner"]}
    )
    assert answer.status_code == 303
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200
    assert "Clic&#39;Emploi" in home.text or "Clic'Emploi" in home.text
    assert client.get("/o/sud/").status_code == 403


def test_workshops_are_mondays_and_thursdays_at_half_past_nine_paris_time(declic):
    reference = workshop_times(datetime(2026, 11, 27, 12, tzinfo=ZoneInfo("UTC")))
    paris = [moment.astimezone(ZoneInfo("Europe/Paris")) for moment in reference]
    assert [m.strftime("%a %d %H:%M") for m in paris] == [
        "Mon 23 09:30",
        "Thu 26 09:30",
        "Mon 30 09:30",
        "Thu 03 09:30",
    ]
    assert all(b - a >= timedelta(days=3) for a, b in itertools.pairwise(reference))


class DemoRecorder:
    """A throwaway plugin that records the demo hook calls."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[str, list[str]]] = []
        self.fail = fail

    @hookimpl
    def declic_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="demorecorder", version="1.0", description="records demo calls")

    @hookimpl
    def declic_demo_data(self, db, organisation, users) -> None:
        if self.fail:
            raise ValueError("broken demo content")
        self.calls.append((organisation.slug, sorted(users)))


def test_each_enabled_plugin_gets_the_demo_hook_once_per_organisation(declic):
    host = declic.state.host
    recorder = DemoRecorder()
    host.register(recorder, "demorecorder")
    try:
        with declic.db() as db:
            report = seed_demo(db, host)
    finally:
        host.unregister("demorecorder")
    assert report.created == ["nord", "sud"]
    assert [slug for slug, _users in recorder.calls] == ["nord", "sud"]
    nord_logins = sorted(p.login for p in DEMO_ORGANISATIONS[0].people)
    assert recorder.calls[0][1] == nord_logins
    assert declic.count(PluginState, plugin="demorecorder", enabled=True) == 2


def test_a_failing_plugin_demo_writes_nothing(declic):
    host = declic.state.host
    host.register(DemoRecorder(fail=True), "demorecorder")
    try:
        with pytest.raises(DemoError, match="demorecorder"), declic.db() as db:
            seed_demo(db, host)
    finally:
        host.unregister("demorecorder")
    assert declic.count(Organisation) == 0
    assert declic.count(User) == 0
