"""The loan agreement: its versions (admin), the learner's page of what they borrowed, and the
on-screen acceptance by the learner, signed in as themself."""

from __future__ import annotations

from sqlalchemy import select
from starlette.responses import Response

from core import i18n
from core.clock import now
from core.context import RequestContext, client_address
from core.contracts import PageRoute, needs
from core.errors import NotFound
from core.i18n import gettext as _
from core.models import User
from plugins.equipment import agreement_pdf as pdf
from plugins.equipment.circulation import accept, current_agreement, new_agreement_version, renew
from plugins.equipment.loans import renewal
from plugins.equipment.models import Agreement, Loan
from plugins.equipment.refusals import RefusedError
from plugins.equipment.settings import DEFAULT_RETURN_INSTRUCTIONS, NAME
from plugins.equipment.views.common import KIND_LABELS, base_context, summarise
from plugins.equipment.views.common import rules as org_rules

MAX_AGREEMENT_CHARS = 20_000


def agreement_document(ctx: RequestContext, loan: Loan, borrower: User | None) -> bytes:
    """The agreement PDF of a loan, with the version the loan refers to.

    Written in the organisation's language, whoever opens it: it is the association's record,
    and its agreement text is in that language too.
    """
    viewer_language = i18n.current_language()
    i18n.set_language(ctx.org.default_language)
    try:
        return _agreement_document(ctx, loan, borrower)
    finally:
        i18n.set_language(viewer_language)


def _agreement_document(ctx: RequestContext, loan: Loan, borrower: User | None) -> bytes:
    agreement = loan.agreement or current_agreement(ctx.db, ctx.org.id)
    lines = []
    for item in loan.items:
        a = item.asset
        specs = " · ".join(x for x in (a.cpu, a.ram, a.storage, a.screen, a.os) if x)
        lines.append(
            pdf.AssetLine(
                tag=a.tag,
                kind=str(KIND_LABELS.get(a.kind, a.kind)),
                make_model=f"{a.make} {a.model}".strip(),
                serial=a.serial or "",
                specs=specs,
                grade=a.grade or "",
            )
        )
    return pdf.render(
        pdf.AgreementDocument(
            organisation=ctx.org.name,
            learner=borrower.display_name if borrower else loan.borrower_name,
            kind=loan.kind,
            loan_id=loan.id,
            checked_out_at=loan.checked_out_at,
            due_at=loan.due_at,
            agreement_version=agreement.version,
            agreement_text=agreement.text,
            assets=lines,
            accepted_at=loan.accepted_at,
            accepted_address=loan.accepted_address,
        )
    )


def pdf_response(body: bytes, filename: str) -> Response:
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


# --- admin: versions ---------------------------------------------------------------------------


def agreements_admin(ctx: RequestContext) -> Response:
    current = current_agreement(ctx.db, ctx.org.id, ctx.user.id if ctx.user else None)
    error = ""
    text = current.text
    if ctx.request.method == "POST":
        text = ctx.field("text")
        if not text:
            error = _("Write the text of the agreement.")
        elif len(text) > MAX_AGREEMENT_CHARS:
            error = _("The text is too long (%(n)s characters at most).", n=MAX_AGREEMENT_CHARS)
        elif text == current.text:
            error = _("The text has not changed: no new version was made.")
        else:
            assert ctx.user is not None
            row = new_agreement_version(ctx.db, ctx.org.id, text, ctx.user.id)
            ctx.audit("equipment.agreement", f"version:{row.version}")
            return ctx.redirect(ctx.url("equipment.agreements"))
    versions = ctx.db.scalars(
        select(Agreement)
        .where(Agreement.organisation_id == ctx.org.id)
        .order_by(Agreement.version.desc())
    ).all()
    return ctx.render(
        "equipment/agreements.html",
        status=400 if error else 200,
        **base_context(ctx, current=current, versions=versions, text=text, error=error),
    )


# --- learner ---------------------------------------------------------------------------------


def my_equipment(ctx: RequestContext, error: str = "", status: int = 200) -> Response:
    """What I borrowed, when it is due, how to return it, and "keep it longer" when allowed."""
    assert ctx.user is not None
    loans = ctx.db.scalars(
        select(Loan)
        .where(Loan.organisation_id == ctx.org.id, Loan.borrower_id == ctx.user.id)
        .order_by(Loan.checked_out_at.desc())
    ).all()
    loan_rules = org_rules(ctx)
    settings = ctx.plugin_settings(NAME)
    renewable: dict[int, object] = {}
    if settings.get("learner_renewals"):
        at = now()
        for loan in loans:
            if loan.state == "active" and loan.due_at is not None:
                decision = renewal(loan.due_at, loan.renewals, True, at, loan_rules)
                if decision.allowed:
                    renewable[loan.id] = decision.new_due_at
    rows = summarise(ctx.db, list(loans), loan_rules)
    return ctx.render(
        "equipment/my.html",
        status=status,
        **base_context(
            ctx,
            active=[r for r in rows if r.state == "active"],
            given=[r for r in rows if r.state == "given"],
            past=[r for r in rows if r.state in ("returned", "lost")],
            renewable=renewable,
            error=error,
            instructions=str(settings.get("return_instructions") or "")
            or str(DEFAULT_RETURN_INSTRUCTIONS),
        ),
    )


def my_renew(ctx: RequestContext, loan_id: int) -> Response:
    """The learner keeps the equipment one loan length more, within the rules (Koha's renewal
    by the patron)."""
    loan = _own_loan(ctx, loan_id)
    assert ctx.user is not None
    if not ctx.plugin_settings(NAME).get("learner_renewals"):
        return my_equipment(ctx, _("Ask the association for more time."), 403)
    try:
        renew(ctx.db, loan, org_rules(ctx), ctx.user.id)
    except RefusedError as refused:
        ctx.db.rollback()
        return my_equipment(ctx, refused.message, 409)
    ctx.audit("equipment.renew", f"loan:{loan.id}")
    return ctx.redirect(ctx.url("equipment.my"))


def _own_loan(ctx: RequestContext, loan_id: int) -> Loan:
    loan = ctx.get(Loan, loan_id)
    if ctx.user is None or loan.borrower_id != ctx.user.id:
        # Someone else's loan is "not found", never "forbidden": it says nothing about it.
        raise NotFound(_("This page does not exist."))
    return loan


def accept_page(ctx: RequestContext, loan_id: int) -> Response:
    loan = _own_loan(ctx, loan_id)
    error = ""
    if ctx.request.method == "POST":
        if ctx.field("accept") != "yes":
            error = _("Tick the box to say you have read the agreement and accept it.")
        else:
            assert ctx.user is not None
            user = ctx.user
            try:
                accept(
                    ctx.db,
                    loan,
                    user,
                    client_address(ctx.request),
                    lambda accepted: agreement_document(ctx, accepted, user),
                )
            except RefusedError as refused:
                error = refused.message
            else:
                ctx.audit("equipment.accept", f"loan:{loan.id}")
                return ctx.redirect(ctx.url("equipment.my"))
    agreement = loan.agreement or current_agreement(ctx.db, ctx.org.id)
    return ctx.render(
        "equipment/accept.html",
        status=400 if error else 200,
        **base_context(
            ctx, loan=loan, assets=[i.asset for i in loan.items], agreement=agreement, error=error
        ),
    )


ROUTES = [
    PageRoute(
        "/agreements", agreements_admin, ("GET", "POST"), needs("equipment:manage"), "agreements"
    ),
    PageRoute("/my", my_equipment, ("GET",), needs("equipment:view_own"), "my"),
    PageRoute(
        "/my/loans/{loan_id:int}/renew", my_renew, ("POST",), needs("equipment:accept"), "my_renew"
    ),
    PageRoute(
        "/my/loans/{loan_id:int}/accept",
        accept_page,
        ("GET", "POST"),
        needs("equipment:accept"),
        "accept",
    ),
]
