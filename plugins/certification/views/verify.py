"""The public verification page: anyone, signed in or not, checks a certificate's code.

It shows the name, what, the date and valid/revoked, nothing more. An unknown code answers "not
found" after the same work as a known one (one digest query, one constant-time comparison, one
throttle row), and an address that tries too many unknown codes is made to wait
(``core.auth`` throttle, key ``certverify:ADDRESS``)."""

from __future__ import annotations

from starlette.responses import Response

from core.auth import record_attempt, throttle_wait
from core.context import RequestContext, client_address
from core.errors import TooManyRequests
from core.i18n import gettext as _
from plugins.certification.certificates import (
    ERASED_NAME,
    find_by_code,
    format_code,
    normalise_code,
)

MAX_UNKNOWN_PER_ADDRESS = 10


def _key(ctx: RequestContext) -> str:
    return f"certverify:{client_address(ctx.request)}"


def verify_form(ctx: RequestContext) -> Response:
    code = normalise_code(ctx.request.query_params.get("code", ""))
    if code:
        return ctx.redirect(ctx.url("certification.verify", code=code))
    return ctx.render("certification/verify_form.html", menu=[])


def verify(ctx: RequestContext, code: str) -> Response:
    key = _key(ctx)
    wait = throttle_wait(ctx.db, [(key, MAX_UNKNOWN_PER_ADDRESS)])
    if wait:
        raise TooManyRequests(
            _(
                "Too many codes were tried from here. Please wait %(minutes)s minutes.",
                minutes=wait // 60 + 1,
            ),
            headers={"Retry-After": str(wait)},
        )
    cert = find_by_code(ctx.db, ctx.org.id, code)
    record_attempt(ctx.db, [key], succeeded=cert is not None)
    facts = None
    if cert is not None:
        facts = {
            "name": cert.learner_name if cert.learner_name != ERASED_NAME else "",
            "title": cert.title,
            "issued_at": cert.issued_at,
            "organisation": cert.organisation_name,
            "revoked": cert.revoked_at is not None,
            "revoked_at": cert.revoked_at,
        }
    return ctx.render(
        "certification/verify.html",
        status=200 if facts else 404,
        facts=facts,
        code=format_code(normalise_code(code)[:16]),
        menu=[],
    )
