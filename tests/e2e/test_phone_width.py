"""Phones: every learner page works 360 px wide with no horizontal scrolling, in French and in
Arabic (right to left), and its buttons and links stay 44 px targets there too."""

from __future__ import annotations

from typing import Any

import pytest
from browser_checks import LearnerQuiz, make_learner_quiz, set_language, small_targets

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def setup(live_server: Any) -> LearnerQuiz:
    return make_learner_quiz(live_server, "Association des Téléphones à écran étroit")


def learner_pages(setup: LearnerQuiz) -> list[str]:
    org = setup.org.slug
    return [
        f"/o/{org}/",
        f"/o/{org}/courses/{setup.course_id}",
        f"/o/{org}/quiz/my",
        f"/o/{org}/quiz/{setup.quiz_id}",
        f"/o/{org}/attendance/my",
        f"/o/{org}/attendance/checkin",
        f"/o/{org}/equipment/my",
        f"/o/{org}/certification/me",
        "/account",
    ]


def overflow(page: Any) -> dict[str, Any] | None:
    """None when the page fits 360 px; otherwise its width and the widest elements."""
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= PHONE["width"]:
        return None
    culprits = page.evaluate(
        """(limit) => [...document.querySelectorAll('body *')]
            .filter(e => { const r = e.getBoundingClientRect();
                           return r.right > limit + 1 || r.left < -1; })
            .slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                                  + (e.className ? '.' + String(e.className).split(' ')[0] : ''))""",
        PHONE["width"],
    )
    return {"scrollWidth": width, "elements": culprits}


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_learner_pages_fit_a_360_px_phone(new_context, live_server, setup, language) -> None:
    set_language(live_server, setup.learner, language)
    try:
        context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        page = context.new_page()
        page.goto("/login")
        problems = {}
        if found := overflow(page):
            problems["/login"] = found
        page.fill("input[name=identifier]", setup.learner.login)
        page.fill("input[name=password]", setup.password)
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
        # Mirrored layout: the organisation's name starts on the reading side.
        brand = page.locator(".brand-name").bounding_box()
        assert brand is not None
        if language == "ar":
            assert brand["x"] + brand["width"] > PHONE["width"] - 40, brand
        else:
            assert brand["x"] < 40, brand
        urls = learner_pages(setup)
        for url in urls:
            page.goto(url)
            if found := overflow(page):
                problems[url] = found
            if small := small_targets(page, 44):
                problems[f"{url} targets"] = small
        # The quiz itself: a question page, the summary and the review.
        page.goto(f"/o/{setup.org.slug}/quiz/{setup.quiz_id}")
        with page.expect_navigation():
            page.click("form[action$='/start'] button, form[action$='/start'] [type=submit]")
        pages_seen = [page.url]
        page.check("#q1-a")
        for _ in range(2):
            with page.expect_navigation():
                page.click("button[name=goto][value=next]")
            pages_seen.append(page.url)
        page.check("#q3-true")
        with page.expect_navigation():
            page.click("button[name=goto][value=summary]")
        pages_seen.append(page.url)
        with page.expect_navigation(url="**/review"):
            page.click("form.submit-form button")
        pages_seen.append(page.url)
        for url in pages_seen:
            page.goto(url)
            if found := overflow(page):
                problems[url] = found
            if small := small_targets(page, 44):
                problems[f"{url} targets"] = small
        assert not problems, problems
        # The check can fail: a 600 px wide block makes the page scroll sideways.
        page.evaluate(
            "() => { const d = document.createElement('div'); d.style.width = '600px';"
            " d.textContent = 'x'; document.querySelector('main').append(d); }"
        )
        assert overflow(page) is not None
    finally:
        set_language(live_server, setup.learner, "fr")
