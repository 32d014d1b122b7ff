"""The plugin manager: discovery through entry points, and per-organisation hook callers.

Plugins stay registered for the whole process. For one organisation, hooks are called only on
the plugins enabled for it: ``hooks_for(enabled)`` wraps pluggy's ``subset_hook_caller`` (which
takes the plugins to *remove*) in one small cached object. Callers are rebuilt whenever the set of
registered plugins changes, because a plugin registered after a subset caller was built would
otherwise leak into it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

import pluggy
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from sqlalchemy import select
from sqlalchemy.orm import Session

import core
from core import hookspecs, i18n
from core.contracts import PluginFailure, PluginInfo
from core.models import Organisation, PluginState

log = logging.getLogger("declic.plugins")
# Hook tracing (DECLIC_TRACE_HOOKS=1) writes here, at WARNING: it shows with no logging set-up.
trace_log = logging.getLogger("declic.hooks")

ENTRY_POINT_GROUP = "declic.plugins"


class PluginLoadError(RuntimeError):
    """A plugin cannot be loaded: bad metadata, unmet dependency, incompatible core."""


class OrgHooks:
    """Hook callers restricted to one set of enabled plugins.

    ``hooks.declic_menu_items(ctx=ctx)`` calls only enabled plugins; ``collect(...)`` does the
    same but isolates faults: a plugin that raises is logged, recorded in ``failures`` and left
    out, and the others still answer.
    """

    def __init__(
        self, pm: pluggy.PluginManager, enabled: frozenset[str], trace: bool = False
    ) -> None:
        self._pm = pm
        self.enabled = enabled
        self.trace = trace
        self._callers: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("declic_"):
            raise AttributeError(name)
        caller = self._callers.get(name)
        # pluggy's subset caller lists the plugins to *remove*: one registered after it was
        # built would run in it. PluginHost drops its caches on register, and this check makes
        # the guarantee local: a caller that lists a plugin outside ``enabled`` is rebuilt.
        if caller is None or any(i.plugin_name not in self.enabled for i in caller.get_hookimpls()):
            with self._lock:
                removed = [p for n, p in self._pm.list_name_plugin() if n not in self.enabled]
                caller = self._pm.subset_hook_caller(name, remove_plugins=removed)
                self._callers[name] = caller
        return caller

    def collect(
        self, hook_name: str, failures: list[PluginFailure] | None = None, **kwargs: Any
    ) -> list[tuple[str, Any]]:
        """Call each enabled implementation on its own; return ``[(plugin, result), ...]``.

        Results that are lists are kept as lists (one entry per plugin). A failing plugin is
        logged with its name and appended to ``failures``.
        """
        caller = getattr(self, hook_name)
        results: list[tuple[str, Any]] = []
        # pluggy calls the last registered implementation first; keep its order.
        for impl in reversed(caller.get_hookimpls()):
            plugin_name = impl.plugin_name
            if plugin_name not in self.enabled:
                continue
            if self.trace:
                trace_log.warning("hook trace: %s -> %s", hook_name, plugin_name)
            # Strings the plugin translates while answering come from its own catalogue first.
            domain_token = i18n.set_domain(plugin_name)
            try:
                args = {k: kwargs[k] for k in impl.argnames if k in kwargs}
                result = impl.function(**args)
            except Exception as exc:
                log.exception("plugin %s failed in %s", plugin_name, hook_name)
                if failures is not None:
                    failures.append(PluginFailure(plugin_name, hook_name, repr(exc)))
                continue
            finally:
                i18n.reset_domain(domain_token)
            if result is not None:
                results.append((plugin_name, result))
        return results


@dataclass
class PluginHost:
    """Owns the process's plugin manager and the caches built on it."""

    allow: tuple[str, ...] | None = None
    deny: tuple[str, ...] = ()
    trace: bool = False
    pm: pluggy.PluginManager = field(init=False)
    infos: dict[str, PluginInfo] = field(init=False, default_factory=dict)
    _org_cache: dict[int, tuple[int, frozenset[str]]] = field(init=False, default_factory=dict)
    _hooks_cache: dict[frozenset[str], OrgHooks] = field(init=False, default_factory=dict)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.pm = pluggy.PluginManager(core.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        if self.trace:
            self.pm.trace.root.setwriter(
                lambda msg: trace_log.warning("hook trace: %s", msg.rstrip())
            )
            self.pm.enable_tracing()
        # Historic: every plugin, whenever registered, is handed the manager to publish its own
        # hookspecs before check_pending() looks for unknown hooks.
        self.pm.hook.declic_add_hookspecs.call_historic(kwargs={"pluginmanager": self.pm})

    # --- loading ---------------------------------------------------------------------------

    def load_entry_points(self) -> None:
        """Register every plugin of the ``declic.plugins`` group that the allow/deny lists let in,
        then check them as a whole."""
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if not self.wanted(ep.name):
                log.info("plugin %s skipped by DECLIC_PLUGINS / DECLIC_PLUGINS_DENY", ep.name)
                continue
            if self.pm.get_plugin(ep.name) is not None:
                continue
            try:
                plugin = ep.load()
            except Exception as exc:
                raise PluginLoadError(
                    f"plugin {ep.name!r} ({ep.value}) cannot be imported: {exc!r}"
                ) from exc
            self.register(plugin, ep.name, check=False)
        if self.allow is not None:
            for name in self.allow:
                if name not in self.infos:
                    log.warning("DECLIC_PLUGINS names %s, which is not installed", name)
        self.check()

    def wanted(self, name: str) -> bool:
        if self.allow is not None and name not in self.allow:
            return False
        return name not in self.deny

    def register(self, plugin: object, name: str, *, check: bool = True) -> None:
        """Register one plugin object under ``name`` (tests register plugins made on the fly)."""
        try:
            self.pm.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            raise PluginLoadError(f"plugin {name!r}: {exc}") from exc
        impl = [i for i in self.pm.hook.declic_plugin_info.get_hookimpls() if i.plugin is plugin]
        if not impl:
            self.pm.unregister(plugin)
            raise PluginLoadError(f"plugin {name!r} does not implement declic_plugin_info")
        info = impl[0].function()
        if not isinstance(info, PluginInfo):
            self.pm.unregister(plugin)
            raise PluginLoadError(f"plugin {name!r}: declic_plugin_info must return a PluginInfo")
        if info.name != name:
            self.pm.unregister(plugin)
            raise PluginLoadError(
                f"plugin registered as {name!r} calls itself {info.name!r} in declic_plugin_info"
            )
        self.infos[name] = info
        self._invalidate()
        if check:
            self.check()

    def unregister(self, name: str) -> None:
        plugin = self.pm.get_plugin(name)
        if plugin is not None:
            self.pm.unregister(plugin)
        self.infos.pop(name, None)
        self._invalidate()

    def check(self) -> None:
        """Misspelled hooks, unmet dependencies and incompatible core versions fail loudly."""
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            name = self.pm.get_name(exc.plugin) or repr(exc.plugin)
            raise PluginLoadError(
                f"plugin {name!r}: {exc} (misspelled hook, or a hookspec not published)"
            ) from exc
        for name, info in self.infos.items():
            missing = [dep for dep in info.depends if dep not in self.infos]
            if missing:
                raise PluginLoadError(f"plugin {name!r} needs {', '.join(missing)}, not installed")
            try:
                spec = SpecifierSet(info.requires_core)
            except InvalidSpecifier as exc:
                raise PluginLoadError(f"plugin {name!r}: bad requires_core: {exc}") from exc
            if core.__version__ not in spec:
                raise PluginLoadError(
                    f"plugin {name!r} needs core {info.requires_core}, this is {core.__version__}"
                )
        cycle = self._dependency_cycle()
        if cycle:
            # Switching one on would need the other on first, forever.
            raise PluginLoadError(f"plugins depend on each other in a circle: {' -> '.join(cycle)}")

    def _dependency_cycle(self) -> list[str]:
        """A cycle in the declared dependencies (as a path that ends where it starts), or []."""
        done: set[str] = set()

        def visit(name: str, path: list[str]) -> list[str]:
            if name in path:
                return [*path[path.index(name) :], name]
            if name in done or name not in self.infos:
                return []
            for dep in self.infos[name].depends:
                found = visit(dep, [*path, name])
                if found:
                    return found
            done.add(name)
            return []

        for name in sorted(self.infos):
            found = visit(name, [])
            if found:
                return found
        return []

    @property
    def names(self) -> list[str]:
        return sorted(self.infos)

    def hook_names_of(self, name: str) -> list[str]:
        plugin = self.pm.get_plugin(name)
        if plugin is None:
            return []
        return sorted(caller.name for caller in self.pm.get_hookcallers(plugin) or [])

    # --- per-organisation switching -------------------------------------------------------

    def _invalidate(self) -> None:
        with self._lock:
            self._org_cache.clear()
            self._hooks_cache.clear()

    def hooks_for(self, enabled: Iterable[str]) -> OrgHooks:
        """Callers for exactly this set of enabled plugins (cached per set)."""
        if isinstance(enabled, frozenset):
            # The request path hands over enabled_for's frozenset, whose hash is computed once:
            # one dict lookup, whatever the number of plugins or organisations.
            hooks = self._hooks_cache.get(enabled)
            if hooks is not None:
                return hooks
        key = frozenset(enabled) & frozenset(self.infos)
        hooks = self._hooks_cache.get(key)
        if hooks is None:
            with self._lock:
                hooks = self._hooks_cache.get(key)
                if hooks is None:
                    hooks = OrgHooks(self.pm, key, self.trace)
                    self._hooks_cache[key] = hooks
        return hooks

    def all_hooks(self) -> OrgHooks:
        """Callers over every installed plugin (start-up, CLI, privacy)."""
        return self.hooks_for(self.infos)

    def enabled_for(self, db: Session, organisation: Organisation) -> frozenset[str]:
        """The plugins on for an organisation, cached on its ``plugins_version``.

        The organisation row is read on every request anyway, so a switch made by another worker
        (which bumps the version) is seen at the next request at no extra cost; the state rows
        are read only when the version moved.
        """
        cached = self._org_cache.get(organisation.id)
        if cached is not None and cached[0] == organisation.plugins_version:
            return cached[1]
        rows = db.scalars(
            select(PluginState.plugin).where(
                PluginState.organisation_id == organisation.id, PluginState.enabled.is_(True)
            )
        ).all()
        enabled = self.effective(set(rows))
        self._org_cache[organisation.id] = (organisation.plugins_version, enabled)
        return enabled

    def effective(self, switched_on: set[str]) -> frozenset[str]:
        """Drop plugins that are not installed or whose dependencies are off."""
        on = {name for name in switched_on if name in self.infos}
        changed = True
        while changed:
            changed = False
            for name in list(on):
                if any(dep not in on for dep in self.infos[name].enabled_dependencies):
                    on.discard(name)
                    changed = True
        return frozenset(on)

    def dependents_of(self, name: str, among: Iterable[str]) -> list[str]:
        return sorted(n for n in among if name in self.infos[n].enabled_dependencies)

    def call_each(
        self, hook_name: str, only: Iterable[str] | None = None, **kwargs: Any
    ) -> list[tuple[str, Any]]:
        """``collect`` over all plugins (or those in ``only``), raising on the first failure.

        (``only`` rather than ``enabled``: hook arguments such as ``enabled=`` pass through.)
        """
        hooks = self.all_hooks() if only is None else self.hooks_for(only)
        failures: list[PluginFailure] = []
        results = hooks.collect(hook_name, failures, **kwargs)
        if failures:
            raise RuntimeError(
                f"plugin {failures[0].plugin} failed in {hook_name}: {failures[0].error}"
            )
        return results


def enabled_organisation_ids(db: Session, plugin: str) -> list[int]:
    """Organisations that have ``plugin`` switched on (for cron jobs and platform views)."""
    return list(
        db.scalars(
            select(PluginState.organisation_id).where(
                PluginState.plugin == plugin, PluginState.enabled.is_(True)
            )
        )
    )
