"""Switching a plugin on or off for one organisation, with its dependencies, and its settings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.contracts import SettingSpec
from core.i18n import gettext as _
from core.models import AuditEvent, Organisation, PluginState, User
from core.plugins import PluginHost


@dataclass(frozen=True)
class SwitchProblem:
    """Why a switch was not made, and which other plugins would have to move with it."""

    message: str
    plugins: tuple[str, ...]


def switched_on(db: Session, organisation_id: int) -> set[str]:
    return set(
        db.scalars(
            select(PluginState.plugin).where(
                PluginState.organisation_id == organisation_id, PluginState.enabled.is_(True)
            )
        )
    )


def check_switch(
    db: Session, host: PluginHost, organisation: Organisation, plugin: str, enabled: bool
) -> SwitchProblem | None:
    """What stands in the way of the switch (dependencies off, dependents on), or None."""
    if plugin not in host.infos:
        return SwitchProblem(_("There is no plugin called “%(name)s”.", name=plugin), ())
    on = switched_on(db, organisation.id)
    if enabled:
        missing = tuple(dep for dep in host.infos[plugin].enabled_dependencies if dep not in on)
        if missing:
            return SwitchProblem(
                _(
                    "%(name)s needs %(deps)s switched on first.",
                    name=plugin,
                    deps=", ".join(missing),
                ),
                missing,
            )
        return None
    dependents = tuple(host.dependents_of(plugin, on))
    if dependents:
        return SwitchProblem(
            _(
                "%(deps)s need %(name)s: switch them off first.",
                name=plugin,
                deps=", ".join(dependents),
            ),
            dependents,
        )
    return None


def switch_plugin(
    db: Session,
    host: PluginHost,
    organisation: Organisation,
    plugin: str,
    enabled: bool,
    actor: User | None,
    cascade: bool = False,
    address: str = "",
) -> SwitchProblem | None:
    """Switch ``plugin`` for ``organisation``; with ``cascade`` also switch what it depends on
    (on) or what depends on it (off). Returns the problem instead of switching when there is
    one and ``cascade`` is false. Bumps the organisation's ``plugins_version`` so every worker
    sees the switch at its next request."""
    problem = check_switch(db, host, organisation, plugin, enabled)
    if problem is not None:
        if not cascade or not problem.plugins:
            return problem
        for other in problem.plugins:
            nested = switch_plugin(db, host, organisation, other, enabled, actor, True, address)
            if nested is not None:
                return nested
    state = db.scalar(
        select(PluginState).where(
            PluginState.organisation_id == organisation.id, PluginState.plugin == plugin
        )
    )
    if state is None:
        state = PluginState(organisation_id=organisation.id, plugin=plugin, enabled=enabled)
        db.add(state)
    elif state.enabled == enabled:
        return None
    state.enabled = enabled
    db.execute(
        update(Organisation)
        .where(Organisation.id == organisation.id)
        .values(plugins_version=Organisation.plugins_version + 1)
    )
    db.add(
        AuditEvent(
            organisation_id=organisation.id,
            actor_id=actor.id if actor else None,
            action="plugin.enabled" if enabled else "plugin.disabled",
            target=plugin,
            address=address,
        )
    )
    db.flush()
    db.refresh(organisation)
    # A listener that fails is logged with its name (collect); the switch itself stands.
    host.all_hooks().collect(
        "declic_plugin_switched",
        [],
        db=db,
        organisation=organisation,
        plugin=plugin,
        enabled=enabled,
    )
    return None


# --- settings --------------------------------------------------------------------------------


def setting_specs(host: PluginHost, plugin: str) -> list[SettingSpec]:
    # Only this plugin is asked: one plugin's failing hook cannot break another's form.
    for name, specs in host.hooks_for([plugin]).collect("declic_settings"):
        if name == plugin:
            return list(specs)
    return []


def parse_settings(
    specs: list[SettingSpec], raw: dict[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Turn form text into typed values; returns (values, errors by field)."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in specs:
        text = (raw.get(spec.name) or "").strip()
        if spec.kind == "bool":
            value: Any = text in ("1", "on", "true", "yes")
        elif spec.kind == "int":
            try:
                value = int(text)
            except ValueError:
                errors[spec.name] = _(
                    "Write a whole number, for example %(example)s.", example=spec.default
                )
                continue
            if spec.minimum is not None and value < spec.minimum:
                errors[spec.name] = _("The smallest value allowed is %(min)s.", min=spec.minimum)
                continue
            if spec.maximum is not None and value > spec.maximum:
                errors[spec.name] = _("The largest value allowed is %(max)s.", max=spec.maximum)
                continue
        elif spec.kind == "choice":
            if text not in {key for key, _label in spec.choices}:
                errors[spec.name] = _("Choose one of the options in the list.")
                continue
            value = text
        else:
            value = text
        if spec.validate is not None:
            message = spec.validate(value)
            if message:
                errors[spec.name] = str(message)
                continue
        values[spec.name] = value
    return values, errors


def save_settings(
    db: Session,
    organisation: Organisation,
    plugin: str,
    values: dict[str, Any],
    actor: User | None,
    address: str = "",
) -> None:
    state = db.scalar(
        select(PluginState).where(
            PluginState.organisation_id == organisation.id, PluginState.plugin == plugin
        )
    )
    if state is None:
        state = PluginState(organisation_id=organisation.id, plugin=plugin, enabled=False)
        db.add(state)
    before = json.loads(state.settings_json or "{}")
    state.settings_json = json.dumps(values, ensure_ascii=False, sort_keys=True)
    db.add(
        AuditEvent(
            organisation_id=organisation.id,
            actor_id=actor.id if actor else None,
            action="plugin.settings",
            target=plugin,
            detail=json.dumps({"before": before, "after": values}, ensure_ascii=False, default=str),
            address=address,
        )
    )
