"""Sign-in pages: password, learner login code, sign-out, sign out everywhere, language choice."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.responses import Response

from core import i18n
from core.auth import (
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ADDRESS,
    SESSION_COOKIE,
    check_password,
    end_session,
    find_user_by_identifier,
    record_attempt,
    revoke_user_sessions,
    start_session,
    throttle_wait,
    user_for_code,
)
from core.clock import now
from core.context import RequestContext, client_address
from core.contracts import PUBLIC, SIGNED_IN
from core.errors import TooManyRequests
from core.i18n import gettext as _
from core.models import User
from core.routing import RouteDef, cookie_options


def safe_next(target: str | None) -> str:
    """Only same-site paths: never send someone to another site after signing in."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _too_many(wait: int) -> TooManyRequests:
    minutes = max(1, (wait + 59) // 60)
    return TooManyRequests(
        i18n.ngettext(
            "Too many tries. Please wait %(num)s minute, then try again.",
            "Too many tries. Please wait %(num)s minutes, then try again.",
            minutes,
        ),
        headers={"Retry-After": str(wait)},
    )


def _sign_in(ctx: RequestContext, user: User, target: str) -> Response:
    token = start_session(
        ctx.db, user, client_address(ctx.request), ctx.request.headers.get("user-agent", "")
    )
    if ctx.session is not None:
        end_session(ctx.db, ctx.session)
    ctx.set_cookie(
        SESSION_COOKIE, token, **cookie_options(ctx.request, ctx.app.settings.secure_cookies)
    )
    ctx.user = user
    ctx.audit("auth.signin", target=user.login)
    return ctx.redirect(safe_next(target))


def login_page(ctx: RequestContext) -> Response:
    if ctx.request.method == "GET":
        return ctx.render(
            "core/login.html",
            identifier="",
            error="",
            next=safe_next(ctx.request.query_params.get("next")),
        )
    identifier = ctx.field("identifier")
    password = ctx.form.get("password", "") if ctx.form else ""
    password = password if isinstance(password, str) else ""
    target = safe_next(ctx.field("next"))
    address = client_address(ctx.request)
    keys = [f"account:{identifier.lower()}", f"address:{address}"]
    wait = throttle_wait(
        ctx.db, [(keys[0], MAX_FAILURES_PER_ACCOUNT), (keys[1], MAX_FAILURES_PER_ADDRESS)]
    )
    if wait:
        raise _too_many(wait)
    user = find_user_by_identifier(ctx.db, identifier)
    if not identifier or not password or not check_password(user, password):
        record_attempt(ctx.db, keys, succeeded=False)
        ctx.audit("auth.signin_failed", target=identifier[:100])
        return ctx.render(
            "core/login.html",
            status=200,
            identifier=identifier,
            error=_("The name or the password is not right. Check them and try again."),
            next=target,
        )
    assert user is not None
    if not user.active:
        return ctx.render(
            "core/login.html",
            identifier=identifier,
            error=_("This account is switched off. Ask your association to switch it on again."),
            next=target,
        )
    record_attempt(ctx.db, keys, succeeded=True)
    return _sign_in(ctx, user, target)


def code_page(ctx: RequestContext) -> Response:
    """Sign in with a printed code (the QR on the sheet opens this page with the code filled)."""
    if ctx.request.method == "GET":
        return ctx.render(
            "core/login_code.html", code=ctx.request.query_params.get("c", ""), error=""
        )
    code = ctx.field("code")
    address = client_address(ctx.request)
    key = f"code-address:{address}"
    wait = throttle_wait(ctx.db, [(key, MAX_FAILURES_PER_ADDRESS)])
    if wait:
        raise _too_many(wait)
    found = user_for_code(ctx.db, code, ctx.app.settings.secret_key)
    if found is None:
        record_attempt(ctx.db, [key], succeeded=False)
        ctx.audit("auth.code_failed")
        return ctx.render(
            "core/login_code.html",
            code=code,
            error=_(
                "This code does not work. Check each letter, or ask your trainer for a new code."
            ),
        )
    login_code, user = found
    if not user.active:
        return ctx.render(
            "core/login_code.html",
            code=code,
            error=_("This account is switched off. Ask your association to switch it on again."),
        )
    login_code.last_used_at = now()
    return _sign_in(ctx, user, "/")


def logout(ctx: RequestContext) -> Response:
    if ctx.session is not None:
        end_session(ctx.db, ctx.session)
        ctx.audit("auth.signout")
    ctx.set_cookie(SESSION_COOKIE, "")
    return ctx.redirect("/login")


def sign_out_everywhere(ctx: RequestContext) -> Response:
    assert ctx.user is not None
    count = revoke_user_sessions(ctx.db, ctx.user.id)
    ctx.audit("auth.signout_everywhere", detail={"sessions": count})
    ctx.set_cookie(SESSION_COOKIE, "")
    return ctx.redirect("/login")


def choose_language(ctx: RequestContext) -> Response:
    """Set the language: on the account when signed in, in a cookie otherwise."""
    language = ctx.field("language")
    if language not in i18n.LANGUAGE_NAMES:
        language = i18n.DEFAULT_LANGUAGE
    if ctx.user is not None:
        ctx.user.language = language
    options = cookie_options(ctx.request, ctx.app.settings.secure_cookies)
    ctx.set_cookie("declic_lang", language, max_age=365 * 24 * 3600, **options)
    return ctx.redirect(safe_next(ctx.field("next")))


ROUTES = [
    RouteDef("/login", login_page, ("GET", "POST"), PUBLIC, "core.login"),
    RouteDef("/login/code", code_page, ("GET", "POST"), PUBLIC, "core.login_code"),
    RouteDef("/logout", logout, ("POST",), SIGNED_IN, "core.logout"),
    RouteDef(
        "/account/sign-out-everywhere",
        sign_out_everywhere,
        ("POST",),
        SIGNED_IN,
        "core.sign_out_everywhere",
    ),
    RouteDef("/language", choose_language, ("POST",), PUBLIC, "core.language"),
]
