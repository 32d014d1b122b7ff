"""Content made on purpose: the demo bank of the four workshops, and the contract check's sample.

Question texts are in French: they are content written by the association, not interface strings.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import now
from core.models import Course, Organisation, Section, User
from plugins.quiz.attempts import save_answer, start_attempt, submit_attempt
from plugins.quiz.bank import create_question, ensure_category
from plugins.quiz.models import Quiz, QuizSlot


def _choices(*rows: tuple[str, float, str]) -> dict[str, Any]:
    return {
        "choices": [
            {
                "id": f"c{n}",
                "text": text,
                "fraction": fraction,
                "feedback": feedback,
                "image_id": None,
            }
            for n, (text, fraction, feedback) in enumerate(rows, 1)
        ]
    }


# (workshop title, category, [(type, name, text, data, tags)])
WORKSHOPS: list[tuple[str, list[tuple[str, str, str, dict[str, Any], tuple[str, ...]]]]] = [
    (
        "La prise en main de l'ordinateur",
        [
            ("single", "Souris", "À quoi sert la souris ?", _choices(
                ("À déplacer le pointeur à l'écran", 1.0, "Oui : la souris déplace le pointeur."),
                ("À écrire des lettres", 0.0, "Non : pour écrire, on utilise le clavier."),
                ("À allumer l'écran", 0.0, "Non : l'écran a son propre bouton."),
            ), ("crcn:5.2", "b2i:D1", "pcie:CE")),
            ("truefalse", "Dossier", "Un dossier peut contenir d'autres dossiers.",
             {"correct": True, "feedback_true": "Exact.", "feedback_false": "Si : on range des dossiers dans des dossiers."},
             ("crcn:1.2", "b2i:D1")),
            ("multiple", "Périphériques", "Lesquels sont des périphériques d'entrée ?", _choices(
                ("Le clavier", 0.5, ""), ("La souris", 0.5, ""), ("L'imprimante", -0.5, "L'imprimante est une sortie."),
            ), ("crcn:5.2", "pcie:CE")),
        ],
    ),
    (
        "La réalisation de mon CV",
        [
            ("single", "Enregistrer", "Quel raccourci enregistre un document ?", _choices(
                ("Ctrl + S", 1.0, "Oui : S comme « Save »."), ("Ctrl + P", 0.0, "Ctrl + P imprime."),
                ("Ctrl + Z", 0.0, "Ctrl + Z annule."),
            ), ("crcn:3.1", "b2i:D3", "pcie:WP")),
            ("shortanswer", "Format PDF", "Dans quel format envoyer son CV pour qu'il s'affiche partout ?",
             {"answers": [{"text": "pdf", "fraction": 1.0, "feedback": "Oui, le PDF s'affiche pareil partout."}],
              "case_sensitive": False}, ("crcn:3.3", "b2i:D3")),
        ],
    ),
    (
        "Communiquer par message électronique",
        [
            ("single", "Adresse", "Quelle adresse électronique est bien écrite ?", _choices(
                ("prenom.nom@exemple.fr", 1.0, ""), ("prenom nom@exemple", 0.0, "Il manque le domaine et l'espace est interdit."),
            ), ("crcn:2.1", "b2i:D5", "pcie:OE")),
            ("truefalse", "Hameçonnage", "Ma banque peut me demander mon mot de passe par courriel.",
             {"correct": False, "feedback_true": "Non : c'est une tentative d'hameçonnage.", "feedback_false": "Exact."},
             ("crcn:4.2", "b2i:D2")),
        ],
    ),
    (
        "La navigation au service de ma recherche d'emploi",
        [
            ("single", "Moteur", "Qu'est-ce qu'un moteur de recherche ?", _choices(
                ("Un site qui trouve des pages sur internet", 1.0, ""), ("Une pièce de l'ordinateur", 0.0, ""),
            ), ("crcn:1.1", "b2i:D4", "pcie:OE")),
            ("numerical", "Offres", "Une annonce est publiée depuis 3 semaines. Combien de jours cela fait-il ?",
             {"answers": [{"value": 21.0, "tolerance": 0.0, "fraction": 1.0, "feedback": "3 × 7 = 21."}]},
             ("crcn:2.4", "b2i:D4")),
        ],
    ),
]  # fmt: skip


def demo_bank(db: Session, organisation: Organisation, users: dict[str, User]) -> None:
    """A small bank for the four workshops and one visible quiz per workshop section."""
    course = db.scalar(
        select(Course).where(Course.organisation_id == organisation.id).order_by(Course.id)
    )
    sections = []
    if course is not None:
        sections = list(
            db.scalars(
                select(Section).where(Section.course_id == course.id).order_by(Section.position)
            )
        )
    for index, (title, questions) in enumerate(WORKSHOPS):
        category = ensure_category(db, organisation.id, title)
        made = [
            create_question(db, organisation.id, category.id, qtype, name, text, data, tags=tags)[0]
            for qtype, name, text, data, tags in questions
        ]
        if course is None:
            continue
        quiz = Quiz(
            organisation_id=organisation.id,
            course_id=course.id,
            section_id=sections[index].id if index < len(sections) else None,
            title=f"Quiz : {title}",
            visible=True,
            overall_feedback_json='[[80, "Bravo, vous êtes prêt·e !"], [50, "Encore un petit effort."], [0, "Refaites l\'atelier, vous allez y arriver."]]',
        )
        db.add(quiz)
        db.flush()
        db.add_all(
            QuizSlot(
                organisation_id=organisation.id,
                quiz_id=quiz.id,
                position=n,
                question_id=q.id,
                mark=1.0,
            )
            for n, q in enumerate(made, 1)
        )
    db.flush()


def contract_sample(db: Session, organisation: Organisation, user: User) -> int:
    """A finished attempt of ``user`` on a one-question quiz; returns the attempt id."""
    course = db.scalar(
        select(Course).where(Course.organisation_id == organisation.id).order_by(Course.id)
    )
    assert course is not None, "the contract check makes a course first"
    category = ensure_category(db, organisation.id, "Contract check")
    question, _version = create_question(
        db, organisation.id, category.id, "truefalse", "Sample", "Le ciel est bleu.",
        {"correct": True, "feedback_true": "", "feedback_false": ""}, tags=("crcn:1.1",),
    )  # fmt: skip
    quiz = Quiz(
        organisation_id=organisation.id, course_id=course.id, title="Contract check", visible=True
    )
    db.add(quiz)
    db.flush()
    db.add(
        QuizSlot(
            organisation_id=organisation.id, quiz_id=quiz.id, position=1, question_id=question.id
        )
    )
    db.flush()
    attempt, _new = start_attempt(db, quiz, user.id, now())
    save_answer(db, attempt, 1, {"value": "true"}, 1, now())
    submit_attempt(db, quiz, attempt, now())
    db.flush()
    return attempt.id
