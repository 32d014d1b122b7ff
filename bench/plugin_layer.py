"""How much the plugin layer costs: its share of a plugin page's time, and the per-organisation
lookup (``enabled_for`` + ``hooks_for``) with 1 and with 1,000 organisations.

Set-up: every installed plugin (the four built-in ones and the example) plus 20 dummy plugins,
all switched on for the organisation of the page, on a throwaway SQLite database. The page is
the example plugin's list (``/o/bench/joblinks/``) seen by a learner: core resolves the
organisation, its enabled set and its hook callers, and the layout asks every plugin for menu
items.

"Plugin layer" = time spent in ``PluginHost.enabled_for``, ``PluginHost.hooks_for``,
``OrgHooks`` attribute lookup and ``OrgHooks.collect``, minus the time spent inside the plugins'
own hook functions (that is the plugins' work, not the layer's).

Run: ``python -m bench plugin_layer`` (or ``make bench``). Writes bench/results/plugin_layer.json.
Not part of the test suite: timings depend on the machine.
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results" / "plugin_layer.json"
DUMMIES = 20
REQUESTS = 300
WARM_UP = 30
LOOKUPS = 20_000


def dummy_plugin(index: int) -> types.ModuleType:
    """A plugin that answers the per-page hooks cheaply, with one route of its own."""
    from starlette.responses import PlainTextResponse

    from core import hookimpl
    from core.contracts import MenuItem, PageRoute, PluginInfo

    name = f"dummy{index:02d}"
    module = types.ModuleType(f"bench_{name}")

    def page(ctx: Any) -> Any:
        return PlainTextResponse(name)

    hooks = {
        "declic_plugin_info": lambda: PluginInfo(name, "1.0", f"Bench dummy {index}"),
        "declic_menu_items": lambda ctx: [MenuItem(name, f"/{name}", order=200 + index)],
        "declic_dashboard_widgets": lambda ctx, audience: [],
        "declic_activity_types": lambda ctx: [],
        "declic_routes": lambda: [PageRoute("/", page, ("GET",), name="page")],
    }
    for hook_name, function in hooks.items():
        setattr(module, hook_name, hookimpl(function))
    return module


class LayerTimer:
    """Wraps the plugin layer's entry points and the hook functions to split the time."""

    def __init__(self) -> None:
        self.layer = 0.0
        self.inside = 0.0
        self._depth = 0
        self._restore: list[tuple[Any, str, Any]] = []

    def wrap_layer(self, owner: Any, attribute: str) -> None:
        original = getattr(owner, attribute)
        self._restore.append((owner, attribute, original))
        timer = self

        def timed(*args: Any, **kwargs: Any) -> Any:
            outermost = timer._depth == 0
            timer._depth += 1
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                timer._depth -= 1
                if outermost:
                    timer.layer += time.perf_counter() - start

        setattr(owner, attribute, timed)

    def wrap_impls(self, pm: Any) -> None:
        """Time every hook implementation (the plugins' own work)."""
        timer = self
        for caller in pm.hook.__dict__.values():
            if not hasattr(caller, "get_hookimpls"):
                continue
            for impl in caller.get_hookimpls():
                if getattr(impl.function, "_bench_wrapped", False):
                    continue
                inner: Callable[..., Any] = impl.function

                def timed(*args: Any, _inner: Callable[..., Any] = inner, **kwargs: Any) -> Any:
                    start = time.perf_counter()
                    try:
                        return _inner(*args, **kwargs)
                    finally:
                        timer.inside += time.perf_counter() - start

                timed._bench_wrapped = True  # type: ignore[attr-defined]
                self._restore.append((impl, "function", inner))
                impl.function = timed

    def restore(self) -> None:
        for owner, attribute, original in reversed(self._restore):
            setattr(owner, attribute, original)
        self._restore.clear()

    def reset(self) -> None:
        self.layer = self.inside = 0.0


@contextmanager
def bench_app(folder: Path) -> Iterator[tuple[Any, Any, list[str]]]:
    from core.app import create_app
    from core.db import make_engine
    from core.migrate import upgrade
    from core.plugins import PluginHost, PluginLoadError
    from core.settings import load_settings

    host = PluginHost()
    try:
        host.load_entry_points()
    except PluginLoadError as exc:  # a plugin under construction: measure without it, and say so
        print(f"note: {exc}; falling back to the example plugin only", file=sys.stderr)
        host = PluginHost(allow=("joblinks",))
        host.load_entry_points()
    real = list(host.names)
    for index in range(DUMMIES):
        host.register(dummy_plugin(index), f"dummy{index:02d}", check=False)
    host.check()
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine, host)
    engine.dispose()
    app = create_app(load_settings(data_dir=folder, database_url=url, secret_key="b" * 32), host)
    try:
        yield app, host, real
    finally:
        app.state.declic.dispose()


def measure_page(app: Any, host: Any) -> dict[str, Any]:
    from starlette.testclient import TestClient

    import core.plugins
    from core.auth import SESSION_COOKIE, start_session
    from core.models import Membership, Organisation, User
    from core.plugin_switches import switch_plugin

    state = app.state.declic
    with state.write_db() as db:
        org = Organisation(slug="bench", name="Bench")
        user = User(login="bench-learner", display_name="Learner")
        db.add_all([org, user])
        db.flush()
        db.add(Membership(user_id=user.id, organisation_id=org.id, role="learner"))
        for name in host.names:
            switch_plugin(db, host, org, name, True, None, cascade=True)
        token = start_session(db, user)
        db.commit()
    client = TestClient(app, base_url="http://testserver")
    client.cookies.set(SESSION_COOKIE, token)
    timer = LayerTimer()
    for attribute in ("enabled_for", "hooks_for"):
        timer.wrap_layer(core.plugins.PluginHost, attribute)
    timer.wrap_layer(core.plugins.OrgHooks, "collect")
    timer.wrap_layer(core.plugins.OrgHooks, "__getattr__")
    timer.wrap_impls(host.pm)
    for _ in range(WARM_UP):
        assert client.get("/o/bench/joblinks/").status_code == 200
    totals, layers, insides = [], [], []
    for _ in range(REQUESTS):
        timer.reset()
        start = time.perf_counter()
        answer = client.get("/o/bench/joblinks/")
        totals.append(time.perf_counter() - start)
        assert answer.status_code == 200
        layers.append(max(timer.layer - timer.inside, 0.0))
        insides.append(timer.inside)
    timer.restore()
    total = statistics.median(totals)
    layer = statistics.median(layers)
    return {
        "page": "/o/bench/joblinks/ (learner)",
        "requests": REQUESTS,
        "page_ms_median": round(total * 1000, 3),
        "layer_ms_median": round(layer * 1000, 4),
        "plugins_hook_work_ms_median": round(statistics.median(insides) * 1000, 4),
        "layer_share_percent": round(100 * layer / total, 2),
        "menu_items_on_page": answer.text.count('<li><a href="/dummy'),
    }


def measure_lookups(app: Any, host: Any, organisations: int) -> dict[str, Any]:
    """Median time of ``enabled_for`` + ``hooks_for`` (warm caches), lookups spread over every
    organisation, each with its own random set of enabled plugins."""
    from sqlalchemy import delete
    from sqlalchemy.orm.attributes import set_committed_value

    from core.models import Organisation, PluginState

    state = app.state.declic
    rng = random.Random(organisations)
    names = host.names
    with state.write_db() as db:
        db.execute(delete(PluginState))
        db.execute(delete(Organisation).where(Organisation.slug.like("lookup-%")))
        orgs = [
            Organisation(slug=f"lookup-{i}", name=f"Lookup {i}", plugins_version=1)
            for i in range(organisations)
        ]
        db.add_all(orgs)
        db.flush()
        sets = set()
        for org in orgs:
            chosen = rng.sample(names, k=rng.randint(1, len(names)))
            sets.add(frozenset(chosen))
            for name in chosen:
                db.add(PluginState(organisation_id=org.id, plugin=name, enabled=True))
        db.commit()
        for org in orgs:  # warm: one miss per organisation, as after a worker starts
            host.hooks_for(host.enabled_for(db, org))
        sample = [orgs[rng.randrange(len(orgs))] for _ in range(LOOKUPS)]
        timings = []
        for org in sample:
            start = time.perf_counter_ns()
            hooks = host.hooks_for(host.enabled_for(db, org))
            timings.append(time.perf_counter_ns() - start)
        assert hooks.enabled
        hot = []
        for _ in range(LOOKUPS):  # one organisation, the same 1,000 entries in the caches
            start = time.perf_counter_ns()
            host.hooks_for(host.enabled_for(db, orgs[0]))
            hot.append(time.perf_counter_ns() - start)
        cold = []
        for i in range(50):
            org = orgs[i % len(orgs)]
            # What a switch made by another worker looks like: the version read with the
            # organisation has moved (set without an UPDATE: only the lookup is timed).
            set_committed_value(org, "plugins_version", org.plugins_version + 1)
            start = time.perf_counter_ns()
            host.hooks_for(host.enabled_for(db, org))
            cold.append(time.perf_counter_ns() - start)
    return {
        "organisations": organisations,
        "distinct_enabled_sets": len(sets),
        "lookup_ns_median": int(statistics.median(timings)),
        "lookup_ns_p95": int(sorted(timings)[int(len(timings) * 0.95)]),
        "same_organisation_lookup_ns_median": int(statistics.median(hot)),
        "after_switch_ns_median": int(statistics.median(cold)),
    }


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "note": "shared machine; figures are medians",
    }


def main() -> int:
    with (
        tempfile.TemporaryDirectory(prefix="declic-bench-") as scratch,
        bench_app(Path(scratch)) as (app, host, real),
    ):
        page = measure_page(app, host)
        one = measure_lookups(app, host, 1)
        many = measure_lookups(app, host, 1000)
    result = {
        "plugins": {"installed": real, "dummies": DUMMIES, "total": len(real) + DUMMIES},
        "page": page,
        "lookup": [one, many],
        "machine": machine(),
    }
    print(f"Plugins: {', '.join(real)} + {DUMMIES} dummies = {len(real) + DUMMIES}, all on")
    print()
    print(f"{'plugin page':<38}{'median':>12}")
    print(f"{'  whole request':<38}{page['page_ms_median']:>9.3f} ms")
    print(f"{'  plugin layer (dispatch, caches)':<38}{page['layer_ms_median']:>9.4f} ms")
    print(f"{'  plugins own hook work':<38}{page['plugins_hook_work_ms_median']:>9.4f} ms")
    print(f"{'  layer share (goal < 5 %)':<38}{page['layer_share_percent']:>9.2f} %")
    print()
    header = f"{'organisations':<15}{'spread':>11}{'p95':>11}{'same org':>11}"
    print(f"{header}{'after a switch':>17}")
    for row in (one, many):
        print(
            f"{row['organisations']:<15}{row['lookup_ns_median']:>8} ns{row['lookup_ns_p95']:>8} ns"
            f"{row['same_organisation_lookup_ns_median']:>8} ns"
            f"{row['after_switch_ns_median']:>14} ns"
        )
    print("(spread: lookups over every organisation in random order; same org: one organisation)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwritten to {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
