"""Absence warnings: raised once per crossing, cleared when back above, shown to trainers."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from core.clock import now
from core.models import Organisation, PluginState
from plugins.attendance import plugin
from plugins.attendance.models import AbsenceWarning, AttendanceStatus
from plugins.attendance.rates import RateSummary
from plugins.attendance.tests.conftest import base, make_session
from plugins.attendance.warnings import crossed


def _settings(declic, world, **values):
    with declic.db() as db:
        state = db.scalar(
            select(PluginState).where(
                PluginState.organisation_id == world.org.id, PluginState.plugin == "attendance"
            )
        )
        state.settings_json = json.dumps(values)


def _status_ids(declic, world):
    with declic.db() as db:
        rows = db.scalars(
            select(AttendanceStatus).where(AttendanceStatus.organisation_id == world.org.id)
        ).all()
        return {r.key: r.id for r in rows}


def _warnings(declic, **where):
    with declic.db() as db:
        stmt = select(AbsenceWarning).order_by(AbsenceWarning.id)
        for key, value in where.items():
            stmt = stmt.where(getattr(AbsenceWarning, key) == value)
        return db.scalars(stmt).all()


def _mark(declic, client, world, session, user, status_id):
    response = declic.post(
        client,
        f"{base(world)}/session/{session.id}/mark",
        {"user_id": user.id, "status_id": status_id},
    )
    assert response.status_code == 303


def test_thresholds_as_a_pure_rule():
    settings = {"warn_consecutive": 3, "warn_rate_percent": 70, "warn_rate_after": 4}
    low = RateSummary(planned=10, taken=4, points=4, max_points_taken=8, max_points_planned=20)
    assert crossed(low, 2, settings) == {"rate": "50"}
    assert crossed(low, 3, settings) == {"consecutive": "3", "rate": "50"}
    too_early = RateSummary(
        planned=10, taken=3, points=0, max_points_taken=6, max_points_planned=20
    )
    assert crossed(too_early, 0, settings) == {}
    off = {"warn_consecutive": 0, "warn_rate_percent": 0, "warn_rate_after": 1}
    assert crossed(low, 9, off) == {}


def test_consecutive_absences_warn_once_then_again_after_a_new_crossing(declic, world):
    _settings(declic, world, warn_consecutive=2, warn_rate_percent=0)
    ids = _status_ids(declic, world)
    trainer = declic.client(world.trainer)
    ngozi = world.learners[2]
    sessions = [
        make_session(declic, world, starts_at=now() - timedelta(days=d)) for d in (5, 4, 3, 2, 1)
    ]
    _mark(declic, trainer, world, sessions[0], ngozi, ids["absent"])
    assert _warnings(declic) == []
    _mark(declic, trainer, world, sessions[1], ngozi, ids["absent"])
    assert len(_warnings(declic, user_id=ngozi.id, kind="consecutive")) == 1
    _mark(declic, trainer, world, sessions[2], ngozi, ids["absent"])  # still crossed: no new one
    # Re-marking and re-evaluating (cron) raise nothing new either.
    _mark(declic, trainer, world, sessions[2], ngozi, ids["absent"])
    with declic.db() as db:
        plugin.declic_cron(db=db, now=now())
    assert len(_warnings(declic, user_id=ngozi.id)) == 1
    _mark(declic, trainer, world, sessions[3], ngozi, ids["present"])  # back: cleared
    [first] = _warnings(declic, user_id=ngozi.id)
    assert first.cleared_at is not None
    _mark(declic, trainer, world, sessions[4], ngozi, ids["absent"])
    assert len(_warnings(declic, user_id=ngozi.id)) == 1  # one absence after the present
    # Correcting the present to absent: a new crossing, a second warning.
    _mark(declic, trainer, world, sessions[3], ngozi, ids["absent"])
    warnings = _warnings(declic, user_id=ngozi.id)
    assert len(warnings) == 2 and warnings[1].cleared_at is None and warnings[1].detail == "5"


def test_rate_below_threshold_after_enough_sessions(declic, world):
    _settings(declic, world, warn_consecutive=0, warn_rate_percent=70, warn_rate_after=3)
    ids = _status_ids(declic, world)
    trainer = declic.client(world.trainer)
    amelie = world.learners[0]
    sessions = [make_session(declic, world, starts_at=now() - timedelta(days=d)) for d in (4, 3, 2)]
    _mark(declic, trainer, world, sessions[0], amelie, ids["late"])
    _mark(declic, trainer, world, sessions[1], amelie, ids["late"])
    assert _warnings(declic) == []  # 50 % but only two sessions taken
    _mark(declic, trainer, world, sessions[2], amelie, ids["present"])  # 4/6 = 67 %
    [warning] = _warnings(declic, user_id=amelie.id)
    assert (warning.kind, warning.detail) == ("rate", "67")


def test_trainers_see_open_warnings_on_their_dashboard_and_can_dismiss_them(declic, world):
    _settings(declic, world, warn_consecutive=1, warn_rate_percent=0)
    ids = _status_ids(declic, world)
    trainer = declic.client(world.trainer)
    session = make_session(declic, world, starts_at=now() - timedelta(hours=1))
    _mark(declic, trainer, world, session, world.learners[1], ids["absent"])
    home = trainer.get(f"/o/{world.org.slug}/")
    assert "Alertes d&#39;absence" in home.text or "Alertes d'absence" in home.text
    assert "فاطمة الزهراء a manqué 1 séances de suite." in home.text
    assert "Séances du jour" in home.text
    [warning] = _warnings(declic)
    # A trainer of another course neither sees nor dismisses it.
    other_course = declic.course(world.org, title="Bureautique")
    other_trainer = declic.user(world.org, "trainer", login="other-trainer")
    declic.enrol(other_course, other_trainer, "trainer")
    other = declic.client(other_trainer)
    assert "فاطمة" not in other.get(f"/o/{world.org.slug}/").text
    dismiss = f"{base(world)}/warnings/{warning.id}/dismiss"
    assert declic.post(other, dismiss).status_code == 403
    assert declic.post(trainer, dismiss).status_code == 303
    assert "فاطمة" not in trainer.get(f"/o/{world.org.slug}/").text


def test_cron_evaluates_only_organisations_with_the_plugin_on(declic, world):
    _settings(declic, world, warn_consecutive=1, warn_rate_percent=0)
    session = make_session(declic, world, starts_at=now() - timedelta(hours=3), duration=60)
    # Taken (one learner checked in), the others never marked: absences for the cron to find.
    with declic.db() as db:
        from plugins.attendance.marking import mark
        from plugins.attendance.statuses import by_key, ensure_statuses

        statuses = ensure_statuses(db, db.get(Organisation, world.org.id))
        mark(
            db,
            db.merge(session),
            world.learners[0].id,
            by_key(statuses, "present"),
            2,
            actor_id=None,
        )
    declic.disable(world.org, "attendance")
    with declic.db() as db:
        assert plugin.declic_cron(db=db, now=now()) is None
    declic.enable(world.org, "attendance")
    with declic.db() as db:
        lines = plugin.declic_cron(db=db, now=now())
    assert lines == ["attendance: asso: 2 absence warning(s) raised"]
    assert {w.user_id for w in _warnings(declic)} == {world.learners[1].id, world.learners[2].id}
