"""Issuing, showing, downloading and revoking certificates."""

from __future__ import annotations

import segno
from markupsafe import Markup
from sqlalchemy import select
from starlette.responses import Response

from core.context import RequestContext
from core.errors import Conflict, NotFound
from core.i18n import gettext as _
from plugins.certification.assessment import reports_for
from plugins.certification.certificate_pdf import render_certificate
from plugins.certification.certificates import Issue, format_code, issue_certificate, revoke
from plugins.certification.evidence import org_catalogue
from plugins.certification.models import Certificate
from plugins.certification.views.common import load_course, load_learner
from plugins.certification.views.detail import issue_options, render_detail


def verify_url(ctx: RequestContext, code: str) -> str:
    """The absolute public URL printed on the certificate and in its QR code."""
    base = str(ctx.request.base_url).rstrip("/")
    return base + ctx.url("certification.verify", code=code)


def issue(ctx: RequestContext, course_id: str, user_id: str) -> Response:
    assert ctx.user is not None
    course = load_course(ctx, course_id, "certification:issue")
    learner = load_learner(ctx, course, user_id)
    choice = ctx.field("what")
    report = reports_for(ctx, [learner], [course.id], org_catalogue(ctx.db, ctx.org.id))[0]
    allowed = dict(issue_options(course, report))
    if choice not in allowed:
        error = _(
            "Choose what the certificate is for: the course, or a target the learner is ready for."
        )
        return render_detail(ctx, course, learner, {"what": error}, {"what": choice}, status=400)
    if choice == "course":
        what = Issue("course", str(course.id), allowed[choice], course.id)
    else:
        what = Issue("target", choice.split(":", 1)[1], allowed[choice], course.id)
    cert = issue_certificate(
        ctx.db,
        ctx.org,
        learner,
        ctx.user,
        what,
        lambda code: verify_url(ctx, code),
        render_certificate,
    )
    ctx.audit(
        "certification.issue", f"certificate:{cert.id}", {"user": learner.id, "what": what.subject}
    )
    return ctx.redirect(ctx.url("certification.certificate", cert_id=cert.id))


def certificate_list(ctx: RequestContext) -> Response:
    """Every certificate of the organisation, newest first (to find one to check or revoke)."""
    rows = list(
        ctx.db.scalars(
            select(Certificate)
            .where(Certificate.organisation_id == ctx.org.id)
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
            .limit(500)
        )
    )
    return ctx.render(
        "certification/certificates.html",
        certificates=[(c, format_code(c.code)) for c in rows],
    )


def _load(ctx: RequestContext, cert_id: str) -> Certificate:
    """A certificate of this organisation that this user may see: its holder, or someone who may
    issue certificates in the course it belongs to."""
    assert ctx.user is not None
    cert = ctx.get(Certificate, cert_id)
    if cert.user_id == ctx.user.id and ctx.may("certification:view_own"):
        return cert
    if ctx.may("certification:issue", cert.course_id) or ctx.may("certification:revoke"):
        return cert
    raise NotFound(_("This page does not exist."))


def show(ctx: RequestContext, cert_id: str) -> Response:
    cert = _load(ctx, cert_id)
    url = verify_url(ctx, cert.code)
    qr = segno.make(url, error="m").svg_inline(scale=4, title=_("QR code of the verification page"))
    return ctx.render(
        "certification/certificate.html",
        cert=cert,
        code=format_code(cert.code),
        verify_url=url,
        qr=Markup(qr),  # noqa: S704 - segno's SVG, built from our own URL
        may_revoke=ctx.may("certification:revoke") and cert.revoked_at is None,
        error="",
    )


def pdf(ctx: RequestContext, cert_id: str) -> Response:
    cert = _load(ctx, cert_id)
    if cert.pdf is None:
        raise NotFound(_("The PDF of this certificate was erased."))
    return Response(
        cert.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="certificate-{cert.code}.pdf"'},
    )


def revoke_view(ctx: RequestContext, cert_id: str) -> Response:
    assert ctx.user is not None
    cert = ctx.get(Certificate, cert_id)
    reason = ctx.field("reason")
    if cert.revoked_at is not None:
        raise Conflict(_("This certificate is already revoked."))
    if not reason or len(reason) > 1000:
        url = verify_url(ctx, cert.code)
        return ctx.render(
            "certification/certificate.html",
            status=400,
            cert=cert,
            code=format_code(cert.code),
            verify_url=url,
            qr=Markup(segno.make(url, error="m").svg_inline(scale=4)),  # noqa: S704
            may_revoke=True,
            error=_(
                "Give the reason for revoking (up to 1000 characters): it is kept in the audit log."
            ),
        )
    revoke(cert, ctx.user, reason)
    ctx.audit("certification.revoke", f"certificate:{cert.id}", {"reason": reason})
    return ctx.redirect(ctx.url("certification.certificate", cert_id=cert.id))
