"""Two admins lend the same laptop at the same moment: exactly one loan exists.

Runs on the suite's backend (SQLite by default; PostgreSQL with DECLIC_TEST_BACKEND=postgres).
"""

from __future__ import annotations

import threading

from sqlalchemy.exc import IntegrityError

from core.testing import Kit
from plugins.equipment.models import Asset, Loan, LoanItem
from plugins.equipment.tests.conftest import Shop, add_laptops


def race(url: str, clients: list, forms: list[dict]) -> list[int]:
    """POST each form from its own thread, all released at the same instant."""
    barrier = threading.Barrier(len(clients))
    codes: list[int] = []

    def go(client, form: dict) -> None:
        barrier.wait()
        codes.append(client.post(url, data=form).status_code)

    threads = [threading.Thread(target=go, args=pair) for pair in zip(clients, forms, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return codes


def test_simultaneous_checkouts_make_exactly_one_loan(declic: Kit, shop: Shop) -> None:
    second_admin = declic.user(shop.org, "admin", login="admin2")
    [pc] = add_laptops(declic, shop.org, 1)
    rounds = 4
    for attempt in range(rounds):
        clients = [
            declic.client(shop.admin),
            declic.client(second_admin),
            declic.client(shop.trainer),
        ]
        forms = [
            {"asset": pc, "borrower": borrower, "kind": "loan", "csrf_token": declic.csrf(client)}
            for client, borrower in zip(
                clients, (shop.learner.id, shop.other_learner.id, shop.learner.id), strict=True
            )
        ]
        codes = race(shop.url("/checkout"), clients, forms)
        assert sorted(codes) == [303, 409, 409], (attempt, codes)
        with declic.db() as db:
            assert db.query(Loan).filter_by(state="active").count() == 1
            assert db.query(LoanItem).filter(LoanItem.active_asset_id == pc).count() == 1
            loan = db.query(Loan).filter_by(state="active").one()
        url = shop.url(f"/loans/{loan.id}/checkin")
        assert declic.post(declic.client(shop.admin), url, {"condition": "good"}).status_code == 303
    assert declic.count(Loan) == rounds


def test_the_schema_refuses_a_second_open_loan_of_an_asset(declic: Kit, shop: Shop) -> None:
    """The backstop under the conditional UPDATE: active_asset_id is unique."""
    [pc] = add_laptops(declic, shop.org, 1)
    with declic.db() as db:
        loans = [
            Loan(organisation_id=shop.org.id, borrower_id=shop.learner.id, borrower_name="x")
            for _ in range(2)
        ]
        db.add_all(loans)
        db.flush()
        db.add(
            LoanItem(
                organisation_id=shop.org.id, loan_id=loans[0].id, asset_id=pc, active_asset_id=pc
            )
        )
        db.flush()
        db.add(
            LoanItem(
                organisation_id=shop.org.id, loan_id=loans[1].id, asset_id=pc, active_asset_id=pc
            )
        )
        try:
            db.flush()
        except IntegrityError:
            db.rollback()
        else:
            raise AssertionError("a second open loan of the same asset was accepted")
    assert declic.reload(Asset, pc).status_label_id is not None


def test_simultaneous_check_ins_close_the_loan_once(declic: Kit, shop: Shop) -> None:
    [pc] = add_laptops(declic, shop.org, 1)
    admin = declic.client(shop.admin)
    url = declic.post(
        admin, shop.url("/checkout"), {"asset": pc, "borrower": shop.learner.id, "kind": "loan"}
    ).headers["location"]
    clients = [declic.client(shop.admin), declic.client(shop.trainer)]
    forms = [
        {"condition": condition, "notes": "", "csrf_token": declic.csrf(client)}
        for client, condition in zip(clients, ("good", "damaged"), strict=True)
    ]
    codes = race(f"{url}/checkin", clients, forms)
    assert sorted(codes) == [303, 409], codes
    with declic.db() as db:
        loan = db.query(Loan).one()
        asset = db.get(Asset, pc)
        assert loan.state == "returned"
        # The status matches the one check-in that won.
        expected = "in_repair" if loan.return_condition == "damaged" else "available"
        assert asset.status_label.role == expected


def test_simultaneous_imports_of_one_file_add_each_asset_once(declic: Kit, shop: Shop) -> None:
    import base64

    text = "tag;serial\n" + "".join(f"IMP-{i};ISN-{i}\n" for i in range(1, 6))
    data = base64.b64encode(text.encode()).decode()
    clients = [declic.client(shop.admin), declic.client(declic.user(shop.org, "admin", login="a3"))]
    forms = [
        {
            "data": data,
            "encoding": "utf-8",
            "map_tag": "0",
            "map_serial": "1",
            "csrf_token": declic.csrf(c),
        }
        for c in clients
    ]
    codes = race(shop.url("/import/run"), clients, forms)
    # The second sees the rows as duplicates (400) or collides on the unique keys (409);
    # either way it imports nothing.
    assert sorted(codes)[0] == 200 and sorted(codes)[1] in (400, 409), codes
    assert declic.count(Asset) == 5


def test_double_acceptance_at_once_records_one(declic: Kit, shop: Shop) -> None:
    [pc] = add_laptops(declic, shop.org, 1)
    url = declic.post(
        declic.client(shop.admin),
        shop.url("/checkout"),
        {"asset": pc, "borrower": shop.learner.id, "kind": "loan"},
    ).headers["location"]
    loan_id = int(url.rsplit("/", 1)[1])
    clients = [declic.client(shop.learner), declic.client(shop.learner)]
    forms = [{"accept": "yes", "csrf_token": declic.csrf(c)} for c in clients]
    codes = race(shop.url(f"/my/loans/{loan_id}/accept"), clients, forms)
    assert sorted(codes) == [303, 400], codes
    with declic.db() as db:
        from plugins.equipment.models import Event

        assert db.query(Event).filter_by(action="accepted").count() == 1
        assert db.get(Loan, loan_id).agreement_pdf
