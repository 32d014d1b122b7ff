"""Browser tests: the real pages in Debian's Chromium, driven by Playwright's sync API, against the
application served by uvicorn (``live_server`` from the test kit).

Fixtures for every browser test:

- ``browser``: one headless Chromium per test process (``/usr/bin/chromium``; Playwright never
  downloads a browser of its own here).
- ``page``: a fresh browser context and page per test (no cookies carried over).
- ``e2e_people``: an organisation with a learner, a trainer and an admin who have passwords.
- ``sign_in(page, login, password)``: signs in through the real login form.

Without Chromium or Playwright the tests are skipped with the reason, unless
``DECLIC_REQUIRE_BROWSER=1`` (as in CI), where they fail instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from core.models import Organisation, User
from core.testing import LiveServer

CHROMIUM = Path(os.environ.get("DECLIC_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
PASSWORD = "browser-test-password"


def browser_required() -> bool:
    return os.environ.get("DECLIC_REQUIRE_BROWSER", "") not in ("", "0")


def no_browser(reason: str) -> None:
    """Skip, or fail when the browser is required (CI must not pass without its browser tests)."""
    if browser_required():
        pytest.fail(f"DECLIC_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        no_browser("Playwright is not installed (pip install -e '.[dev]')")
    if not (CHROMIUM.exists() or shutil.which(str(CHROMIUM))):
        no_browser(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    driver = sync_playwright().start()
    try:
        yield driver
    finally:
        driver.stop()


@pytest.fixture(scope="session")
def browser(playwright_driver: Any) -> Iterator[Any]:
    instance = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield instance
    finally:
        instance.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A new page in a new context (French first, like the associations' laptops)."""
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


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
def sign_in() -> Callable[[Any, str, str], None]:
    """Fill and send the real login form, then wait for the page that follows."""

    def do_sign_in(page: Any, login: str, password: str = PASSWORD) -> None:
        page.goto("/login")
        page.fill("input[name=identifier]", login)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("button[type=submit]")

    return do_sign_in
