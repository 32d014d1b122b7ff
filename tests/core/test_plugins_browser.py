"""The switching journey in a real browser: the admin of organisation A switches the quiz off on
the Plugins page; A's quiz pages answer 404 and its menu item is gone, organisation B is
untouched; switched on again, A's quiz and its attempt are back."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from core.models import Organisation, User
from core.testing import LiveServer, sign_in_through_the_page

pytestmark = pytest.mark.browser

PASSWORD = "switch-journey-password"


@pytest.fixture
def people(live_server: LiveServer) -> dict[str, Any]:
    kit = live_server.kit
    tag = secrets.token_hex(3)
    org_a = kit.org(f"journey-a-{tag}", name="Association A")
    org_b = kit.org(f"journey-b-{tag}", name="Association B")
    admin_a = kit.user(org_a, "admin", login=f"admin-a-{tag}", password=PASSWORD)
    learner_a = kit.user(org_a, "learner", login=f"learner-a-{tag}", password=PASSWORD)
    learner_b = kit.user(org_b, "learner", login=f"learner-b-{tag}", password=PASSWORD)
    course = kit.course(org_a, sections=1)
    kit.enrol(course, learner_a)
    for org in (org_a, org_b):
        kit.enable(org, "quiz")
    # A's quiz data, made by the quiz itself through its public hook (a quiz and a finished
    # attempt of the learner), so this test knows nothing of the quiz's tables.
    with kit.db() as db:
        made = kit.state.host.hooks_for({"quiz"}).collect(
            "declic_contract_sample_data",
            db=db,
            organisation=db.get(Organisation, org_a.id),
            user=db.get(User, learner_a.id),
        )
    assert made, "the quiz plugin made no sample data"
    return {
        "a": org_a,
        "b": org_b,
        "admin_a": admin_a,
        "learner_a": learner_a,
        "learner_b": learner_b,
    }


@pytest.fixture
def open_page(declic_browser: Any, live_server: LiveServer) -> Iterator[Any]:
    contexts = []

    def new_page(login: str) -> Any:
        context = declic_browser.new_context(base_url=live_server.url, locale="fr-FR")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        sign_in_through_the_page(page, login, PASSWORD)
        return page

    yield new_page
    for context in contexts:
        context.close()


def quiz_links(page: Any, slug: str) -> int:
    return page.locator(f'nav a[href^="/o/{slug}/quiz/"]').count()


def test_switching_the_quiz_off_and_on_for_one_organisation(people, open_page):
    a, b = people["a"].slug, people["b"].slug
    admin = open_page(people["admin_a"].login)
    learner_a = open_page(people["learner_a"].login)
    learner_b = open_page(people["learner_b"].login)

    learner_a.goto(f"/o/{a}/")
    assert quiz_links(learner_a, a) >= 1
    assert learner_a.goto(f"/o/{a}/quiz/my").status == 200
    assert "Contract check" in learner_a.content()

    # The admin switches the quiz off on the Plugins page (htmx swaps the card).
    admin.goto(f"/o/{a}/admin/plugins")
    switch = admin.locator("#plugin-quiz button[role=switch]")
    assert switch.get_attribute("aria-checked") == "true"
    switch.click()
    admin.locator('#plugin-quiz button[role=switch][aria-checked="false"]').wait_for()

    assert learner_a.goto(f"/o/{a}/quiz/my").status == 404
    learner_a.goto(f"/o/{a}/")
    assert quiz_links(learner_a, a) == 0
    assert "Contract check" not in learner_a.content()

    # Organisation B is untouched.
    learner_b.goto(f"/o/{b}/")
    assert quiz_links(learner_b, b) >= 1
    assert learner_b.goto(f"/o/{b}/quiz/my").status == 200

    # On again: the menu item, the page and A's data are back.
    admin.goto(f"/o/{a}/admin/plugins")
    admin.locator("#plugin-quiz button[role=switch]").click()
    admin.locator('#plugin-quiz button[role=switch][aria-checked="true"]').wait_for()
    learner_a.goto(f"/o/{a}/")
    assert quiz_links(learner_a, a) >= 1
    assert learner_a.goto(f"/o/{a}/quiz/my").status == 200
    assert "Contract check" in learner_a.content()
