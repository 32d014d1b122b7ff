"""In a real browser: a learner takes a timed quiz, the network drops while answering and comes
back, every answer reaches the server; a double click on "Submit" counts once; the review after
a reload shows the right score and feedback.

Uses the test kit's ``live_server`` (uvicorn in a subprocess) and Debian's Chromium.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.models import AuditEvent
from plugins.quiz.bank import create_question, ensure_category
from plugins.quiz.models import Attempt, AttemptAnswer, Quiz, QuizSlot
from plugins.quiz.tests.builders import DEFAULT_QUESTIONS

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("DECLIC_CHROMIUM", "/usr/bin/chromium"))
PASSWORD = "quiz-browser-password"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed")
    if not (CHROMIUM.exists() or shutil.which(str(CHROMIUM))):
        if os.environ.get("DECLIC_REQUIRE_BROWSER", "") not in ("", "0"):
            pytest.fail(f"DECLIC_REQUIRE_BROWSER=1 but Chromium is not at {CHROMIUM}")
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    driver = sync_playwright().start()
    browser = driver.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
        ],
    )
    try:
        yield browser
    finally:
        browser.close()
        driver.stop()


def wait_until(condition: Any, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def answers(kit: Any, attempt_id: int) -> dict[int, Any]:
    with kit.db() as db:
        return {
            a.slot: a.response for a in db.query(AttemptAnswer).filter_by(attempt_id=attempt_id)
        }


def test_offline_answers_reach_the_server_and_double_submit_counts_once(chromium, live_server):
    kit = live_server.kit
    org = kit.org()
    kit.enable(org, "quiz")
    course = kit.course(org)
    learner = kit.user(org, "learner", password=PASSWORD)
    kit.enrol(course, learner)
    with kit.db() as db:
        category = ensure_category(db, org.id, "Browser")
        quiz = Quiz(
            organisation_id=org.id,
            course_id=course.id,
            title="Quiz chronométré",
            visible=True,
            time_limit_seconds=600,
            questions_per_page=0,
            shuffle_choices=False,
            overall_feedback_json='[[60, "Bravo, vous êtes prêt·e !"], [0, "Courage"]]',
        )
        db.add(quiz)
        db.flush()
        for n, (qtype, data, tags) in enumerate(DEFAULT_QUESTIONS, 1):
            question, _v = create_question(
                db,
                org.id,
                category.id,
                qtype,
                f"Q{n}",
                f"<p>Question numéro {n}</p>",
                data,
                tags=tags,
            )
            db.add(
                QuizSlot(
                    organisation_id=org.id, quiz_id=quiz.id, position=n, question_id=question.id
                )
            )
        quiz_id = quiz.id

    context = chromium.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto("/login")
        page.fill("input[name=identifier]", learner.login)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")
        page.goto(f"/o/{org.slug}/quiz/{quiz_id}")
        with page.expect_navigation():
            page.click("form[action$='/start'] button")
        assert page.locator("[role=timer]").is_visible()
        if page.evaluate("'speechSynthesis' in window"):  # the "Listen" button needs it
            assert page.locator("button.listen").first.is_visible()
        with kit.db() as db:
            attempt_id = db.query(Attempt).filter_by(quiz_id=quiz_id).one().id

        # Online: the answer is saved at once, and the page says so.
        page.check("#q1-a")
        page.wait_for_selector("#status-1 .saved")
        assert answers(kit, attempt_id)[1] == {"choice": "a"}

        # The network drops while answering: answers wait in the browser.
        context.set_offline(True)
        page.fill("#q2-text", "21")
        page.press("#q2-text", "Tab")
        page.check("#q3-false")
        page.wait_for_function(
            "document.getElementById('save-status').classList.contains('pending')"
        )
        time.sleep(1)
        assert answers(kit, attempt_id)[2] is None and answers(kit, attempt_id)[3] is None

        # It comes back: every answer reaches the server.
        context.set_offline(False)
        assert wait_until(
            lambda: (
                answers(kit, attempt_id)
                == {1: {"choice": "a"}, 2: {"value": "21"}, 3: {"value": "false"}}
            )
        )
        page.wait_for_selector("#status-3 .saved")

        with page.expect_navigation():
            page.click("button[name=goto][value=summary]")
        # Submitting twice quickly: one submission.
        button = page.locator("form.submit-form button")
        with page.expect_navigation(url="**/review"):
            button.dblclick()
        # Counted for this attempt only: the live server's database is shared by every browser
        # test of the worker, and the journeys submit quizzes too.
        submits = {"action": "quiz.attempt.submit", "target": f"attempt:{attempt_id}"}
        assert wait_until(lambda: kit.count(AuditEvent, **submits) == 1)
        time.sleep(0.5)
        assert kit.count(AuditEvent, **submits) == 1
        assert kit.count(Attempt, quiz_id=quiz_id) == 1
        attempt = kit.reload(Attempt, attempt_id)
        assert attempt.state == "finished" and attempt.score == 2.0

        page.reload()
        text = page.inner_text("main")
        assert "2 sur 3" in text or "2 out of 3" in text
        assert "Yes, Paris." in text and "21 days." in text and "It is true." in text
        assert "Bravo, vous êtes prêt·e !" in text
    finally:
        context.close()


def test_answers_waiting_in_the_browser_go_before_the_submission(chromium, live_server):
    kit = live_server.kit
    org = kit.org()
    kit.enable(org, "quiz")
    course = kit.course(org)
    learner = kit.user(org, "learner", password=PASSWORD)
    kit.enrol(course, learner)
    with kit.db() as db:
        category = ensure_category(db, org.id, "Queue")
        quiz = Quiz(
            organisation_id=org.id, course_id=course.id, title="File d'attente", visible=True
        )
        db.add(quiz)
        db.flush()
        for n, (qtype, data, tags) in enumerate(DEFAULT_QUESTIONS, 1):
            question, _v = create_question(
                db, org.id, category.id, qtype, f"Q{n}", f"Q{n}", data, tags=tags
            )
            db.add(
                QuizSlot(
                    organisation_id=org.id, quiz_id=quiz.id, position=n, question_id=question.id
                )
            )
        quiz_id = quiz.id
    context = chromium.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto("/login")
        page.fill("input[name=identifier]", learner.login)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")
        page.goto(f"/o/{org.slug}/quiz/{quiz_id}")
        with page.expect_navigation():
            page.click("form[action$='/start'] button")
        with kit.db() as db:
            attempt_id = db.query(Attempt).filter_by(quiz_id=quiz_id).one().id
        page.goto(f"/o/{org.slug}/quiz/attempt/{attempt_id}/summary")
        # An answer to question 3 is still in the browser (given offline, the tab then closed).
        context.set_offline(True)
        page.evaluate(
            """([key, url]) => {
                const root = document.querySelector('.quiz-attempt');
                const seq = Number(root.dataset.serverMs) + 1000;
                localStorage.setItem(key, JSON.stringify({"3": {seq: seq, url: url,
                    fields: [["q3_present", "1"], ["q3", "true"]]}}));
            }""",
            [f"declic-quiz-{attempt_id}", f"/o/{org.slug}/quiz/attempt/{attempt_id}/save"],
        )
        page.click("form.submit-form button")
        time.sleep(1)
        assert kit.reload(Attempt, attempt_id).state == "in_progress"  # held back, nothing lost
        context.set_offline(False)
        page.wait_for_url("**/review")
        attempt = kit.reload(Attempt, attempt_id)
        assert attempt.state == "finished" and attempt.score == 1.0
        assert answers(kit, attempt_id)[3] == {"value": "true"}
    finally:
        context.close()
