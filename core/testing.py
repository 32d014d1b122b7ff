"""The test kit: a pytest plugin (registered through the ``pytest11`` entry point) that core, the
built-in plugins and third-party plugins all use.

Fixtures:

- ``declic_app``: a fresh application on a migrated database (SQLite by default; PostgreSQL when
  ``DECLIC_TEST_BACKEND=postgres`` and ``DECLIC_TEST_POSTGRES_URL`` are set), emptied before each
  test.
- ``declic``: a :class:`Kit` with helpers: ``org()``, ``user()``, ``course()``, ``enrol()``,
  ``client()``, ``login(client, user)``, ``enable(org, plugin)``, ``disable(org, plugin)``,
  ``db()``.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from core.auth import SESSION_COOKIE, csrf_token_for, hash_password, session_binding, start_session
from core.db import Base, make_engine
from core.models import Course, Enrolment, Membership, Organisation, Section, User
from core.plugins import PluginHost
from core.settings import Settings, load_settings

TEST_SECRET = "test-secret-key-not-for-production"


def backend() -> str:
    return os.environ.get("DECLIC_TEST_BACKEND", "sqlite")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def postgres_url_for(schema: str) -> str:
    base = os.environ["DECLIC_TEST_POSTGRES_URL"]
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


@contextmanager
def postgres_schema(name: str) -> Iterator[str]:
    """A fresh schema for one test process, dropped afterwards."""
    admin = make_engine(os.environ["DECLIC_TEST_POSTGRES_URL"])
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    try:
        yield postgres_url_for(name)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


def make_host() -> PluginHost:
    host = PluginHost()
    host.load_entry_points()
    return host


@pytest.fixture(scope="session")
def declic_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database for this test process (one per xdist worker)."""
    from core.migrate import upgrade

    if backend() == "postgres":
        if not os.environ.get("DECLIC_TEST_POSTGRES_URL"):
            pytest.skip("DECLIC_TEST_POSTGRES_URL is not set")
        schema = f"declic_test_{_worker()}_{secrets.token_hex(3)}"
        with postgres_schema(schema) as url:
            engine = make_engine(url)
            upgrade(engine, make_host())
            engine.dispose()
            yield url
        return
    folder = tmp_path_factory.mktemp("db")
    url = f"sqlite:///{folder / 'test.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine, make_host())
    engine.dispose()
    yield url


def empty_database(engine: Engine) -> None:
    tables = [t for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def declic_settings(declic_database: str, tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "data", database_url=declic_database, secret_key=TEST_SECRET)


@pytest.fixture
def declic_app(declic_settings: Settings) -> Iterator[Starlette]:
    from core.app import create_app

    app = create_app(declic_settings, make_host())
    empty_database(app.state.declic.write_engine)
    yield app
    app.state.declic.dispose()


class Kit:
    """Helpers to build data and sign in, for tests of core and of any plugin."""

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self.state = app.state.declic
        self._counter = 0

    # --- data -------------------------------------------------------------------------------

    @contextmanager
    def db(self) -> Iterator[Session]:
        """A session that commits at the end of the ``with`` block."""
        session = self.state.write_db()
        try:
            yield session
            session.commit()
        finally:
            session.close()

    def _next(self) -> int:
        self._counter += 1
        return self._counter

    def org(self, slug: str | None = None, name: str | None = None, **fields: Any) -> Organisation:
        slug = slug or f"org{self._next()}"
        with self.db() as db:
            org = Organisation(slug=slug, name=name or slug.upper(), **fields)
            db.add(org)
        return org

    def user(
        self,
        org: Organisation | None = None,
        role: str = "learner",
        login: str | None = None,
        password: str | None = None,
        **fields: Any,
    ) -> User:
        login = login or f"{role}{self._next()}"
        with self.db() as db:
            user = User(
                login=login,
                display_name=fields.pop("display_name", login.title()),
                password_hash=hash_password(password) if password else None,
                **fields,
            )
            db.add(user)
            db.flush()
            if org is not None:
                db.add(Membership(user_id=user.id, organisation_id=org.id, role=role))
        return user

    def course(self, org: Organisation, title: str = "Clic'Emploi", sections: int = 0) -> Course:
        with self.db() as db:
            course = Course(organisation_id=org.id, title=title, summary="")
            db.add(course)
            db.flush()
            for i in range(sections):
                db.add(
                    Section(
                        organisation_id=org.id, course_id=course.id, title=f"Workshop {i + 1}", position=i
                    )
                )
        return course

    def enrol(self, course: Course, user: User, role: str = "learner") -> Enrolment:
        with self.db() as db:
            enrolment = Enrolment(
                organisation_id=course.organisation_id, course_id=course.id, user_id=user.id, role=role
            )
            db.add(enrolment)
        return enrolment

    def enable(self, org: Organisation, plugin: str) -> None:
        from core.plugin_switches import switch_plugin

        with self.db() as db:
            switch_plugin(db, self.state.host, db.get(Organisation, org.id), plugin, True, actor=None, cascade=True)

    def disable(self, org: Organisation, plugin: str) -> None:
        from core.plugin_switches import switch_plugin

        with self.db() as db:
            switch_plugin(db, self.state.host, db.get(Organisation, org.id), plugin, False, actor=None, cascade=True)

    def reload(self, model: type, object_id: int) -> Any:
        with self.db() as db:
            return db.get(model, object_id)

    def count(self, model: type, **where: Any) -> int:
        with self.db() as db:
            stmt = select(model)
            for key, value in where.items():
                stmt = stmt.where(getattr(model, key) == value)
            return len(db.scalars(stmt).all())

    # --- clients ----------------------------------------------------------------------------

    def client(self, user: User | None = None) -> TestClient:
        client = TestClient(self.app, base_url="http://testserver", follow_redirects=False)
        if user is not None:
            self.login(client, user)
        return client

    def login(self, client: TestClient, user: User) -> str:
        """Sign ``client`` in as ``user`` without the form (fast); returns the session token."""
        with self.db() as db:
            token = start_session(db, db.get(User, user.id))
        client.cookies.set(SESSION_COOKIE, token)
        return token

    def csrf(self, client: TestClient) -> str:
        """The CSRF token that ``client``'s forms carry right now."""
        token = client.cookies.get(SESSION_COOKIE)
        if token:
            return csrf_token_for(self.state.settings.secret_key, session_binding(token))
        anon = client.cookies.get("declic_anon")
        if not anon:
            client.get("/login")
            anon = client.cookies.get("declic_anon")
        return csrf_token_for(self.state.settings.secret_key, "a:" + str(anon))

    def post(self, client: TestClient, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """POST a form with its CSRF token, as the page would."""
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf(client))
        return client.post(url, data=payload, **kwargs)


@pytest.fixture
def declic(declic_app: Starlette) -> Kit:
    return Kit(declic_app)


def form_token(html: str) -> str:
    """The CSRF token written in a page (to test the real form round-trip)."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field in the page"
    return match.group(1)


# --- for plugin authors: the contract check, and throwaway plugins -----------------------------


def assert_plugin_contract(app_or_kit: Any, name: str) -> None:
    """Fail the test with every problem ``declic plugins check NAME`` would report."""
    from core.contract import check_plugin

    problems = check_plugin(app_or_kit, name)
    assert not problems, f"plugin {name} breaks the contract:\n" + "\n".join(f"  - {p}" for p in problems)


@contextmanager
def registered_plugin(host: PluginHost, plugin: object, name: str) -> Iterator[object]:
    """Register ``plugin`` under ``name`` for the ``with`` block, then unregister it.

    For per-request hooks (menus, widgets, events). Routes, templates and capabilities are read
    when the application is built: use :func:`app_with_plugins` for those.
    """
    host.register(plugin, name)
    try:
        yield plugin
    finally:
        host.unregister(name)


@pytest.fixture
def declic_register(declic: Kit) -> Iterator[Any]:
    """``declic_register(plugin, "name")`` registers a throwaway plugin on the test app's host
    until the end of the test."""
    names: list[str] = []

    def register(plugin: object, name: str) -> object:
        declic.state.host.register(plugin, name)
        names.append(name)
        return plugin

    yield register
    for name in reversed(names):
        declic.state.host.unregister(name)


@contextmanager
def app_with_plugins(settings: Settings, plugins: dict[str, object]) -> Iterator[Kit]:
    """A second application on the same test database with extra plugin objects registered
    (their routes, templates and capabilities included); yields its Kit."""
    from core.app import create_app

    host = make_host()
    for name, plugin in plugins.items():
        host.register(plugin, name, check=False)
    host.check()
    app = create_app(settings, host)
    try:
        yield Kit(app)
    finally:
        app.state.declic.dispose()
