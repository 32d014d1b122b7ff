"""My account: my open sessions (end one, or all of them), my language."""

from __future__ import annotations

from sqlalchemy import select, update
from starlette.responses import Response

from core import i18n
from core.clock import now
from core.context import RequestContext
from core.contracts import SIGNED_IN
from core.errors import NotFound
from core.models import UserSession
from core.routing import RouteDef


def account_page(ctx: RequestContext) -> Response:
    assert ctx.user is not None
    policy = ctx.app.session_policy
    moment = now()
    sessions = [
        s
        for s in ctx.db.scalars(
            select(UserSession)
            .where(UserSession.user_id == ctx.user.id, UserSession.revoked_at.is_(None))
            .order_by(UserSession.last_seen_at.desc())
        )
        # Timed-out sessions are dead even if never revoked: do not list them.
        if moment - s.last_seen_at <= policy.idle and moment - s.created_at <= policy.absolute
    ]
    return ctx.render(
        "core/account.html",
        sessions=sessions,
        current_id=ctx.session.id if ctx.session else None,
        language_names=i18n.LANGUAGE_NAMES,
        chosen_language=ctx.user.language or "",
    )


def end_one_session(ctx: RequestContext, session_id: str) -> Response:
    """End one of my other sessions (a computer left signed in at the association)."""
    assert ctx.user is not None
    ended = 0
    if session_id.isdigit():
        result = ctx.db.execute(
            update(UserSession)
            .where(
                UserSession.id == int(session_id),
                UserSession.user_id == ctx.user.id,
                UserSession.revoked_at.is_(None),
            )
            .values(revoked_at=now())
        )
        ended = int(getattr(result, "rowcount", 0) or 0)
    # Someone else's session, or one already ended: nothing happened, so say so (and audit
    # nothing), rather than answer as if it had worked.
    if not ended:
        raise NotFound(i18n.gettext("This page does not exist."))
    ctx.audit("auth.session_ended", detail={"session": int(session_id)})
    return ctx.redirect(ctx.url("core.account"))


ROUTES = [
    RouteDef("/account", account_page, ("GET",), SIGNED_IN, "core.account"),
    RouteDef(
        "/account/sessions/{session_id}/end",
        end_one_session,
        ("POST",),
        SIGNED_IN,
        "core.account_end_session",
    ),
]
