"""What happens to loans: check-out (loan or donation), the agreement and its acceptance,
renewal, check-in, loss.

Database operations without a request, shared by the views, the cron job and the demo data. Every
action writes its line of history (:func:`plugins.equipment.history.record`). Each function
flushes; the caller commits.

Check-out takes each asset with a conditional UPDATE (``... WHERE status is deployable``) and
checks the row count: of two admins lending the same laptop at the same moment, the second finds
no deployable row and is refused. ``LoanItem.active_asset_id`` (unique) backs it up in the schema.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.clock import now
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.models import User
from plugins.equipment.history import record
from plugins.equipment.loans import LoanRules, due_date, renewal
from plugins.equipment.models import Agreement, Asset, Loan, LoanItem, Pack, StatusLabel
from plugins.equipment.refusals import RefusedError
from plugins.equipment.stock import ensure_labels

RETURN_CONDITIONS = (
    ("good", _l("Good: ready to lend again")),
    ("worn", _l("Worn but working")),
    ("damaged", _l("Damaged: send to repair")),
    ("incomplete", _l("Incomplete: parts missing, send to repair")),
)
CONDITIONS_TO_REPAIR = frozenset({"damaged", "incomplete"})

DEFAULT_AGREEMENT = _l(
    "Loan agreement.\n\n"
    "1. The association lends me this equipment for my training and my job search.\n"
    "2. I take care of it, I do not lend it, sell it or give it to anyone.\n"
    "3. I bring it back on the due date, or I ask for a renewal before that date.\n"
    "4. If it is lost, stolen or broken, I tell the association at once.\n"
    "5. The equipment was checked and its previous data erased before it was lent to me."
)


# --- the agreement -----------------------------------------------------------------------------


def current_agreement(db: Session, organisation_id: int, actor_id: int | None = None) -> Agreement:
    """The latest version of the organisation's agreement (version 1 is the default text)."""
    row = db.scalar(
        select(Agreement)
        .where(Agreement.organisation_id == organisation_id)
        .order_by(Agreement.version.desc())
        .limit(1)
    )
    if row is None:
        try:
            with db.begin_nested():
                row = Agreement(
                    organisation_id=organisation_id,
                    version=1,
                    text=str(DEFAULT_AGREEMENT),
                    created_by_id=actor_id,
                )
                db.add(row)
                db.flush()
        except IntegrityError:
            # Made by a request running at the same moment: take that one.
            row = db.scalar(
                select(Agreement).where(
                    Agreement.organisation_id == organisation_id, Agreement.version == 1
                )
            )
            assert row is not None
    return row


def new_agreement_version(
    db: Session, organisation_id: int, text: str, actor_id: int | None
) -> Agreement:
    """Store a new text as the next version; accepted versions are never touched."""
    latest = db.scalar(
        select(func.max(Agreement.version)).where(Agreement.organisation_id == organisation_id)
    )
    row = Agreement(
        organisation_id=organisation_id,
        version=(latest or 0) + 1,
        text=text,
        created_by_id=actor_id,
        created_at=now(),
    )
    db.add(row)
    db.flush()
    return row


# --- check-out -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What is checked out: one asset alone, or a whole pack."""

    assets: Sequence[Asset]
    pack: Pack | None = None

    @property
    def label(self) -> str:
        if self.pack is not None:
            return self.pack.code
        return ", ".join(a.tag for a in self.assets)


def check_out(
    db: Session,
    organisation_id: int,
    target: Target,
    borrower: User,
    kind: str,
    rules: LoanRules,
    actor_id: int | None,
) -> Loan:
    """Lend (``kind="loan"``) or give (``"donation"``) the target to ``borrower``.

    Raises :class:`RefusedError` when an asset is not available (including when another request
    took it a moment earlier); nothing is written then (the work runs in a savepoint). The
    caller has checked that the borrower may borrow in the organisation.
    """
    with db.begin_nested():
        return _check_out(db, organisation_id, target, borrower, kind, rules, actor_id)


def _check_out(
    db: Session,
    organisation_id: int,
    target: Target,
    borrower: User,
    kind: str,
    rules: LoanRules,
    actor_id: int | None,
) -> Loan:
    if kind not in ("loan", "donation"):
        raise RefusedError(_("Choose a loan or a donation."))
    if not target.assets:
        raise RefusedError(_("This pack holds no equipment."))
    for asset in target.assets:
        if asset.pack_id is not None and (target.pack is None or asset.pack_id != target.pack.id):
            raise RefusedError(_("%(tag)s belongs to a pack: lend the whole pack.", tag=asset.tag))
    labels = ensure_labels(db, organisation_id)
    deployable = select(StatusLabel.id).where(
        StatusLabel.organisation_id == organisation_id, StatusLabel.kind == "deployable"
    )
    to_label = labels["on_loan"] if kind == "loan" else labels["given"]
    at = now()
    loan = Loan(
        organisation_id=organisation_id,
        borrower_id=borrower.id,
        borrower_name=borrower.display_name,
        kind=kind,
        state="active" if kind == "loan" else "given",
        pack_id=target.pack.id if target.pack else None,
        checked_out_at=at,
        checked_out_by_id=actor_id,
        due_at=due_date(at, rules) if kind == "loan" else None,
        closed_at=None if kind == "loan" else at,
        closed_by_id=None if kind == "loan" else actor_id,
        agreement_id=current_agreement(db, organisation_id, actor_id).id,
    )
    db.add(loan)
    db.flush()
    for asset in target.assets:
        values: dict[str, object] = {"status_label_id": to_label.id}
        if kind == "donation":
            values["owner_id"] = borrower.id
        taken: CursorResult[Any] = db.execute(  # type: ignore[assignment]
            update(Asset)
            .where(
                Asset.id == asset.id,
                Asset.organisation_id == organisation_id,
                Asset.status_label_id.in_(deployable),
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:
            raise RefusedError(
                _("%(tag)s is not available: it is already out or not ready.", tag=asset.tag)
            )
        db.add(
            LoanItem(
                organisation_id=organisation_id,
                loan_id=loan.id,
                asset_id=asset.id,
                active_asset_id=asset.id if kind == "loan" else None,
            )
        )
    try:
        db.flush()
    except IntegrityError as exc:
        raise RefusedError(_("This equipment was lent a moment ago by someone else.")) from exc
    for asset in target.assets:
        db.refresh(asset)
        record(
            db,
            organisation_id,
            "checked_out" if kind == "loan" else "donated",
            actor_id,
            asset_id=asset.id,
            loan_id=loan.id,
            learner_id=borrower.id,
            detail=borrower.display_name,
        )
    return loan


# --- acceptance ------------------------------------------------------------------------------


def accept(
    db: Session, loan: Loan, user: User, address: str, make_pdf: Callable[[Loan], bytes]
) -> None:
    """The borrower accepts the agreement on screen; the PDF made at that moment (with the
    acceptance in it) is kept as the record."""
    if loan.borrower_id != user.id:
        raise RefusedError(_("Only the borrower can accept this agreement."))
    # Conditional, like check-out: of two submissions at once, one accepts and one is told.
    claimed: CursorResult[Any] = db.execute(  # type: ignore[assignment]
        update(Loan)
        .where(Loan.id == loan.id, Loan.accepted_at.is_(None))
        .values(accepted_at=now(), accepted_address=address[:64])
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise RefusedError(_("This agreement was already accepted."))
    db.refresh(loan)
    pdf = make_pdf(loan)
    loan.agreement_pdf = pdf
    loan.agreement_pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    for item in loan.items:
        record(
            db,
            loan.organisation_id,
            "accepted",
            user.id,
            asset_id=item.asset_id,
            loan_id=loan.id,
            learner_id=user.id,
        )
    db.flush()


# --- renewal, check-in, loss -----------------------------------------------------------------


def renew(db: Session, loan: Loan, rules: LoanRules, actor_id: int | None) -> datetime:
    """Push the due date by one loan length, within the organisation's renewal limit."""
    assert loan.due_at is not None or loan.state != "active"
    decision = renewal(
        loan.due_at or now(),
        loan.renewals,
        loan.state == "active" and loan.kind == "loan",
        now(),
        rules,
    )
    if not decision.allowed:
        if decision.reason == "limit":
            raise RefusedError(
                _(
                    "This loan was already renewed %(n)s times, the most the rules allow.",
                    n=loan.renewals,
                )
            )
        if decision.reason == "overdue":
            raise RefusedError(
                _("This loan is overdue: the equipment must be brought back before a new loan.")
            )
        raise RefusedError(_("Only a loan in progress can be renewed."))
    assert decision.new_due_at is not None
    loan.due_at = decision.new_due_at
    loan.renewals += 1
    for item in loan.items:
        record(
            db,
            loan.organisation_id,
            "renewed",
            actor_id,
            asset_id=item.asset_id,
            loan_id=loan.id,
            learner_id=loan.borrower_id,
            detail=decision.new_due_at.date().isoformat(),
        )
    db.flush()
    return decision.new_due_at


def _close(db: Session, loan: Loan, state: str, label: StatusLabel, actor_id: int | None) -> None:
    if loan.state != "active":
        raise RefusedError(_("This loan is already closed."))
    # Conditional too: two check-ins of the same loan at once close it once.
    closed: CursorResult[Any] = db.execute(  # type: ignore[assignment]
        update(Loan)
        .where(Loan.id == loan.id, Loan.state == "active")
        .values(state=state, closed_at=now(), closed_by_id=actor_id)
        .execution_options(synchronize_session=False)
    )
    if closed.rowcount != 1:
        raise RefusedError(_("This loan is already closed."))
    db.refresh(loan)
    for item in loan.items:
        item.active_asset_id = None
        db.execute(
            update(Asset)
            .where(Asset.id == item.asset_id, Asset.organisation_id == loan.organisation_id)
            .values(status_label_id=label.id)
            .execution_options(synchronize_session=False)
        )
        db.refresh(item.asset)


def check_in(db: Session, loan: Loan, condition: str, notes: str, actor_id: int | None) -> None:
    """The equipment is back: available again, or in repair when damaged or incomplete."""
    if condition not in {key for key, _label in RETURN_CONDITIONS}:
        raise RefusedError(_("Choose the condition the equipment came back in."))
    labels = ensure_labels(db, loan.organisation_id)
    target = labels["in_repair"] if condition in CONDITIONS_TO_REPAIR else labels["available"]
    _close(db, loan, "returned", target, actor_id)
    loan.return_condition = condition
    loan.return_notes = notes
    for item in loan.items:
        record(
            db,
            loan.organisation_id,
            "checked_in",
            actor_id,
            asset_id=item.asset_id,
            loan_id=loan.id,
            learner_id=loan.borrower_id,
            detail=f"{condition}: {notes}".strip(": "),
        )
    db.flush()


def mark_lost(db: Session, loan: Loan, notes: str, actor_id: int | None) -> None:
    """Lost or stolen: the loan closes and the equipment leaves the stock (archived)."""
    labels = ensure_labels(db, loan.organisation_id)
    _close(db, loan, "lost", labels["lost"], actor_id)
    loan.return_notes = notes
    for item in loan.items:
        record(
            db,
            loan.organisation_id,
            "lost",
            actor_id,
            asset_id=item.asset_id,
            loan_id=loan.id,
            learner_id=loan.borrower_id,
            detail=notes,
        )
    db.flush()
