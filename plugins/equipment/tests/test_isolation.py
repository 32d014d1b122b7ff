"""Organisations never reach each other's equipment; switching the plugin off hides it all."""

from __future__ import annotations

import io

from PIL import Image

from core.testing import Kit
from plugins.equipment.models import AssetPhoto, Loan
from plugins.equipment.tests.conftest import Shop, add_laptops


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_other_organisation_cannot_reach_assets_or_loans_by_id(declic: Kit, shop: Shop) -> None:
    [pc] = add_laptops(declic, shop.org, 1)
    admin = declic.client(shop.admin)
    loan_url = declic.post(
        admin, shop.url("/checkout"), {"asset": pc, "borrower": shop.learner.id, "kind": "loan"}
    ).headers["location"]
    loan_id = int(loan_url.rsplit("/", 1)[1])
    org_b = declic.org("orgb")
    declic.enable(org_b, "equipment")
    admin_b = declic.user(org_b, "admin", login="adminb")
    learner_b = declic.user(org_b, "learner", login="learnerb")
    client_b = declic.client(admin_b)
    base_b = f"/o/{org_b.slug}/equipment"
    for path in (
        f"/assets/{pc}",
        f"/assets/{pc}/edit",
        f"/loans/{loan_id}",
        f"/loans/{loan_id}/agreement.pdf",
    ):
        assert client_b.get(base_b + path).status_code == 404, path
    for path in (
        f"/loans/{loan_id}/checkin",
        f"/loans/{loan_id}/renew",
        f"/loans/{loan_id}/lost",
        f"/assets/{pc}/status",
    ):
        assert (
            declic.post(
                client_b, base_b + path, {"condition": "good", "status": "retired"}
            ).status_code
            == 404
        ), path
    # Lending org A's asset from org B, or to org B's learner from org A: refused.
    assert (
        declic.post(
            client_b, base_b + "/checkout", {"asset": pc, "borrower": learner_b.id, "kind": "loan"}
        ).status_code
        == 404
    )
    # Through org A's URL, B's admin is not a member.
    assert client_b.get(shop.url(f"/loans/{loan_id}")).status_code == 403
    assert declic.reload(Loan, loan_id).state == "active"


def test_photos_are_checked_and_served_to_members_only(declic: Kit, shop: Shop) -> None:
    [pc] = add_laptops(declic, shop.org, 1)
    admin = declic.client(shop.admin)
    token = declic.csrf(admin)
    fake = admin.post(
        shop.url(f"/assets/{pc}/photos"),
        data={"csrf_token": token},
        files={"photo": ("photo.png", b"<script>alert(1)</script>", "image/png")},
    )
    assert fake.status_code == 400 and declic.count(AssetPhoto) == 0
    big = admin.post(
        shop.url(f"/assets/{pc}/photos"),
        data={"csrf_token": token},
        files={"photo": ("big.png", b"\x89PNG" + b"0" * (3 * 1024 * 1024 + 10), "image/png")},
    )
    assert big.status_code == 400 and declic.count(AssetPhoto) == 0
    ok = admin.post(
        shop.url(f"/assets/{pc}/photos"),
        data={"csrf_token": token},
        files={"photo": ("photo.jpg", png(), "image/jpeg")},
    )
    assert ok.status_code == 303
    with declic.db() as db:
        photo = db.query(AssetPhoto).one()
        assert photo.content_type == "image/png"  # from the bytes, not from what the browser said
    assert declic.client(shop.learner).get(shop.url(f"/photos/{photo.id}")).content == png()
    outsider_org = declic.org("other")
    declic.enable(outsider_org, "equipment")
    outsider = declic.client(declic.user(outsider_org, "admin", login="outsider"))
    assert outsider.get(shop.url(f"/photos/{photo.id}")).status_code == 403
    assert outsider.get(f"/o/{outsider_org.slug}/equipment/photos/{photo.id}").status_code == 404
    assert declic.client().get(shop.url(f"/photos/{photo.id}")).status_code == 303  # sign in first


def test_switch_off_hides_routes_and_keeps_data(declic: Kit, shop: Shop) -> None:
    [pc] = add_laptops(declic, shop.org, 1)
    admin = declic.client(shop.admin)
    declic.post(
        admin, shop.url("/checkout"), {"asset": pc, "borrower": shop.learner.id, "kind": "loan"}
    )
    assert "/equipment" in admin.get(f"/o/{shop.org.slug}/").text
    declic.disable(shop.org, "equipment")
    for path in ("/", f"/assets/{pc}", "/loans", "/my", "/import", "/labels.pdf"):
        assert admin.get(shop.url(path)).status_code == 404, path
    assert declic.client(shop.learner).get(shop.url("/my")).status_code == 404
    home = admin.get(f"/o/{shop.org.slug}/")
    assert "/equipment" not in home.text
    declic.enable(shop.org, "equipment")
    assert admin.get(shop.url(f"/assets/{pc}")).status_code == 200
    assert declic.count(Loan) == 1


def test_menu_shows_one_equipment_link_per_person(declic: Kit, shop: Shop) -> None:
    admin_home = declic.client(shop.admin).get(f"/o/{shop.org.slug}/").text
    assert admin_home.count(f'href="{shop.url("/")}"') == 1
    assert shop.url("/my") not in admin_home
    trainer_home = declic.client(shop.trainer).get(f"/o/{shop.org.slug}/").text
    assert trainer_home.count(f'href="{shop.url("/")}"') == 1
    learner_home = declic.client(shop.learner).get(f"/o/{shop.org.slug}/").text
    assert shop.url("/my") in learner_home and f'href="{shop.url("/")}"' not in learner_home
