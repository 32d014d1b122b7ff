"""Through the real attendance plugin: a roll call in a workshop gives the present learners a
little evidence on the competences the workshop covers (the programme's default mapping), and a
correction to "absent" takes it back."""

from __future__ import annotations

from sqlalchemy import select

from core.clock import now
from plugins.attendance.checkin import new_code
from plugins.attendance.models import AttendanceSession, AttendanceStatus
from plugins.certification.models import Evidence


def test_a_roll_call_becomes_attendance_evidence(declic, setting) -> None:
    declic.enable(setting.org, "attendance")
    workshop = setting.sections[0]  # "La prise en main de l'ordinateur"
    with declic.db() as db:
        session = AttendanceSession(
            organisation_id=setting.org.id,
            course_id=setting.course.id,
            section_id=workshop.id,
            starts_at=now(),
            duration_minutes=120,
            place="Salle 1",
            trainer_id=setting.trainer.id,
            checkin_code=new_code(),
        )
        db.add(session)
    trainer = declic.client(setting.trainer)
    url = f"/o/{setting.org.slug}/attendance/session/{session.id}"
    assert declic.post(trainer, f"{url}/all-present").status_code == 303
    with declic.db() as db:
        rows = db.scalars(select(Evidence).where(Evidence.user_id == setting.learner.id)).all()
        assert {r.competence for r in rows} == {"crcn:5.2", "crcn:1.2", "b2i:D1", "pcie:CE"}
        assert all(r.source == "attendance" and r.session_id == session.id for r in rows)
        assert all(r.label == workshop.title and r.given_by_id == setting.trainer.id for r in rows)
        absent = db.scalar(
            select(AttendanceStatus).where(
                AttendanceStatus.organisation_id == setting.org.id, AttendanceStatus.key == "absent"
            )
        )
    marked = declic.post(
        trainer, f"{url}/mark", {"user_id": setting.learner.id, "status_id": absent.id}
    )
    assert marked.status_code in (200, 303)
    assert declic.count(Evidence, user_id=setting.learner.id) == 0
    # The learner's page shows attendance as a source once it is on.
    page = declic.client(setting.trainer).get(
        f"/o/{setting.org.slug}/certification/courses/{setting.course.id}"
    )
    assert "La présence est désactivée" not in page.text
