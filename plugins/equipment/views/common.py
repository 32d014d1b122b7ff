"""What several equipment pages share: the organisation's rules, stock counts, borrowers, history
rows and loan summaries, all as plain data for the templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import Session

from core.clock import now
from core.context import RequestContext
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.models import Membership, User
from core.permissions import role_grants
from plugins.equipment.loans import LoanRules, days_late, overdue_state
from plugins.equipment.models import Asset, Event, Loan, LoanItem, Reminder, StatusLabel
from plugins.equipment.settings import NAME
from plugins.equipment.stock import ensure_labels

STOCK_ROLES = ("available", "on_loan", "given", "in_repair", "to_check", "retired", "lost")

KIND_LABELS = {
    "laptop": _l("Laptop"),
    "desktop": _l("Desktop computer"),
    "screen": _l("Screen"),
    "phone": _l("Phone"),
    "accessory": _l("Accessory"),
}
STATUS_KIND_LABELS = {
    "deployable": _l("Deployable: can be lent"),
    "pending": _l("Pending: not ready yet"),
    "undeployable": _l("Undeployable: cannot be lent"),
    "archived": _l("Archived: out of the stock"),
}
TEST_LABELS = {"passed": _l("Passed"), "failed": _l("Failed"), "not_tested": _l("Not tested")}
ACTION_LABELS = {
    "created": _l("Added to the stock"),
    "imported": _l("Imported from a file"),
    "edited": _l("Details changed"),
    "photo": _l("Photo added"),
    "status": _l("Status changed"),
    "packed": _l("Put in a pack"),
    "unpacked": _l("Taken out of a pack"),
    "checked_out": _l("Lent"),
    "donated": _l("Given"),
    "accepted": _l("Agreement accepted by the learner"),
    "renewed": _l("Loan renewed"),
    "checked_in": _l("Returned"),
    "lost": _l("Declared lost or stolen"),
    "reminder": _l("Overdue reminder sent"),
    "audited": _l("Audited: seen in place"),
}
STATE_LABELS = {
    "active": _l("On loan"),
    "returned": _l("Returned"),
    "lost": _l("Lost or stolen"),
    "given": _l("Given"),
}


def rules(ctx: RequestContext) -> LoanRules:
    return LoanRules.from_settings(ctx.plugin_settings(NAME))


def stock_counts(db: Session, organisation_id: int) -> dict[str, int]:
    """Number of assets per status role (labels an admin added count under their kind)."""
    ensure_labels(db, organisation_id)
    rows = db.execute(
        select(StatusLabel.role, StatusLabel.kind, func.count(Asset.id))
        .join(Asset, Asset.status_label_id == StatusLabel.id)
        .where(StatusLabel.organisation_id == organisation_id)
        .group_by(StatusLabel.role, StatusLabel.kind)
    ).all()
    counts = dict.fromkeys(STOCK_ROLES, 0)
    for role, kind, count in rows:
        counts[role or kind] = counts.get(role or kind, 0) + count
    return counts


def label_counts(db: Session, organisation_id: int) -> list[tuple[StatusLabel, int]]:
    """Every label of the organisation with its number of assets: defaults first, in stock
    order, then the admin's own labels by name."""
    labels = db.scalars(
        select(StatusLabel).where(StatusLabel.organisation_id == organisation_id)
    ).all()
    counts = dict(
        db.execute(
            select(Asset.status_label_id, func.count(Asset.id))
            .where(Asset.organisation_id == organisation_id)
            .group_by(Asset.status_label_id)
        ).all()
    )
    order = {role: i for i, role in enumerate(STOCK_ROLES)}
    ordered = sorted(labels, key=lambda lb: (order.get(lb.role or "", len(order)), lb.name))
    return [(label, counts.get(label.id, 0)) for label in ordered]


def audit_due(organisation_id: int, audit_days: int) -> Any:
    """The condition "this asset is due for an audit": its next audit date has come, or it was
    never audited and has been in the stock longer than one audit interval. Assets out of the
    stock (archived labels) are never due."""
    at = now()
    if audit_days <= 0:
        return false()
    return and_(
        Asset.organisation_id == organisation_id,
        Asset.status_label_id.in_(
            select(StatusLabel.id).where(
                StatusLabel.organisation_id == organisation_id, StatusLabel.kind != "archived"
            )
        ),
        or_(
            Asset.next_audit_on <= at.date(),
            and_(
                Asset.last_audit_at.is_(None),
                Asset.created_at <= at - timedelta(days=audit_days),
            ),
        ),
    )


def audit_due_count(db: Session, organisation_id: int, audit_days: int) -> int:
    return (
        db.scalar(select(func.count(Asset.id)).where(audit_due(organisation_id, audit_days))) or 0
    )


def borrowers(ctx: RequestContext) -> list[User]:
    """Members of the organisation who may borrow (hold ``equipment:accept``)."""
    rows = ctx.db.execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == ctx.org.id, User.active.is_(True))
        .order_by(User.display_name)
    ).all()
    return [
        user for user, role in rows if role_grants(ctx.app.capabilities, role, "equipment:accept")
    ]


def borrower_in_org(ctx: RequestContext, user_id: str | int) -> User | None:
    """A member of this organisation who may borrow, or None (never someone from elsewhere)."""
    try:
        uid = int(user_id)
    except (TypeError, ValueError):
        return None
    row = ctx.db.execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == ctx.org.id, User.id == uid, User.active.is_(True))
    ).first()
    if row is None or not role_grants(ctx.app.capabilities, row[1], "equipment:accept"):
        return None
    return row[0]


@dataclass(frozen=True)
class HistoryRow:
    when: datetime
    what: str
    detail: str
    actor: str
    learner: str
    asset_tag: str
    asset_id: int | None
    loan_id: int | None


def history(
    db: Session, organisation_id: int, *, asset_id: int | None = None, learner_id: int | None = None
) -> list[HistoryRow]:
    """Every action on an asset, or concerning a learner, oldest first."""
    stmt = select(Event).where(Event.organisation_id == organisation_id)
    if asset_id is not None:
        stmt = stmt.where(Event.asset_id == asset_id)
    if learner_id is not None:
        stmt = stmt.where(Event.learner_id == learner_id)
    events = db.scalars(stmt.order_by(Event.created_at, Event.id)).all()
    user_ids = {e.actor_id for e in events if e.actor_id} | {
        e.learner_id for e in events if e.learner_id
    }
    names = (
        dict(db.execute(select(User.id, User.display_name).where(User.id.in_(user_ids))).all())
        if user_ids
        else {}
    )
    asset_ids = {e.asset_id for e in events if e.asset_id}
    tags = (
        dict(db.execute(select(Asset.id, Asset.tag).where(Asset.id.in_(asset_ids))).all())
        if asset_ids
        else {}
    )
    rows = []
    for e in events:
        detail = e.detail
        if e.action == "reminder":
            detail = _("%(n)s days late", n=e.detail)
        rows.append(
            HistoryRow(
                when=e.created_at,
                what=str(ACTION_LABELS.get(e.action, e.action)),
                detail=detail,
                actor=names.get(e.actor_id, "") if e.actor_id else _("the platform"),
                learner=names.get(e.learner_id, "") if e.learner_id else "",
                asset_tag=tags.get(e.asset_id, "") if e.asset_id else "",
                asset_id=e.asset_id,
                loan_id=e.loan_id,
            )
        )
    return rows


@dataclass(frozen=True)
class LoanSummary:
    id: int
    borrower: str
    borrower_id: int | None
    kind: str
    state: str
    state_label: str
    tags: str
    models: str
    checked_out_at: datetime
    due_at: datetime | None
    renewals: int
    overdue: str  # ok, grace, overdue
    days_late: int
    accepted: bool
    last_reminder: int | None


def summarise(db: Session, loans: list[Loan], loan_rules: LoanRules) -> list[LoanSummary]:
    """Loans as rows for lists and widgets (one query for items, one for reminders)."""
    if not loans:
        return []
    ids = [loan.id for loan in loans]
    items = db.execute(
        select(LoanItem.loan_id, Asset.tag, Asset.make, Asset.model)
        .join(Asset, Asset.id == LoanItem.asset_id)
        .where(LoanItem.loan_id.in_(ids))
        .order_by(Asset.tag)
    ).all()
    tags: dict[int, list[str]] = {}
    models: dict[int, list[str]] = {}
    for loan_id, tag, make, model in items:
        tags.setdefault(loan_id, []).append(tag)
        models.setdefault(loan_id, []).append(f"{make} {model}".strip())
    reminders = dict(
        db.execute(
            select(Reminder.loan_id, func.max(Reminder.level))
            .where(Reminder.loan_id.in_(ids), Reminder.sent.is_(True))
            .group_by(Reminder.loan_id)
        ).all()
    )
    at = now()
    out = []
    for loan in loans:
        active = loan.state == "active"
        out.append(
            LoanSummary(
                id=loan.id,
                borrower=loan.borrower_name,
                borrower_id=loan.borrower_id,
                kind=loan.kind,
                state=loan.state,
                state_label=str(STATE_LABELS.get(loan.state, loan.state)),
                tags=", ".join(tags.get(loan.id, [])),
                models=", ".join(m for m in models.get(loan.id, []) if m),
                checked_out_at=loan.checked_out_at,
                due_at=loan.due_at,
                renewals=loan.renewals,
                overdue=overdue_state(loan.due_at, at, loan_rules) if active else "ok",
                days_late=days_late(loan.due_at, at) if active and loan.due_at else 0,
                accepted=loan.accepted_at is not None,
                last_reminder=reminders.get(loan.id),
            )
        )
    return out


def overdue_loans(db: Session, organisation_id: int, loan_rules: LoanRules) -> list[LoanSummary]:
    loans = db.scalars(
        select(Loan)
        .where(Loan.organisation_id == organisation_id, Loan.state == "active", Loan.due_at < now())
        .order_by(Loan.due_at)
    ).all()
    return summarise(db, list(loans), loan_rules)


def base_context(ctx: RequestContext, **extra: Any) -> dict[str, Any]:
    """What every equipment page may show: which actions the user may take."""
    data: dict[str, Any] = {
        "can_manage": ctx.may("equipment:manage"),
        "can_lend": ctx.may("equipment:lend"),
        "kind_labels": KIND_LABELS,
        "test_labels": TEST_LABELS,
    }
    data.update(extra)
    return data
