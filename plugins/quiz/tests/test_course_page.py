"""The quiz in the rest of the platform: course sections, add-activity links, dashboards, menu."""

from __future__ import annotations

from core.models import Section
from plugins.quiz.models import Quiz
from plugins.quiz.tests.builders import setup_learner, start


def test_quiz_shows_in_its_section_and_on_dashboards(declic):
    world = setup_learner(declic, "assoc-course")
    org, course = world["org"], world["course"]
    with declic.db() as db:
        section = (
            db.query(Section).filter_by(course_id=course.id).order_by(Section.position).first()
        )
        db.get(Quiz, world["quiz_id"]).section_id = section.id
        hidden = Quiz(
            organisation_id=org.id, course_id=course.id, section_id=section.id, title="Brouillon"
        )
        db.add(hidden)
    learner = declic.client(world["learner"])
    page = learner.get(f"/o/{org.slug}/courses/{course.id}")
    assert page.status_code == 200
    assert f"/o/{org.slug}/quiz/{world['quiz_id']}" in page.text and "Brouillon" not in page.text
    trainer = declic.client(world["trainer"])
    teaching = trainer.get(f"/o/{org.slug}/courses/{course.id}")
    assert "Brouillon (caché aux apprenants)" in teaching.text
    new_url = f"/o/{org.slug}/quiz/course/{course.id}/new?section={section.id}"
    assert new_url in teaching.text.replace("&amp;", "&")
    assert trainer.get(new_url).status_code == 200
    home = learner.get(f"/o/{org.slug}/")
    assert "Mes quiz à faire" in home.text and "Quiz one" in home.text
    assert f"/o/{org.slug}/quiz/my" in home.text  # menu item
    attempt_id = start(declic, learner, org, world["quiz_id"])
    declic.post(learner, f"/o/{org.slug}/quiz/attempt/{attempt_id}/submit")
    trainer_home = trainer.get(f"/o/{org.slug}/")
    assert "Derniers quiz envoyés" in trainer_home.text
    assert f"/o/{org.slug}/quiz/attempt/{attempt_id}/review" in trainer_home.text
    # A section of another course cannot host this course's new quiz.
    other = declic.course(org, sections=1)
    with declic.db() as db:
        other_section = db.query(Section).filter_by(course_id=other.id).one()
    assert (
        trainer.get(
            f"/o/{org.slug}/quiz/course/{course.id}/new?section={other_section.id}"
        ).status_code
        == 404
    )
