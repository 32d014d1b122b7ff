"""Everything a running platform holds once: settings, database, plugins, templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from core import i18n
from core.auth import SessionPolicy
from core.db import make_engine, make_session_factory
from core.permissions import CORE_CAPABILITIES, CapabilityRegistry
from core.plugins import PluginHost
from core.settings import Settings
from core.templating import Templates
from core.throttle import INFO_KEY, ThrottleStore, make_throttle_store


@dataclass
class AppState:
    settings: Settings
    host: PluginHost
    engine: Engine
    write_engine: Engine
    db: sessionmaker[Session]
    write_db: sessionmaker[Session]
    capabilities: CapabilityRegistry
    templates: Templates
    session_policy: SessionPolicy
    throttle: ThrottleStore
    extra: dict[str, Any] = field(default_factory=dict)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()
        self.throttle.close()


def _paths(host: PluginHost, hook: str) -> list[tuple[str, Path]]:
    return [(name, Path(p)) for name, p in host.call_each(hook) if p]


def build_state(settings: Settings, host: PluginHost | None = None) -> AppState:
    """Load plugins (unless a host is given), open the database, build registries."""
    from datetime import timedelta

    if host is None:
        host = PluginHost(settings.plugins_allow, settings.plugins_deny, settings.trace_hooks)
        host.load_entry_points()
    engine = make_engine(settings.database_url)
    write_engine = (
        make_engine(settings.database_url, immediate=True) if settings.is_sqlite else engine
    )
    caps = list(CORE_CAPABILITIES)
    for _name, declared in host.call_each("declic_capabilities"):
        caps.extend(declared)
    i18n.load_catalogues(
        [("core", i18n.CORE_LOCALE_DIR), *_paths(host, "declic_locale_dir")],
        settings.languages,
    )
    templates = Templates([p for _n, p in _paths(host, "declic_template_dir")])
    # Both factories carry the store, so core.throttle finds it from whichever session a view
    # holds (sign-in posts on the write one, certificate checks are GETs on the read one).
    throttle = make_throttle_store(settings)
    return AppState(
        settings=settings,
        host=host,
        engine=engine,
        write_engine=write_engine,
        db=make_session_factory(engine, {INFO_KEY: throttle}),
        write_db=make_session_factory(write_engine, {INFO_KEY: throttle}),
        capabilities=CapabilityRegistry.build(caps),
        templates=templates,
        session_policy=SessionPolicy(
            idle=timedelta(minutes=settings.session_idle_minutes),
            absolute=timedelta(hours=settings.session_absolute_hours),
        ),
        throttle=throttle,
    )
