"""Privacy export and delete (anonymise: agreements are records), demo data, contract sample
data, the platform-wide stock page, and the plugin's declarations."""

from __future__ import annotations

import json

from sqlalchemy import select

from core.models import User
from core.testing import Kit, assert_plugin_contract
from plugins.equipment.models import Asset, Event, Loan
from plugins.equipment.tests.conftest import Shop, add_laptops


def hook(declic: Kit, name: str, **kwargs):
    with declic.db() as db:
        if "user" in kwargs:
            kwargs["user"] = db.get(User, kwargs["user"].id)
        return dict(declic.state.host.call_each(name, only=["equipment"], db=db, **kwargs)).get(
            "equipment"
        )


def test_export_then_delete_leaves_nothing_personal(declic: Kit, shop: Shop) -> None:
    pc, gift = add_laptops(declic, shop.org, 2)
    admin = declic.client(shop.admin)
    url = declic.post(
        admin, shop.url("/checkout"), {"asset": pc, "borrower": shop.learner.id, "kind": "loan"}
    ).headers["location"]
    declic.post(
        admin,
        shop.url("/checkout"),
        {"asset": gift, "borrower": shop.learner.id, "kind": "donation"},
    )
    loan_id = int(url.rsplit("/", 1)[1])
    declic.post(
        declic.client(shop.learner), shop.url(f"/my/loans/{loan_id}/accept"), {"accept": "yes"}
    )
    exported = hook(declic, "declic_privacy_export", user=shop.learner)
    assert exported is not None and len(exported["loans"]) == 2
    assert exported["loans"][0]["assets"][0]["tag"] == "PC-001"
    json.dumps(exported)  # serialisable
    assert hook(declic, "declic_privacy_export", user=shop.other_learner) is None

    sha = declic.reload(Loan, loan_id).agreement_pdf_sha256
    hook(declic, "declic_privacy_delete", user=shop.learner)
    assert hook(declic, "declic_privacy_export", user=shop.learner) is None
    with declic.db() as db:
        loans = db.scalars(select(Loan)).all()
        assert len(loans) == 2  # kept as the stock's record
        for loan in loans:
            assert (
                loan.borrower_id is None and loan.borrower_name == "" and loan.agreement_pdf is None
            )
        assert db.get(Loan, loan_id).agreement_pdf_sha256 == sha
        assert db.get(Asset, gift).owner_id is None
        events = db.scalars(select(Event)).all()
        assert events and all(
            e.learner_id != shop.learner.id and e.actor_id != shop.learner.id for e in events
        )
        assert all("Fatima" not in e.detail for e in events)
    # The asset's history still shows what happened, without the person.
    page = admin.get(shop.url(f"/assets/{pc}"))
    assert page.status_code == 200 and "Fatima" not in page.text


def test_metadata_names_the_personal_fields(declic: Kit) -> None:
    fields = hook(declic, "declic_privacy_metadata")
    tables = {f.table for f in fields}
    assert {"equipment_loan", "equipment_event", "equipment_asset"} <= tables


def test_demo_data_and_contract_sample(declic: Kit, shop: Shop) -> None:
    with declic.db() as db:
        from core.models import Organisation

        org = db.get(Organisation, shop.org.id)
        users = {u.login: db.get(User, u.id) for u in (shop.admin, shop.learner)}
        declic.state.host.call_each(
            "declic_demo_data", only=["equipment"], db=db, organisation=org, users=users
        )
    assert declic.count(Asset) == 5 and declic.count(Loan) == 1
    with declic.db() as db:
        assert db.scalar(select(Loan)).borrower_id == shop.learner.id
    specs = (
        declic.state.host.pm.hook.declic_contract_sample_data.spec
        if hasattr(declic.state.host.pm.hook, "declic_contract_sample_data")
        else None
    )
    if specs is not None:
        loan_id = hook(
            declic, "declic_contract_sample_data", organisation=org, user=shop.other_learner
        )
        assert declic.reload(Loan, loan_id).borrower_id == shop.other_learner.id


def test_platform_stock_is_for_platform_admins(declic: Kit, shop: Shop) -> None:
    org_b = declic.org("orgb", name="Association B")
    declic.enable(org_b, "equipment")
    learner_b = declic.user(org_b, "learner", login="lb")
    pcs_a = add_laptops(declic, shop.org, 3)
    pcs_b = add_laptops(declic, org_b, 2, prefix="B")
    admin = declic.client(shop.admin)
    declic.post(
        admin,
        shop.url("/checkout"),
        {"asset": pcs_a[0], "borrower": shop.learner.id, "kind": "loan"},
    )
    admin_b = declic.client(declic.user(org_b, "admin", login="ab"))
    declic.post(
        admin_b,
        f"/o/{org_b.slug}/equipment/checkout",
        {"asset": pcs_b[0], "borrower": learner_b.id, "kind": "donation"},
    )
    assert admin.get("/admin/p/equipment/stock").status_code == 403
    assert shop.url("/platform").endswith("/platform")
    assert admin.get(shop.url("/platform")).status_code == 404  # not an organisation page
    boss = declic.client(declic.user(None, login="boss", is_platform_admin=True))
    listing = boss.get("/admin")
    assert "/admin/p/equipment/stock" in listing.text
    assert "Le matériel dans tout le programme" in listing.text
    page = boss.get("/admin/p/equipment/stock")
    assert page.status_code == 200
    assert "Association B" in page.text and "ASSO" in page.text
    assert 'id="equipped"' in page.text and ">2 " in page.text


def test_capabilities_and_settings_are_declared(declic: Kit) -> None:
    caps = {c.name: c.default_roles for c in hook(declic, "declic_capabilities")}
    assert caps["equipment:manage"] == ("admin",)
    assert "trainer" in caps["equipment:lend"] and caps["equipment:accept"] == ("learner",)
    names = {s.name for s in hook(declic, "declic_settings")}
    assert {
        "loan_days",
        "max_renewals",
        "grace_days",
        "reminder_days",
        "return_instructions",
    } <= names


def test_plugin_passes_the_contract_check(declic: Kit) -> None:
    assert_plugin_contract(declic, "equipment")
