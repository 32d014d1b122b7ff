"""Self check-in: by code and by QR link; window, lateness, group, future, twice, forged or
expired code, network restriction; nothing written when refused."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import select
from starlette.testclient import TestClient

from core.clock import now, set_offset
from core.models import PluginState
from plugins.attendance.checkin import current_token
from plugins.attendance.models import AttendanceRecord, RecordChange
from plugins.attendance.tests.conftest import base, make_group, make_session


def _settings(declic, world, **values):
    with declic.db() as db:
        state = db.scalar(
            select(PluginState).where(
                PluginState.organisation_id == world.org.id, PluginState.plugin == "attendance"
            )
        )
        state.settings_json = json.dumps(values)


def _checkin(declic, client, world, code):
    return declic.post(client, f"{base(world)}/checkin", {"code": code})


def _record(declic, session, user):
    with declic.db() as db:
        return db.scalar(
            select(AttendanceRecord).where(
                AttendanceRecord.session_id == session.id, AttendanceRecord.user_id == user.id
            )
        )


def test_checking_in_by_code_marks_present_then_never_twice(declic, world):
    session = make_session(declic, world, starts_at=now() - timedelta(minutes=5))
    learner = world.learners[0]
    client = declic.client(learner)
    response = _checkin(
        declic, client, world, session.checkin_code.lower()[:3] + " " + session.checkin_code[3:]
    )
    assert response.status_code == 200, response.text
    assert "votre présence est enregistrée : Présent" in response.text
    record = _record(declic, session, learner)
    assert record.status_name == "Présent" and record.source == "checkin"
    assert record.marked_by_id == learner.id
    again = _checkin(declic, client, world, session.checkin_code)
    assert again.status_code == 403
    assert "déjà enregistrée" in again.text
    assert declic.count(RecordChange) == 1


def test_after_the_late_delay_the_learner_is_marked_late(declic, world):
    _settings(declic, world, late_after_minutes=10)
    session = make_session(declic, world, starts_at=now() - timedelta(minutes=11))
    client = declic.client(world.learners[1])
    assert _checkin(declic, client, world, session.checkin_code).status_code == 200
    assert _record(declic, session, world.learners[1]).status_name == "En retard"


def test_the_window_opens_before_the_start_and_closes_at_the_end(declic, world):
    _settings(declic, world, open_before_minutes=15)
    session = make_session(declic, world, starts_at=now() + timedelta(minutes=20), duration=60)
    client = declic.client(world.learners[0])
    early = _checkin(declic, client, world, session.checkin_code)
    assert early.status_code == 403 and "pas encore commencé" in early.text
    set_offset(timedelta(minutes=90))  # 10 minutes after the end
    late = _checkin(declic, client, world, session.checkin_code)
    assert late.status_code == 403 and "terminée" in late.text
    assert declic.count(AttendanceRecord) == 0
    set_offset(timedelta(minutes=6))  # 14 minutes before the start: open, and early = present
    assert _checkin(declic, client, world, session.checkin_code).status_code == 200
    assert _record(declic, session, world.learners[0]).status_name == "Présent"


def test_a_future_session_is_refused(declic, world):
    session = make_session(declic, world, starts_at=now() + timedelta(hours=20))
    response = _checkin(declic, declic.client(world.learners[0]), world, session.checkin_code)
    assert response.status_code == 403
    assert declic.count(AttendanceRecord) == 0


def test_a_session_of_another_group_or_course_is_refused(declic, world):
    group = make_group(declic, world, "Groupe B", [world.learners[1]])
    session = make_session(declic, world, group_id=group.id)
    response = _checkin(declic, declic.client(world.learners[0]), world, session.checkin_code)
    assert response.status_code == 403
    assert "pas sur sa liste" in response.text
    stranger = declic.user(world.org, "learner", login="stranger")  # member, not enrolled
    assert _checkin(declic, declic.client(stranger), world, session.checkin_code).status_code == 403
    assert declic.count(AttendanceRecord) == 0
    assert (
        _checkin(declic, declic.client(world.learners[1]), world, session.checkin_code).status_code
        == 200
    )


def test_a_wrong_code_is_refused_with_a_plain_message(declic, world):
    make_session(declic, world, checkin_code="ABCDEF")
    client = declic.client(world.learners[0])
    for code in ("ABCDEG", "", "'; drop table --"):
        response = _checkin(declic, client, world, code)
        assert response.status_code == 400
        assert (
            "Ce code n'est pas valable" in response.text or "n&#39;est pas valable" in response.text
        )
    assert declic.count(AttendanceRecord) == 0


def test_an_old_sessions_code_does_not_reach_it(declic, world):
    session = make_session(declic, world, starts_at=now() - timedelta(days=3))
    response = _checkin(declic, declic.client(world.learners[0]), world, session.checkin_code)
    assert response.status_code == 400
    assert declic.count(AttendanceRecord) == 0


def test_the_qr_link_asks_to_confirm_then_records(declic, world):
    session = make_session(declic, world)
    secret = declic.state.settings.secret_key
    token = current_token(secret, session.id, now(), 60)
    client = declic.client(world.learners[2])
    url = f"{base(world)}/checkin/{session.id}"
    confirm = client.get(f"{url}?t={token}")
    assert confirm.status_code == 200
    assert 'name="t" value="' + token in confirm.text
    assert declic.count(AttendanceRecord) == 0  # a GET never writes
    assert declic.post(client, url, {"t": token}).status_code == 200
    assert _record(declic, session, world.learners[2]).status_name == "Présent"


def test_the_trainers_qr_page_shows_a_token_that_works(declic, world):
    session = make_session(declic, world)
    page = declic.client(world.trainer).get(f"{base(world)}/session/{session.id}/qr")
    assert page.status_code == 200
    assert "<svg" in page.text and session.checkin_code in page.text
    fragment = declic.client(world.trainer).get(f"{base(world)}/session/{session.id}/qr/code")
    assert "<svg" in fragment.text and "<html" not in fragment.text
    token = current_token(declic.state.settings.secret_key, session.id, now(), 60)
    assert re.search(r"hx-trigger=\"every 60s\"", page.text)
    client = declic.client(world.learners[0])
    assert (
        declic.post(client, f"{base(world)}/checkin/{session.id}", {"t": token}).status_code == 200
    )


def test_an_expired_or_forged_qr_token_is_refused(declic, world):
    _settings(declic, world, qr_step_seconds=30)
    session = make_session(declic, world)
    secret = declic.state.settings.secret_key
    old = current_token(secret, session.id, now() - timedelta(seconds=95), 30)
    client = declic.client(world.learners[0])
    url = f"{base(world)}/checkin/{session.id}"
    expired = declic.post(client, url, {"t": old})
    assert expired.status_code == 400 and "expiré" in expired.text
    other = make_session(declic, world)
    stolen = current_token(secret, other.id, now(), 30)
    forged = declic.post(client, url, {"t": stolen})
    assert forged.status_code == 400 and "pas valable" in forged.text
    assert client.get(f"{url}?t=nope").status_code == 400
    assert declic.count(AttendanceRecord) == 0
    # The previous step is still accepted (a scan just before the code changed).
    previous = current_token(secret, session.id, now() - timedelta(seconds=30), 30)
    assert declic.post(client, url, {"t": previous}).status_code == 200


def test_network_restriction(declic, world):
    _settings(declic, world, allowed_networks="192.168.10.0/24")
    session = make_session(declic, world)
    outside = declic.client(world.learners[0])  # the test client's address is not an IP in it
    response = _checkin(declic, outside, world, session.checkin_code)
    assert response.status_code == 403 and "réseau" in response.text
    assert declic.count(AttendanceRecord) == 0
    room = TestClient(declic.app, client=("192.168.10.23", 5000), follow_redirects=False)
    declic.login(room, world.learners[0])
    assert _checkin(declic, room, world, session.checkin_code).status_code == 200


def test_check_in_switched_off(declic, world):
    _settings(declic, world, checkin_enabled=False)
    session = make_session(declic, world)
    response = _checkin(declic, declic.client(world.learners[0]), world, session.checkin_code)
    assert response.status_code == 403
    assert declic.count(AttendanceRecord) == 0


def test_trainers_have_no_check_in(declic, world):
    session = make_session(declic, world)
    assert (
        _checkin(declic, declic.client(world.trainer), world, session.checkin_code).status_code
        == 403
    )


def test_guessing_codes_is_throttled(declic, world):
    session = make_session(declic, world)
    client = declic.client(world.learners[0])
    for attempt in range(10):
        assert _checkin(declic, client, world, f"WRONG{attempt}").status_code == 400
    blocked = _checkin(declic, client, world, session.checkin_code)
    assert blocked.status_code == 429
    assert declic.count(AttendanceRecord) == 0
    # Another learner is not blocked by it.
    assert (
        _checkin(declic, declic.client(world.learners[1]), world, session.checkin_code).status_code
        == 200
    )
