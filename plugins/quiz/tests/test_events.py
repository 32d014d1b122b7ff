"""The quiz announces submissions and grades to other plugins; a failing listener breaks nothing."""

from __future__ import annotations

from core import hookimpl
from core.contracts import PluginInfo
from core.models import AuditEvent
from plugins.quiz.models import Attempt
from plugins.quiz.tests.builders import setup_learner, start


class Recorder:
    def __init__(self) -> None:
        self.heard: list[tuple[str, object]] = []

    @hookimpl
    def declic_plugin_info(self) -> PluginInfo:
        return PluginInfo(
            name="recorder", version="1.0", description="hears quiz results", depends=("quiz",)
        )

    @hookimpl
    def declic_quiz_attempt_submitted(self, db, result) -> None:
        self.heard.append(("submitted", result))

    @hookimpl
    def declic_quiz_attempt_graded(self, db, result) -> None:
        self.heard.append(("graded", result))


class Breaker:
    @hookimpl
    def declic_plugin_info(self) -> PluginInfo:
        return PluginInfo(
            name="breaker", version="1.0", description="always fails", depends=("quiz",)
        )

    @hookimpl
    def declic_quiz_attempt_submitted(self, db, result) -> None:
        db.add(AuditEvent(action="breaker.half-done", target="x"))
        db.flush()
        raise RuntimeError("listener bug")


def test_listeners_hear_results_and_a_failing_one_is_isolated(declic):
    recorder, breaker = Recorder(), Breaker()
    host = declic.state.host
    host.register(breaker, "breaker")
    host.register(recorder, "recorder")
    try:
        world = setup_learner(declic, "assoc-ev")
        declic.enable(world["org"], "breaker")
        declic.enable(world["org"], "recorder")
        other = setup_learner(declic, "assoc-quiet")  # recorder is off there: hears nothing
        client = declic.client(world["learner"])
        org = world["org"]
        attempt_id = start(declic, client, org, world["quiz_id"])
        declic.post(
            client,
            f"/o/{org.slug}/quiz/attempt/{attempt_id}/save",
            {"slot": "1", "seq": "1", "q1": "a"},
        )
        response = declic.post(client, f"/o/{org.slug}/quiz/attempt/{attempt_id}/submit")
        assert response.status_code == 303
        assert declic.reload(Attempt, attempt_id).state == "finished"
        assert [kind for kind, _r in recorder.heard] == ["submitted", "graded"]
        result = recorder.heard[0][1]
        assert result.quiz_title == "Quiz one" and result.max_score == 3.0 and result.score == 1.0
        assert result.organisation_id == org.id and result.course_id == world["course"].id
        assert (
            declic.count(AuditEvent, action="breaker.half-done") == 0
        )  # rolled back to its savepoint
        # A trainer's mark announces "graded" again, with the new fraction.
        trainer = declic.client(world["trainer"])
        r = declic.post(
            trainer,
            f"/o/{org.slug}/quiz/attempt/{attempt_id}/slot/2/override",
            {"mark": "0.5", "comment": "Presque"},
        )
        assert r.status_code == 303
        assert recorder.heard[-1][0] == "graded"
        assert [i.fraction for i in recorder.heard[-1][1].items] == [1.0, 0.5, 0.0]
        assert declic.reload(Attempt, attempt_id).score == 1.5
        review = client.get(f"/o/{org.slug}/quiz/attempt/{attempt_id}/review")
        assert "Presque" in review.text
        count = len(recorder.heard)
        quiet = declic.client(other["learner"])
        quiet_attempt = start(declic, quiet, other["org"], other["quiz_id"])
        declic.post(quiet, f"/o/{other['org'].slug}/quiz/attempt/{quiet_attempt}/submit")
        assert len(recorder.heard) == count
    finally:
        host.unregister("recorder")
        host.unregister("breaker")


def test_cron_finishes_overdue_attempts_and_announces_them(declic):
    from datetime import timedelta

    from core import clock
    from plugins.quiz.plugin import declic_cron

    recorder = Recorder()
    host = declic.state.host
    host.register(recorder, "recorder")
    try:
        world = setup_learner(declic, "assoc-cron", time_limit_seconds=60)
        declic.enable(world["org"], "recorder")
        client = declic.client(world["learner"])
        attempt_id = start(declic, client, world["org"], world["quiz_id"])
        with declic.db() as db:
            lines = declic_cron(
                db=db, now=clock.now() + timedelta(minutes=5), host=declic.state.host
            )
        assert lines == [f"organisation {world['org'].id}: 1 overdue attempt(s) finished"]
        assert [kind for kind, _r in recorder.heard] == ["submitted", "graded"]
        assert recorder.heard[0][1].attempt_id == attempt_id
        assert declic.reload(Attempt, attempt_id).state == "finished"
    finally:
        host.unregister("recorder")
