"""Platform admin: every organisation with its member count; a new organisation and its admin."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from starlette.responses import Response

from core import i18n
from core.auth import hash_password
from core.context import RequestContext, client_address
from core.contracts import PLATFORM_ADMIN
from core.i18n import gettext as _
from core.models import ROLES, AuditEvent, Membership, Organisation, User
from core.permissions import role_grants
from core.routing import RouteDef
from core.views.forms import SLUG_RE, check_account_fields, password_of, require_text, values_of

FIELDS = ("slug", "name", "default_language", "login", "display_name", "email")


def organisations_page(ctx: RequestContext) -> Response:
    rows = ctx.db.execute(
        select(
            Organisation,
            select(func.count(Membership.id))
            .where(Membership.organisation_id == Organisation.id)
            .scalar_subquery(),
        ).order_by(Organisation.name, Organisation.id)
    ).all()
    # "Its admins": the members whose role holds the organisation's management capability.
    registry = ctx.app.capabilities
    admin_roles = [r for r in ROLES if role_grants(registry, r, "core:organisation.manage")]
    admins: dict[int, list[User]] = {}
    for org_id, user in ctx.db.execute(
        select(Membership.organisation_id, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.role.in_(admin_roles))
        .order_by(User.display_name, User.id)
    ):
        admins.setdefault(org_id, []).append(user)
    return ctx.render(
        "core/platform_organisations.html",
        rows=[(org, count, admins.get(org.id, [])) for org, count in rows],
        created=ctx.request.query_params.get("created", ""),
        plugin_pages=ctx.app.extra.get("platform_links", []),
    )


def _form(ctx: RequestContext, values: dict[str, str], errors: dict[str, str]) -> Response:
    return ctx.render(
        "core/platform_organisation_form.html",
        values=values,
        errors=errors,
        language_options=list(i18n.LANGUAGE_NAMES.items()),
    )


def organisation_add(ctx: RequestContext) -> Response:
    """An organisation and its first administrator, in one step (neither exists without the
    other: an organisation nobody can manage is useless)."""
    if ctx.request.method == "GET":
        values = dict.fromkeys(FIELDS, "")
        values["default_language"] = i18n.DEFAULT_LANGUAGE
        return _form(ctx, values, {})
    values = values_of(ctx, *FIELDS)
    values["language"] = ""
    password = password_of(ctx)
    errors: dict[str, str] = {}
    values["slug"] = values["slug"].lower()
    if not SLUG_RE.match(values["slug"]):
        errors["slug"] = _(
            "Use 2 to 63 small letters, digits or dashes, starting with a letter or a digit."
        )
    elif ctx.db.scalar(select(Organisation.id).where(Organisation.slug == values["slug"])):
        errors["slug"] = _("Another organisation already has this short name.")
    require_text(values, errors, "name", 200)
    if values["default_language"] not in i18n.LANGUAGE_NAMES:
        errors["default_language"] = _("Choose a language from the list.")
    check_account_fields(ctx.db, values, errors, password)
    if not password:
        errors["password"] = _("The administrator needs a password to sign in.")
    if errors:
        return _form(ctx, values, errors)
    org = Organisation(
        slug=values["slug"], name=values["name"], default_language=values["default_language"]
    )
    admin = User(
        login=values["login"],
        display_name=values["display_name"],
        email=values["email"] or None,
        password_hash=hash_password(password),
    )
    ctx.db.add_all([org, admin])
    ctx.db.flush()
    ctx.db.add(Membership(user_id=admin.id, organisation_id=org.id, role="admin"))
    ctx.audit("organisation.created", target=f"organisation:{org.slug}", detail={"name": org.name})
    # The new organisation's own log starts with its first admin.
    ctx.db.add(
        AuditEvent(
            organisation_id=org.id,
            actor_id=ctx.user.id if ctx.user else None,
            action="member.added",
            target=admin.login,
            detail=json.dumps({"role": "admin"}),
            address=client_address(ctx.request),
        )
    )
    return ctx.redirect(ctx.url("core.platform") + "?created=" + org.slug)


ROUTES = [
    RouteDef("/admin", organisations_page, ("GET",), PLATFORM_ADMIN, "core.platform"),
    RouteDef(
        "/admin/organisations/new",
        organisation_add,
        ("GET", "POST"),
        PLATFORM_ADMIN,
        "core.platform_organisation_add",
    ),
]
