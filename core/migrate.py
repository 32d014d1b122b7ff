"""Schema upgrades: core's Alembic branch plus one branch per installed plugin."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from core.plugins import PluginHost

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(host: PluginHost, database_url: str) -> Config:
    """An Alembic config whose version locations are core's and each plugin's."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    locations = [str(MIGRATIONS_DIR / "versions")]
    for _plugin, folder in host.call_each("declic_migrations_dir"):
        if folder:
            locations.append(str(Path(folder)))
    # os.pathsep-separated, as Alembic expects when path_separator is "os".
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", os.pathsep.join(locations))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


class MigrationError(RuntimeError):
    """The database holds revisions this installation cannot place."""


def _current(engine: Engine) -> tuple[str, ...]:
    with engine.connect() as connection:
        return tuple(MigrationContext.configure(connection).get_current_heads())


def unknown_revisions(script: ScriptDirectory, current: tuple[str, ...]) -> set[str]:
    """Recorded revisions no version location holds: a plugin uninstalled (or left out by
    DECLIC_PLUGINS) after its tables were created."""
    known = {rev.revision for rev in script.walk_revisions()}
    return {rev for rev in current if rev not in known}


def upgrade(engine: Engine, host: PluginHost) -> None:
    """Bring core and every installed plugin to their latest revision (idempotent)."""
    cfg = alembic_config(host, engine.url.render_as_string(hide_password=False))
    script = ScriptDirectory.from_config(cfg)
    unknown = unknown_revisions(script, _current(engine))
    if unknown:
        # Alembic cannot upgrade around a tip it cannot find; say which, rather than its trace.
        raise MigrationError(
            f"the database has revisions {', '.join(sorted(unknown))} of plugins that are not "
            "loaded now: install them again (or drop DECLIC_PLUGINS / DECLIC_PLUGINS_DENY) "
            "before upgrading"
        )
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "heads")


def pending_heads(engine: Engine, host: PluginHost) -> set[str]:
    """Heads not yet applied (empty when the schema is up to date).

    Revisions of plugins that are not loaded are left out: their tables stay, unused."""
    cfg = alembic_config(host, engine.url.render_as_string(hide_password=False))
    script = ScriptDirectory.from_config(cfg)
    current = _current(engine)
    known = tuple(rev for rev in current if rev not in unknown_revisions(script, current))
    # alembic_version keeps only the tips: a plugin head that depends_on core stands for core's
    # revisions too, so compare against everything below the recorded tips.
    applied = {rev.revision for rev in script.iterate_revisions(known, "base")} if known else set()
    return set(script.get_heads()) - applied
