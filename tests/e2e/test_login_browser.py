"""A learner signs in through the real login page in Chromium and lands on their home."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_learner_signs_in_through_the_login_page_and_sees_their_home(page, e2e_people, sign_in):
    learner = e2e_people.learner
    sign_in(page, learner.login)

    assert re.search(rf"/o/{e2e_people.org.slug}/$", page.url), page.url
    heading = page.locator("h1")
    assert learner.display_name in heading.inner_text()
    assert page.locator("html").get_attribute("lang") == "fr"
    course = page.get_by_role("link", name="Clic'Emploi")
    assert course.is_visible()
    # The session is a real server-side one: a reload keeps the learner signed in.
    page.reload()
    assert learner.display_name in page.locator("h1").inner_text()


def test_wrong_password_keeps_the_learner_on_the_login_page(page, e2e_people, sign_in):
    sign_in(page, e2e_people.learner.login, "not-the-password")

    assert page.url.endswith("/login")
    assert page.locator("[role=alert]").is_visible()
    assert page.locator("input[name=identifier]").input_value() == e2e_people.learner.login
