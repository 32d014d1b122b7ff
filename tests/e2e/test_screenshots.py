"""Screenshots of the key screens, on the demo platform (``declic demo``'s content): learner home
in French and Arabic, a quiz question, the roll call, a competence profile, the plugins page and
an equipment loan. Each screen also passes axe.

In the test run the pictures go to a temporary folder; ``make screenshots`` sets
``DECLIC_SCREENSHOTS_DIR=docs/screenshots`` to refresh the ones the README shows.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import Any

import pytest
from browser_checks import assert_accessible

from core.demo import PASSWORDS, seed_demo
from core.models import User

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1280, "height": 800}
MAX_HEIGHT = 1600


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    chosen = os.environ.get("DECLIC_SCREENSHOTS_DIR")
    target = Path(chosen) if chosen else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    return target


def signed_in(new_context: Any, login: str, role: str, viewport: dict[str, int]) -> Any:
    page = new_context(viewport=viewport, is_mobile=viewport["width"] < 500).new_page()
    page.goto("/login")
    page.fill("input[name=identifier]", login)
    page.fill("input[name=password]", PASSWORDS[role])
    with page.expect_navigation():
        page.click("button[type=submit]")
    return page


def shoot(page: Any, folder: Path, name: str) -> Path:
    page.wait_for_load_state()
    assert_accessible(page, f"{name} ({page.url})")
    path = folder / f"{name}.png"
    # A phone shows its first screen; a laptop page down to 1,600 px (the roll call's list is
    # below the first screen; a whole long page would make a picture too heavy for the README).
    width = page.viewport_size["width"]
    if width > 500:
        height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT)
        clip = {"x": 0, "y": 0, "width": width, "height": height}
        page.screenshot(path=str(path), full_page=True, clip=clip)
    else:
        page.screenshot(path=str(path))
    return path


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_key_screens(new_context, live_server, folder) -> None:
    kit = live_server.kit
    with kit.db() as db:
        seed_demo(db, kit.state.host)
        fatima = db.query(User).filter_by(login="fatima").one()
        fatima.language = "ar"
    shots: list[Path] = []

    amina = signed_in(new_context, "amina", "learner", PHONE)
    shots.append(shoot(amina, folder, "learner-home-fr"))
    amina.goto("/o/nord/quiz/my")
    amina.locator("main h2 a").first.click()
    start = amina.locator("form[action$='/start'] button")
    if start.count():
        with amina.expect_navigation():
            start.first.click()
    else:  # an attempt in progress: the quiz page offers to go on
        amina.locator("main a[href*='/attempt/']").first.click()
    assert "/attempt/" in amina.url, amina.url
    shots.append(shoot(amina, folder, "quiz-question"))

    fatima_page = signed_in(new_context, "fatima", "learner", PHONE)
    assert fatima_page.locator("html").get_attribute("dir") == "rtl"
    shots.append(shoot(fatima_page, folder, "learner-home-ar"))

    trainer = signed_in(new_context, "karim.nord", "trainer", LAPTOP)
    trainer.goto("/o/nord/attendance/")
    trainer.locator("main a[href*='/attendance/course/']").first.click()
    trainer.locator("main a[href*='/attendance/session/']").first.click()
    assert trainer.locator("button", has_text="Tous présents").count() == 1
    shots.append(shoot(trainer, folder, "roll-call"))
    trainer.goto("/o/nord/certification/")
    trainer.locator("main a[href*='/certification/courses/']").first.click()
    trainer.locator("table.readiness-grid a").first.click()
    assert trainer.locator("section.verdict").count() >= 1
    shots.append(shoot(trainer, folder, "competence-profile"))

    admin = signed_in(new_context, "admin.nord", "admin", LAPTOP)
    admin.goto("/o/nord/admin/plugins")
    shots.append(shoot(admin, folder, "plugins"))
    admin.goto("/o/nord/equipment/loans")
    admin.locator("main a[href*='/equipment/loans/']").first.click()
    assert admin.locator("#loan-state").count() == 1
    shots.append(shoot(admin, folder, "equipment-loan"))

    for path in shots:
        width, height = png_size(path)
        assert (width, height) == (360, 740) or (width == 1280 and 800 <= height <= MAX_HEIGHT), (
            path,
            width,
        )
