"""Managing the status set: rename, re-point, add, reorder, retire; history is kept."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.clock import now
from plugins.attendance.models import AttendanceRecord, AttendanceStatus
from plugins.attendance.tests.conftest import base, make_session


def _rows(declic, world):
    with declic.db() as db:
        return db.scalars(
            select(AttendanceStatus)
            .where(AttendanceStatus.organisation_id == world.org.id)
            .order_by(AttendanceStatus.position, AttendanceStatus.id)
        ).all()


def test_renaming_and_repointing_keeps_past_records(declic, world):
    session = make_session(declic, world, starts_at=now() - timedelta(days=1))
    trainer = declic.client(world.trainer)
    declic.post(trainer, f"{base(world)}/session/{session.id}/all-present")
    admin = declic.client(world.admin)
    present = next(r for r in _rows(declic, world) if r.key == "present")
    url = f"{base(world)}/statuses"
    response = declic.post(
        admin,
        url,
        {
            "action": "save",
            "status_id": present.id,
            "name": "Là",
            "acronym": "L",
            "points": "3",
            "present": "1",
        },
    )
    assert response.status_code == 303
    renamed = next(r for r in _rows(declic, world) if r.id == present.id)
    assert (renamed.name, renamed.points) == ("Là", 3)
    with declic.db() as db:
        records = db.scalars(select(AttendanceRecord)).all()
    assert {(r.status_id, r.status_name, r.points, r.max_points) for r in records} == {
        (present.id, "Présent", 2, 2)
    }
    # The report of the past session still counts it out of 2: 100 %.
    page = trainer.get(f"{base(world)}/course/{world.course.id}/report")
    assert "100" in page.text.split('class="rate-so-far"')[1].split("</td>")[0]


def test_add_reorder_retire_and_restore(declic, world):
    admin = declic.client(world.admin)
    url = f"{base(world)}/statuses"
    assert (
        declic.post(
            admin, url, {"action": "add", "name": "Distanciel", "acronym": "D", "points": "1,5"}
        ).status_code
        == 303
    )
    rows = _rows(declic, world)
    added = rows[-1]
    assert (added.name, added.points, added.present, added.key) == ("Distanciel", 1.5, False, "")
    declic.post(admin, url, {"action": "up", "status_id": added.id})
    assert _rows(declic, world)[-2].id == added.id
    absent = next(r for r in rows if r.key == "absent")
    declic.post(admin, url, {"action": "retire", "status_id": absent.id})
    session = make_session(declic, world)
    page = declic.client(world.trainer).get(f"{base(world)}/session/{session.id}")
    assert ">Distanciel</button>" in page.text and ">Absent</button>" not in page.text
    declic.post(admin, url, {"action": "restore", "status_id": absent.id})
    assert all(r.active for r in _rows(declic, world))
    assert len(_rows(declic, world)) == 5  # nothing was ever deleted


def test_bad_input_is_reported_next_to_the_field(declic, world):
    admin = declic.client(world.admin)
    url = f"{base(world)}/statuses"
    response = declic.post(
        admin, url, {"action": "add", "name": "", "acronym": "TOOLONGACRONYM", "points": "-1"}
    )
    assert response.status_code == 400
    assert "Donnez un nom au statut" in response.text
    assert "entre 0 et 100" in response.text
    assert len(_rows(declic, world)) == 4


def test_the_last_active_status_cannot_be_retired(declic, world):
    admin = declic.client(world.admin)
    url = f"{base(world)}/statuses"
    rows = _rows(declic, world)
    for row in rows[:-1]:
        declic.post(admin, url, {"action": "retire", "status_id": row.id})
    response = declic.post(admin, url, {"action": "retire", "status_id": rows[-1].id})
    assert response.status_code == 400
    assert _rows(declic, world)[-1].active


def test_only_admins_manage_statuses(declic, world):
    trainer = declic.client(world.trainer)
    assert trainer.get(f"{base(world)}/statuses").status_code == 403
