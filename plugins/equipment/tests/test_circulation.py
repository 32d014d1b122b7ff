"""Check-out, donation, packs, renewal, check-in, loss and history, through the pages."""

from __future__ import annotations

from datetime import timedelta

from core import clock
from core.clock import now
from core.testing import Kit
from plugins.equipment.models import Asset, Event, Loan, LoanItem, StatusLabel
from plugins.equipment.tests.conftest import Shop, add_laptops, settings


def status_of(declic: Kit, asset_id: int) -> str:
    with declic.db() as db:
        return db.get(Asset, asset_id).status_label.role


def label_id(declic: Kit, shop: Shop, role: str) -> int:
    with declic.db() as db:
        return db.query(StatusLabel).filter_by(organisation_id=shop.org.id, role=role).one().id


def lend(declic: Kit, shop: Shop, client, asset_id: int, borrower_id: int, kind: str = "loan"):
    return declic.post(
        client, shop.url("/checkout"), {"asset": asset_id, "borrower": borrower_id, "kind": kind}
    )


def test_loan_takes_the_due_date_from_the_rules_and_writes_history(declic: Kit, shop: Shop) -> None:
    settings(declic, shop.org, loan_days=21, max_renewals=1, grace_days=2, reminder_days="1,7")
    [pc] = add_laptops(declic, shop.org, 1)
    admin = declic.client(shop.admin)
    before = now()
    response = lend(declic, shop, admin, pc, shop.learner.id)
    assert response.status_code == 303, response.text
    assert status_of(declic, pc) == "on_loan"
    with declic.db() as db:
        loan = db.query(Loan).one()
        assert (
            loan.borrower_id == shop.learner.id and loan.kind == "loan" and loan.state == "active"
        )
        assert abs((loan.due_at - before) - timedelta(days=21)) < timedelta(minutes=1)
        assert [e.action for e in db.query(Event).filter_by(asset_id=pc)] == ["checked_out"]
    page = admin.get(response.headers["location"])
    assert page.status_code == 200 and "Fatima Zahra" in page.text


def test_trainer_may_lend_but_learner_may_not(declic: Kit, shop: Shop) -> None:
    [pc1, pc2] = add_laptops(declic, shop.org, 2)
    assert lend(declic, shop, declic.client(shop.trainer), pc1, shop.learner.id).status_code == 303
    assert lend(declic, shop, declic.client(shop.learner), pc2, shop.learner.id).status_code == 403
    assert declic.client(shop.trainer).get(shop.url("/import")).status_code == 403
    assert status_of(declic, pc2) == "available"


def test_checkout_refused_for_unavailable_asset_and_for_outsiders(declic: Kit, shop: Shop) -> None:
    [pc] = add_laptops(declic, shop.org, 1)
    other_org = declic.org("ailleurs")
    outsider = declic.user(other_org, "learner", login="outsider")
    admin = declic.client(shop.admin)
    response = lend(declic, shop, admin, pc, outsider.id)
    assert response.status_code == 400
    assert "Choose a learner of this organisation" in response.text or "Choisissez" in response.text
    # Staff cannot borrow: only holders of equipment:accept (learners by default).
    assert lend(declic, shop, admin, pc, shop.trainer.id).status_code == 400
    assert declic.count(Loan) == 0 and status_of(declic, pc) == "available"
    assert lend(declic, shop, admin, pc, shop.learner.id).status_code == 303
    again = lend(declic, shop, admin, pc, shop.other_learner.id)
    assert again.status_code == 409
    assert declic.count(Loan) == 1


def test_donation_passes_ownership_and_leaves_the_stock(declic: Kit, shop: Shop) -> None:
    [pc, _other] = add_laptops(declic, shop.org, 2)
    admin = declic.client(shop.admin)
    assert lend(declic, shop, admin, pc, shop.learner.id, kind="donation").status_code == 303
    with declic.db() as db:
        asset = db.get(Asset, pc)
        assert asset.status_label.role == "given" and asset.status_label.kind == "archived"
        assert asset.owner_id == shop.learner.id
        loan = db.query(Loan).one()
        assert loan.state == "given" and loan.due_at is None
        assert db.query(LoanItem).one().active_asset_id is None
    stock = admin.get(shop.url("/"))
    assert 'data-count="given">1<' in stock.text and 'data-count="available">1<' in stock.text
    # A given asset cannot be lent again.
    assert lend(declic, shop, admin, pc, shop.other_learner.id).status_code == 409


def test_pack_moves_as_one(declic: Kit, shop: Shop) -> None:
    ids = add_laptops(declic, shop.org, 3)
    admin = declic.client(shop.admin)
    created = declic.post(
        admin, shop.url("/packs"), {"code": "PACK-1", "name": "Laptop + mouse + bag"}
    )
    assert created.status_code == 303
    pack_url = created.headers["location"]
    pack_id = int(pack_url.rsplit("/", 1)[1])
    for tag in ("PC-001", "PC-002", "pc-003"):
        assert declic.post(admin, f"{pack_url}/add", {"tag": tag}).status_code == 303
    # An asset of a pack is never lent alone.
    alone = lend(declic, shop, admin, ids[0], shop.learner.id)
    assert alone.status_code == 409
    response = declic.post(
        admin, shop.url("/checkout"), {"pack": pack_id, "borrower": shop.learner.id, "kind": "loan"}
    )
    assert response.status_code == 303
    assert {status_of(declic, i) for i in ids} == {"on_loan"}
    with declic.db() as db:
        loan = db.query(Loan).one()
        assert loan.pack_id == pack_id and len(loan.items) == 3
    # The pack cannot lose an asset while it is out.
    assert declic.post(admin, f"{pack_url}/remove", {"asset": ids[0]}).status_code == 409
    loan_url = response.headers["location"]
    assert (
        declic.post(admin, f"{loan_url}/checkin", {"condition": "good", "notes": ""}).status_code
        == 303
    )
    assert {status_of(declic, i) for i in ids} == {"available"}


def test_renewal_up_to_the_limit(declic: Kit, shop: Shop) -> None:
    settings(declic, shop.org, loan_days=10, max_renewals=2, grace_days=0, reminder_days="1")
    [pc] = add_laptops(declic, shop.org, 1)
    admin = declic.client(shop.admin)
    loan_url = lend(declic, shop, admin, pc, shop.learner.id).headers["location"]
    with declic.db() as db:
        first_due = db.query(Loan).one().due_at
    assert declic.post(admin, f"{loan_url}/renew").status_code == 303
    assert declic.post(admin, f"{loan_url}/renew").status_code == 303
    refused = declic.post(admin, f"{loan_url}/renew")
    assert refused.status_code == 409
    with declic.db() as db:
        loan = db.query(Loan).one()
        assert loan.renewals == 2
        assert loan.due_at == first_due + timedelta(days=20)
        assert [e.action for e in db.query(Event).order_by(Event.id)] == [
            "checked_out",
            "renewed",
            "renewed",
        ]


def test_check_in_with_condition_and_loss(declic: Kit, shop: Shop) -> None:
    [pc1, pc2, pc3] = add_laptops(declic, shop.org, 3)
    admin = declic.client(shop.admin)
    url1 = lend(declic, shop, admin, pc1, shop.learner.id).headers["location"]
    url2 = lend(declic, shop, admin, pc2, shop.learner.id).headers["location"]
    url3 = lend(declic, shop, admin, pc3, shop.other_learner.id).headers["location"]
    assert (
        declic.post(admin, f"{url1}/checkin", {"condition": "good", "notes": "ok"}).status_code
        == 303
    )
    assert (
        declic.post(
            admin, f"{url2}/checkin", {"condition": "damaged", "notes": "écran fissuré"}
        ).status_code
        == 303
    )
    assert declic.post(admin, f"{url3}/lost", {"notes": "volé dans le bus"}).status_code == 303
    assert status_of(declic, pc1) == "available"
    assert status_of(declic, pc2) == "in_repair"
    assert status_of(declic, pc3) == "lost"
    # Closing twice is refused, and the asset can be lent again once back.
    assert declic.post(admin, f"{url1}/checkin", {"condition": "good"}).status_code == 409
    assert declic.post(admin, f"{url1}/checkin", {"condition": "bogus"}).status_code == 409
    assert lend(declic, shop, admin, pc1, shop.other_learner.id).status_code == 303
    # Per-learner history: every step for Fatima, none of Karim's.
    page = admin.get(shop.url(f"/learners/{shop.learner.id}"))
    assert page.status_code == 200
    assert (
        page.text.count("PC-001") >= 2 and "écran fissuré" in page.text and "volé" not in page.text
    )
    asset_page = admin.get(shop.url(f"/assets/{pc1}"))
    assert "Fatima Zahra" in asset_page.text and "Karim Benali" in asset_page.text


def test_learner_page_shows_due_date_and_how_to_return(declic: Kit, shop: Shop) -> None:
    settings(
        declic,
        shop.org,
        loan_days=30,
        max_renewals=1,
        grace_days=3,
        reminder_days="1,7,14",
        return_instructions="Au local, le mardi de 14 h à 17 h.",
    )
    [pc] = add_laptops(declic, shop.org, 1)
    lend(declic, shop, declic.client(shop.admin), pc, shop.learner.id)
    learner = declic.client(shop.learner)
    page = learner.get(shop.url("/my"))
    assert page.status_code == 200
    assert "Latitude E7450" in page.text and "Au local, le mardi" in page.text
    assert str((now() + timedelta(days=30)).year) in page.text
    home = learner.get(f"/o/{shop.org.slug}/")
    assert "Latitude E7450" in home.text
    # Someone else's page shows nothing of it.
    assert "Latitude E7450" not in declic.client(shop.other_learner).get(shop.url("/my")).text


def test_status_change_and_manual_asset_form(declic: Kit, shop: Shop) -> None:
    admin = declic.client(shop.admin)
    bad = declic.post(
        admin,
        shop.url("/assets/new"),
        {
            "tag": "",
            "kind": "laptop",
            "test_result": "passed",
            "source_kind": "donor",
            "grade": "Z",
            "erasure_date": "31/02/2026",
        },
    )
    assert bad.status_code == 400
    assert declic.count(Asset) == 0
    good = declic.post(
        admin,
        shop.url("/assets/new"),
        {
            "tag": "PC-100",
            "serial": "SN100",
            "kind": "laptop",
            "make": "HP",
            "model": "EliteBook 840",
            "test_result": "passed",
            "source_kind": "donor",
            "source_name": "Mairie",
            "grade": "B",
            "erasure_method": "Blancco",
            "erasure_date": "03/02/2026",
            "erasure_operator": "Luc",
            "warranty_end": "2027-02-03",
        },
    )
    assert good.status_code == 303
    dup = declic.post(
        admin,
        shop.url("/assets/new"),
        {
            "tag": "pc-100",
            "serial": "sn100",
            "kind": "laptop",
            "test_result": "passed",
            "source_kind": "donor",
        },
    )
    assert dup.status_code == 400 and declic.count(Asset) == 1
    asset_id = int(good.headers["location"].rsplit("/", 1)[1])
    assert (
        declic.post(
            admin,
            shop.url(f"/assets/{asset_id}/status"),
            {"status": label_id(declic, shop, "in_repair")},
        ).status_code
        == 303
    )
    assert status_of(declic, asset_id) == "in_repair"
    assert lend(declic, shop, admin, asset_id, shop.learner.id).status_code == 409
    page = admin.get(shop.url(f"/assets/{asset_id}"))
    assert "Blancco" in page.text and "Luc" in page.text


def test_overdue_widget_on_admin_dashboard(declic: Kit, shop: Shop) -> None:
    settings(declic, shop.org, loan_days=7, max_renewals=0, grace_days=0, reminder_days="1")
    [pc] = add_laptops(declic, shop.org, 1)
    admin = declic.client(shop.admin)
    lend(declic, shop, admin, pc, shop.learner.id)
    home = admin.get(f"/o/{shop.org.slug}/")
    assert "PC-001" not in home.text
    clock.set_offset(timedelta(days=10))
    home = declic.client(shop.admin).get(f"/o/{shop.org.slug}/")  # a fresh session, 10 days on
    assert "PC-001" in home.text and "Fatima Zahra" in home.text


def test_organisation_status_labels_of_the_four_kinds(declic: Kit, shop: Shop) -> None:
    [pc] = add_laptops(declic, shop.org, 1)
    admin = declic.client(shop.admin)
    page = admin.get(shop.url("/statuses"))
    assert page.status_code == 200
    assert (
        declic.post(
            admin, shop.url("/statuses"), {"name": "Réservé atelier", "kind": "deployable"}
        ).status_code
        == 303
    )
    assert (
        declic.post(
            admin, shop.url("/statuses"), {"name": "Prêté à un partenaire", "kind": "undeployable"}
        ).status_code
        == 303
    )
    assert (
        declic.post(
            admin, shop.url("/statuses"), {"name": "réservé ATELIER", "kind": "pending"}
        ).status_code
        == 400
    )
    assert (
        declic.post(admin, shop.url("/statuses"), {"name": "X", "kind": "broken"}).status_code
        == 400
    )
    with declic.db() as db:
        custom = {
            lb.name: lb.id
            for lb in db.query(StatusLabel).filter_by(organisation_id=shop.org.id, role=None)
        }
    assert set(custom) == {"Réservé atelier", "Prêté à un partenaire"}
    status_url = shop.url(f"/assets/{pc}/status")
    assert (
        declic.post(admin, status_url, {"status": custom["Prêté à un partenaire"]}).status_code
        == 303
    )
    assert lend(declic, shop, admin, pc, shop.learner.id).status_code == 409  # undeployable
    assert declic.post(admin, status_url, {"status": custom["Réservé atelier"]}).status_code == 303
    assert lend(declic, shop, admin, pc, shop.learner.id).status_code == 303  # deployable
    # While out, the status follows the loan only; "on loan" is never chosen by hand.
    assert (
        declic.post(admin, status_url, {"status": label_id(declic, shop, "retired")}).status_code
        == 409
    )
    assert (
        declic.post(admin, status_url, {"status": label_id(declic, shop, "on_loan")}).status_code
        == 409
    )
    # Another organisation's label is not one of ours.
    other = declic.org("autre")
    declic.enable(other, "equipment")
    with declic.db() as db:
        foreign = (
            db.query(StatusLabel).filter_by(organisation_id=other.id, role="available").one().id
        )
    assert declic.post(admin, status_url, {"status": foreign}).status_code == 400
    stock = admin.get(shop.url("/"))
    assert (
        "Réservé atelier" in stock.text
        and f'data-count="label-{custom["Réservé atelier"]}">0<' in stock.text
    )


def test_refused_pack_checkout_writes_nothing(declic: Kit, shop: Shop) -> None:
    ids = add_laptops(declic, shop.org, 3)
    admin = declic.client(shop.admin)
    pack_url = declic.post(admin, shop.url("/packs"), {"code": "PACK-2", "name": ""}).headers[
        "location"
    ]
    pack_id = int(pack_url.rsplit("/", 1)[1])
    for tag in ("PC-001", "PC-002", "PC-003"):
        declic.post(admin, f"{pack_url}/add", {"tag": tag})
    # The last asset of the pack goes to repair: the pack cannot go out, and the first two
    # assets (taken before the refusal) are left as they were.
    with declic.db() as db:
        db.get(Asset, ids[2]).status_label_id = label_id(declic, shop, "in_repair")
    response = declic.post(
        admin, shop.url("/checkout"), {"pack": pack_id, "borrower": shop.learner.id, "kind": "loan"}
    )
    assert response.status_code == 409 and "PC-003" in response.text
    assert [status_of(declic, i) for i in ids] == ["available", "available", "in_repair"]
    assert (
        declic.count(Loan) == 0
        and declic.count(LoanItem) == 0
        and declic.count(Event, action="checked_out") == 0
    )


def test_trainer_dashboard_lists_overdue_loans(declic: Kit, shop: Shop) -> None:
    settings(declic, shop.org, loan_days=3, max_renewals=0, grace_days=0, reminder_days="1")
    [pc] = add_laptops(declic, shop.org, 1)
    lend(declic, shop, declic.client(shop.trainer), pc, shop.learner.id)
    clock.set_offset(timedelta(days=5))
    home = declic.client(shop.trainer).get(f"/o/{shop.org.slug}/")
    assert home.status_code == 200 and "PC-001" in home.text
    learner_home = declic.client(shop.learner).get(f"/o/{shop.org.slug}/")
    assert "Latitude E7450" in learner_home.text and "/equipment/loans/" not in learner_home.text


def test_standard_return_instructions_in_the_learners_language(declic: Kit, shop: Shop) -> None:
    [pc] = add_laptops(declic, shop.org, 1)
    lend(declic, shop, declic.client(shop.admin), pc, shop.learner.id)
    page = declic.client(shop.learner).get(shop.url("/my"))
    assert "Rapportez le matériel, son chargeur et sa sacoche" in page.text


def test_loan_rules_set_on_the_plugins_page(declic: Kit, shop: Shop) -> None:
    admin = declic.client(shop.admin)
    url = f"/o/{shop.org.slug}/admin/plugins/equipment/settings"
    form = {
        "loan_days": "14",
        "max_renewals": "2",
        "grace_days": "1",
        "return_instructions": "",
        "audit_days": "180",
    }
    bad = declic.post(admin, url, {**form, "reminder_days": "demain"})
    assert bad.status_code in (200, 400)
    with declic.db() as db:
        from plugins.equipment.settings import org_rules

        assert org_rules(db, shop.org.id).loan_days == 90  # nothing stored
    declic.post(admin, url, {**form, "reminder_days": "2, 10"})
    with declic.db() as db:
        rules = org_rules(db, shop.org.id)
    assert (rules.loan_days, rules.max_renewals, rules.grace_days, rules.reminder_days) == (
        14,
        2,
        1,
        (2, 10),
    )
    [pc] = add_laptops(declic, shop.org, 1)
    before = now()
    lend(declic, shop, admin, pc, shop.learner.id)
    with declic.db() as db:
        due = db.query(Loan).one().due_at
    assert abs(due - before - timedelta(days=14)) < timedelta(minutes=1)


def test_learner_keeps_it_longer_within_the_rules(declic: Kit, shop: Shop) -> None:
    settings(
        declic,
        shop.org,
        loan_days=30,
        max_renewals=1,
        grace_days=3,
        reminder_days="1",
        learner_renewals=True,
    )
    [pc] = add_laptops(declic, shop.org, 1)
    lend(declic, shop, declic.client(shop.admin), pc, shop.learner.id)
    with declic.db() as db:
        loan = db.query(Loan).one()
        first_due = loan.due_at
    learner = declic.client(shop.learner)
    page = learner.get(shop.url("/my"))
    assert f"/my/loans/{loan.id}/renew" in page.text
    # Someone else cannot renew it.
    assert (
        declic.post(
            declic.client(shop.other_learner), shop.url(f"/my/loans/{loan.id}/renew")
        ).status_code
        == 404
    )
    assert declic.post(learner, shop.url(f"/my/loans/{loan.id}/renew")).status_code == 303
    renewed = declic.reload(Loan, loan.id)
    assert renewed.renewals == 1 and renewed.due_at == first_due + timedelta(days=30)
    with declic.db() as db:
        event = db.query(Event).filter_by(action="renewed").one()
        assert event.actor_id == shop.learner.id
    # The limit is reached: no more button, and a forged post is refused.
    assert f"/my/loans/{loan.id}/renew" not in learner.get(shop.url("/my")).text
    assert declic.post(learner, shop.url(f"/my/loans/{loan.id}/renew")).status_code == 409


def test_learner_renewals_can_be_switched_off(declic: Kit, shop: Shop) -> None:
    settings(
        declic,
        shop.org,
        loan_days=30,
        max_renewals=3,
        grace_days=3,
        reminder_days="1",
        learner_renewals=False,
    )
    [pc] = add_laptops(declic, shop.org, 1)
    lend(declic, shop, declic.client(shop.admin), pc, shop.learner.id)
    with declic.db() as db:
        loan_id = db.query(Loan).one().id
    learner = declic.client(shop.learner)
    assert "/renew" not in learner.get(shop.url("/my")).text
    assert declic.post(learner, shop.url(f"/my/loans/{loan_id}/renew")).status_code == 403
    assert declic.reload(Loan, loan_id).renewals == 0
