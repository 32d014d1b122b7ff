"""Reusable cross-tenant probe material for core and plugin authors: two organisations A and B
with every plugin on and demo-like data in both (A's names carry a marker), which rows belong to
A, A's data as a snapshot, and row counts. Used by ``tests/security``; a plugin author can run
the same probe on their plugin (see docs/security.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Integer, String, Table, Text, event, func, select, update
from sqlalchemy.orm import Session

from core.auth import hash_password
from core.db import Base
from core.models import Course, Membership, Organisation, User
from core.testing import Kit

# Put in A's names and titles: B must never see it.
MARK = "Zqxmarka"
# Put in A's private fields (email addresses, notes, remarks, comments): nobody outside A sees
# it, not even the public pages of A (certificate verification shows a name, not these).
PRIVATE = "zqxpriva"

ROLES = ("learner", "trainer", "admin")
NAME_COLUMNS = {"name", "title", "display_name", "label", "summary", "description", "text"}
PRIVATE_COLUMNS = {"note", "notes", "remark", "remarks", "comment", "comments", "email"}


@dataclass
class World:
    kit: Kit
    org_a: Organisation
    org_b: Organisation
    users_a: dict[str, Any]
    users_b: dict[str, Any]
    course_a: Course
    course_b: Course
    sample_ids: dict[str, list[int]] = field(default_factory=dict)
    sample_failures: list[str] = field(default_factory=list)
    passwords: dict[str, str] = field(default_factory=dict)

    members_a: list[int] = field(default_factory=list)

    @property
    def a_user_ids(self) -> list[int]:
        """Every member of A (their accounts and sessions are A's data too)."""
        return self.members_a or [u.id for u in self.users_a.values()]


def org_tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if "organisation_id" in t.c]


def _a_rows_stmt(table: Table, world: World) -> Any:
    if "organisation_id" in table.c:
        return select(table).where(table.c.organisation_id == world.org_a.id)
    if "user_id" in table.c:
        return select(table).where(table.c.user_id.in_(world.a_user_ids))
    if table.name == User.__tablename__:
        return select(table).where(table.c.id.in_(world.a_user_ids))
    if table.name == Organisation.__tablename__:
        return select(table).where(table.c.id == world.org_a.id)
    return None


def snapshot_a(db: Session, world: World) -> dict[str, list[tuple[Any, ...]]]:
    """Every row that belongs to organisation A (or to its people), in a stable order."""
    snap: dict[str, list[tuple[Any, ...]]] = {}
    for table in Base.metadata.sorted_tables:
        stmt = _a_rows_stmt(table, world)
        if stmt is None:
            continue
        rows = db.execute(stmt).all()
        snap[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return snap


def row_counts(db: Session) -> dict[str, int]:
    return {
        t.name: int(db.scalar(select(func.count()).select_from(t)) or 0)
        for t in Base.metadata.sorted_tables
    }


def a_row_ids(db: Session, world: World) -> dict[str, list[int]]:
    """Ids of A's rows per table (tables with an integer ``id``)."""
    found: dict[str, list[int]] = {}
    for table in Base.metadata.sorted_tables:
        stmt = _a_rows_stmt(table, world)
        if stmt is None or "id" not in table.c or not isinstance(table.c.id.type, Integer):
            continue
        ids = db.scalars(
            select(table.c.id).where(table.c.id.in_(stmt.with_only_columns(table.c.id)))
        )
        found[table.name] = sorted(set(ids.all()))
    return found


def a_column_values(db: Session, world: World, column: str) -> list[Any]:
    """Values of a column named ``column`` in A's rows, whatever the table."""
    values: list[Any] = []
    for table in Base.metadata.sorted_tables:
        stmt = _a_rows_stmt(table, world)
        if stmt is None or column not in table.c:
            continue
        values += [v for v in db.scalars(stmt.with_only_columns(table.c[column])) if v is not None]
    return values


def rewrite_text(db: Session, world: World, make: Any) -> int:
    """Rewrite every name-like and private-like text column of A's rows with
    ``make(column_name, value, row_id)`` (None leaves the value); returns how many were set.
    Values longer than the column are skipped rather than cut (a cut marker proves nothing)."""
    changed = 0
    tables: list[Any] = [*org_tables(), User.__table__]
    for table in tables:
        stmt = _a_rows_stmt(table, world)
        if stmt is None or "id" not in table.c:
            continue
        for column in table.c:
            if not isinstance(column.type, String | Text) or column.primary_key:
                continue
            if column.name not in PRIVATE_COLUMNS | NAME_COLUMNS:
                continue
            length = getattr(column.type, "length", None)
            for row_id, value in db.execute(stmt.with_only_columns(table.c.id, column)).all():
                new = make(column.name, value, row_id)
                if new is None or (length and len(new) > length):
                    continue
                db.execute(update(table).where(table.c.id == row_id).values({column.name: new}))
                changed += 1
    return changed


def _marked(column: str, value: Any, row_id: int) -> str | None:
    if column == "email":
        return f"{PRIVATE}{row_id}@example.org"
    if value is None:
        return None
    return f"{value} {PRIVATE if column in PRIVATE_COLUMNS else MARK}"


def _mark_rows(db: Session, world: World) -> None:
    """Append the markers to A's names (MARK) and private fields (PRIVATE)."""
    rewrite_text(db, world, _marked)


def _role_users(db: Session, org_id: int) -> dict[str, User]:
    """The first member of each role of an organisation."""
    users: dict[str, User] = {}
    rows = db.execute(
        select(Membership.role, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id == org_id)
        .order_by(User.id)
    ).all()
    for role, user in rows:
        users.setdefault(role, user)
    return users


def build_world(kit: Kit) -> World:
    """Organisation A (the demo's first association, plus every plugin's sample data for one
    member of each role, its names and private fields marked) and B (the demo's second): the
    people of B probe A's data."""
    from core.demo import DEMO_ORGANISATIONS, PASSWORDS, seed_organisation

    host = kit.state.host
    hashes = {role: hash_password(word) for role, word in PASSWORDS.items()}
    with kit.db() as db:
        for spec in DEMO_ORGANISATIONS[:2]:
            seed_organisation(db, host, spec, hashes)
    with kit.db() as db:
        org_a, org_b = (
            db.scalars(select(Organisation).where(Organisation.slug == s.slug)).one()
            for s in DEMO_ORGANISATIONS[:2]
        )
        users_a = _role_users(db, org_a.id)
        users_b = _role_users(db, org_b.id)
        course_a = db.scalars(select(Course).where(Course.organisation_id == org_a.id)).first()
        course_b = db.scalars(select(Course).where(Course.organisation_id == org_b.id)).first()
        members_a = list(
            db.scalars(select(Membership.user_id).where(Membership.organisation_id == org_a.id))
        )
        db.expunge_all()
    assert course_a is not None and course_b is not None
    world = World(kit, org_a, org_b, users_a, users_b, course_a, course_b)
    world.passwords = dict(PASSWORDS)
    world.members_a = members_a
    for org, users in ((org_a, users_a), (org_b, users_b)):
        for role in ROLES:
            with kit.db() as db:
                organisation = db.get_one(Organisation, org.id)
                hooks = host.hooks_for(host.enabled_for(db, organisation))
                failures: list[Any] = []
                made = hooks.collect(
                    "declic_contract_sample_data",
                    failures,
                    db=db,
                    organisation=organisation,
                    user=db.get_one(User, users[role].id),
                )
                if org is org_a:
                    for plugin, object_id in made:
                        world.sample_ids.setdefault(plugin, []).append(object_id)
                    world.sample_failures += [f"{role}: {f.plugin}: {f.error}" for f in failures]
    with kit.db() as db:
        _mark_rows(db, world)
    return world


# --- the cross-tenant probe --------------------------------------------------------------------

PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::[a-z]+)?}")
REFUSALS = frozenset({400, 401, 403, 404, 409, 422})
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_CANDIDATES = 3
MAX_COMBINATIONS = 6
# Refusals may be written down: failed tries count towards rate limits, and the audit log
# records refused attempts. Every other table must stay as it was when B asks for A's objects.
BOOKKEEPING = frozenset({"login_attempt", "audit_event"})


class ProbeError(AssertionError):
    """A route the probe cannot fill: say which parameter, so a source can be added."""


@dataclass
class ProbeReport:
    requests: int = 0
    routes: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Filled:
    url: str
    from_a: bool  # a path parameter names one of A's objects
    org: str | None  # the organisation slug in the URL


def _tables_for(base: str, tables: list[str]) -> list[str]:
    """Tables a parameter ``BASE_id`` may name: ``BASE`` itself, or a table whose last word
    starts with BASE (``attempt_id`` → ``quiz_attempt``, ``cert_id`` →
    ``certification_certificate``, ``session_id`` → ``user_session`` and ``attendance_session``)."""
    return [t for t in tables if t == base or t.rsplit("_", 1)[-1].startswith(base)]


def _b_row_ids(db: Session, world: World, tables: list[str]) -> set[int]:
    ids: set[int] = set()
    for name in tables:
        table = Base.metadata.tables[name]
        if "organisation_id" in table.c and "id" in table.c:
            ids |= set(
                db.scalars(select(table.c.id).where(table.c.organisation_id == world.org_b.id))
            )
    return ids


def parameter_values(
    db: Session,
    world: World,
    name: str,
    plugin_tables_of_route: list[str],
    extra: dict[str, list[Any]],
) -> tuple[list[Any], bool]:
    """Values for one path parameter and whether they are A's objects. Raises ProbeError when
    nothing sensible can be found (the route then needs a value source in ``extra``)."""
    a_ids = a_row_ids(db, world)
    if name == "course_id":
        return [world.course_a.id], True
    if name in ("user_id", "member_id", "learner_id"):
        return [world.users_a["learner"].id], True
    if name.endswith("_id"):
        base = name[: -len("_id")]
        matching = _tables_for(base, list(a_ids))
        found = sorted({i for t in matching for i in a_ids[t]})
        if found:
            return found[:MAX_CANDIDATES], True
        # No row of A in a table of that name: every id of A's rows in the route's tables (or
        # all of A's tables), except those that are B's own objects of that kind.
        pool = plugin_tables_of_route or list(a_ids)
        theirs = _b_row_ids(db, world, matching or pool)
        found = sorted({i for t in pool for i in a_ids.get(t, [])} - theirs)
        if found:
            return found[:MAX_CANDIDATES], True
        raise ProbeError(f"no id of organisation A fits path parameter {{{name}}}")
    if name in extra:
        return list(extra[name])[:MAX_CANDIDATES], True
    values = a_column_values(db, world, name)
    if values:
        return sorted(set(values), key=str)[:MAX_CANDIDATES], True
    raise ProbeError(
        f"path parameter {{{name}}}: no column of that name in A's rows and no value given"
    )


def fill_route(
    db: Session, world: World, route: Any, plugin_names: list[str], extra: dict[str, list[Any]]
) -> list[Filled]:
    """Every URL to probe for one route: A's objects in its parameters, the organisation of the
    URL being B's and A's."""
    import itertools

    names = [n for n in PARAM.findall(route.path) if n != "org"]
    tables = [t.name for t in _route_tables(route.plugin)]
    choices: list[list[tuple[Any, bool]]] = []
    for name in names:
        if name == "plugin":
            choices.append([(p, False) for p in plugin_names[:1]])
            continue
        ids, from_a = parameter_values(db, world, name, tables, extra)
        if name == "course_id" and len(names) > 1:
            # The course of B with A's other objects: a view that checks only the course.
            choices.append([(v, from_a) for v in ids] + [(world.course_b.id, False)])
        else:
            choices.append([(v, from_a) for v in ids])
    combos = list(itertools.product(*choices))[:MAX_COMBINATIONS] if names else [()]
    slugs = [world.org_b.slug, world.org_a.slug] if "{org}" in route.path else [None]
    filled: list[Filled] = []
    for slug in slugs:
        for combo in combos:
            values: dict[str, Any] = dict(zip(names, combo, strict=True))
            if slug is not None:
                values["org"] = (slug, False)

            def sub(match: re.Match[str], values: dict[str, Any] = values) -> str:
                return str(values[match.group(1)][0])

            filled.append(Filled(PARAM.sub(sub, route.path), any(v[1] for v in combo), slug))
    return filled


def _route_tables(plugin: str | None) -> list[Table]:
    if plugin is None:
        return []
    from core.contract import plugin_tables

    from_registry = [t for t in org_tables() if t.name.startswith(plugin + "_") or t.name == plugin]
    return from_registry or plugin_tables(plugin)


def _is_refusal(status: int, location: str) -> bool:
    return status in REFUSALS or (status in (302, 303, 307) and location.startswith("/login"))


def _judge(
    report: ProbeReport, world: World, route: Any, target: Filled, answer: Any, where: str
) -> None:
    """A refusal for A's objects; never a server error; never A's data in the answer."""
    body = answer.content.decode("utf-8", "replace")
    location = answer.headers.get("location", "")
    public_of_a = route.access.public and target.org == world.org_a.slug
    if answer.status_code >= 500:
        report.failures.append(f"{where}: server error {answer.status_code}")
    elif target.from_a and not public_of_a and not _is_refusal(answer.status_code, location):
        report.failures.append(f"{where}: answered {answer.status_code} {location} for A's object")
    # A's public pages (certificate verification) may show a name, never private fields.
    if PRIVATE in body or (MARK in body and not public_of_a):
        report.failures.append(f"{where}: the answer shows A's data")


def probe_routes(
    world: World, routes: list[Any], extra: dict[str, list[Any]] | None = None
) -> ProbeReport:
    """Request every route as each role of B and as a visitor, with A's objects; see
    docs/security.md. Returns what was asked and what went wrong."""
    from starlette.testclient import TestClient

    from core.auth import CSRF_HEADER

    kit = world.kit
    extra = extra or {}
    report = ProbeReport()
    plugin_names = sorted(kit.state.host.names)

    def make_client(role: str | None) -> TestClient:
        client = TestClient(
            kit.app,
            base_url="http://testserver",
            follow_redirects=False,
            raise_server_exceptions=False,
        )
        if role is not None:
            kit.login(client, world.users_b[role])
        client.headers[CSRF_HEADER] = kit.csrf(client)
        return client

    requesters: dict[str | None, TestClient] = {r: make_client(r) for r in (*ROLES, None)}
    with kit.db() as db:
        filled = {(r.path, r.name): fill_route(db, world, r, plugin_names, extra) for r in routes}
        before_a = snapshot_a(db, world)
        counts = row_counts(db)
    writes: list[str] = []

    def watch(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            writes.append(statement)

    # Only a request that wrote something is followed by the (slower) comparison of A's rows
    # and of every table's row count.
    engines = {id(e): e for e in (kit.state.write_engine, kit.state.engine)}.values()
    for engine in engines:
        event.listen(engine, "before_cursor_execute", watch)
    try:
        for route in routes:
            for method in route.methods:
                if method == "HEAD":
                    continue
                for target in filled[(route.path, route.name)]:
                    for role in requesters:
                        writes.clear()
                        answer = requesters[role].request(method, target.url)
                        report.requests += 1
                        report.routes.add(f"{method} {route.path}")
                        where = f"{method} {target.url} as {role or 'visitor'} of B"
                        _judge(report, world, route, target, answer, where)
                        if not writes:
                            continue
                        with kit.db() as db:
                            after_a = snapshot_a(db, world)
                            changed = [t for t in after_a if after_a[t] != before_a[t]]
                            if changed:
                                report.failures.append(f"{where}: A's rows changed in {changed}")
                            now_counts = row_counts(db)
                            grew = [
                                t
                                for t in counts
                                if counts[t] != now_counts[t] and t not in BOOKKEEPING
                            ]
                            public_of_a = route.access.public and target.org == world.org_a.slug
                            if grew and target.from_a and not public_of_a:
                                report.failures.append(f"{where}: rows written in {grew}")
                            before_a = after_a
                            org_b = db.get_one(Organisation, world.org_b.id)
                            switched_off = set(plugin_names) - set(
                                kit.state.host.enabled_for(db, org_b)
                            )
                        # A sign-out or a plugin switched off must not blind the next requests.
                        requesters[role] = make_client(role)
                        for plugin in switched_off:
                            kit.enable(world.org_b, plugin)
                        with kit.db() as db:
                            counts = row_counts(db)
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", watch)
    return report
