"""Faults injected for real: the server process (uvicorn, 127.0.0.1, a free port) is killed with
SIGKILL while learners save answers, a trainer takes the roll call and equipment is checked out;
after a restart the database is consistent and every write the server acknowledged is there.
Two requests racing for the same thing: one wins, the other gets a clear answer.

PostgreSQL stopped while a learner answers (only with DECLIC_TEST_BACKEND=postgres): a plain "try
again" page (503), nothing acknowledged lost, recovery by itself. It runs on a PostgreSQL cluster
of its own, made in a temporary folder (initdb/pg_ctl as the ``postgres`` system user when the
tests run as root, on a free port of 127.0.0.1): the machine's own PostgreSQL is never touched."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from core.auth import CSRF_HEADER, SESSION_COOKIE, csrf_token_for, session_binding, start_session
from core.db import Base
from core.models import Membership, Organisation, User
from core.settings import load_settings
from core.testing import LiveServer, backend, free_port, make_host, migrated_database

NEEDED = ("quiz", "attendance", "equipment")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    from core.auth import hash_password
    from core.demo import DEMO_ORGANISATIONS, PASSWORDS, seed_organisation

    with migrated_database(tmp_path, "faults") as url:
        settings = load_settings(
            data_dir=tmp_path / "data", database_url=url, secret_key=secrets.token_urlsafe(32)
        )
        live = LiveServer(settings, tmp_path)
        if not set(NEEDED) <= set(live.kit.state.host.names):
            live.close()
            pytest.skip(f"needs the plugins {NEEDED}")
        hashes = {role: hash_password(word) for role, word in PASSWORDS.items()}
        with live.kit.db() as db:
            seed_organisation(db, live.kit.state.host, DEMO_ORGANISATIONS[0], hashes)
        try:
            live.start()
            yield live
        finally:
            live.close()


def _people(live: LiveServer) -> tuple[str, dict[str, list[int]]]:
    with live.kit.db() as db:
        org = db.scalars(select(Organisation)).first()
        assert org is not None
        people: dict[str, list[int]] = {}
        for role, user_id in db.execute(
            select(Membership.role, Membership.user_id).where(Membership.organisation_id == org.id)
        ):
            people.setdefault(role, []).append(user_id)
        return org.slug, people


def _client(live: LiveServer, user_id: int) -> httpx.Client:
    with live.kit.db() as db:
        token = start_session(db, db.get_one(User, user_id))
    secret = live.settings.secret_key
    return httpx.Client(
        base_url=live.url,
        cookies={SESSION_COOKIE: token},
        headers={CSRF_HEADER: csrf_token_for(secret, session_binding(token))},
        timeout=10,
    )


def _rows(live: LiveServer, table: str, **where: Any) -> list[Any]:
    t = Base.metadata.tables[table]
    stmt = select(t)
    for column, value in where.items():
        stmt = stmt.where(t.c[column] == value)
    with live.kit.db() as db:
        return list(db.execute(stmt).mappings())


def _start_attempt(live: LiveServer, slug: str, learner: httpx.Client) -> tuple[int, dict]:
    """An attempt of some quiz of the organisation, and what to send for each of its slots."""
    for quiz in _rows(live, "quiz"):
        answer = learner.post(f"/o/{slug}/quiz/{quiz['id']}/start")
        found = re.search(r"/attempt/(\d+)", answer.headers.get("location", ""))
        if answer.status_code == 303 and found:
            attempt = int(found.group(1))
            page = learner.get(f"/o/{slug}/quiz/attempt/{attempt}").text
            fields: dict[int, dict[str, str]] = {}
            for slot, value in re.findall(r'type="radio"[^>]*name="q(\d+)" value="([^"]+)"', page):
                fields.setdefault(int(slot), {f"q{slot}": value, f"q{slot}_present": "1"})
            for slot in re.findall(r'name="q(\d+)" type="text"', page):
                fields.setdefault(int(slot), {f"q{slot}": "42", f"q{slot}_present": "1"})
            if fields:
                return attempt, fields
    raise AssertionError("no quiz of the demo could be started with answerable questions")


def _loop(stop: threading.Event, work: Callable[[], None]) -> threading.Thread:
    def run() -> None:
        while not stop.is_set():
            try:
                work()
            except httpx.HTTPError:
                return  # the server is gone

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _consistent(live: LiveServer) -> None:
    if backend() != "sqlite":
        return
    with live.kit.state.write_engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []


def test_sigkill_during_saves_roll_call_and_checkout_loses_nothing_acknowledged(
    server: LiveServer,
) -> None:
    slug, people = _people(server)
    learner = _client(server, people["learner"][0])
    trainer = _client(server, people["trainer"][0])
    admin = _client(server, people["admin"][0])
    attempt, fields = _start_attempt(server, slug, learner)
    org_id = _rows(server, "organisation")[0]["id"]
    session_row = _rows(server, "attendance_session", organisation_id=org_id)[0]
    statuses = [s["id"] for s in _rows(server, "attendance_status", organisation_id=org_id)]
    learners = people["learner"]
    assets = [a["id"] for a in _rows(server, "equipment_asset", organisation_id=org_id)]
    busy = {i["active_asset_id"] for i in _rows(server, "equipment_loan_item")}
    assets = [a for a in assets if a not in busy]

    acked_saves: set[int] = set()
    acked_marks: set[int] = set()
    acked_loans: set[int] = set()
    counter = iter(range(10**6))
    stop = threading.Event()

    def save() -> None:
        slot = list(fields)[next(counter) % len(fields)]
        answer = learner.post(
            f"/o/{slug}/quiz/attempt/{attempt}/save", data={"slot": str(slot), **fields[slot]}
        )
        if answer.status_code == 200:
            acked_saves.add(slot)

    def mark() -> None:
        n = next(counter)
        user = learners[n % len(learners)]
        answer = trainer.post(
            f"/o/{slug}/attendance/session/{session_row['id']}/mark",
            data={"user_id": str(user), "status_id": str(statuses[n % len(statuses)])},
        )
        if answer.status_code in (200, 303):
            acked_marks.add(user)

    def checkout() -> None:
        if not assets:
            time.sleep(0.05)
            return
        asset = assets.pop()
        answer = admin.post(
            f"/o/{slug}/equipment/checkout",
            data={"asset": str(asset), "borrower": str(learners[0]), "kind": "loan"},
        )
        if answer.status_code == 303:
            acked_loans.add(asset)

    threads = [_loop(stop, work) for work in (save, mark, checkout)]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (acked_saves and acked_marks and acked_loans):
        time.sleep(0.05)
    time.sleep(1.0)  # the writes keep coming: the kill lands in the middle of them
    assert server.process is not None
    server.process.kill()  # SIGKILL: no clean shutdown, no chance to flush anything
    server.process.wait(timeout=10)
    stop.set()
    for thread in threads:
        thread.join(timeout=15)
    assert acked_saves and acked_marks and acked_loans, (acked_saves, acked_marks, acked_loans)

    server.start()
    _consistent(server)
    answered = {a["slot"] for a in _rows(server, "quiz_attempt_answer", attempt_id=attempt)}
    assert acked_saves <= answered, (acked_saves, answered)
    marked = {
        r["user_id"] for r in _rows(server, "attendance_record", session_id=session_row["id"])
    }
    assert acked_marks <= marked
    lent = {i["asset_id"] for i in _rows(server, "equipment_loan_item")}
    assert acked_loans <= lent
    print(
        f"\nSIGKILL: {len(acked_saves)} answer slots, {len(acked_marks)} roll-call marks, "
        f"{len(acked_loans)} check-outs acknowledged out of {next(counter)} requests sent, "
        "all found after restart"
    )
    # The platform serves again, the learner's attempt included.
    assert (
        _client(server, people["learner"][0]).get(f"/o/{slug}/quiz/attempt/{attempt}").status_code
        == 200
    )


def _race(*calls: Callable[[], httpx.Response]) -> list[httpx.Response]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_races_one_wins_the_other_gets_a_clear_answer(server: LiveServer) -> None:
    slug, people = _people(server)
    org_id = _rows(server, "organisation")[0]["id"]
    learner_id = people["learner"][1]

    # The same attempt submitted twice at once.
    tabs = [_client(server, learner_id), _client(server, learner_id)]
    attempt, _fields = _start_attempt(server, slug, tabs[0])
    url = f"/o/{slug}/quiz/attempt/{attempt}/submit"
    answers = _race(*(lambda c=c: c.post(url) for c in tabs))
    codes = sorted(a.status_code for a in answers)
    assert all(c < 500 for c in codes), codes
    assert codes.count(303) >= 1, codes
    finished = [a for a in _rows(server, "quiz_attempt", id=attempt)]
    assert len(finished) == 1 and finished[0]["finished_at"] is not None
    for a in answers:
        assert a.status_code in (303, 409), a.text[:200]
        if a.status_code == 303:
            assert "/review" in a.headers["location"] or "/attempt/" in a.headers["location"]

    # The same asset checked out twice at once, by two trainers.
    busy = {i["active_asset_id"] for i in _rows(server, "equipment_loan_item")}
    asset = next(
        a["id"]
        for a in _rows(server, "equipment_asset", organisation_id=org_id)
        if a["id"] not in busy
    )
    staff = [_client(server, people["trainer"][0]), _client(server, people["admin"][0])]
    answers = _race(
        *(
            lambda c=c: c.post(
                f"/o/{slug}/equipment/checkout",
                data={"asset": str(asset), "borrower": str(learner_id), "kind": "loan"},
            )
            for c in staff
        )
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [303, 409], [(a.status_code, a.text[:300]) for a in answers]
    refused = next(a for a in answers if a.status_code == 409)
    assert 'role="alert"' in refused.text or "alert" in refused.text
    active = [i for i in _rows(server, "equipment_loan_item") if i["active_asset_id"] == asset]
    assert len(active) == 1

    # The same learner marked by two trainers at once, both pages showing them unmarked: the
    # first mark wins, the other trainer is told (409) and nothing of theirs is written.
    session = _rows(server, "attendance_session", organisation_id=org_id)[0]
    before = _rows(server, "attendance_record", session_id=session["id"], user_id=learner_id)
    seen = str(before[0]["status_id"]) if before else ""
    statuses = [
        s["id"]
        for s in _rows(server, "attendance_status", organisation_id=org_id)
        if str(s["id"]) != seen
    ][:2]
    answers = _race(
        *(
            lambda c=c, s=s: c.post(
                f"/o/{slug}/attendance/session/{session['id']}/mark",
                data={"user_id": str(learner_id), "status_id": str(s), "seen": seen},
            )
            for c, s in zip(staff, statuses, strict=True)
        )
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [303, 409], [(a.status_code, a.text[:300]) for a in answers]
    winner = statuses[[a.status_code for a in answers].index(303)]
    records = _rows(server, "attendance_record", session_id=session["id"], user_id=learner_id)
    assert len(records) == 1 and records[0]["status_id"] == winner


# --- PostgreSQL outage ----------------------------------------------------------------------------

PG_BIN = Path(os.environ.get("DECLIC_PG_BIN", "/usr/lib/postgresql/15/bin"))


class Cluster:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def run(self, *args: str) -> None:
        done = subprocess.run(
            [*self.as_user, *args], capture_output=True, timeout=60, cwd=self.folder, check=False
        )
        if done.returncode:
            raise subprocess.CalledProcessError(
                done.returncode, args, done.stdout, done.stderr
            ) from RuntimeError(done.stderr.decode(errors="replace")[-800:])

    def init(self) -> None:
        self.run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder}"
        self.run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-l",
            str(self.folder / "pg.log"),
            "start",
        )

    def stop(self) -> None:
        self.run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    if backend() != "postgres":
        pytest.skip("only with DECLIC_TEST_BACKEND=postgres")
    if not (PG_BIN / "initdb").exists():
        pytest.fail(f"DECLIC_TEST_BACKEND=postgres but no initdb in {PG_BIN}")
    # Not under pytest's own temporary folder: that one is private to the user running the
    # tests, and the cluster runs as ``postgres``.
    folder = Path(tempfile.mkdtemp(prefix="declic-pg-"))
    folder.chmod(0o755)
    made = Cluster(folder)
    try:
        made.init()
        made.start()
        yield made
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            made.stop()  # unless the test left it stopped, or it never started
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.postgres
def test_postgres_stopped_while_answering(cluster: Cluster, tmp_path: Path) -> None:
    from core.auth import hash_password
    from core.db import make_engine
    from core.demo import DEMO_ORGANISATIONS, PASSWORDS, seed_organisation
    from core.migrate import upgrade

    engine = make_engine(cluster.url)
    upgrade(engine, make_host())
    engine.dispose()
    settings = load_settings(
        data_dir=tmp_path / "data", database_url=cluster.url, secret_key=secrets.token_urlsafe(32)
    )
    live = LiveServer(settings, tmp_path)
    try:
        if "quiz" not in live.kit.state.host.names:
            pytest.skip("quiz is not installed")
        hashes = {role: hash_password(word) for role, word in PASSWORDS.items()}
        with live.kit.db() as db:
            seed_organisation(db, live.kit.state.host, DEMO_ORGANISATIONS[0], hashes)
        live.start()
        slug, people = _people(live)
        learner = _client(live, people["learner"][0])
        attempt, fields = _start_attempt(live, slug, learner)
        slot = next(iter(fields))
        url = f"/o/{slug}/quiz/attempt/{attempt}/save"
        assert learner.post(url, data={"slot": str(slot), **fields[slot]}).status_code == 200

        cluster.stop()
        paused = learner.post(url, data={"slot": str(slot), **fields[slot]})
        assert paused.status_code == 503, paused.text[:300]
        assert "<script" not in paused.text.split("</head>")[-1]
        assert re.search(r"(?i)nothing was lost|rien n", paused.text), paused.text[:500]
        assert learner.get("/healthz").status_code == 503

        cluster.start()
        again = learner.post(url, data={"slot": str(slot), **fields[slot]})
        assert again.status_code == 200, again.text[:300]
        answers = _rows(live, "quiz_attempt_answer", attempt_id=attempt)
        assert slot in {a["slot"] for a in answers}
        with live.kit.db() as db:
            assert db.scalar(select(1)) == 1
    finally:
        live.close()
