from __future__ import annotations

import httpx
import pytest

from shared.http import RetryingTransport, RetryPolicy, idempotent, retry_after_seconds


class Script(httpx.BaseTransport):
    """Answers a scripted sequence of responses (or raises), counting calls."""

    def __init__(self, *steps: int | Exception, headers: dict[str, str] | None = None) -> None:
        self.steps = list(steps)
        self.calls = 0
        self.headers = headers or {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        step = self.steps[min(self.calls, len(self.steps) - 1)]
        self.calls += 1
        if isinstance(step, Exception):
            raise step
        return httpx.Response(step, headers=self.headers, request=request)


def client(script: Script, slept: list[float], attempts: int = 4) -> httpx.Client:
    transport = RetryingTransport(script, RetryPolicy(attempts=attempts), sleep=slept.append)
    return httpx.Client(transport=transport, base_url="https://erp.example")


def test_transient_statuses_are_retried_with_growing_backoff() -> None:
    slept: list[float] = []
    script = Script(503, 502, 200)
    assert client(script, slept).get("/x").status_code == 200
    assert script.calls == 3
    assert len(slept) == 2 and all(0 < s <= 8 for s in slept)


def test_retry_after_seconds_is_honoured() -> None:
    slept: list[float] = []
    script = Script(429, 200, headers={"Retry-After": "7"})
    client(script, slept).get("/x")
    assert slept == [7.0]


def test_a_retry_after_beyond_the_cap_goes_back_to_the_caller() -> None:
    slept: list[float] = []
    script = Script(429, headers={"Retry-After": "3600"})
    assert client(script, slept).get("/x").status_code == 429
    assert script.calls == 1 and slept == []


def test_attempts_are_bounded_and_the_last_answer_is_returned() -> None:
    slept: list[float] = []
    script = Script(503)
    assert client(script, slept, attempts=3).get("/x").status_code == 503
    assert script.calls == 3


def test_a_post_is_not_repeated_unless_marked_idempotent() -> None:
    slept: list[float] = []
    script = Script(503, 201)
    assert client(script, slept).post("/x").status_code == 503
    script = Script(503, 201)
    assert client(script, slept).post("/x", extensions=idempotent()).status_code == 201


def test_connection_failures_are_retried_then_raised() -> None:
    slept: list[float] = []
    script = Script(httpx.ConnectError("refused"), 200)
    assert client(script, slept).get("/x").status_code == 200
    script = Script(httpx.ConnectError("refused"))
    with pytest.raises(httpx.ConnectError):
        client(script, slept, attempts=2).get("/x")


def test_permanent_statuses_are_not_retried() -> None:
    slept: list[float] = []
    script = Script(400, 200)
    assert client(script, slept).get("/x").status_code == 400
    assert script.calls == 1


def test_retry_after_as_an_http_date() -> None:
    response = httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"})
    assert retry_after_seconds(response, now=1792567670.0) == pytest.approx(10.0)
