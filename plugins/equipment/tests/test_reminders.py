"""Overdue reminders as the clock moves: each level once, through the declic_cron hook."""

from __future__ import annotations

from datetime import timedelta

from core import clock
from core.testing import Kit
from plugins.equipment.models import Event, Reminder
from plugins.equipment.tests.conftest import Shop, add_laptops, settings


def cron(declic: Kit) -> list[str]:
    lines: list[str] = []
    with declic.db() as db:
        for _plugin, result in declic.state.host.call_each(
            "declic_cron", only=["equipment"], db=db, now=clock.now()
        ):
            lines.extend(result or [])
    return lines


def sent_levels(declic: Kit) -> list[tuple[int, bool]]:
    with declic.db() as db:
        return sorted((r.level, r.sent) for r in db.query(Reminder))


def test_each_level_is_sent_once_as_time_passes(declic: Kit, shop: Shop) -> None:
    settings(declic, shop.org, loan_days=30, max_renewals=1, grace_days=3, reminder_days="1,7,14")
    [pc] = add_laptops(declic, shop.org, 1)
    declic.post(
        declic.client(shop.admin),
        shop.url("/checkout"),
        {"asset": pc, "borrower": shop.learner.id, "kind": "loan"},
    )
    assert cron(declic) == []
    clock.set_offset(timedelta(days=32))  # 2 days late: in grace
    assert cron(declic) == []
    clock.set_offset(timedelta(days=34, hours=1))  # 4 days late
    assert len(cron(declic)) == 1
    assert sent_levels(declic) == [(1, True)]
    assert cron(declic) == []  # the same day again: nothing more
    clock.set_offset(timedelta(days=38, hours=1))  # 8 days late
    assert len(cron(declic)) == 1 and cron(declic) == []
    clock.set_offset(timedelta(days=60))
    assert len(cron(declic)) == 1 and cron(declic) == []
    assert sent_levels(declic) == [(1, True), (7, True), (14, True)]
    with declic.db() as db:
        assert db.query(Event).filter_by(action="reminder").count() == 3


def test_a_late_first_run_sends_only_the_highest_level(declic: Kit, shop: Shop) -> None:
    settings(declic, shop.org, loan_days=10, max_renewals=1, grace_days=0, reminder_days="1,7,14")
    [pc] = add_laptops(declic, shop.org, 1)
    declic.post(
        declic.client(shop.admin),
        shop.url("/checkout"),
        {"asset": pc, "borrower": shop.learner.id, "kind": "loan"},
    )
    clock.set_offset(timedelta(days=40))
    assert len(cron(declic)) == 1
    assert sent_levels(declic) == [(1, False), (7, False), (14, True)]
    page = declic.client(shop.admin).get(shop.url("/loans"))
    assert "(14" in page.text


def test_returned_loans_and_switched_off_organisations_get_no_reminder(
    declic: Kit, shop: Shop
) -> None:
    settings(declic, shop.org, loan_days=5, max_renewals=1, grace_days=0, reminder_days="1")
    pc1, pc2 = add_laptops(declic, shop.org, 2)
    admin = declic.client(shop.admin)
    url = declic.post(
        admin, shop.url("/checkout"), {"asset": pc1, "borrower": shop.learner.id, "kind": "loan"}
    ).headers["location"]
    declic.post(
        admin,
        shop.url("/checkout"),
        {"asset": pc2, "borrower": shop.other_learner.id, "kind": "loan"},
    )
    declic.post(admin, f"{url}/checkin", {"condition": "good"})
    declic.disable(shop.org, "equipment")
    clock.set_offset(timedelta(days=10))
    assert cron(declic) == []
    declic.enable(shop.org, "equipment")
    assert len(cron(declic)) == 1  # only the loan still out


def test_renewal_is_refused_once_reminders_have_started(declic: Kit, shop: Shop) -> None:
    settings(declic, shop.org, loan_days=10, max_renewals=3, grace_days=2, reminder_days="1,7")
    [pc] = add_laptops(declic, shop.org, 1)
    url = declic.post(
        declic.client(shop.admin),
        shop.url("/checkout"),
        {"asset": pc, "borrower": shop.learner.id, "kind": "loan"},
    ).headers["location"]
    clock.set_offset(timedelta(days=11))  # 1 day late, in grace: renewal still possible
    assert declic.post(declic.client(shop.admin), f"{url}/renew").status_code == 303
    clock.set_offset(timedelta(days=11 + 10 + 3, hours=1))  # 3 days late on the renewed date
    assert len(cron(declic)) == 1
    assert declic.post(declic.client(shop.admin), f"{url}/renew").status_code == 409
