"""Tenant isolation, proven on every route of core and of every installed plugin.

Organisation A holds demo data and every plugin's sample data (its names and private fields
carry markers); each role of organisation B, and a visitor, requests every route with A's object
ids in the path and the organisation of the URL being B's and A's. The probe (in
``core.security_probe``) finds the ids by the parameters' names, so a new route is probed without
editing anything here."""

from __future__ import annotations

import re

import pytest

from core.security_probe import (
    MARK,
    PRIVATE,
    ProbeError,
    World,
    a_column_values,
    fill_route,
    probe_routes,
)
from core.testing import Kit


def _a_certificate_and_import(world: World) -> dict[str, list[str]]:
    """Things of A that live where the probe cannot scan: an import token (a file) is made by
    A's admin through the page; a certificate is issued to A's learner when the plugin is
    installed. Returns the values of the path parameters that name them."""
    kit = world.kit
    admin = kit.client(world.users_a["admin"])
    extra: dict[str, list[str]] = {}
    course = world.course_a.id
    slug = world.org_a.slug
    csv = f"login;name;email\nimported{MARK};Someone {MARK};{PRIVATE}x@example.org\n"
    answer = kit.post(
        admin,
        f"/o/{slug}/admin/courses/{course}/import",
        files={"file": ("people.csv", csv.encode(), "text/csv")},
    )
    assert answer.status_code == 303, answer.text[:500]
    token = re.search(r"/import/([A-Za-z0-9_-]+)", answer.headers["location"])
    assert token
    extra["token"] = [token.group(1)]
    if "certification" in kit.state.host.names:
        learner = world.users_a["learner"].id
        answer = kit.post(
            admin,
            f"/o/{slug}/certification/courses/{course}/learners/{learner}/issue",
            {"what": "course"},
        )
        assert answer.status_code == 303, answer.text[:300]
    return extra


def test_every_route_refuses_organisation_b_the_objects_of_a(world: World, declic: Kit) -> None:
    assert not world.sample_failures, world.sample_failures
    _a_has_marked_data_in_every_plugin(world)
    extra = _a_certificate_and_import(world)
    routes = declic.state.extra["route_defs"]
    report = probe_routes(world, routes, extra)
    print(
        f"\nisolation probe: {len(routes)} routes, {len(report.routes)} route-methods, "
        f"{report.requests} requests"
    )
    assert len(report.routes) >= len(routes)
    assert not report.failures, "\n".join(report.failures[:60])
    # Outside the route table: the health check answers anyone, and says nothing of A.
    health = declic.client().get("/healthz")
    assert health.status_code == 200 and MARK not in health.text and PRIVATE not in health.text


def test_the_probe_sees_a_route_that_leaks(world: World, declic: Kit) -> None:
    """The probe is not blind: a view that loads an object without the organisation filter is
    reported (a route added to the table exactly as a new plugin's would be)."""
    from starlette.responses import HTMLResponse

    from core.contracts import SIGNED_IN
    from core.models import Course
    from core.routing import RouteDef

    def leaky(ctx, course_id: str) -> HTMLResponse:  # type: ignore[no-untyped-def]
        course = ctx.db.get(Course, int(course_id))  # no organisation filter: the bug
        return HTMLResponse(course.title if course else "none")

    route = RouteDef("/o/{org}/leaky/{course_id}", leaky, ("GET",), SIGNED_IN, "t.leaky")
    declic.app.router.routes.insert(0, __import__("core.routing").routing.build_route(route))
    report = probe_routes(world, [route])
    assert any("for A's object" in f for f in report.failures), report.failures
    assert any("shows A's data" in f for f in report.failures), report.failures


def test_a_parameter_the_probe_cannot_fill_is_a_clear_failure(declic: Kit) -> None:
    from core.contracts import SIGNED_IN
    from core.routing import RouteDef

    # A bare world is enough: nothing of A can fit a parameter named {gizmo}.
    org_a, org_b = declic.org("bare-a"), declic.org("bare-b")
    people = {role: declic.user(org_a, role) for role in ("learner", "trainer", "admin")}
    world = World(declic, org_a, org_b, people, {}, declic.course(org_a), declic.course(org_b))
    route = RouteDef("/o/{org}/x/{gizmo}", lambda ctx, gizmo: None, ("GET",), SIGNED_IN, "t.x")
    with world.kit.db() as db, pytest.raises(ProbeError, match="gizmo"):
        fill_route(db, world, route, [], {})


def _a_has_marked_data_in_every_plugin(world: World) -> None:
    """The markers the probe looks for are really in A's names (else it could not see a leak)."""
    with world.kit.db() as db:
        titles = a_column_values(db, world, "title") + a_column_values(db, world, "name")
        emails = a_column_values(db, world, "email")
    assert sum(MARK in str(t) for t in titles) > 10
    assert any(PRIVATE in str(e) for e in emails)
    assert set(world.sample_ids) == set(world.kit.state.host.names)
