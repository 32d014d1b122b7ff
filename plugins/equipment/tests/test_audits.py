"""Asset audits (Snipe-IT): when an asset was last seen in place, and which ones are due."""

from __future__ import annotations

from datetime import timedelta

from core import clock
from core.testing import Kit
from plugins.equipment.models import Asset, Event
from plugins.equipment.tests.conftest import Shop, add_laptops, settings


def due_count(declic: Kit, shop: Shop) -> str:
    page = declic.client(shop.admin).get(shop.url("/"))
    marker = 'data-count="audit-due">'
    return page.text.split(marker, 1)[1].split("<", 1)[0]


def test_audit_dates_and_the_due_list_as_time_passes(declic: Kit, shop: Shop) -> None:
    settings(declic, shop.org, audit_days=30)
    pc1, pc2, gift = add_laptops(declic, shop.org, 3)
    admin = declic.client(shop.admin)
    declic.post(
        admin,
        shop.url("/checkout"),
        {"asset": gift, "borrower": shop.learner.id, "kind": "donation"},
    )
    assert due_count(declic, shop) == "0"
    clock.set_offset(timedelta(days=31))  # never audited, in the stock for more than 30 days
    assert due_count(declic, shop) == "2"  # the given laptop is out of the stock: never due
    admin = declic.client(shop.admin)
    assert (
        declic.post(admin, shop.url(f"/assets/{pc1}/audit"), {"notes": "armoire B"}).status_code
        == 303
    )
    assert due_count(declic, shop) == "1"
    due_page = admin.get(shop.url("/?audit=due"))
    assert "PC-002" in due_page.text and "PC-001" not in due_page.text
    asset = declic.reload(Asset, pc1)
    assert asset.last_audit_at is not None
    assert asset.next_audit_on == (clock.now() + timedelta(days=30)).date()
    with declic.db() as db:
        event = db.query(Event).filter_by(action="audited").one()
        assert (
            event.asset_id == pc1
            and event.detail == "armoire B"
            and event.actor_id == shop.admin.id
        )
    clock.set_offset(timedelta(days=62))
    assert due_count(declic, shop) == "2"  # PC-001's next audit date has come
    assert declic.count(Asset, id=pc2) == 1


def test_no_audit_planned_when_the_interval_is_zero(declic: Kit, shop: Shop) -> None:
    settings(declic, shop.org, audit_days=0)
    [pc] = add_laptops(declic, shop.org, 1)
    clock.set_offset(timedelta(days=900))
    assert due_count(declic, shop) == "0"
    admin = declic.client(shop.admin)
    assert declic.post(admin, shop.url(f"/assets/{pc}/audit"), {}).status_code == 303
    assert declic.reload(Asset, pc).next_audit_on is None
    # Trainers lend but do not audit the stock.
    assert (
        declic.post(declic.client(shop.trainer), shop.url(f"/assets/{pc}/audit"), {}).status_code
        == 403
    )
