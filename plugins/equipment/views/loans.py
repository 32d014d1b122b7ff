"""Circulation pages: check-out (loan or donation), the loan with its agreement, renewal,
check-in, loss, the list of loans, and a learner's history."""

from __future__ import annotations

from sqlalchemy import select
from starlette.responses import Response

from core.clock import now
from core.context import RequestContext
from core.contracts import SIGNED_IN, PageRoute, needs
from core.errors import Forbidden, NotFound
from core.i18n import gettext as _
from core.models import User
from plugins.equipment.circulation import (
    RETURN_CONDITIONS,
    Target,
    check_in,
    check_out,
    mark_lost,
    renew,
)
from plugins.equipment.loans import due_date
from plugins.equipment.models import Asset, Loan, Pack
from plugins.equipment.refusals import RefusedError
from plugins.equipment.stock import ensure_labels
from plugins.equipment.views.agreements import agreement_document, pdf_response
from plugins.equipment.views.common import (
    base_context,
    borrower_in_org,
    borrowers,
    history,
    summarise,
)
from plugins.equipment.views.common import rules as org_rules


def _target(ctx: RequestContext) -> Target:
    """The asset (``asset=ID``) or pack (``pack=ID``) named by the query or the form."""
    source = ctx.request.query_params
    asset_id = ctx.field("asset") or source.get("asset", "")
    pack_id = ctx.field("pack") or source.get("pack", "")
    if pack_id:
        pack = ctx.get(Pack, pack_id)
        return Target(assets=list(pack.assets), pack=pack)
    if asset_id:
        return Target(assets=[ctx.get(Asset, asset_id)])
    return Target(assets=[])


def _choose(ctx: RequestContext) -> Response:
    """No equipment named yet: list what can be lent (assets outside packs, and packs)."""
    labels = ensure_labels(ctx.db, ctx.org.id)
    assets = ctx.db.scalars(
        select(Asset)
        .where(
            Asset.organisation_id == ctx.org.id,
            Asset.status_label_id == labels["available"].id,
            Asset.pack_id.is_(None),
        )
        .order_by(Asset.tag)
    ).all()
    packs = [
        p
        for p in ctx.db.scalars(
            select(Pack).where(Pack.organisation_id == ctx.org.id).order_by(Pack.code)
        )
        if p.assets and all(a.status_label.kind == "deployable" for a in p.assets)
    ]
    return ctx.render(
        "equipment/checkout_choose.html", **base_context(ctx, assets=assets, packs=packs)
    )


def checkout(ctx: RequestContext) -> Response:
    target = _target(ctx)
    if not target.assets and target.pack is None:
        if ctx.request.method == "GET":
            return _choose(ctx)
        raise NotFound(_("Choose the equipment to lend from the stock."))
    loan_rules = org_rules(ctx)
    data = {
        "target": target,
        "people": borrowers(ctx),
        "due": due_date(now(), loan_rules),
        "values": {"borrower": ctx.field("borrower"), "kind": ctx.field("kind") or "loan"},
        "errors": {},
        "error": "",
    }
    if ctx.request.method == "GET":
        return ctx.render("equipment/checkout.html", **base_context(ctx, **data))
    errors: dict[str, str] = {}
    borrower = borrower_in_org(ctx, ctx.field("borrower"))
    if borrower is None:
        errors["borrower"] = _("Choose a learner of this organisation.")
    kind = ctx.field("kind")
    if kind not in ("loan", "donation"):
        errors["kind"] = _("Choose a loan or a donation.")
    if errors:
        data["errors"] = errors
        return ctx.render("equipment/checkout.html", status=400, **base_context(ctx, **data))
    assert ctx.user is not None and borrower is not None
    try:
        loan = check_out(ctx.db, ctx.org.id, target, borrower, kind, loan_rules, ctx.user.id)
    except RefusedError as refused:
        data["error"] = refused.message
        return ctx.render("equipment/checkout.html", status=409, **base_context(ctx, **data))
    ctx.audit(
        "equipment.checkout",
        f"loan:{loan.id}",
        {"kind": kind, "assets": [a.tag for a in target.assets]},
    )
    return ctx.redirect(ctx.url("equipment.loan", loan_id=loan.id))


def loan_detail(ctx: RequestContext, loan_id: int) -> Response:
    loan = ctx.get(Loan, loan_id)
    return _render_loan(ctx, loan)


def _render_loan(ctx: RequestContext, loan: Loan, error: str = "", status: int = 200) -> Response:
    loan_rules = org_rules(ctx)
    summary = summarise(ctx.db, [loan], loan_rules)[0]
    return ctx.render(
        "equipment/loan.html",
        status=status,
        **base_context(
            ctx,
            loan=loan,
            summary=summary,
            assets=[item.asset for item in loan.items],
            conditions=[(k, str(v)) for k, v in RETURN_CONDITIONS],
            renewals_left=max(0, loan_rules.max_renewals - loan.renewals),
            history=history(ctx.db, ctx.org.id, learner_id=loan.borrower_id)
            if loan.borrower_id
            else [],
            error=error,
        ),
    )


def _act(ctx: RequestContext, loan_id: int, action: str) -> Response:
    loan = ctx.get(Loan, loan_id)
    assert ctx.user is not None
    try:
        if action == "renew":
            renew(ctx.db, loan, org_rules(ctx), ctx.user.id)
        elif action == "checkin":
            check_in(ctx.db, loan, ctx.field("condition"), ctx.field("notes")[:2000], ctx.user.id)
        else:
            mark_lost(ctx.db, loan, ctx.field("notes")[:2000], ctx.user.id)
    except RefusedError as refused:
        ctx.db.rollback()
        return _render_loan(ctx, ctx.get(Loan, loan_id), refused.message, status=409)
    ctx.audit(f"equipment.{action}", f"loan:{loan.id}")
    return ctx.redirect(ctx.url("equipment.loan", loan_id=loan.id))


def loan_renew(ctx: RequestContext, loan_id: int) -> Response:
    return _act(ctx, loan_id, "renew")


def loan_checkin(ctx: RequestContext, loan_id: int) -> Response:
    return _act(ctx, loan_id, "checkin")


def loan_lost(ctx: RequestContext, loan_id: int) -> Response:
    return _act(ctx, loan_id, "lost")


def loans_list(ctx: RequestContext) -> Response:
    """Open loans, overdue first, then the latest closed ones."""
    loan_rules = org_rules(ctx)
    active = ctx.db.scalars(
        select(Loan)
        .where(Loan.organisation_id == ctx.org.id, Loan.state == "active")
        .order_by(Loan.due_at)
    ).all()
    closed = ctx.db.scalars(
        select(Loan)
        .where(Loan.organisation_id == ctx.org.id, Loan.state != "active")
        .order_by(Loan.closed_at.desc())
        .limit(50)
    ).all()
    return ctx.render(
        "equipment/loans.html",
        **base_context(
            ctx,
            active=summarise(ctx.db, list(active), loan_rules),
            closed=summarise(ctx.db, list(closed), loan_rules),
        ),
    )


def learner_history(ctx: RequestContext, user_id: int) -> Response:
    """Everything lent to, given to or returned by one member of the organisation."""
    person = borrower_in_org(ctx, user_id)
    loans = ctx.db.scalars(
        select(Loan)
        .where(Loan.organisation_id == ctx.org.id, Loan.borrower_id == user_id)
        .order_by(Loan.checked_out_at.desc())
    ).all()
    if person is None and not loans:
        raise NotFound(_("This page does not exist."))
    name = person.display_name if person else loans[0].borrower_name
    return ctx.render(
        "equipment/learner.html",
        **base_context(
            ctx,
            name=name,
            loans=summarise(ctx.db, list(loans), org_rules(ctx)),
            history=history(ctx.db, ctx.org.id, learner_id=user_id),
        ),
    )


def agreement_pdf(ctx: RequestContext, loan_id: int) -> Response:
    """The agreement: as stored at acceptance, else a fresh copy to print and sign by hand.
    For the organisation's lenders and for the borrower themself."""
    loan = ctx.get(Loan, loan_id)
    assert ctx.user is not None
    if not ctx.may("equipment:lend") and not (
        loan.borrower_id == ctx.user.id and ctx.may("equipment:view_own")
    ):
        raise Forbidden(
            _("Only the borrower and the organisation's staff can open this agreement.")
        )
    if loan.agreement_pdf:
        return pdf_response(loan.agreement_pdf, f"agreement-{loan.id}.pdf")
    borrower = ctx.db.get(User, loan.borrower_id) if loan.borrower_id else None
    return pdf_response(agreement_document(ctx, loan, borrower), f"agreement-{loan.id}.pdf")


ROUTES = [
    PageRoute("/checkout", checkout, ("GET", "POST"), needs("equipment:lend"), "checkout"),
    PageRoute("/loans", loans_list, ("GET",), needs("equipment:lend"), "loans"),
    PageRoute("/loans/{loan_id:int}", loan_detail, ("GET",), needs("equipment:lend"), "loan"),
    PageRoute(
        "/loans/{loan_id:int}/renew", loan_renew, ("POST",), needs("equipment:lend"), "renew"
    ),
    PageRoute(
        "/loans/{loan_id:int}/checkin", loan_checkin, ("POST",), needs("equipment:lend"), "checkin"
    ),
    PageRoute("/loans/{loan_id:int}/lost", loan_lost, ("POST",), needs("equipment:lend"), "lost"),
    PageRoute(
        "/loans/{loan_id:int}/agreement.pdf", agreement_pdf, ("GET",), SIGNED_IN, "agreement_pdf"
    ),
    PageRoute(
        "/learners/{user_id:int}", learner_history, ("GET",), needs("equipment:lend"), "learner"
    ),
]
