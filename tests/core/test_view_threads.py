"""How many views run at once in one process (``DECLIC_VIEW_THREADS``): more threads than a few
only fight over the interpreter lock (docs/performance.md), and on SQLite one thread writes
while the others queue in the event loop, so waiting writers never hold every thread."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient

from core import hookimpl
from core.contracts import PageRoute, PluginInfo, needs
from core.settings import Settings, SettingsError, load_settings
from core.testing import app_with_plugins

WAIT = 10.0  # seconds: only reached when the behaviour under test is broken


class Gate:
    """Views that hold until the test opens the gate, counting how many run at once."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.lock = threading.Lock()
        self.running = {"GET": 0, "POST": 0}
        self.most = {"GET": 0, "POST": 0}

    def _hold(self, ctx):
        method = ctx.request.method
        with self.lock:
            self.running[method] += 1
            self.most[method] = max(self.most[method], self.running[method])
        try:
            self.open.wait(WAIT)
        finally:
            with self.lock:
                self.running[method] -= 1
        return PlainTextResponse("held")

    @hookimpl
    def declic_plugin_info(self) -> PluginInfo:
        return PluginInfo("gate", "1.0", "Views that wait, for tests")

    @hookimpl
    def declic_routes(self) -> list[PageRoute]:
        def ping(ctx):
            return PlainTextResponse("pong")

        view = needs("core:course.view")
        return [
            PageRoute("/hold", self._hold, ("GET", "POST"), view, "hold"),
            PageRoute("/ping", ping, ("GET",), view, "ping"),
        ]


def _until(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


@pytest.fixture
def gate(declic, request):
    plugin = Gate()
    settings = replace(declic.state.settings, view_threads=request.param)
    with app_with_plugins(settings, {"gate": plugin}) as kit:
        org = kit.org("gated")
        kit.enable(org, "gate")
        user = kit.user(org, "learner")
        # One client in a `with` block: one event loop serves every request, as in production.
        with TestClient(kit.app, base_url="http://testserver", follow_redirects=False) as client:
            kit.login(client, user)
            yield kit, plugin, client
        plugin.open.set()


def _in_background(call) -> threading.Thread:
    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("gate", [1, 2], indirect=True)
def test_no_more_views_read_at_once_than_the_setting(gate):
    kit, plugin, client = gate
    limit = kit.state.settings.view_threads
    answers: list[int] = []
    threads = [
        _in_background(lambda: answers.append(client.get("/o/gated/gate/hold").status_code))
        for _ in range(limit + 2)
    ]
    _until(lambda: plugin.running["GET"] == limit, f"{limit} views should run at once")
    time.sleep(0.2)  # the others had time to start, had they been let in
    assert plugin.most["GET"] == limit
    plugin.open.set()
    for thread in threads:
        thread.join(WAIT)
    assert answers == [200] * (limit + 2)
    assert plugin.most["GET"] == limit


@pytest.mark.parametrize("gate", [2], indirect=True)
def test_pages_are_read_while_writers_wait(gate):
    """On SQLite one write runs and the next waits in the event loop, not in a thread: a page
    is still read meanwhile. On PostgreSQL writes run side by side, up to the setting."""
    kit, plugin, client = gate
    token = kit.csrf(client)
    posts = [
        _in_background(
            lambda: client.post("/o/gated/gate/hold", data={"csrf_token": token}).status_code
        )
        for _ in range(3)
    ]
    writers = 1 if kit.state.settings.is_sqlite else 2
    _until(lambda: plugin.running["POST"] == writers, "writes should start")
    assert client.get("/o/gated/gate/ping").text == "pong"
    assert plugin.most["POST"] == writers
    plugin.open.set()
    for thread in posts:
        thread.join(WAIT)
    assert plugin.most["POST"] == writers


@pytest.mark.parametrize("value", ["0", "65", "two", "-1"])
def test_a_view_thread_count_out_of_range_is_refused_clearly(tmp_path, monkeypatch, value):
    monkeypatch.setenv("DECLIC_VIEW_THREADS", value)
    with pytest.raises(SettingsError, match="DECLIC_VIEW_THREADS must be a whole number"):
        load_settings(data_dir=tmp_path)


def test_two_view_threads_unless_told(tmp_path, monkeypatch):
    monkeypatch.delenv("DECLIC_VIEW_THREADS", raising=False)
    assert load_settings(data_dir=tmp_path).view_threads == 2
    monkeypatch.setenv("DECLIC_VIEW_THREADS", "6")
    assert load_settings(data_dir=tmp_path).view_threads == 6
    assert Settings.__dataclass_fields__["view_threads"].default == 2
