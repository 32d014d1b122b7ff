"""Demo content for ``declic demo``: a few observations so the readiness pages are not empty,
and the programme's default workshop mapping already applies by section title."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import now
from core.models import Enrolment, Membership, Organisation, User
from plugins.certification.models import Evidence

# (competence, level, validated, comment): what a trainer typically observes in the first weeks.
OBSERVATIONS = (
    ("crcn:5.2", 1, True, "Allume l'ordinateur, ouvre une session et lance le navigateur seul."),
    ("crcn:1.2", 1, True, "Range son CV dans un dossier « Emploi » qu'il a créé."),
    ("crcn:2.1", 1, True, "A envoyé un courriel avec pièce jointe à la formatrice."),
    ("crcn:3.1", 2, False, "Saisit le texte du CV, la mise en forme reste à travailler."),
    ("b2i:D1.4", 1, True, "Se connecte au Wi-Fi de l'association sans aide."),
)


def seed(db: Session, organisation: Organisation, users: dict[str, User]) -> None:
    learners = [
        u
        for u in users.values()
        if db.scalar(
            select(Membership.role).where(
                Membership.user_id == u.id, Membership.organisation_id == organisation.id
            )
        )
        == "learner"
    ]
    trainer = next(
        (
            u
            for u in users.values()
            if db.scalar(
                select(Membership.role).where(
                    Membership.user_id == u.id, Membership.organisation_id == organisation.id
                )
            )
            == "trainer"
        ),
        None,
    )
    moment = now()
    for index, learner in enumerate(learners):
        course_id = db.scalar(
            select(Enrolment.course_id).where(
                Enrolment.user_id == learner.id, Enrolment.organisation_id == organisation.id
            )
        )
        # Learners further down the list have seen fewer workshops: a spread of verdicts.
        for key, level, validated, comment in OBSERVATIONS[: max(1, len(OBSERVATIONS) - index)]:
            db.add(
                Evidence(
                    organisation_id=organisation.id,
                    user_id=learner.id,
                    competence=key,
                    difficulty=level,
                    outcome=1.0 if validated else 0.0,
                    source="observation",
                    occurred_at=moment - timedelta(days=7 * (index + 1)),
                    comment=comment,
                    given_by_id=trainer.id if trainer else None,
                    course_id=course_id,
                )
            )
    db.flush()
