"""Every route of core and of every installed plugin declares its access rule, and every route
that changes state is protected against cross-site requests."""

from __future__ import annotations

from typing import Any

from core.contracts import Access
from core.routing import SAFE_METHODS
from core.testing import Kit

# Unsafe routes allowed without the CSRF token, each with the reason. Empty: even sign-in and
# the language switch carry the token (bound to the visitor's anonymous cookie).
CSRF_EXEMPT: dict[str, str] = {}


def route_problems(routes: list[Any], known: set[str] | None = None) -> list[str]:
    """What is wrong with the routes' rules; ``known``: the declared capabilities."""
    problems = []
    for route in routes:
        access = getattr(route, "access", None)
        where = f"{route.name} {route.methods} {route.path}"
        if not isinstance(access, Access):
            problems.append(f"{where}: no access rule (got {access!r})")
            continue
        if access.public and access.capability:
            problems.append(f"{where}: public and needing {access.capability}")
        if known is not None and access.capability and access.capability not in known:
            problems.append(f"{where}: capability {access.capability} is declared by nobody")
        unsafe = set(route.methods) - SAFE_METHODS
        if unsafe and not access.csrf and route.name not in CSRF_EXEMPT:
            problems.append(f"{where}: {sorted(unsafe)} without CSRF protection")
    return problems


def test_every_route_declares_its_access_and_csrf(declic: Kit) -> None:
    for org in (declic.org("rules-a"), declic.org("rules-b")):
        for plugin in declic.state.host.names:
            declic.enable(org, plugin)
    routes = declic.state.extra["route_defs"]
    plugins = {r.plugin for r in routes if r.plugin}
    print(f"\nroute rules: {len(routes)} routes checked, plugins {sorted(plugins)}")
    with_routes = {n for n, r in declic.state.host.call_each("declic_routes") if r}
    assert plugins >= with_routes, "a plugin's routes are missing from the route table"
    known = set(declic.state.capabilities.by_name)
    problems = route_problems(routes, known)
    assert not problems, "\n".join(problems)


def test_the_meta_test_catches_a_route_without_rule_or_csrf() -> None:
    from core.routing import RouteDef

    def view(ctx: Any) -> None:
        return None

    bad = [
        RouteDef("/x", view, ("POST",), None, "t.none"),  # type: ignore[arg-type]
        RouteDef("/y", view, ("POST",), Access(csrf=False), "t.nocsrf"),
        RouteDef("/z", view, ("GET",), Access(public=True, capability="x:y"), "t.both"),
        RouteDef("/w", view, ("GET",), Access(capability="nobody:declared"), "t.unknown"),
    ]
    problems = route_problems(bad, {"x:y"})
    assert len(problems) == 4, problems
    assert route_problems([RouteDef("/ok", view, ("POST",), Access(), "t.ok")]) == []


def test_the_csrf_flag_is_enforced_on_the_real_routes(declic: Kit) -> None:
    """The flag is not decoration: an unsafe request without the token is refused, with it the
    same request goes through."""
    org = declic.org("rules-c")
    admin = declic.user(org, "admin")
    client = declic.client(admin)
    refused = client.post(f"/o/{org.slug}/admin/courses/new", data={"title": "Sans jeton"})
    assert refused.status_code == 403
    accepted = declic.post(client, f"/o/{org.slug}/admin/courses/new", {"title": "Avec jeton"})
    assert accepted.status_code in (200, 303)
