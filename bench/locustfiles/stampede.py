"""Locust file of the stampede: each simulated learner signs in with their printed code, opens
the quiz, starts it, opens the first question's page, then for each of the 20 questions thinks
1–3 s, saves an answer (as the page's script does when a choice is ticked) and opens the next
question's page; finally opens the summary and submits, then stops.

Read from the environment: BENCH_SCENARIO (the scenario JSON the bench wrote: codes, quiz),
BENCH_SENT (where to write what was sent: attempt id -> {slot: last choice}), BENCH_THINK_MIN
and BENCH_THINK_MAX (seconds). Locust quits as soon as every learner has finished.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import gevent
from locust import FastHttpUser, events, task
from locust.exception import StopUser

SCENARIO = json.loads(Path(os.environ["BENCH_SCENARIO"]).read_text())
SENT_FILE = Path(os.environ["BENCH_SENT"])
THINK = (
    float(os.environ.get("BENCH_THINK_MIN", "1")),
    float(os.environ.get("BENCH_THINK_MAX", "3")),
)
QUESTIONS = int(os.environ.get("BENCH_QUESTIONS", "20"))
CHOICES = ("a", "b", "c", "d")
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')

codes = list(SCENARIO["codes"])
sent: dict[str, dict[str, str]] = {}
pending: dict[str, dict[str, str]] = {}
finished = {"done": 0, "failed": 0}


class Learner(FastHttpUser):
    # Think time is inside the task (one journey per learner), not between tasks.
    wait_time = staticmethod(lambda: 0)

    def _call(self, kind: str, method: str, url: str, expect: int, **kw: object) -> str:
        with self.client.request(
            method, url, name=kind, allow_redirects=False, catch_response=True, **kw
        ) as response:
            if response.status_code != expect:
                response.failure(f"{kind}: {response.status_code}")
                raise StopUser()
            return response.text or "" if method == "GET" else response.headers.get("location", "")

    @task
    def journey(self) -> None:
        if not codes:
            raise StopUser()
        code = codes.pop(0)
        try:
            page = self._call("login page", "GET", "/login/code", 200)
            token = TOKEN.search(page).group(1)  # type: ignore[union-attr]
            self._call(
                "sign in", "POST", "/login/code", 303, data={"code": code, "csrf_token": token}
            )
            quiz_url = f"/o/{SCENARIO['slug']}/quiz/{SCENARIO['quiz_id']}"
            page = self._call("quiz page", "GET", quiz_url, 200)
            token = TOKEN.search(page).group(1)  # type: ignore[union-attr]
            where = self._call(
                "start", "POST", f"{quiz_url}/start", 303, data={"csrf_token": token}
            )
            attempt_url = urlsplit(where).path
            attempt_id = attempt_url.rstrip("/").split("/")[-1]
            mine = sent.setdefault(attempt_id, {})
            self._call("question page", "GET", attempt_url, 200)
            for slot in range(1, QUESTIONS + 1):
                gevent.sleep(random.uniform(*THINK))
                choice = random.choice(CHOICES)
                # In flight until the server acknowledges it: a journey cut off by the time bound
                # leaves it pending (it may or may not be stored; either is right).
                pending.setdefault(attempt_id, {})[str(slot)] = choice
                self._call(
                    "save",
                    "POST",
                    f"{attempt_url}/save",
                    200,
                    data={
                        "csrf_token": token,
                        "slot": str(slot),
                        "seq": str(time.time_ns() // 1000),
                        f"q{slot}": choice,
                    },
                )
                mine[str(slot)] = choice  # acknowledged: it must be in the database
                del pending[attempt_id][str(slot)]
                if slot < QUESTIONS:  # then on to the next question's page (pages count from 0)
                    self._call("question page", "GET", f"{attempt_url}?page={slot}", 200)
            self._call("summary", "GET", f"{attempt_url}/summary", 200)
            self._call("submit", "POST", f"{attempt_url}/submit", 303, data={"csrf_token": token})
            finished["done"] += 1
        except StopUser:
            finished["failed"] += 1
            raise
        except Exception as exc:  # an unexpected page: count it, stop this learner
            finished["failed"] += 1
            events.request.fire(
                request_type="ERR",
                name="journey",
                response_time=0,
                response_length=0,
                exception=exc,
                context={},
            )
        raise StopUser()


@events.test_start.add_listener
def _watch(environment, **_kw) -> None:  # type: ignore[no-untyped-def]
    total = len(codes)

    def watcher() -> None:
        while finished["done"] + finished["failed"] < total:
            gevent.sleep(0.5)
        gevent.sleep(2)  # let the last answers reach the statistics before they are written
        environment.runner.quit()

    gevent.spawn(watcher)


@events.quitting.add_listener
def _write(environment, **_kw) -> None:  # type: ignore[no-untyped-def]
    SENT_FILE.write_text(json.dumps({"sent": sent, "pending": pending, **finished}))
