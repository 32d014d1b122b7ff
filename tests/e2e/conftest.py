"""Browser tests: the real pages in Debian's Chromium, driven by Playwright's sync API, against the
application served by uvicorn (``live_server`` from the test kit).

Fixtures for every browser test here (the machinery is in ``core/testing.py`` so that plugins'
browser tests get it too, as ``declic_browser`` / ``declic_page``):

- ``browser``: one headless Chromium per test module (``/usr/bin/chromium``).
- ``page``: a fresh browser context and page per test (no cookies carried over), whose relative
  URLs go to the live server.
- ``e2e_people``: an organisation with a learner enrolled in a course, a trainer and an admin,
  all with the password ``e2e_people.password``.
- ``sign_in(page, login, password)``: signs in through the real login form.

Every test in this folder is marked ``browser``. Without Chromium or Playwright they are skipped
with the reason, unless ``DECLIC_REQUIRE_BROWSER=1`` (as in CI), where they fail instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from core.models import Organisation, User
from core.testing import LiveServer, sign_in_through_the_page

PASSWORD = "browser-test-password"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def browser(declic_browser: Any) -> Any:
    return declic_browser


@pytest.fixture
def page(declic_page: Any) -> Any:
    return declic_page


@dataclass(frozen=True)
class People:
    org: Organisation
    learner: User
    trainer: User
    admin: User
    password: str = PASSWORD


@pytest.fixture(scope="session")
def e2e_people(live_server: LiveServer) -> People:
    """One organisation with a learner enrolled in a course, a trainer and an admin."""
    kit = live_server.kit
    org = kit.org(name="Association Navigateur")
    learner = kit.user(org, "learner", password=PASSWORD, display_name="Samira Navigatrice")
    trainer = kit.user(org, "trainer", password=PASSWORD, display_name="Thomas Formateur")
    admin = kit.user(org, "admin", password=PASSWORD, display_name="Alice Administratrice")
    course = kit.course(org, title="Clic'Emploi", sections=4)
    kit.enrol(course, learner, "learner")
    kit.enrol(course, trainer, "trainer")
    return People(org=org, learner=learner, trainer=trainer, admin=admin)


@pytest.fixture
def sign_in() -> Callable[..., None]:
    """``sign_in(page, login, password=PASSWORD)`` through the real login form."""

    def do_sign_in(page: Any, login: str, password: str = PASSWORD) -> None:
        sign_in_through_the_page(page, login, password)

    return do_sign_in


# --- browser contexts for the issue-9 tests (helpers in browser_checks.py) -----------------


@pytest.fixture
def new_context(browser: Any, live_server: LiveServer) -> Iterator[Callable[..., Any]]:
    """``new_context(**options)``: a browser context on the live server (French unless told,
    CSP bypassed so that axe can be injected); every context made is closed after the test."""
    made: list[Any] = []

    def make(**options: Any) -> Any:
        options.setdefault("base_url", live_server.url)
        options.setdefault("locale", "fr-FR")
        options.setdefault("bypass_csp", True)
        context = browser.new_context(**options)
        context.set_default_timeout(20_000)
        made.append(context)
        return context

    try:
        yield make
    finally:
        for context in made:
            context.close()
