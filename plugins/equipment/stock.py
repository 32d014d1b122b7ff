"""The stock: status labels (Snipe-IT's four kinds), status changes, audits and imported rows.

Database operations without a request, shared by the views, the CLI, the cron job and the demo
data. Each writes its line of history and flushes; the caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.clock import now
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from plugins.equipment.csv_import import RowResult
from plugins.equipment.history import record
from plugins.equipment.models import STATUS_KINDS, Asset, LoanItem, StatusLabel
from plugins.equipment.refusals import RefusedError

# The labels every organisation starts with: (role, name, kind). "On loan" is undeployable: an
# asset that is out cannot be lent again until it is checked in.
DEFAULT_LABELS = (
    ("available", _l("Available"), "deployable"),
    ("on_loan", _l("On loan"), "undeployable"),
    ("in_repair", _l("In repair"), "undeployable"),
    ("to_check", _l("To check"), "pending"),
    ("given", _l("Given"), "archived"),
    ("retired", _l("Retired"), "archived"),
    ("lost", _l("Lost or stolen"), "archived"),
)


def ensure_labels(db: Session, organisation_id: int) -> dict[str, StatusLabel]:
    """The organisation's labels by role, creating the default ones that are missing."""
    rows = db.scalars(
        select(StatusLabel).where(StatusLabel.organisation_id == organisation_id)
    ).all()
    by_role = {row.role: row for row in rows if row.role}
    missing = [spec for spec in DEFAULT_LABELS if spec[0] not in by_role]
    if missing:
        try:
            with db.begin_nested():
                for role, name, kind in missing:
                    label = StatusLabel(
                        organisation_id=organisation_id, role=role, name=str(name), kind=kind
                    )
                    db.add(label)
                    by_role[role] = label
                db.flush()
        except IntegrityError:
            # Another request created them at the same time: use theirs.
            rows = db.scalars(
                select(StatusLabel).where(StatusLabel.organisation_id == organisation_id)
            ).all()
            by_role = {row.role: row for row in rows if row.role}
    return by_role


def import_rows(
    db: Session, organisation_id: int, rows: Sequence[RowResult], actor_id: int | None
) -> list[Asset]:
    """Add validated CSV rows to the stock as available assets, each with its history line."""
    labels = ensure_labels(db, organisation_id)
    created = []
    for row in rows:
        asset = Asset(
            organisation_id=organisation_id, status_label_id=labels["available"].id, **row.values
        )
        db.add(asset)
        created.append((row.line, asset))
    db.flush()
    for line, asset in created:
        record(
            db,
            organisation_id,
            "imported",
            actor_id,
            asset_id=asset.id,
            detail=_("line %(n)s", n=line),
        )
    return [asset for _line, asset in created]


def audit(db: Session, asset: Asset, notes: str, interval_days: int, actor_id: int | None) -> None:
    """Someone saw the asset where it should be (Snipe-IT's audit): note it, and when to look
    again (``interval_days`` later; 0 means the organisation does not plan audits)."""
    at = now()
    asset.last_audit_at = at
    asset.next_audit_on = at.date() + timedelta(days=interval_days) if interval_days > 0 else None
    db.flush()
    record(db, asset.organisation_id, "audited", actor_id, asset_id=asset.id, detail=notes)


# Labels an admin may move an asset to by hand; the others follow loans (on loan, given, lost).
MANUAL_ROLES = ("available", "in_repair", "to_check", "retired")


def manual_labels(db: Session, organisation_id: int) -> list[StatusLabel]:
    """The labels an asset that is in the stock can be moved to: defaults, then the admin's own."""
    labels = ensure_labels(db, organisation_id)
    custom = db.scalars(
        select(StatusLabel)
        .where(StatusLabel.organisation_id == organisation_id, StatusLabel.role.is_(None))
        .order_by(StatusLabel.name)
    ).all()
    return [labels[role] for role in MANUAL_ROLES] + list(custom)


def add_label(db: Session, organisation_id: int, name: str, kind: str) -> StatusLabel:
    """An organisation's own status label, of one of the four kinds."""
    if kind not in STATUS_KINDS:
        raise RefusedError(_("Choose one of the four kinds."))
    if not name or len(name) > 100:
        raise RefusedError(_("Write a name of 1 to 100 characters."))
    taken = db.scalar(
        select(StatusLabel.id).where(
            StatusLabel.organisation_id == organisation_id,
            func.lower(StatusLabel.name) == name.lower(),
        )
    )
    if taken is not None:
        raise RefusedError(_("Another status already has this name."))
    label = StatusLabel(organisation_id=organisation_id, role=None, name=name, kind=kind)
    db.add(label)
    db.flush()
    return label


def set_status(db: Session, asset: Asset, label: StatusLabel, actor_id: int | None) -> None:
    """Move an asset that is not out (send to repair, back to stock, retire, or a label of the
    organisation's own)."""
    active = db.scalar(select(LoanItem.id).where(LoanItem.active_asset_id == asset.id))
    if active is not None or asset.status_label.role in ("on_loan", "given"):
        raise RefusedError(_("This equipment is out: check it in first."))
    if label.organisation_id != asset.organisation_id or label.id not in {
        row.id for row in manual_labels(db, asset.organisation_id)
    }:
        raise RefusedError(_("Choose a status."))
    before = asset.status_label.name
    asset.status_label_id = label.id
    db.flush()
    db.refresh(asset)
    record(
        db,
        asset.organisation_id,
        "status",
        actor_id,
        asset_id=asset.id,
        detail=f"{before} → {asset.status_label.name}",
    )
