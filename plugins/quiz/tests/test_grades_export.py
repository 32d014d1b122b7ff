"""A course's quiz grades as CSV (BOM, ';' and decimal commas in French) and XLSX."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from core.clock import now
from core.testing import Kit
from plugins.quiz.models import Attempt, Quiz
from plugins.quiz.tests.builders import make_quiz


@pytest.fixture
def course(declic: Kit) -> dict[str, Any]:
    org = declic.org("assoc-a")
    declic.enable(org, "quiz")
    course = declic.course(org, sections=1)
    anna = declic.user(org, "learner", display_name="Anna Martin", login="anna")
    bilal = declic.user(org, "learner", display_name="Bilal Haddad", login="bilal")
    declic.user(org, "learner", display_name="Zoé Absente", login="zoe")
    trainer = declic.user(org, "trainer", language="en")
    for user in (anna, bilal):
        declic.enrol(course, user)
    declic.enrol(course, trainer, role="trainer")
    first = make_quiz(declic, org, course, grading_method="highest")
    second = make_quiz(declic, org, course, grading_method="average")
    with declic.db() as db:
        db.get_one(Quiz, second).title = "=Quiz deux"
        start = now() - timedelta(hours=1)

        def attempt(quiz: int, user: Any, number: int, score: float | None, state: str) -> None:
            db.add(
                Attempt(
                    organisation_id=org.id,
                    quiz_id=quiz,
                    user_id=user.id,
                    number=number,
                    state=state,
                    started_at=start,
                    finished_at=start if state == "finished" else None,
                    score=score,
                    max_score=3.0,
                )
            )

        attempt(first, anna, 1, 1.0, "finished")
        attempt(first, anna, 2, 2.5, "finished")
        attempt(first, bilal, 1, 3.0, "in_progress")  # not finished: no grade
        attempt(second, anna, 1, 1.0, "finished")
        attempt(second, anna, 2, 2.0, "finished")
        attempt(second, bilal, 1, 3.0, "finished")
    return {"org": org, "course": course, "trainer": trainer}


def rows_of(body: bytes, delimiter: str) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=delimiter))


def test_csv_in_french_opens_with_bom_semicolons_and_decimal_commas(
    declic: Kit, course: dict[str, Any]
) -> None:
    french = declic.user(course["org"], "trainer")  # French: the default language
    declic.enrol(course["course"], french, role="trainer")
    client = declic.client(french)
    response = client.get(f"/o/assoc-a/quiz/course/{course['course'].id}/grades.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = rows_of(response.content, ";")
    assert len(rows[0]) == 5  # learner, login, two quizzes, total
    assert rows[1:] == [
        ["Anna Martin", "anna", "2,5", "1,5", "4"],
        ["Bilal Haddad", "bilal", "", "3", "3"],
    ]
    assert rows[0][3].startswith("'=Quiz deux")  # never a formula


def test_csv_in_english_uses_commas(declic: Kit, course: dict[str, Any]) -> None:
    client = declic.client(course["trainer"])
    body = client.get(f"/o/assoc-a/quiz/course/{course['course'].id}/grades.csv").content
    rows = rows_of(body, ",")
    assert rows[0][-1] == "Course total (out of 6)"
    assert rows[1][2:] == ["2.5", "1.5", "4"]


def test_xlsx_and_page(declic: Kit, course: dict[str, Any]) -> None:
    client = declic.client(course["trainer"])
    base = f"/o/assoc-a/quiz/course/{course['course'].id}/grades"
    book = load_workbook(io.BytesIO(client.get(base + ".xlsx").content))
    sheet = book.active
    assert [c.value for c in sheet[2]] == ["Anna Martin", "anna", 2.5, 1.5, 4]
    assert [c.value for c in sheet[3]][2:] == [None, 3, 3]
    title = sheet.cell(row=1, column=4)
    assert title.value == "=Quiz deux (out of 3)" and title.data_type == "s"
    page = client.get(base)
    assert page.status_code == 200
    assert "Anna Martin" in page.text and base + ".csv" in page.text


def test_who_may_see_the_grades(declic: Kit, course: dict[str, Any]) -> None:
    base = f"/o/assoc-a/quiz/course/{course['course'].id}/grades.csv"
    learner = declic.client(declic.user(course["org"], "learner"))
    assert learner.get(base).status_code == 403
    # A trainer of the organisation who does not teach this course sees nothing either.
    stranger = declic.client(declic.user(course["org"], "trainer"))
    assert stranger.get(base).status_code == 403
    other = declic.org("assoc-b")
    declic.enable(other, "quiz")
    outsider = declic.client(declic.user(other, "admin"))
    assert outsider.get(base).status_code in (403, 404)
    own_course = declic.course(other)
    assert (
        outsider.get(f"/o/assoc-b/quiz/course/{course['course'].id}/grades.csv").status_code == 404
    )
    assert outsider.get(f"/o/assoc-b/quiz/course/{own_course.id}/grades.csv").status_code == 200
