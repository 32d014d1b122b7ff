"""CSRF: every state-changing route refuses a request without the token, or with the token of
another session, and writes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from core.db import Base
from core.routing import SAFE_METHODS

PARAM = re.compile(r"{(\w+)(?::\w+)?}")


def _row_counts(declic):
    with declic.db() as db:
        return {
            t.name: db.scalar(select(func.count()).select_from(t))
            for t in Base.metadata.sorted_tables
        }


def _post_routes(declic):
    defs = declic.app.state.declic.extra["route_defs"]
    return [d for d in defs if any(m not in SAFE_METHODS for m in d.methods) and d.access.csrf]


@pytest.fixture
def setup(declic):
    org = declic.org("assoc")
    root = declic.user(org, "admin", login="root", is_platform_admin=True, password="root password")
    # Every installed plugin on, so their routes reach the CSRF check (off, they answer 404).
    for plugin in declic.state.host.names:
        declic.enable(org, plugin)
    course = declic.course(org, sections=2)
    learner = declic.user(org, "learner", password="learner password")
    declic.enrol(course, learner)
    ids = {
        "org": "assoc",
        "course_id": course.id,
        "section_id": 1,
        "group_id": 1,
        "enrolment_id": 1,
        "membership_id": 2,
        "code_id": 1,
        "session_id": 1,
    }
    return root, ids


def _fill(path, ids):
    return PARAM.sub(lambda m: str(ids.get(m.group(1), 1)), path)


def test_the_route_table_has_state_changing_routes(declic):
    # If this ever drops, the walk below proves nothing.
    names = {d.name for d in _post_routes(declic)}
    assert {
        "core.login",
        "core.member_add",
        "core.course_delete",
        "core.branding",
        "core.enrol",
    } <= names


def test_every_unsafe_route_without_token_is_refused_and_writes_nothing(declic, setup):
    root, ids = setup
    client = declic.client(root)
    before = _row_counts(declic)
    for route in _post_routes(declic):
        url = _fill(route.path, ids)
        for method in (m for m in route.methods if m not in SAFE_METHODS):
            response = client.request(
                method, url, data={"title": "x", "name": "x", "direction": "up", "active": "0"}
            )
            assert response.status_code == 403, (route.name, url, response.status_code)
    assert _row_counts(declic) == before


def test_every_unsafe_route_with_another_sessions_token_is_refused(declic, setup):
    root, ids = setup
    client = declic.client(root)
    other = declic.client(root)  # same person, another session: its token is worth nothing here
    foreign = declic.csrf(other)
    assert foreign != declic.csrf(client)
    before = _row_counts(declic)
    for route in _post_routes(declic):
        url = _fill(route.path, ids)
        response = client.post(url, data={"csrf_token": foreign, "title": "x"})
        assert response.status_code == 403, (route.name, url)
        response = client.post(url, headers={"X-CSRF-Token": foreign}, data={"title": "x"})
        assert response.status_code == 403, (route.name, url)
    assert _row_counts(declic) == before


def test_the_right_token_passes_in_the_form_and_in_the_htmx_header(declic, setup):
    root, _ids = setup
    client = declic.client(root)
    token = declic.csrf(client)
    assert (
        client.post(
            "/o/assoc/admin/courses/new", data={"csrf_token": token, "title": "A"}
        ).status_code
        == 303
    )
    assert (
        client.post(
            "/o/assoc/admin/courses/new", headers={"X-CSRF-Token": token}, data={"title": "B"}
        ).status_code
        == 303
    )


def test_the_refusal_is_a_plain_page(declic, setup):
    root, _ids = setup
    response = declic.client(root).post("/o/assoc/admin/courses/new", data={"title": "A"})
    assert response.status_code == 403
    assert "<h1" in response.text
