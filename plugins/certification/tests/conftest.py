"""Fixtures of the certification tests: an organisation with certification on, a course, a
trainer, a learner and an admin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from core import i18n
from core.models import Course, Organisation, Section, User
from core.testing import Kit


@dataclass
class Setting:
    org: Organisation
    course: Course
    sections: list[Section]
    learner: User
    trainer: User
    admin: User


def make_setting(declic: Kit, slug: str | None = None) -> Setting:
    org = declic.org(slug)
    declic.enable(org, "certification")
    learner = declic.user(org, "learner", display_name="Samira Benali")
    trainer = declic.user(org, "trainer", display_name="Thomas Formateur")
    admin = declic.user(org, "admin", display_name="Alice Admin")
    course = declic.course(org, sections=0)
    titles = (
        "La prise en main de l'ordinateur",
        "La réalisation de mon CV",
        "Communiquer par message électronique",
        "La navigation au service de ma recherche d'emploi",
    )
    with declic.db() as db:
        sections = []
        for i, title in enumerate(titles):
            section = Section(organisation_id=org.id, course_id=course.id, title=title, position=i)
            db.add(section)
            sections.append(section)
    declic.enrol(course, learner, "learner")
    declic.enrol(course, trainer, "trainer")
    return Setting(org, course, sections, learner, trainer, admin)


@pytest.fixture
def setting(declic: Kit) -> Setting:
    return make_setting(declic)


@pytest.fixture
def english() -> Any:
    """Plain English messages (the msgids) whatever the catalogues loaded."""
    i18n.set_language("en")
    yield
    i18n.set_language(i18n.DEFAULT_LANGUAGE)
