"""One learner's journey through the quiz, as a browser would make it, with plain httpx: sign in
with the login code, open the quiz, start, open the first question's page, then for each of the
20 questions think, save an answer and open the next question's page; open the summary, submit.
Used by the smoke stampede in the test suite; the Locust file makes the same requests."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from bench._scenario import CHOICES, QUESTIONS

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(html: str) -> str:
    match = TOKEN.search(html)
    if not match:
        raise AssertionError("no CSRF field in the page")
    return match.group(1)


@dataclass
class Outcome:
    attempt_id: int | None = None
    sent: dict[str, str] = field(default_factory=dict)  # slot -> last choice sent
    errors: list[str] = field(default_factory=list)
    timings: list[tuple[str, float]] = field(default_factory=list)  # (request kind, seconds)


def run_learner(
    base: str,
    slug: str,
    quiz_id: int,
    code: str,
    think: Callable[[], float] = lambda: random.uniform(1.0, 3.0),
    questions: int = QUESTIONS,
    timeout: float = 30.0,
) -> Outcome:
    out = Outcome()
    with httpx.Client(base_url=base, timeout=timeout, follow_redirects=False) as client:

        def call(kind: str, method: str, url: str, expect: int, **kw: object) -> httpx.Response:
            began = time.perf_counter()
            response = client.request(method, url, **kw)  # type: ignore[arg-type]
            out.timings.append((kind, time.perf_counter() - began))
            if response.status_code != expect:
                raise AssertionError(f"{kind}: {response.status_code} (expected {expect})")
            return response

        try:
            page = call("login page", "GET", "/login/code", 200)
            call(
                "sign in",
                "POST",
                "/login/code",
                303,
                data={"code": code, "csrf_token": csrf(page.text)},
            )
            quiz_url = f"/o/{slug}/quiz/{quiz_id}"
            page = call("quiz page", "GET", quiz_url, 200)
            token = csrf(page.text)
            started = call("start", "POST", f"{quiz_url}/start", 303, data={"csrf_token": token})
            attempt_url = started.headers["location"].split("?")[0]
            out.attempt_id = int(attempt_url.rstrip("/").split("/")[-1])
            call("question page", "GET", attempt_url, 200)
            for slot in range(1, questions + 1):
                time.sleep(think())
                choice = random.choice(CHOICES)
                call(
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
                out.sent[str(slot)] = choice
                if slot < questions:  # the next question's page (pages count from 0)
                    call("question page", "GET", f"{attempt_url}?page={slot}", 200)
            call("summary", "GET", f"{attempt_url}/summary", 200)
            call("submit", "POST", f"{attempt_url}/submit", 303, data={"csrf_token": token})
        except (AssertionError, httpx.HTTPError) as exc:
            out.errors.append(f"{code}: {exc!r}")
    return out
