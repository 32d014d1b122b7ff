"""The "Plugins" admin page: switch plugins on and off for the organisation, change their settings;
and the platform admin's view of every organisation's switches.

A switch is a small form: htmx posts it and swaps the plugin's card; without JavaScript the same
post answers with a redirect (or with a confirmation page when dependencies must move too).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from starlette.responses import Response

from core.context import RequestContext, client_address
from core.contracts import PLATFORM_ADMIN, PluginInfo, SettingSpec, needs
from core.errors import NotFound
from core.i18n import gettext as _
from core.models import Organisation, PluginState
from core.plugin_switches import (
    SwitchProblem,
    check_switch,
    parse_settings,
    save_settings,
    setting_specs,
    switch_plugin,
    switched_on,
)
from core.routing import RouteDef

MANAGE = "core:plugins.manage"


@dataclass
class PluginRow:
    """What one plugin's card shows."""

    name: str
    info: PluginInfo
    label: str
    switched_on: bool  # the stored switch
    running: bool  # on, and every dependency on too
    needs_on: tuple[str, ...]  # dependencies that are off (when switched on but not running)
    specs: list[SettingSpec]
    values: dict[str, Any]


def _label(info: PluginInfo) -> str:
    return _(info.label) if info.label else info.name


def stored_settings(ctx: RequestContext, organisation_id: int) -> dict[str, dict[str, Any]]:
    rows = ctx.db.execute(
        select(PluginState.plugin, PluginState.settings_json).where(
            PluginState.organisation_id == organisation_id
        )
    ).all()
    return {plugin: json.loads(raw or "{}") for plugin, raw in rows}


def plugin_rows(ctx: RequestContext, org: Organisation) -> list[PluginRow]:
    host = ctx.app.host
    on = switched_on(ctx.db, org.id)
    running = host.enabled_for(ctx.db, org)
    stored = stored_settings(ctx, org.id)
    rows = []
    for name in host.names:
        info = host.infos[name]
        specs = setting_specs(host, name)
        values = {spec.name: spec.default for spec in specs}
        values.update({k: v for k, v in stored.get(name, {}).items() if k in values})
        rows.append(
            PluginRow(
                name=name,
                info=info,
                label=_label(info),
                switched_on=name in on,
                running=name in running,
                needs_on=tuple(dep for dep in info.enabled_dependencies if dep not in running),
                specs=specs,
                values=values,
            )
        )
    return rows


def _row(ctx: RequestContext, name: str) -> PluginRow:
    for row in plugin_rows(ctx, ctx.org):
        if row.name == name:
            return row
    raise NotFound(_("There is no plugin called “%(name)s”.", name=name))


def plugins_page(ctx: RequestContext, **extra: Any) -> Response:
    status = extra.pop("status", 200)
    return ctx.render(
        "core/plugins.html",
        status=status,
        rows=plugin_rows(ctx, ctx.org),
        errors=extra.pop("errors", {}),
        done=ctx.request.query_params.get("done", ""),
        **extra,
    )


def _answer_row(
    ctx: RequestContext, name: str, problem: SwitchProblem | None = None, wanted: bool = True
) -> Response:
    """htmx: the plugin's card alone (with the confirmation inside when one is needed)."""
    return ctx.render(
        "core/plugins_row.html",
        row=_row(ctx, name),
        errors={},
        problem=problem,
        wanted=wanted,
        menu=[],
    )


def switch(ctx: RequestContext, plugin: str) -> Response:
    name = plugin
    host = ctx.app.host
    if name not in host.infos:
        raise NotFound(_("There is no plugin called “%(name)s”.", name=name))
    wanted = ctx.field("enabled") == "1"
    confirmed = ctx.field("confirm") == "1"
    htmx = bool(ctx.request.headers.get("hx-request"))
    problem = check_switch(ctx.db, host, ctx.org, name, wanted)
    if problem is not None and not confirmed:
        if htmx:
            return _answer_row(ctx, name, problem, wanted)
        return ctx.render(
            "core/plugins_confirm.html",
            status=409,
            row=_row(ctx, name),
            problem=problem,
            wanted=wanted,
            back=_back(ctx),
        )
    refused = switch_plugin(
        ctx.db,
        host,
        ctx.org,
        name,
        wanted,
        ctx.user,
        cascade=confirmed,
        address=client_address(ctx.request),
    )
    if refused is not None:
        if htmx:
            return _answer_row(ctx, name, refused, wanted)
        return ctx.render(
            "core/plugins_confirm.html",
            status=409,
            row=_row(ctx, name),
            problem=refused,
            wanted=wanted,
            back=_back(ctx),
        )
    if htmx:
        response = _answer_row(ctx, name)
        if confirmed:
            # Other plugins moved too: reload the page so every card (and the menu) is current.
            response.headers["HX-Refresh"] = "true"
        return response
    return ctx.redirect(_back(ctx) + f"?done={name}")


def _back(ctx: RequestContext) -> str:
    """Where a plain form post returns: this page, or the platform page it came from."""
    target = ctx.field("next")
    if target == "/admin/plugins":
        return target
    return ctx.url("core.plugins", org=ctx.org.slug)


def settings(ctx: RequestContext, plugin: str) -> Response:
    name = plugin
    host = ctx.app.host
    if name not in host.infos:
        raise NotFound(_("There is no plugin called “%(name)s”.", name=name))
    specs = setting_specs(host, name)
    raw = {spec.name: ctx.field(spec.name) for spec in specs}
    values, errors = parse_settings(specs, raw)
    if errors:
        return plugins_page(ctx, status=400, errors={name: errors}, submitted={name: raw})
    save_settings(ctx.db, ctx.org, name, values, ctx.user, client_address(ctx.request))
    return ctx.redirect(ctx.url("core.plugins", org=ctx.org.slug) + f"?done={name}#plugin-{name}")


def platform_page(ctx: RequestContext) -> Response:
    """Every organisation × every plugin, for the platform admin."""
    host = ctx.app.host
    organisations = ctx.db.scalars(select(Organisation).order_by(Organisation.name)).all()
    states = ctx.db.execute(
        select(PluginState.organisation_id, PluginState.plugin).where(PluginState.enabled.is_(True))
    ).all()
    on: dict[int, set[str]] = {}
    for organisation_id, plugin in states:
        on.setdefault(organisation_id, set()).add(plugin)
    return ctx.render(
        "core/plugins_platform.html",
        organisations=organisations,
        plugins=[(name, _label(host.infos[name])) for name in host.names],
        on=on,
        done=ctx.request.query_params.get("done", ""),
    )


ROUTES = [
    RouteDef("/o/{org}/admin/plugins", plugins_page, ("GET",), needs(MANAGE), "core.plugins"),
    RouteDef(
        "/o/{org}/admin/plugins/{plugin}/switch",
        switch,
        ("POST",),
        needs(MANAGE),
        "core.plugins_switch",
    ),
    RouteDef(
        "/o/{org}/admin/plugins/{plugin}/settings",
        settings,
        ("POST",),
        needs(MANAGE),
        "core.plugins_settings",
    ),
    RouteDef("/admin/plugins", platform_page, ("GET",), PLATFORM_ADMIN, "core.plugins_platform"),
]
