"""Hook implementations of the equipment plugin (registered through the entry point).

Refurbished computer stock per organisation (Snipe-IT's asset model), loans and donations with an
agreement the learner accepts on screen, Koha-style loan rules and overdue reminders.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core import hookimpl
from core.context import RequestContext
from core.contracts import (
    Capability,
    MenuItem,
    PageRoute,
    PluginInfo,
    PrivacyField,
    SettingSpec,
    Widget,
)
from core.i18n import N_
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.models import Membership, Organisation, User
from core.plugin_folders import standard_folders
from core.plugins import enabled_organisation_ids
from plugins.equipment import models, reminders
from plugins.equipment.circulation import Target, check_out, current_agreement
from plugins.equipment.history import record
from plugins.equipment.settings import NAME, SETTINGS, org_rules, org_settings
from plugins.equipment.stock import ensure_labels

CAPABILITIES = (
    Capability(
        "equipment:manage",
        _l("Manage the equipment stock: add, import, edit, packs, labels, agreement"),
        ("admin",),
    ),
    # Trainers lend too: they hand the laptop over at the workshop; managing the stock stays with admins.
    Capability(
        "equipment:lend",
        _l("Lend, renew, check in equipment and see the stock"),
        ("admin", "trainer"),
    ),
    Capability(
        "equipment:view_own",
        _l("See the equipment one has borrowed"),
        ("learner", "trainer", "admin"),
    ),
    Capability(
        "equipment:accept", _l("Borrow equipment and accept its loan agreement"), ("learner",)
    ),
)
BORROWER_ROLES = next(c.default_roles for c in CAPABILITIES if c.name == "equipment:accept")


@hookimpl
def declic_plugin_info() -> PluginInfo:
    return PluginInfo(
        name=NAME,
        version="0.1.0",
        description=N_(
            "Equipment: refurbished computer stock, loans and donations, agreements, overdue reminders"
        ),
        requires_core=">=0.1",
        depends=(),
        label=N_("Equipment"),
    )


declic_template_dir, declic_static_dir, declic_locale_dir, declic_migrations_dir = standard_folders(
    __file__
)


@hookimpl
def declic_routes() -> list[PageRoute]:
    from plugins.equipment.views import all_routes

    return all_routes()


@hookimpl
def declic_platform_routes() -> list[PageRoute]:
    from plugins.equipment.views import platform_routes

    return platform_routes()


@hookimpl
def declic_cli(subparsers: Any) -> None:
    from plugins.equipment import cli

    cli.register(subparsers)


@hookimpl
def declic_capabilities() -> list[Capability]:
    return list(CAPABILITIES)


@hookimpl
def declic_settings() -> list[SettingSpec]:
    return list(SETTINGS)


@hookimpl
def declic_menu_items(ctx: RequestContext) -> list[MenuItem]:
    """One link per person: the stock for those who lend, "my equipment" for borrowers."""
    items = []
    if ctx.may("equipment:lend"):
        audience = "admin" if ctx.may("equipment:manage") else "trainer"
        items.append(
            MenuItem(_("Equipment"), ctx.url("equipment.stock"), audience=audience, order=40)
        )
    if ctx.may("equipment:accept") and ctx.may("equipment:view_own"):
        items.append(
            MenuItem(_("My equipment"), ctx.url("equipment.my"), audience="learner", order=40)
        )
    return items


@hookimpl
def declic_dashboard_widgets(ctx: RequestContext, audience: str) -> list[Widget]:
    from plugins.equipment.views.common import (
        audit_due_count,
        overdue_loans,
        stock_counts,
        summarise,
    )

    if audience in ("admin", "trainer") and ctx.may("equipment:lend"):
        rules = org_rules(ctx.db, ctx.org.id)
        widgets = [
            Widget(
                _("Overdue equipment loans"),
                "equipment/widget_overdue.html",
                {"overdue": overdue_loans(ctx.db, ctx.org.id, rules)},
                order=30,
            )
        ]
        if audience == "admin":
            widgets.append(
                Widget(
                    _("Equipment stock"),
                    "equipment/widget_stock.html",
                    {
                        "counts": stock_counts(ctx.db, ctx.org.id),
                        "audits_due": audit_due_count(
                            ctx.db,
                            ctx.org.id,
                            int(org_settings(ctx.db, ctx.org.id)["audit_days"] or 0),
                        ),
                    },
                    order=31,
                )
            )
        return widgets
    if audience == "learner" and ctx.may("equipment:view_own") and ctx.user is not None:
        loans = ctx.db.scalars(
            select(models.Loan).where(
                models.Loan.organisation_id == ctx.org.id,
                models.Loan.borrower_id == ctx.user.id,
                models.Loan.state == "active",
            )
        ).all()
        if not loans:
            return []
        return [
            Widget(
                _("My equipment"),
                "equipment/widget_mine.html",
                {"mine": summarise(ctx.db, list(loans), org_rules(ctx.db, ctx.org.id))},
                order=30,
            )
        ]
    return []


@hookimpl
def declic_plugin_switched(
    db: Session, organisation: Organisation, plugin: str, enabled: bool
) -> None:
    if plugin == NAME and enabled:
        ensure_labels(db, organisation.id)
        current_agreement(db, organisation.id)


@hookimpl
def declic_cron(db: Session, now: datetime) -> list[str]:
    return reminders.run(db, now, enabled_organisation_ids(db, NAME))


# --- privacy ---------------------------------------------------------------------------------


@hookimpl
def declic_privacy_metadata() -> list[PrivacyField]:
    return [
        PrivacyField(
            "equipment_loan",
            (
                "borrower_id",
                "borrower_name",
                "checked_out_at",
                "due_at",
                "accepted_at",
                "accepted_address",
                "agreement_pdf",
                "return_notes",
            ),
            str(
                _l(
                    "Who borrowed or received which equipment, until when, and their acceptance of the loan agreement"
                )
            ),
        ),
        PrivacyField(
            "equipment_event",
            ("learner_id", "actor_id", "detail"),
            str(_l("History of each asset and of each borrower")),
        ),
        PrivacyField(
            "equipment_asset", ("owner_id",), str(_l("Who received an asset as a donation"))
        ),
        PrivacyField(
            "equipment_reminder", ("loan_id", "level"), str(_l("Overdue reminders of a loan"))
        ),
    ]


@hookimpl
def declic_privacy_export(db: Session, user: User) -> dict[str, Any] | None:
    loans = db.scalars(
        select(models.Loan).where(models.Loan.borrower_id == user.id).order_by(models.Loan.id)
    ).all()
    if not loans:
        return None
    out = []
    for loan in loans:
        org = db.get(Organisation, loan.organisation_id)
        levels = db.scalars(
            select(models.Reminder.level).where(
                models.Reminder.loan_id == loan.id, models.Reminder.sent.is_(True)
            )
        ).all()
        out.append(
            {
                "organisation": org.slug if org else None,
                "kind": loan.kind,
                "state": loan.state,
                "borrower_name": loan.borrower_name,
                "assets": [
                    {
                        "tag": i.asset.tag,
                        "serial": i.asset.serial,
                        "make": i.asset.make,
                        "model": i.asset.model,
                    }
                    for i in loan.items
                ],
                "checked_out_at": loan.checked_out_at.isoformat(),
                "due_at": loan.due_at.isoformat() if loan.due_at else None,
                "renewals": loan.renewals,
                "closed_at": loan.closed_at.isoformat() if loan.closed_at else None,
                "return_condition": loan.return_condition,
                "return_notes": loan.return_notes,
                "agreement_version": loan.agreement.version if loan.agreement else None,
                "accepted_at": loan.accepted_at.isoformat() if loan.accepted_at else None,
                "accepted_address": loan.accepted_address,
                "agreement_pdf_sha256": loan.agreement_pdf_sha256,
                "reminders_days_late": list(levels),
            }
        )
    return {"loans": out}


@hookimpl
def declic_privacy_delete(db: Session, user: User) -> None:
    """Anonymise rather than delete. A loan, its agreement and its history are the association's
    record of where its equipment went (and the agreement a legal record): the rows stay, with
    the person taken out: no link to the account, no name, no address, and the stored PDF (which
    holds the name) dropped; its SHA-256 stays, proving a signed document existed."""
    loan_ids = list(db.scalars(select(models.Loan.id).where(models.Loan.borrower_id == user.id)))
    if loan_ids:
        db.execute(
            update(models.Loan)
            .where(models.Loan.id.in_(loan_ids))
            .values(
                borrower_id=None,
                borrower_name="",
                accepted_address="",
                agreement_pdf=None,
                return_notes="",
            )
            .execution_options(synchronize_session=False)
        )
        db.execute(
            update(models.Event)
            .where(models.Event.loan_id.in_(loan_ids))
            .values(detail="")
            .execution_options(synchronize_session=False)
        )
    db.execute(
        update(models.Event)
        .where(models.Event.learner_id == user.id)
        .values(learner_id=None, detail="")
        .execution_options(synchronize_session=False)
    )
    db.execute(
        update(models.Event)
        .where(models.Event.actor_id == user.id)
        .values(actor_id=None)
        .execution_options(synchronize_session=False)
    )
    db.execute(
        update(models.Asset)
        .where(models.Asset.owner_id == user.id)
        .values(owner_id=None)
        .execution_options(synchronize_session=False)
    )
    db.flush()


# --- demo and contract check -------------------------------------------------------------------


def _laptops(db: Session, organisation_id: int, count: int, prefix: str) -> list[models.Asset]:
    labels = ensure_labels(db, organisation_id)
    made = []
    for i in range(1, count + 1):
        asset = models.Asset(
            organisation_id=organisation_id,
            tag=f"{prefix}-{i:03d}",
            serial=f"{prefix}SN{i:05d}",
            kind="laptop",
            make="Lenovo",
            model="ThinkPad T470",
            cpu="Intel Core i5-7300U",
            ram="8 Go",
            storage="SSD 256 Go",
            screen="14 pouces",
            os="Linux Mint 22",
            grade="ABC"[i % 3],
            erasure_method="NIST 800-88 Clear",
            erasure_operator="Atelier Recyclo",
            test_result="passed",
            source_kind="refurbisher",
            source_name="Atelier Recyclo",
            delivery_ref="BL-2026-001",
            status_label_id=labels["available"].id,
        )
        db.add(asset)
        made.append(asset)
    db.flush()
    for asset in made:
        record(db, organisation_id, "created", None, asset_id=asset.id, detail=asset.tag)
    return made


@hookimpl
def declic_demo_data(db: Session, organisation: Organisation, users: dict[str, User]) -> None:
    laptops = _laptops(db, organisation.id, 5, f"PC-{organisation.slug.upper()[:4]}")
    current_agreement(db, organisation.id)
    borrower = None
    for user in users.values():
        role = db.scalar(
            select(Membership.role).where(
                Membership.user_id == user.id, Membership.organisation_id == organisation.id
            )
        )
        if role in BORROWER_ROLES:
            borrower = user
            break
    if borrower is not None:
        check_out(
            db,
            organisation.id,
            Target([laptops[0]]),
            borrower,
            "loan",
            org_rules(db, organisation.id),
            None,
        )


@hookimpl
def declic_contract_sample_data(db: Session, organisation: Organisation, user: User) -> int | None:
    """A loan of one laptop to ``user``; the loan's id is what the routes take."""
    laptop = _laptops(db, organisation.id, 1, f"CT{user.id}")[0]
    loan = check_out(
        db, organisation.id, Target([laptop]), user, "loan", org_rules(db, organisation.id), None
    )
    return loan.id
