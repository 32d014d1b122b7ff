"""The plugin contract check: what every Déclic plugin must hold to, tested from the outside.

``check_plugin(app, name)`` runs against a running application (the test kit's, or a throwaway
one built by ``declic plugins check NAME``) and returns the problems it found, each naming the
check, the route or hook at fault, and what was seen. It never raises for a plugin's fault.

The checks:

- metadata: ``declic_plugin_info`` complete (name, version, description), ``requires_core``
  satisfied by this core, dependencies installed;
- hooks: every implementation matches a documented hookspec;
- schema: a plugin that maps tables has a migrations folder whose revisions create them as the
  models describe them;
- templates: everything under ``NAME/`` in the plugin's template folder;
- switching: with the plugin off, every route answers 404 and no link into the plugin is left
  on the organisation's home pages; with it on, its pages do not fail;
- privacy: metadata declared; with data made by ``declic_contract_sample_data``, export returns
  something, delete leaves nothing of the user (export empty, no row that points at the user);
- isolation: a member of another organisation gets 403/404 for the object made for the first.

Organisations and accounts it creates are named ``contract-...`` and removed at the end.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version
from sqlalchemy import Table, delete, inspect, select
from sqlalchemy.orm import Session

import core
from core.db import Base
from core.models import Course, Enrolment, Membership, Organisation, Section, User

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from core.state import AppState

log = logging.getLogger("declic.contract")

PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::[a-z]+)?}")
HREF = re.compile(r'(?:href|action|hx-get|hx-post)="([^"]+)"')


@dataclass(frozen=True)
class Problem:
    """One thing the plugin does not hold to: which check, and what was seen."""

    check: str
    message: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.message}"


# --- static checks (no database) --------------------------------------------------------------


def plugin_package(plugin: object) -> str:
    """The import name of the package a plugin object comes from (``plugins.quiz``)."""
    module = getattr(plugin, "__name__", None) if hasattr(plugin, "__file__") else None
    if module is None:
        module = type(plugin).__module__
    if hasattr(plugin, "__path__"):
        return str(module)
    return str(module).rpartition(".")[0] or str(module)


def plugin_tables(plugin: object) -> list[Table]:
    """Tables mapped by classes defined in the plugin's package."""
    package = plugin_package(plugin)
    tables: list[Table] = []
    for mapper in Base.registry.mappers:
        owner = mapper.class_.__module__
        if (owner == package or owner.startswith(package + ".")) and isinstance(
            mapper.local_table, Table
        ):
            tables.append(mapper.local_table)
    return tables


def check_metadata(state: AppState, name: str) -> list[Problem]:
    host = state.host
    info = host.infos.get(name)
    if info is None:
        return [
            Problem(
                "metadata",
                f"{name} is not installed (no entry point in 'declic.plugins', or denied by "
                "DECLIC_PLUGINS)",
            )
        ]
    problems: list[Problem] = []
    if info.name != name:
        problems.append(
            Problem(
                "metadata", f"declic_plugin_info says name={info.name!r}, entry point is {name!r}"
            )
        )
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,30}", name):
        problems.append(
            Problem(
                "metadata",
                f"name {name!r}: use 2-31 lower-case letters, digits or _ (it is a URL part and "
                "a table prefix)",
            )
        )
    try:
        Version(info.version)
    except InvalidVersion:
        problems.append(Problem("metadata", f"version {info.version!r} is not a PEP 440 version"))
    if not str(info.description).strip():
        problems.append(Problem("metadata", "description is empty"))
    try:
        if core.__version__ not in SpecifierSet(info.requires_core):
            problems.append(
                Problem(
                    "metadata",
                    f"requires_core {info.requires_core!r} excludes this core ({core.__version__})",
                )
            )
    except InvalidSpecifier:
        problems.append(
            Problem("metadata", f"requires_core {info.requires_core!r} is not a PEP 440 specifier")
        )
    for dep in info.depends:
        if dep not in host.infos:
            problems.append(Problem("metadata", f"depends on {dep!r}, which is not installed"))
    return problems


def check_hooks(state: AppState, name: str) -> list[Problem]:
    pm = state.host.pm
    plugin = pm.get_plugin(name)
    problems: list[Problem] = []
    for caller in pm.get_hookcallers(plugin) or []:
        if caller.spec is None:
            problems.append(
                Problem(
                    "hooks",
                    f"{caller.name}: no such hookspec (misspelled, or its plugin is not installed)",
                )
            )
        elif not (caller.spec.function.__doc__ or "").strip():
            problems.append(Problem("hooks", f"{caller.name}: its hookspec has no docstring"))
    return problems


def _one(state: AppState, name: str, hook: str) -> tuple[bool, Any]:
    """(implemented, result) of one plugin's implementation of a no-argument hook."""
    for plugin_name, result in state.host.hooks_for([name]).collect(hook):
        if plugin_name == name:
            return True, result
    implemented = any(
        i.plugin_name == name for i in getattr(state.host.pm.hook, hook).get_hookimpls()
    )
    return implemented, None


def _table_of(diff: Any) -> str | None:
    """The table an Alembic autogenerate difference is about."""
    if isinstance(diff, list):  # modify_* entries come as a list of tuples
        return str(diff[0][2]) if diff and len(diff[0]) > 2 else None
    kind, target = diff[0], diff[1]
    if kind in ("add_table", "remove_table"):
        return str(target.name)
    if kind in ("add_column", "remove_column"):
        return str(diff[2])
    if kind in ("add_fk", "remove_fk"):
        return str(target.parent.name)
    table = getattr(target, "table", None)
    return str(table.name) if table is not None else None


def schema_drift(state: AppState, tables: set[str]) -> list[Problem]:
    """Differences between the plugin's models and what its migrations built."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    if not tables:
        return []
    with state.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    problems = []
    for diff in differences:
        table = _table_of(diff)
        if table in tables:
            what = diff[0][0] if isinstance(diff, list) else diff[0]
            problems.append(
                Problem(
                    "schema",
                    f"models and migrations disagree on {table} ({what}): write a revision with "
                    "`declic revision -m ... --branch NAME`",
                )
            )
    return problems


def check_files(state: AppState, name: str) -> list[Problem]:
    problems: list[Problem] = []
    plugin = state.host.pm.get_plugin(name)
    tables = plugin_tables(plugin)
    _has, folder = _one(state, name, "declic_migrations_dir")
    if tables:
        revisions = list(Path(folder).glob("*.py")) if folder else []
        if not folder or not Path(folder).is_dir() or not revisions:
            problems.append(
                Problem(
                    "schema",
                    f"maps tables {', '.join(t.name for t in tables)} but declic_migrations_dir "
                    "gives no folder of revisions",
                )
            )
        else:
            existing = set(inspect(state.engine).get_table_names())
            for table in tables:
                if table.name not in existing:
                    problems.append(
                        Problem(
                            "schema",
                            f"table {table.name} is mapped but no migration created it (run "
                            "`declic init` after adding the revision)",
                        )
                    )
            problems += schema_drift(state, {t.name for t in tables} & existing)
            labels = "\n".join(p.read_text(encoding="utf-8") for p in revisions)
            if f'"{name}"' not in labels and f"'{name}'" not in labels:
                problems.append(
                    Problem(
                        "schema", f"no revision in {folder} carries branch_labels = ({name!r},)"
                    )
                )
        for table in tables:
            if not table.name.startswith(name):
                problems.append(
                    Problem(
                        "schema",
                        f"table {table.name}: prefix plugin tables with {name}_ so names never "
                        "collide",
                    )
                )
    _has, templates = _one(state, name, "declic_template_dir")
    if templates and Path(templates).is_dir():
        for entry in sorted(Path(templates).iterdir()):
            if entry.name != name and not entry.name.startswith("."):
                problems.append(
                    Problem(
                        "templates",
                        f"{entry.name} in {templates}: templates go under {name}/ (namespaced)",
                    )
                )
    has_meta, meta = _one(state, name, "declic_privacy_metadata")
    if not has_meta:
        problems.append(
            Problem(
                "privacy",
                "declic_privacy_metadata is not implemented (return [] when nothing personal is "
                "stored)",
            )
        )
    elif meta is not None and not isinstance(meta, list):
        problems.append(
            Problem(
                "privacy", f"declic_privacy_metadata returned {type(meta).__name__}, not a list"
            )
        )
    user_columns = [
        f"{t.name}.{c.name}"
        for t in tables
        for c in t.columns
        if any(fk.column.table.name == "user_account" for fk in c.foreign_keys)
    ]
    if user_columns and has_meta and not meta:
        problems.append(
            Problem(
                "privacy",
                f"stores {', '.join(user_columns)} but declic_privacy_metadata declares nothing",
            )
        )
    if user_columns:
        for hook in (
            "declic_privacy_export",
            "declic_privacy_delete",
            "declic_contract_sample_data",
        ):
            if not any(
                i.plugin_name == name for i in getattr(state.host.pm.hook, hook).get_hookimpls()
            ):
                problems.append(
                    Problem(
                        "privacy", f"stores {', '.join(user_columns)} but does not implement {hook}"
                    )
                )
    return problems


# --- live checks (through HTTP, on the application) ------------------------------------------


def plugin_route_defs(state: AppState, name: str) -> list[Any]:
    """The plugin's organisation routes (its platform pages, under /admin/p/, are not switched
    per organisation)."""
    return [
        d
        for d in state.extra.get("route_defs", [])
        if d.plugin == name and d.path.startswith("/o/{org}/")
    ]


def fill(path: str, value: int) -> str:
    return PARAM.sub(str(value), path)


class Visitor:
    """Requests to the application as given users, through Starlette's test client."""

    def __init__(self, app: Starlette) -> None:
        from starlette.testclient import TestClient  # needs httpx (the dev extras)

        self._client_class = TestClient
        self.app = app
        self.state: AppState = app.state.declic

    def client(self, user: User) -> Any:
        from core.auth import (
            CSRF_HEADER,
            SESSION_COOKIE,
            csrf_token_for,
            session_binding,
            start_session,
        )

        # A server error is an answer to report (500), not an exception that ends the check.
        client = self._client_class(
            self.app,
            base_url="http://testserver",
            follow_redirects=False,
            raise_server_exceptions=False,
        )
        with self.session() as db:
            token = start_session(db, db.get_one(User, user.id))
        client.cookies.set(SESSION_COOKIE, token)
        # The token a page's forms carry, sent as htmx does: a refusal is then the view's own.
        secret = self.state.settings.secret_key
        client.headers[CSRF_HEADER] = csrf_token_for(secret, session_binding(token))
        return client

    @contextmanager
    def session(self) -> Iterator[Session]:
        db = self.state.write_db()
        try:
            yield db
            db.commit()
        finally:
            db.close()


@dataclass
class Fixture:
    org_a: Organisation
    org_b: Organisation
    admin_a: User
    learner_a: User
    admin_b: User
    course_a: Course


def _make_fixture(visitor: Visitor, tag: str) -> Fixture:
    with visitor.session() as db:
        org_a = Organisation(slug=f"contract-{tag}-a", name="Contract A")
        org_b = Organisation(slug=f"contract-{tag}-b", name="Contract B")
        db.add_all([org_a, org_b])
        db.flush()
        users = {}
        for key, org, role in (
            ("admin_a", org_a, "admin"),
            ("learner_a", org_a, "learner"),
            ("admin_b", org_b, "admin"),
        ):
            user = User(login=f"contract-{tag}-{key}", display_name=f"Contract {key}")
            db.add(user)
            db.flush()
            db.add(Membership(user_id=user.id, organisation_id=org.id, role=role))
            users[key] = user
        course = Course(organisation_id=org_a.id, title="Contract course", summary="")
        db.add(course)
        db.flush()
        db.add(
            Section(
                organisation_id=org_a.id, course_id=course.id, title="Contract section", position=0
            )
        )
        db.add(
            Enrolment(
                organisation_id=org_a.id,
                course_id=course.id,
                user_id=users["learner_a"].id,
                role="learner",
            )
        )
    return Fixture(org_a, org_b, users["admin_a"], users["learner_a"], users["admin_b"], course)


def _remove_fixture(visitor: Visitor, fixture: Fixture) -> None:
    """Take away what the check made (a failure here is logged: the check's answer stands)."""
    users = [fixture.admin_a.id, fixture.learner_a.id, fixture.admin_b.id]
    try:
        with visitor.session() as db:
            for user_id in users:
                visitor.state.host.all_hooks().collect(
                    "declic_privacy_delete", db=db, user=db.get(User, user_id)
                )
            db.execute(
                delete(Organisation).where(
                    Organisation.id.in_([fixture.org_a.id, fixture.org_b.id])
                )
            )
            db.execute(delete(User).where(User.id.in_(users)))
    except Exception:
        log.exception("contract check: could not remove its organisations %s", fixture.org_a.slug)


def _switch(visitor: Visitor, org: Organisation, name: str, enabled: bool) -> None:
    from core.plugin_switches import switch_plugin

    with visitor.session() as db:
        switch_plugin(
            db,
            visitor.state.host,
            db.get_one(Organisation, org.id),
            name,
            enabled,
            None,
            cascade=True,
        )


def _links_into(html: str, prefix: str) -> set[str]:
    return {
        href.split("?")[0].split("#")[0] for href in HREF.findall(html) if href.startswith(prefix)
    }


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, dict):
        return all(_empty(v) for v in value.values())
    if isinstance(value, list | tuple | set | str):
        return len(value) == 0
    return False


def check_switching(
    visitor: Visitor, fx: Fixture, name: str, sample_id: int | None
) -> list[Problem]:
    problems: list[Problem] = []
    defs = plugin_route_defs(visitor.state, name)
    admin = visitor.client(fx.admin_a)
    learner = visitor.client(fx.learner_a)
    slug = fx.org_a.slug
    prefix = f"/o/{slug}/{name}/"
    value = sample_id if sample_id is not None else 1
    # With the plugin on: its pages work for the organisation's admin.
    for d in defs:
        if "GET" not in d.methods:
            continue
        url = fill(d.path.replace("{org}", slug), value)
        answer = admin.get(url)
        if answer.status_code >= 500:
            problems.append(
                Problem(
                    "routes",
                    f"GET {url} ({d.name}) answered {answer.status_code} with the plugin on",
                )
            )
        elif answer.status_code == 404 and not PARAM.search(d.path.replace("{org}", "")):
            problems.append(
                Problem("routes", f"GET {url} ({d.name}) answered 404 with the plugin on")
            )
    home = f"/o/{slug}/"
    links_before = _links_into(admin.get(home).text, prefix) | _links_into(
        learner.get(home).text, prefix
    )
    _switch(visitor, fx.org_a, name, False)
    try:
        for d in defs:
            url = fill(d.path.replace("{org}", slug), value)
            for method in d.methods:
                if method not in ("GET", "POST"):
                    continue
                answer = admin.request(method, url)
                if answer.status_code != 404:
                    problems.append(
                        Problem(
                            "switch-off",
                            f"{method} {url} ({d.name}) answered {answer.status_code}, not 404, "
                            "with the plugin off",
                        )
                    )
        for who, client in (("admin", admin), ("learner", learner)):
            page = client.get(home)
            if page.status_code >= 500:
                problems.append(
                    Problem(
                        "switch-off",
                        f"the {who} home page {home} answered {page.status_code} with the plugin "
                        "off",
                    )
                )
                continue
            left = _links_into(page.text, prefix)
            if left:
                problems.append(
                    Problem(
                        "switch-off",
                        f"the {who} home page still links to {', '.join(sorted(left))} with the "
                        "plugin off (menu item or widget not removed)",
                    )
                )
    finally:
        _switch(visitor, fx.org_a, name, True)
    if links_before:
        # Back on: what was there is there again.
        after = _links_into(admin.get(home).text, prefix) | _links_into(
            learner.get(home).text, prefix
        )
        if not links_before <= after:
            problems.append(
                Problem(
                    "switch-on",
                    f"links {', '.join(sorted(links_before - after))} did not come back when "
                    "switched on again",
                )
            )
    return problems


def check_isolation(
    visitor: Visitor, fx: Fixture, name: str, sample_id: int | None
) -> list[Problem]:
    if sample_id is None:
        return []
    problems: list[Problem] = []
    other = visitor.client(fx.admin_b)
    slug = fx.org_b.slug
    for d in plugin_route_defs(visitor.state, name):
        if not PARAM.search(d.path.replace("{org}", "")):
            continue
        url = fill(d.path.replace("{org}", slug), sample_id)
        if "GET" in d.methods:
            answer = other.get(url)
            if answer.status_code not in (403, 404):
                problems.append(
                    Problem(
                        "isolation",
                        f"GET {url} ({d.name}) as an admin of another organisation, with the id "
                        f"of an object of the first, answered {answer.status_code}, not 403/404",
                    )
                )
        if "POST" in d.methods:
            # An empty form: a view that loads the object first refuses it (403/404); one that
            # says "done" (2xx/3xx) acted on another organisation's object.
            answer = other.post(url, data={})
            if 200 <= answer.status_code < 400:
                problems.append(
                    Problem(
                        "isolation",
                        f"POST {url} ({d.name}) as an admin of another organisation, with the id "
                        f"of an object of the first, answered {answer.status_code}: it accepted "
                        "the object instead of 403/404",
                    )
                )
    return problems


def check_privacy(visitor: Visitor, fx: Fixture, name: str, has_sample: bool) -> list[Problem]:
    if not has_sample:
        return []
    problems: list[Problem] = []
    hooks = visitor.state.host.hooks_for([name])
    plugin = visitor.state.host.pm.get_plugin(name)
    user_id = fx.learner_a.id
    with visitor.session() as db:
        failures: list[Any] = []
        exported = hooks.collect(
            "declic_privacy_export", failures, db=db, user=db.get(User, user_id)
        )
        if failures:
            return [Problem("privacy", f"declic_privacy_export raised {failures[0].error}")]
        if _empty(dict(exported).get(name)):
            problems.append(
                Problem(
                    "privacy",
                    "declic_privacy_export returned nothing for a user that "
                    "declic_contract_sample_data gave data",
                )
            )
        hooks.collect("declic_privacy_delete", failures, db=db, user=db.get(User, user_id))
        if failures:
            return [
                *problems,
                Problem("privacy", f"declic_privacy_delete raised {failures[0].error}"),
            ]
        db.flush()
        again = dict(
            hooks.collect("declic_privacy_export", failures, db=db, user=db.get(User, user_id))
        )
        if not _empty(again.get(name)):
            problems.append(
                Problem(
                    "privacy",
                    "after declic_privacy_delete, declic_privacy_export still returns "
                    f"{again.get(name)!r}",
                )
            )
        for table in plugin_tables(plugin):
            for column in table.columns:
                if any(fk.column.table.name == "user_account" for fk in column.foreign_keys):
                    left = db.scalar(select(column).where(column == user_id).limit(1))
                    if left is not None:
                        problems.append(
                            Problem(
                                "privacy",
                                f"after declic_privacy_delete, {table.name}.{column.name} still "
                                "points at the user",
                            )
                        )
    return problems


def check_plugin(app_or_kit: Any, name: str) -> list[Problem]:
    """Every contract check for plugin ``name`` on a running application (or a test Kit)."""
    app = (
        app_or_kit
        if hasattr(app_or_kit, "state") and hasattr(app_or_kit.state, "declic")
        else app_or_kit.app
    )
    state: AppState = app.state.declic
    problems = check_metadata(state, name)
    if state.host.pm.get_plugin(name) is None:
        return problems
    problems += check_hooks(state, name)
    problems += check_files(state, name)
    visitor = Visitor(app)
    fx = _make_fixture(visitor, secrets.token_hex(3))
    try:
        _switch(visitor, fx.org_a, name, True)
        _switch(visitor, fx.org_b, name, True)
        has_sample = any(
            i.plugin_name == name
            for i in state.host.pm.hook.declic_contract_sample_data.get_hookimpls()
        )
        sample_id: int | None = None
        if has_sample:
            with visitor.session() as db:
                failures: list[Any] = []
                made = state.host.hooks_for([name]).collect(
                    "declic_contract_sample_data",
                    failures,
                    db=db,
                    organisation=db.get(Organisation, fx.org_a.id),
                    user=db.get(User, fx.learner_a.id),
                )
                if failures:
                    problems.append(
                        Problem(
                            "sample-data", f"declic_contract_sample_data raised {failures[0].error}"
                        )
                    )
                    has_sample = False
                sample_id = dict(made).get(name)
        problems += check_switching(visitor, fx, name, sample_id)
        problems += check_isolation(visitor, fx, name, sample_id)
        problems += check_privacy(visitor, fx, name, has_sample)
    finally:
        _remove_fixture(visitor, fx)
    return problems
