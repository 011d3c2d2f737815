"""The Closed Won receiver's HTTP contract: 202 with a job id, or a specific 4xx that changes
nothing. Authentication is the HMAC signature the Apex action computes, as for NetSuite."""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions.salesforce_opportunity_webhook import app as receiver
from shared import signing, webhooks, wiring
from shared.config import parse_settings
from tests.conftest import FakeLambdaContext, load_event
from tests.unit.fakes import FakeJobs, FakeQueue

KEY = "unit-test-salesforce-key"
OLD_KEY = "unit-test-salesforce-key-before-rotation"
OPPORTUNITY = "006Hp00001AbCdEIAV"
VERSION = "2026-11-22T09:41:07Z"


@pytest.fixture
def wired(monkeypatch: pytest.MonkeyPatch) -> tuple[FakeJobs, FakeQueue]:
    jobs, queue = FakeJobs(), FakeQueue()
    monkeypatch.setattr(wiring, "jobs", lambda: jobs)
    monkeypatch.setattr(wiring, "salesforce_opportunity_queue", lambda: queue)
    monkeypatch.setattr(webhooks, "caller_keys", lambda source: [KEY, OLD_KEY])
    monkeypatch.setattr(webhooks, "load_settings", lambda: parse_settings("{}", source="test"))
    return jobs, queue


def post(
    body: bytes, headers: dict[str, str | None] | None = None, key: str = KEY
) -> dict[str, Any]:
    event = load_event("salesforce_opportunity_webhook")
    base = {"Content-Type": "application/json", **signing.signed_headers(key, body)}
    event["headers"] = {k: v for k, v in {**base, **(headers or {})}.items() if v is not None}
    event["multiValueHeaders"] = {k: [v] for k, v in event["headers"].items()}
    event["body"] = body.decode()
    result: dict[str, Any] = receiver.lambda_handler(event, FakeLambdaContext())
    result["json"] = json.loads(result["body"])
    return result


def sample_body(**overrides: Any) -> bytes:
    body = json.loads(load_event("salesforce_opportunity_webhook")["body"])
    body.update(overrides)
    return json.dumps(body).encode()


def test_the_flows_callout_is_accepted_with_a_job_id(wired: tuple[FakeJobs, FakeQueue]) -> None:
    jobs, queue = wired
    result = post(sample_body())
    assert result["statusCode"] == 202
    assert result["json"] == {
        "jobId": f"salesforce:opportunity:{OPPORTUNITY}:{VERSION}",
        "status": "queued",
        "duplicate": False,
    }
    [sent] = queue.sent
    assert sent["group_id"] == f"salesforce-opportunity-{OPPORTUNITY}"
    assert sent["dedup_id"] == f"salesforce-opportunity-{OPPORTUNITY}-2026-11-22T094107Z"
    envelope = json.loads(str(sent["body"]))
    assert envelope["message_type"] == "salesforce.opportunity.closed_won"
    assert envelope["payload"]["opportunityId"] == OPPORTUNITY
    assert envelope["record_key"] == f"opportunity:{OPPORTUNITY}"
    assert jobs.jobs[result["json"]["jobId"]].source == "salesforce"


def test_the_key_before_a_rotation_still_works(wired: tuple[FakeJobs, FakeQueue]) -> None:
    assert post(sample_body(), key=OLD_KEY)["statusCode"] == 202


def test_the_static_key_header_alone_no_longer_authenticates(
    wired: tuple[FakeJobs, FakeQueue],
) -> None:
    result = post(
        sample_body(),
        {
            "X-Salesbridge-Key": KEY,
            signing.SIGNATURE_HEADER: None,
            signing.TIMESTAMP_HEADER: None,
        },
    )
    assert result["statusCode"] == 401
    assert "missing X-Salesbridge-Signature" in result["json"]["message"]
    assert wired[0].jobs == {}


def test_a_replayed_callout_outside_the_window_is_401(wired: tuple[FakeJobs, FakeQueue]) -> None:
    body = sample_body()
    stale = signing.signed_headers(KEY, body, now=1_000_000_000)
    result = post(body, {**stale})
    assert result["statusCode"] == 401 and "replay window" in result["json"]["message"]


def test_a_wrong_signature_fails_even_with_a_good_key(wired: tuple[FakeJobs, FakeQueue]) -> None:
    body = sample_body()
    result = post(body, key="another key")
    assert result["statusCode"] == 401
    assert "does not match" in result["json"]["message"]


def test_a_repeat_is_a_duplicate_and_sends_nothing(wired: tuple[FakeJobs, FakeQueue]) -> None:
    post(sample_body())
    again = post(sample_body())
    assert again["statusCode"] == 202 and again["json"]["duplicate"] is True
    assert len(wired[1].sent) == 1


def test_a_15_character_id_is_accepted(wired: tuple[FakeJobs, FakeQueue]) -> None:
    result = post(sample_body(opportunityId=OPPORTUNITY[:15]))
    assert result["statusCode"] == 202
    assert result["json"]["jobId"].startswith(f"salesforce:opportunity:{OPPORTUNITY[:15]}:")


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({signing.SIGNATURE_HEADER: None}, "missing X-Salesbridge-Signature"),
        ({signing.TIMESTAMP_HEADER: None}, "missing X-Salesbridge-Timestamp"),
        ({signing.SIGNATURE_HEADER: "v1=" + "0" * 64}, "does not match"),
    ],
)
def test_a_missing_or_wrong_signature_is_401(
    wired: tuple[FakeJobs, FakeQueue], headers: dict[str, str | None], reason: str
) -> None:
    result = post(sample_body(), headers)
    assert result["statusCode"] == 401
    assert result["json"]["error"] == "unauthorized" and reason in result["json"]["message"]
    assert wired[0].jobs == {} and wired[1].sent == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"opportunityId": "001Hp00001AbCdEIAV"}, "opportunityId"),  # an Account id
        ({"opportunityId": "006Hp00001AbCdE"[:14]}, "opportunityId"),
        ({"opportunityId": "006Hp00001AbCdEIAV'--"}, "opportunityId"),
        ({"event": "closed_lost"}, "event"),
        ({"lastModifiedDate": "yesterday"}, "lastModifiedDate"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_a_malformed_body_is_400_naming_the_field(
    wired: tuple[FakeJobs, FakeQueue], changes: dict[str, Any], field: str
) -> None:
    result = post(sample_body(**changes))
    assert result["statusCode"] == 400
    assert result["json"]["error"] == "validation_failed"
    assert any(p["field"] == field for p in result["json"]["problems"])
    assert wired[0].jobs == {} and wired[1].sent == []


def test_a_body_that_is_not_json_is_400(wired: tuple[FakeJobs, FakeQueue]) -> None:
    assert post(b"opportunityId=006")["statusCode"] == 400


def test_an_oversized_body_is_413_before_anything_else(
    wired: tuple[FakeJobs, FakeQueue],
) -> None:
    result = post(sample_body(padding="x" * 70_000), {signing.SIGNATURE_HEADER: "v1=wrong"})
    assert result["statusCode"] == 413
    assert wired[1].sent == []


def test_header_names_are_case_insensitive(wired: tuple[FakeJobs, FakeQueue]) -> None:
    body = sample_body()
    lower = {k.lower(): v for k, v in signing.signed_headers(KEY, body).items()}
    unset: dict[str, str | None] = {signing.SIGNATURE_HEADER: None, signing.TIMESTAMP_HEADER: None}
    result = post(body, {**unset, **lower})
    assert result["statusCode"] == 202
