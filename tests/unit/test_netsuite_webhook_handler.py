"""The receiver's HTTP contract: 202 with a job id, or a specific 4xx that changes nothing."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from functions.netsuite_webhook import app as receiver
from shared import signing, webhooks, wiring
from shared.config import parse_settings
from tests.conftest import FakeLambdaContext, load_event
from tests.unit.fakes import FakeJobs, FakeQueue

KEY = "unit-test-netsuite-key"


@pytest.fixture
def wired(monkeypatch: pytest.MonkeyPatch) -> tuple[FakeJobs, FakeQueue]:
    jobs, queue = FakeJobs(), FakeQueue()
    monkeypatch.setattr(wiring, "jobs", lambda: jobs)
    monkeypatch.setattr(wiring, "netsuite_order_queue", lambda: queue)
    monkeypatch.setattr(webhooks, "caller_keys", lambda source: [KEY])
    monkeypatch.setattr(webhooks, "load_settings", lambda: parse_settings("{}", source="test"))
    return jobs, queue


def post(
    body: bytes, headers: dict[str, str] | None = None, *, base64_body: bool = False
) -> dict[str, Any]:
    event = load_event("netsuite_webhook")
    signed = signing.signed_headers(KEY, body)
    event["headers"] = {"Content-Type": "application/json", **signed, **(headers or {})}
    event["multiValueHeaders"] = {k: [v] for k, v in event["headers"].items()}
    event["body"] = base64.b64encode(body).decode() if base64_body else body.decode()
    event["isBase64Encoded"] = base64_body
    result: dict[str, Any] = receiver.lambda_handler(event, FakeLambdaContext())  # type: ignore[arg-type]
    result["json"] = json.loads(result["body"])
    return result


def sample_body(**overrides: Any) -> bytes:
    body = json.loads(load_event("netsuite_webhook")["body"])
    body.update(overrides)
    return json.dumps(body).encode()


def test_a_signed_event_is_accepted_with_a_job_id(wired: tuple[FakeJobs, FakeQueue]) -> None:
    jobs, queue = wired
    result = post(sample_body())
    assert result["statusCode"] == 202
    assert result["json"] == {
        "jobId": "netsuite:salesorder:4711:2026-11-22T09:41:07Z",
        "status": "queued",
        "duplicate": False,
    }
    assert len(queue.sent) == 1 and len(jobs.jobs) == 1


def test_a_base64_body_is_verified_on_its_bytes(wired: tuple[FakeJobs, FakeQueue]) -> None:
    assert post(sample_body(), base64_body=True)["statusCode"] == 202


def test_a_repeat_is_answered_as_a_duplicate(wired: tuple[FakeJobs, FakeQueue]) -> None:
    post(sample_body())
    again = post(sample_body())
    assert again["statusCode"] == 202 and again["json"]["duplicate"] is True
    assert len(wired[1].sent) == 1


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({signing.SIGNATURE_HEADER: ""}, "missing X-Salesbridge-Signature"),
        ({signing.SIGNATURE_HEADER: "v1=" + "0" * 64}, "does not match"),
        ({signing.TIMESTAMP_HEADER: "1000000000"}, "replay window"),
    ],
)
def test_unsigned_wrongly_signed_or_stale_requests_get_401(
    wired: tuple[FakeJobs, FakeQueue], headers: dict[str, str], reason: str
) -> None:
    result = post(sample_body(), headers)
    assert result["statusCode"] == 401
    assert result["json"]["error"] == "unauthorized" and reason in result["json"]["message"]
    assert wired[0].jobs == {} and wired[1].sent == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (sample_body(id="SO-12"), "id"),
        (sample_body(eventType="explode"), "eventType"),
        (sample_body(lastModifiedDate="yesterday"), "lastModifiedDate"),
        (sample_body(recordType="invoice"), "recordType"),
        (sample_body(extra="x"), "extra"),
    ],
)
def test_malformed_events_get_400_naming_the_field(
    wired: tuple[FakeJobs, FakeQueue], body: bytes, field: str
) -> None:
    result = post(body)
    assert result["statusCode"] == 400
    assert result["json"]["error"] == "validation_failed"
    assert [p["field"] for p in result["json"]["problems"]] == [field]
    assert wired[0].jobs == {} and wired[1].sent == []


def test_a_body_that_is_not_json_gets_400(wired: tuple[FakeJobs, FakeQueue]) -> None:
    result = post(b"recordType=salesorder")
    assert result["statusCode"] == 400 and result["json"]["error"] == "validation_failed"


def test_an_oversized_body_gets_413_before_anything_else(wired: tuple[FakeJobs, FakeQueue]) -> None:
    result = post(sample_body(eventId="x" * 70_000), {signing.SIGNATURE_HEADER: "v1=bogus"})
    assert result["statusCode"] == 413
    assert "65536" in result["json"]["message"]
    assert wired[0].jobs == {}


def test_a_queue_outage_answers_503_and_leaves_the_job_for_the_next_delivery(
    wired: tuple[FakeJobs, FakeQueue],
) -> None:
    jobs, queue = wired
    queue.fail_times = 1
    assert post(sample_body())["statusCode"] == 503
    [job] = jobs.jobs.values()
    assert job.status.value == "received"
    assert post(sample_body())["json"]["status"] == "queued"


def test_disabled_sync_acknowledges_without_a_job(
    wired: tuple[FakeJobs, FakeQueue], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        webhooks,
        "load_settings",
        lambda: parse_settings('{"netsuite_orders_to_salesforce": {"enabled": false}}', source="t"),
    )
    result = post(sample_body())
    assert result["statusCode"] == 202 and result["json"]["status"] == "ignored"
    assert wired[0].jobs == {}


def test_the_health_route_answers_ok(monkeypatch: pytest.MonkeyPatch) -> None:
    from functions.health import app as health
    from functions.health.app import lambda_handler

    monkeypatch.setattr(health, "load_settings", lambda: parse_settings("{}", source="test"))
    result = lambda_handler(load_event("health"), FakeLambdaContext())  # type: ignore[arg-type]
    assert result["statusCode"] == 200 and json.loads(result["body"])["status"] == "ok"
