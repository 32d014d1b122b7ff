"""The test kit: a pytest plugin (registered through the ``pytest11`` entry point) that core, the
built-in plugins and third-party plugins all use.

Fixtures:

- ``declic_app``: a fresh application on a migrated database (SQLite by default; PostgreSQL when
  ``DECLIC_TEST_BACKEND=postgres`` and ``DECLIC_TEST_POSTGRES_URL`` are set), emptied before each
  test.
- ``declic``: a :class:`Kit` with helpers: ``org()``, ``user()``, ``course()``, ``enrol()``,
  ``client()``, ``login(client, user)``, ``enable(org, plugin)``, ``disable(org, plugin)``,
  ``db()``.
- ``live_server``: the application served by uvicorn in a subprocess on a free port, on its own
  database, for browser tests (``live_server.url``, ``live_server.kit``).
- ``declic_browser`` (headless Chromium, one per test module), ``declic_page`` (a fresh context on
  ``live_server``) and ``declic_new_context`` (``declic_new_context(**options)`` makes as many
  contexts on ``live_server`` as a test needs, one per person signed in, closed after the test),
  with :func:`sign_in_through_the_page`. Without Chromium or Playwright they skip, or fail when
  ``DECLIC_REQUIRE_BROWSER=1``.
- ``declic_redis``: the Redis of ``DECLIC_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/0``)
  with a key prefix of the test's own, whose keys are deleted afterwards; and
  ``declic_redis_settings``, the test settings pointed at it (throttling counters in Redis).
  Without an answering Redis they skip, or fail when ``CI`` or ``DECLIC_REQUIRE_REDIS=1`` is set.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine, Select, create_engine, inspect, select, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool
from starlette.applications import Starlette
from starlette.testclient import TestClient

from core.auth import SESSION_COOKIE, csrf_token_for, hash_password, session_binding, start_session
from core.db import Base, make_engine
from core.models import Course, Enrolment, Membership, Organisation, Section, User
from core.plugins import PluginHost
from core.settings import Settings, load_settings

TEST_SECRET = "test-secret-key-not-for-production"  # noqa: S105 - tests only


def backend() -> str:
    return os.environ.get("DECLIC_TEST_BACKEND", "sqlite")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


# Test schemas are named ``declic_test_<label>_<pid>_<random>``: unique per process even when
# several test runs share one PostgreSQL, and recognisable so that a run killed before its
# clean-up can have its schemas dropped by the next run.
SCHEMA_PREFIX = "declic_test_"
_SCHEMA_RE = re.compile(r"^declic_test_[a-z0-9_]+?_(\d+)_[0-9a-f]{6}$")


def postgres_url_for(schema: str) -> str:
    base = os.environ["DECLIC_TEST_POSTGRES_URL"]
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


def unique_schema_name(label: str) -> str:
    clean = re.sub(r"[^a-z0-9_]", "_", label.lower())[:20]
    return f"{SCHEMA_PREFIX}{clean}_{os.getpid()}_{secrets.token_hex(3)}"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def drop_stale_schemas(admin: Engine) -> list[str]:
    """Drop the test schemas left by test processes that no longer run (killed runs)."""
    with admin.connect() as conn:
        names = conn.scalars(
            text("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'declic\\_test\\_%'")
        ).all()
    dropped = []
    for name in names:
        match = _SCHEMA_RE.match(name)
        if match and not _process_alive(int(match.group(1))):
            with admin.begin() as conn:
                conn.execute(text("SET LOCAL lock_timeout = '5s'"))
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
            dropped.append(name)
    return dropped


@contextmanager
def postgres_schema(name: str) -> Iterator[str]:
    """A fresh schema for one test process, dropped afterwards; yields a URL whose connections
    use it as their search path (so every table, Alembic's included, lands in it)."""
    admin = create_engine(os.environ["DECLIC_TEST_POSTGRES_URL"], poolclass=NullPool)
    try:
        drop_stale_schemas(admin)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
        try:
            yield postgres_url_for(name)
        finally:
            with admin.begin() as conn:
                # Never hang the end of a run on a connection someone forgot to close.
                conn.execute(text("SET LOCAL lock_timeout = '10s'"))
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    finally:
        admin.dispose()


def make_host() -> PluginHost:
    """Every installed plugin, minus what DECLIC_PLUGINS / DECLIC_PLUGINS_DENY leave out (as in
    production: a plugin author can run the suite with only their plugin loaded)."""
    from core.settings import _env_list

    host = PluginHost(_env_list("DECLIC_PLUGINS"), _env_list("DECLIC_PLUGINS_DENY") or ())
    host.load_entry_points()
    return host


@contextmanager
def blank_database(folder: Path, label: str) -> Iterator[str]:
    """A database with no table yet, for the test backend: a SQLite file in ``folder``, or a
    schema of its own on PostgreSQL (``DECLIC_TEST_BACKEND=postgres``), dropped afterwards."""
    if backend() == "postgres":
        if not os.environ.get("DECLIC_TEST_POSTGRES_URL"):
            raise RuntimeError("DECLIC_TEST_BACKEND=postgres needs DECLIC_TEST_POSTGRES_URL")
        with postgres_schema(unique_schema_name(label)) as url:
            yield url
        return
    yield f"sqlite:///{folder / f'{label}.sqlite3'}"


@contextmanager
def migrated_database(folder: Path, label: str) -> Iterator[str]:
    """A :func:`blank_database` migrated to the latest revision of core and every installed
    plugin."""
    from core.migrate import upgrade

    with blank_database(folder, label) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, make_host())
        finally:
            engine.dispose()
        yield url


@pytest.fixture(scope="session")
def declic_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database for this test process (one per xdist worker)."""
    if backend() == "postgres" and not os.environ.get("DECLIC_TEST_POSTGRES_URL"):
        pytest.fail("DECLIC_TEST_BACKEND=postgres is set but DECLIC_TEST_POSTGRES_URL is not")
    with migrated_database(tmp_path_factory.mktemp("db"), _worker()) as url:
        yield url


def empty_database(engine: Engine) -> None:
    # Only tables that exist: a plugin installed while this process runs (the scaffold test
    # installs one for a few seconds) adds its models to the metadata, not to this database.
    existing = set(inspect(engine).get_table_names())
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name in existing]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # TRUNCATE gives every table a new file (seconds for a few dozen tables, at every
            # test); deleting the few rows a test leaves takes milliseconds. Sequences restart at
            # 1, as SQLite's row ids do once a table is empty. One round trip for all of it.
            quote = conn.dialect.identifier_preparer.format_table
            # Table names come from our own metadata, quoted by the dialect.
            statements = [f"DELETE FROM {quote(table)}" for table in tables]  # noqa: S608
            statements.append(
                "SELECT setval(c.oid, 1, false) FROM pg_class c "
                "WHERE c.relkind = 'S' AND c.relnamespace = current_schema()::regnamespace"
            )
            conn.exec_driver_sql("; ".join(statements))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def declic_settings(declic_database: str, tmp_path: Path) -> Settings:
    return load_settings(
        data_dir=tmp_path / "data", database_url=declic_database, secret_key=TEST_SECRET
    )


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
                        organisation_id=org.id,
                        course_id=course.id,
                        title=f"Workshop {i + 1}",
                        position=i,
                    )
                )
        return course

    def enrol(self, course: Course, user: User, role: str = "learner") -> Enrolment:
        with self.db() as db:
            enrolment = Enrolment(
                organisation_id=course.organisation_id,
                course_id=course.id,
                user_id=user.id,
                role=role,
            )
            db.add(enrolment)
        return enrolment

    def enable(self, org: Organisation, plugin: str) -> None:
        from core.plugin_switches import switch_plugin

        with self.db() as db:
            switch_plugin(
                db,
                self.state.host,
                db.get_one(Organisation, org.id),
                plugin,
                True,
                actor=None,
                cascade=True,
            )

    def disable(self, org: Organisation, plugin: str) -> None:
        from core.plugin_switches import switch_plugin

        with self.db() as db:
            switch_plugin(
                db,
                self.state.host,
                db.get_one(Organisation, org.id),
                plugin,
                False,
                actor=None,
                cascade=True,
            )

    def reload(self, model: type, object_id: int) -> Any:
        with self.db() as db:
            return db.get(model, object_id)

    def count(self, model: type, **where: Any) -> int:
        with self.db() as db:
            stmt: Select[Any] = select(model)
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
            token = start_session(db, db.get_one(User, user.id))
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

    def post(
        self, client: TestClient, url: str, data: dict[str, Any] | None = None, **kwargs: Any
    ) -> Any:
        """POST a form with its CSRF token, as the page would."""
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf(client))
        return client.post(url, data=payload, **kwargs)


@pytest.fixture
def declic(declic_app: Starlette) -> Kit:
    return Kit(declic_app)


# --- Redis, for the Redis throttling store ---------------------------------------------------------

DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_test_url() -> str:
    return os.environ.get("DECLIC_TEST_REDIS_URL") or DEFAULT_TEST_REDIS_URL


def redis_required() -> bool:
    """CI must not go green with the Redis tests skipped; a laptop without Redis may skip them."""
    return os.environ.get("CI", "") not in ("", "0", "false") or os.environ.get(
        "DECLIC_REQUIRE_REDIS", ""
    ) not in ("", "0")


def no_redis(reason: str) -> NoReturn:
    if redis_required():
        pytest.fail(
            f"Redis is required here (CI or DECLIC_REQUIRE_REDIS=1) but {reason}", pytrace=False
        )
    pytest.skip(reason)


@dataclass
class TestRedis:
    """A Redis for one test: ``url``, a ``prefix`` no other test (or xdist worker) uses, and a
    ``client`` (answers decoded to ``str``) to look at what the platform wrote."""

    __test__ = False  # not a test class, whatever its name

    url: str
    prefix: str
    client: Any

    def keys(self) -> list[str]:
        """Every key under this test's prefix, sorted."""
        return sorted(self.client.scan_iter(match=f"{self.prefix}*", count=500))

    def clear(self) -> None:
        keys = self.keys()
        if keys:
            self.client.delete(*keys)


@pytest.fixture
def declic_redis() -> Iterator[TestRedis]:
    try:
        from redis import Redis
        from redis.exceptions import RedisError
    except ImportError:
        no_redis("the redis package is not installed (pip install -e .)")
    url = redis_test_url()
    # Where, without the credentials the URL may carry.
    where = urlsplit(url).hostname or url.split("://", 1)[0]
    client = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5, decode_responses=True)
    try:
        client.ping()
    except RedisError as exc:
        client.close()
        no_redis(f"no Redis answers at {where} (DECLIC_TEST_REDIS_URL): {exc}")
    test_redis = TestRedis(url, f"declic-test:{_worker()}:{secrets.token_hex(6)}:", client)
    try:
        yield test_redis
    finally:
        test_redis.clear()
        client.close()


@pytest.fixture
def declic_redis_settings(declic_settings: Settings, declic_redis: TestRedis) -> Settings:
    """The test settings with the throttling counters in ``declic_redis``."""
    return replace(declic_settings, redis_url=declic_redis.url, redis_prefix=declic_redis.prefix)


# --- a real server, for browser tests ---------------------------------------------------------


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the server retries if another process takes it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_health(url: str, process: subprocess.Popen[bytes] | None, timeout: float) -> bool:
    """Poll ``url/healthz`` until it answers 200; False on timeout or when the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def source_path() -> str:
    """A PYTHONPATH under which a subprocess imports the same ``core`` and ``plugins`` as this
    process (a second checkout of the project may share the virtualenv)."""
    root = str(Path(__file__).resolve().parent.parent)
    rest = os.environ.get("PYTHONPATH")
    return os.pathsep.join([root, rest]) if rest else root


class LiveServer:
    """The application served by uvicorn in a subprocess on 127.0.0.1 and a free port, on a
    database and data directory of its own.

    ``url`` is where to point a browser; ``kit`` is a :class:`Kit` on the same database (an
    application built in the test process, never served) to create organisations and users.
    Data persists for the whole test session: give what you create unique names (the kit's
    defaults are). ``set_clock(offset)`` moves time for the server and the test process alike.
    """

    def __init__(self, settings: Settings, workdir: Path) -> None:
        from core.app import create_app

        self.settings = settings
        self.workdir = workdir
        self.clock_file = workdir / "clock-offset"
        self.clock_file.write_text("0")
        self.log_file = workdir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.app = create_app(settings, make_host())
        self.kit = Kit(self.app)

    def env(self) -> dict[str, str]:
        """The environment of the server: its database, data folder, key and clock file."""
        return {
            **os.environ,
            "DECLIC_DATA_DIR": str(self.settings.data_dir),
            "DECLIC_DATABASE_URL": self.settings.database_url,
            "DECLIC_SECRET_KEY": self.settings.secret_key,
            "DECLIC_CLOCK_FILE": str(self.clock_file),
            "PYTHONPATH": source_path(),
        }

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """``declic ARGS`` as an operator runs it beside the server (same database, same clock),
        in a process of its own; stdout and stderr are captured as text."""
        return subprocess.run(
            [sys.executable, "-m", "core.cli", *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start(self, timeout: float = 60.0) -> None:
        env = self.env()
        last_error = ""
        for _attempt in range(3):
            port = free_port()
            self.url = f"http://127.0.0.1:{port}"
            with self.log_file.open("ab") as log:
                self.process = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "uvicorn",
                        "core.app:create_app",
                        "--factory",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--log-level",
                        "warning",
                    ],
                    env=env,
                    cwd=self.workdir,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            if wait_for_health(self.url, self.process, timeout):
                return
            last_error = self.log_tail()
            self.stop()
        raise RuntimeError(f"the test server did not start; its log ends with:\n{last_error}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def set_clock(self, offset: timedelta) -> None:
        """Move the platform's clock by ``offset`` in the server and in the test process."""
        from core.clock import set_offset

        self.clock_file.write_text(str(offset.total_seconds()))
        set_offset(offset)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def close(self) -> None:
        self.stop()
        self.set_clock(timedelta(0))
        self.app.state.declic.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The application served for real (uvicorn subprocess), on its own migrated database."""
    workdir = tmp_path_factory.mktemp("live")
    with migrated_database(workdir, f"live_{_worker()}") as url:
        settings = load_settings(
            data_dir=workdir / "data", database_url=url, secret_key=secrets.token_urlsafe(32)
        )
        server = LiveServer(settings, workdir)
        try:
            server.start()
            yield server
        finally:
            server.close()


# --- a browser, for browser tests (Playwright's sync API, Debian's Chromium) ----------------------

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
)


def chromium_path() -> Path:
    """Debian's Chromium (``DECLIC_CHROMIUM`` overrides): Playwright never downloads a browser."""
    return Path(os.environ.get("DECLIC_CHROMIUM", "/usr/bin/chromium"))


def browser_required() -> bool:
    return os.environ.get("DECLIC_REQUIRE_BROWSER", "") not in ("", "0")


def no_browser(reason: str) -> NoReturn:
    """Skip the test, or fail it when ``DECLIC_REQUIRE_BROWSER=1`` (CI must not go green without
    its browser tests)."""
    if browser_required():
        pytest.fail(f"DECLIC_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def declic_browser() -> Iterator[Any]:
    """A headless Chromium for the test module, driven by Playwright's sync API.

    Module scope on purpose: one thread can hold only one Playwright sync driver at a time, so a
    driver kept for the whole session would break any other test module that starts its own."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        no_browser("Playwright is not installed (pip install -e '.[dev]')")
    chromium = chromium_path()
    if not chromium.exists():
        no_browser(f"Chromium is not installed at {chromium} (apt-get install chromium)")
    driver = sync_playwright().start()
    try:
        browser = driver.chromium.launch(
            executable_path=str(chromium), headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        driver.stop()


def _live_context(browser: Any, live_server: LiveServer, **options: Any) -> Any:
    """A new context of ``browser`` whose relative URLs go to ``live_server``, French unless
    ``options`` say otherwise, waiting 15 s at most for anything."""
    options.setdefault("base_url", live_server.url)
    options.setdefault("locale", "fr-FR")
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def declic_page(declic_browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A page in a fresh browser context (no cookies carried over), pointed at ``live_server``:
    ``page.goto("/login")``. French first, like the associations' laptops."""
    context = _live_context(declic_browser, live_server)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def declic_new_context(
    declic_browser: Any, live_server: LiveServer
) -> Iterator[Callable[..., Any]]:
    """``declic_new_context(**options)``: a fresh browser context on ``live_server``, as many as the
    test needs (a trainer and a learner signed in at the same time, each with their own cookies).

    Like ``declic_page``'s context: relative URLs go to ``live_server``, French (``fr-FR``), 15 s
    timeouts. ``options`` go to Playwright's ``Browser.new_context`` and win over those defaults
    (``accept_downloads=True``, ``locale="ar"``, ``viewport=...``). Every context made is closed
    after the test, passed or failed::

        trainer = declic_new_context().new_page()
        learner = declic_new_context().new_page()
        sign_in_through_the_page(trainer, "eloise", PASSWORD)
    """
    made: list[Any] = []

    def new_context(**options: Any) -> Any:
        context = _live_context(declic_browser, live_server, **options)
        made.append(context)
        return context

    try:
        yield new_context
    finally:
        for context in reversed(made):
            context.close()


def sign_in_through_the_page(page: Any, login: str, password: str) -> None:
    """Fill and send the real login form, and wait for the page that follows."""
    page.goto("/login")
    page.fill("input[name=identifier]", login)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


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
    assert not problems, f"plugin {name} breaks the contract:\n" + "\n".join(
        f"  - {p}" for p in problems
    )


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
