"""Shared set-up for the equipment tests: an organisation with the plugin on, an admin, a
trainer, two learners, and a few laptops."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from core import clock
from core.models import Organisation, User
from core.testing import Kit
from plugins.equipment.models import Asset
from plugins.equipment.stock import ensure_labels


@dataclass
class Shop:
    org: Organisation
    admin: User
    trainer: User
    learner: User
    other_learner: User

    def url(self, path: str = "") -> str:
        return f"/o/{self.org.slug}/equipment{path}"


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    clock.set_offset(timedelta(0))
    yield
    clock.set_offset(timedelta(0))


def add_laptops(declic: Kit, org: Organisation, count: int = 3, prefix: str = "PC") -> list[int]:
    with declic.db() as db:
        labels = ensure_labels(db, org.id)
        assets = [
            Asset(
                organisation_id=org.id,
                tag=f"{prefix}-{i:03d}",
                serial=f"{prefix}SN{i}",
                make="Dell",
                model="Latitude E7450",
                status_label_id=labels["available"].id,
            )
            for i in range(1, count + 1)
        ]
        db.add_all(assets)
        db.flush()
        return [a.id for a in assets]


@pytest.fixture
def shop(declic: Kit) -> Shop:
    org = declic.org("asso")
    declic.enable(org, "equipment")
    return Shop(
        org=org,
        admin=declic.user(org, "admin", login="admin", display_name="Alice Admin"),
        trainer=declic.user(org, "trainer", login="trainer", display_name="Tom Trainer"),
        learner=declic.user(org, "learner", login="fatima", display_name="Fatima Zahra"),
        other_learner=declic.user(org, "learner", login="karim", display_name="Karim Benali"),
    )


def settings(declic: Kit, org: Organisation, **values: Any) -> None:
    from core.plugin_switches import save_settings

    with declic.db() as db:
        save_settings(db, db.get(Organisation, org.id), "equipment", values, actor=None)
