"""Organisation admin: members (add, edit, switch off and on, end their sessions)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from starlette.responses import Response

from core.account_rules import ROLE_LABELS
from core.auth import hash_password, revoke_user_sessions
from core.context import RequestContext
from core.contracts import needs
from core.errors import Forbidden
from core.i18n import gettext as _
from core.models import ROLES, Membership, User
from core.routing import RouteDef
from core.views.forms import (
    check_account_fields,
    language_options,
    password_of,
    role_options,
    values_of,
)

MANAGE = needs("core:user.manage")


@dataclass(frozen=True)
class MemberRow:
    membership: Membership
    user: User
    role_label: str
    shared: bool


def _shared(ctx: RequestContext, user: User) -> bool:
    """An account this organisation does not own alone: it may not change the account itself.

    One account can belong to several organisations; an admin of one must not reset the password
    of (or switch off) a person another organisation relies on, nor a platform admin's account.
    """
    if user.is_platform_admin:
        return True
    others = ctx.db.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.user_id == user.id, Membership.organisation_id != ctx.org.id)
    )
    return bool(others)


def _member(ctx: RequestContext, membership_id: str) -> tuple[Membership, User]:
    membership = ctx.get(Membership, membership_id)
    user = ctx.db.get(User, membership.user_id)
    assert user is not None
    return membership, user


def members_page(ctx: RequestContext) -> Response:
    rows = ctx.db.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id == ctx.org.id)
        .order_by(func.lower(User.display_name), User.id)
    ).all()
    elsewhere = set(
        ctx.db.scalars(
            select(Membership.user_id).where(
                Membership.organisation_id != ctx.org.id,
                Membership.user_id.in_([u.id for _m, u in rows]),
            )
        )
    )
    members = [
        MemberRow(
            m, u, str(ROLE_LABELS.get(m.role, m.role)), u.is_platform_admin or u.id in elsewhere
        )
        for m, u in rows
    ]
    query = ctx.request.query_params
    return ctx.render(
        "core/members.html",
        members=members,
        added=query.get("added", ""),
        ended=query.get("ended", ""),
    )


def _form(ctx: RequestContext, status: int = 200, **data: object) -> Response:
    data.setdefault("errors", {})
    return ctx.render(
        "core/member_form.html",
        status=status,
        role_options=role_options(),
        language_options=language_options(),
        **data,
    )


def member_add(ctx: RequestContext) -> Response:
    if ctx.request.method == "GET":
        empty = {"login": "", "display_name": "", "email": "", "language": "", "role": "learner"}
        return _form(ctx, values=empty, member=None, shared=False)
    values = values_of(ctx, "login", "display_name", "email", "language", "role")
    password = password_of(ctx)
    errors: dict[str, str] = {}
    check_account_fields(ctx.db, values, errors, password)
    if values["role"] not in ROLES:
        errors["role"] = _("Choose a role from the list.")
    if errors:
        return _form(ctx, values=values, errors=errors, member=None, shared=False)
    user = User(
        login=values["login"],
        display_name=values["display_name"],
        email=values["email"] or None,
        language=values["language"] or None,
        password_hash=hash_password(password) if password else None,
    )
    ctx.db.add(user)
    ctx.db.flush()
    ctx.db.add(Membership(user_id=user.id, organisation_id=ctx.org.id, role=values["role"]))
    ctx.audit(
        "member.added",
        target=user.login,
        detail={"role": values["role"], "password": bool(password)},
    )
    return ctx.redirect(ctx.url("core.members") + "?added=" + user.login)


def member_edit(ctx: RequestContext, membership_id: str) -> Response:
    membership, user = _member(ctx, membership_id)
    shared = _shared(ctx, user)
    myself = ctx.user is not None and user.id == ctx.user.id
    if ctx.request.method == "GET":
        values = {
            "login": user.login,
            "display_name": user.display_name,
            "email": user.email or "",
            "language": user.language or "",
            "role": membership.role,
        }
        return _form(ctx, values=values, member=membership, account=user, shared=shared)
    values = values_of(ctx, "login", "display_name", "email", "language", "role")
    password = password_of(ctx)
    errors: dict[str, str] = {}
    if shared:
        # Only the role here belongs to this organisation; the account stays as it is.
        values.update(
            login=user.login,
            display_name=user.display_name,
            email=user.email or "",
            language=user.language or "",
        )
        password = ""
    else:
        check_account_fields(ctx.db, values, errors, password, user_id=user.id)
    if values["role"] not in ROLES:
        errors["role"] = _("Choose a role from the list.")
    elif myself and values["role"] != membership.role:
        errors["role"] = _("You cannot change your own role: ask another administrator.")
    if errors:
        return _form(
            ctx, values=values, errors=errors, member=membership, account=user, shared=shared
        )
    changes = {
        key: [old, new]
        for key, old, new in (
            ("login", user.login, values["login"]),
            ("display_name", user.display_name, values["display_name"]),
            ("email", user.email or "", values["email"]),
            ("language", user.language or "", values["language"]),
            ("role", membership.role, values["role"]),
        )
        if old != new
    }
    if not shared:
        user.login = values["login"]
        user.display_name = values["display_name"]
        user.email = values["email"] or None
        user.language = values["language"] or None
        if password:
            user.password_hash = hash_password(password)
            changes["password"] = ["", _("changed")]
    membership.role = values["role"]
    if changes:
        ctx.audit("member.edited", target=user.login, detail=changes)
    return ctx.redirect(ctx.url("core.members"))


def member_active(ctx: RequestContext, membership_id: str) -> Response:
    """Switch an account off (it can no longer sign in, its sessions end) or on again."""
    _membership, user = _member(ctx, membership_id)
    if ctx.user is not None and user.id == ctx.user.id:
        raise Forbidden(_("You cannot switch off your own account."))
    if _shared(ctx, user):
        raise Forbidden(
            _("This account also belongs to another organisation: ask a platform administrator.")
        )
    active = ctx.field("active") == "1"
    if user.active != active:
        user.active = active
        if not active:
            revoke_user_sessions(ctx.db, user.id)
        ctx.audit("member.reactivated" if active else "member.deactivated", target=user.login)
    return ctx.redirect(ctx.url("core.members"))


def member_end_sessions(ctx: RequestContext, membership_id: str) -> Response:
    _membership, user = _member(ctx, membership_id)
    count = revoke_user_sessions(ctx.db, user.id)
    ctx.audit("member.sessions_ended", target=user.login, detail={"sessions": count})
    return ctx.redirect(ctx.url("core.members") + "?ended=" + user.login)


ROUTES = [
    RouteDef("/o/{org}/admin/members", members_page, ("GET",), MANAGE, "core.members"),
    RouteDef("/o/{org}/admin/members/new", member_add, ("GET", "POST"), MANAGE, "core.member_add"),
    RouteDef(
        "/o/{org}/admin/members/{membership_id}",
        member_edit,
        ("GET", "POST"),
        MANAGE,
        "core.member_edit",
    ),
    RouteDef(
        "/o/{org}/admin/members/{membership_id}/active",
        member_active,
        ("POST",),
        MANAGE,
        "core.member_active",
    ),
    RouteDef(
        "/o/{org}/admin/members/{membership_id}/end-sessions",
        member_end_sessions,
        ("POST",),
        MANAGE,
        "core.member_end_sessions",
    ),
]
