"""The organisation's settings change the model (half-life, "nearly" margin); the demo seed."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import select

from core.clock import now
from core.models import PluginState, User
from plugins.certification import plugin
from plugins.certification.assessment import Tuning
from plugins.certification.evidence import add_observation
from plugins.certification.models import Evidence


def level_shown(html: str, code: str) -> str:
    match = re.search(rf"<th scope=\"row\">{re.escape(code)} [^<]*</th><td>(\d) / 8</td>", html)
    assert match, f"no row for {code}"
    return match.group(1)


def test_the_half_life_setting_changes_how_much_old_evidence_counts(declic, setting) -> None:
    with declic.db() as db:
        row = add_observation(db, setting.org.id, setting.learner.id, "crcn:1.1", 1, True, "", None)
        row.occurred_at = now() - timedelta(days=60)
    client = declic.client(setting.learner)
    # Half-life 90 days: weight 2 × 0.63; θ̂ ≈ 1.7 → level 1.
    assert level_shown(client.get(f"/o/{setting.org.slug}/certification/me").text, "1.1") == "1"
    with declic.db() as db:
        state = db.scalar(
            select(PluginState).where(
                PluginState.organisation_id == setting.org.id, PluginState.plugin == "certification"
            )
        )
        state.settings_json = json.dumps({"half_life_days": 7})
    # Half-life 7 days: 60 days is more than 8 half-lives, the observation weighs 0.005.
    assert level_shown(client.get(f"/o/{setting.org.slug}/certification/me").text, "1.1") == "0"


def test_tuning_reads_settings_and_falls_back_on_nonsense() -> None:
    assert Tuning.from_settings({"half_life_days": 30, "nearly_margin": "0.25"}) == Tuning(30, 0.25)
    assert Tuning.from_settings({"nearly_margin": "lots"}) == Tuning()
    spec = {s.name: s for s in plugin.declic_settings()}
    assert spec["nearly_margin"].validate("3") and spec["nearly_margin"].validate("0.5") is None


def test_demo_seed_gives_a_spread_of_learners(declic, setting) -> None:
    second = declic.user(setting.org, "learner", display_name="Karim")
    declic.enrol(setting.course, second)
    with declic.db() as db:
        users = {u.login: db.get(User, u.id) for u in (setting.learner, second, setting.trainer)}
        plugin.declic_demo_data(db=db, organisation=setting.org, users=users)
    with declic.db() as db:
        counts = {
            uid: len(db.scalars(select(Evidence).where(Evidence.user_id == uid)).all())
            for uid in (setting.learner.id, second.id, setting.trainer.id)
        }
        assert db.scalar(select(Evidence.given_by_id)) == setting.trainer.id
    assert counts[setting.learner.id] > counts[second.id] > 0
    assert counts[setting.trainer.id] == 0
    grid = declic.client(setting.trainer).get(
        f"/o/{setting.org.slug}/certification/courses/{setting.course.id}"
    )
    assert grid.status_code == 200 and "Karim" in grid.text
