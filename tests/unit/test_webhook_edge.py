"""The webhook edge (issues 7 and 8): authenticate before anything, strict bodies, one switch
per flow, and a broken settings document that neither leaks to callers nor loses events."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from functions.health import app as health
from functions.netsuite_webhook import app as netsuite_receiver
from functions.salesforce_opportunity_webhook import app as salesforce_receiver
from shared import signing, webhooks, wiring
from shared.config import parse_settings
from shared.errors import ConfigurationError
from tests.conftest import FakeLambdaContext, load_event
from tests.unit.fakes import FakeJobs, FakeQueue

KEYS = {"netsuite": "unit-netsuite-key", "salesforce": "unit-salesforce-key"}
BROKEN = '{"netsuite_orders_to_salesforce": {"default_price_book": 7, "secret_field": "x"}}'


@pytest.fixture
def wired(monkeypatch: pytest.MonkeyPatch) -> tuple[FakeJobs, FakeQueue]:
    jobs, queue = FakeJobs(), FakeQueue()
    monkeypatch.setattr(wiring, "jobs", lambda: jobs)
    monkeypatch.setattr(wiring, "netsuite_order_queue", lambda: queue)
    monkeypatch.setattr(wiring, "salesforce_opportunity_queue", lambda: queue)
    monkeypatch.setattr(webhooks, "get_secret_json", lambda _: dict(KEYS))
    monkeypatch.setenv("WEBHOOK_KEYS_SECRET", "arn:test")
    use_settings(monkeypatch, "{}")
    return jobs, queue


def use_settings(monkeypatch: pytest.MonkeyPatch, document: str) -> None:
    def load() -> Any:
        return parse_settings(document, source="/salesbridge/test/settings")

    monkeypatch.setattr(webhooks, "load_settings", load)
    monkeypatch.setattr(health, "load_settings", load)


ROUTES = {
    "netsuite": (netsuite_receiver, "netsuite_webhook"),
    "salesforce": (salesforce_receiver, "salesforce_opportunity_webhook"),
}


def post(source: str, body: bytes, headers: dict[str, str | None] | None = None) -> dict[str, Any]:
    receiver, event_name = ROUTES[source]
    event = load_event(event_name)
    merged = {"Content-Type": "application/json", **signing.signed_headers(KEYS[source], body)}
    merged.update(headers or {})
    event["headers"] = {k: v for k, v in merged.items() if v is not None}
    event["multiValueHeaders"] = {k: [v] for k, v in event["headers"].items()}
    event["body"] = base64.b64encode(body).decode()
    event["isBase64Encoded"] = True
    result: dict[str, Any] = receiver.lambda_handler(event, FakeLambdaContext())  # type: ignore[arg-type]
    result["json"] = json.loads(result["body"])
    return result


def body_of(source: str, **changes: Any) -> bytes:
    body = json.loads(load_event(ROUTES[source][1])["body"])
    body.update(changes)
    return json.dumps(body).encode()


# --- defect 3: authenticate first; broken settings are the operator's, not the caller's ------


@pytest.mark.parametrize("source", ["netsuite", "salesforce"])
def test_an_unsigned_request_gets_401_even_while_the_settings_are_broken(
    wired: tuple[FakeJobs, FakeQueue], monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    use_settings(monkeypatch, BROKEN)
    result = post(source, body_of(source), {signing.SIGNATURE_HEADER: None})
    assert result["statusCode"] == 401
    assert "default_price_book" not in result["body"] and "settings" not in result["body"]


@pytest.mark.parametrize("source", ["netsuite", "salesforce"])
def test_a_signed_event_while_the_settings_are_broken_is_503_to_retry_and_leaks_nothing(
    wired: tuple[FakeJobs, FakeQueue], monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    jobs, queue = wired
    use_settings(monkeypatch, BROKEN)
    broken = post(source, body_of(source))
    assert broken["statusCode"] == 503
    assert broken["multiValueHeaders"]["Retry-After"] == ["60"]
    assert broken["json"]["error"] == "temporarily_unavailable"
    assert "default_price_book" not in broken["body"] and "/salesbridge" not in broken["body"]
    assert jobs.jobs == {} and queue.sent == []
    # The sender retries; once the operator fixes the document, the same event goes through.
    use_settings(monkeypatch, "{}")
    assert post(source, body_of(source))["statusCode"] == 202
    assert len(queue.sent) == 1


def test_the_health_route_says_the_settings_are_invalid_and_logs_why(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    use_settings(monkeypatch, BROKEN)
    result = health.lambda_handler(load_event("health"), FakeLambdaContext())  # type: ignore[arg-type]
    answer = json.loads(result["body"])
    assert result["statusCode"] == 503
    assert answer["status"] == "degraded" and answer["settings"] == "invalid"
    assert "default_price_book" not in result["body"]
    [logged] = [r for r in caplog.records if r.getMessage() == "settings are invalid"]
    assert "netsuite_orders_to_salesforce.default_price_book" in logged.reason  # type: ignore[attr-defined]


def test_a_missing_webhook_key_is_503_without_naming_the_secret(
    wired: tuple[FakeJobs, FakeQueue], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhooks, "get_secret_json", lambda _: {"netsuite": "k"})
    result = post("salesforce", body_of("salesforce"))
    assert result["statusCode"] == 503 and "salesforce" not in result["json"]["message"]


def test_a_configuration_error_never_shows_its_details() -> None:
    from shared.api import error_response

    answer = error_response(ConfigurationError("environment variable JOBS_TABLE is not set"))
    assert answer.status_code == 500 and "JOBS_TABLE" not in str(answer.body)


# --- defect 4: each flow has its own switch ----------------------------------------------


def test_switching_netsuite_order_sync_off_does_not_refuse_closed_won_callouts(
    wired: tuple[FakeJobs, FakeQueue], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_settings(monkeypatch, '{"netsuite_orders_to_salesforce": {"enabled": false}}')
    assert post("netsuite", body_of("netsuite"))["json"]["status"] == "ignored"
    assert post("salesforce", body_of("salesforce"))["json"]["status"] == "queued"


def test_the_salesforce_originated_switch_ignores_only_closed_won_callouts(
    wired: tuple[FakeJobs, FakeQueue], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_settings(monkeypatch, '{"salesforce_orders_to_netsuite": {"enabled": false}}')
    ignored = post("salesforce", body_of("salesforce"))
    assert ignored["statusCode"] == 202 and ignored["json"]["status"] == "ignored"
    assert "salesforce_orders_to_netsuite.enabled" in ignored["json"]["reason"]
    assert post("netsuite", body_of("netsuite"))["json"]["status"] == "queued"


# --- defect 2 and item 9: versions and strict bodies -------------------------------------


@pytest.mark.parametrize("source", ["netsuite", "salesforce"])
@pytest.mark.parametrize(
    ("stamp", "reason"),
    [
        ("0001-01-01T00:00:00+01:00", "outside the dates"),
        ("9999-12-31T23:59:59-01:00", "outside the dates"),
        ("9999-12-31T23:59:59Z", "in the future"),
        ("1970-01-01T00:00:00Z", "not a real version"),
        ("2026-11-22T09:41:07", "RFC 3339"),
        ("2026-11-22", "RFC 3339"),
        ("2026-11-22T09:41", "RFC 3339"),
        ("+2026-11-22T09:41:07Z", "RFC 3339"),
        ("2026_11_22T09:41:07Z", "RFC 3339"),
        ("2026-11-22 09:41:07Z", "RFC 3339"),
    ],
)
def test_an_impossible_or_ambiguous_version_is_400_naming_the_field(
    wired: tuple[FakeJobs, FakeQueue], source: str, stamp: str, reason: str
) -> None:
    result = post(source, body_of(source, lastModifiedDate=stamp))
    assert result["statusCode"] == 400, result["json"]
    [problem] = result["json"]["problems"]
    assert problem["field"] == "lastModifiedDate" and reason in problem["reason"]
    assert wired[0].jobs == {}


def test_a_version_within_the_clock_skew_is_accepted(wired: tuple[FakeJobs, FakeQueue]) -> None:
    soon = datetime.fromtimestamp(datetime.now(UTC).timestamp() + 120, UTC)
    stamp = soon.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert post("netsuite", body_of("netsuite", lastModifiedDate=stamp))["statusCode"] == 202


@pytest.mark.parametrize("source", ["netsuite", "salesforce"])
def test_a_duplicate_json_key_is_400_naming_the_key(
    wired: tuple[FakeJobs, FakeQueue], source: str
) -> None:
    body = body_of(source)
    twice = body[:-1] + b', "lastModifiedDate": "2026-11-22T09:41:08Z"}'
    result = post(source, twice)
    assert result["statusCode"] == 400
    assert result["json"]["problems"] == [
        {"field": "lastModifiedDate", "reason": "appears more than once in the same object"}
    ]


@pytest.mark.parametrize(
    "body", [b'{"id": NaN}', b"[" * 60_000, b"\xff\xfe{}", b'"\\ud800"', b"{}" * 3]
)
def test_what_json_parsers_disagree_on_is_400(
    wired: tuple[FakeJobs, FakeQueue], body: bytes
) -> None:
    assert post("netsuite", body)["statusCode"] == 400


@pytest.mark.parametrize("record_id", ["0042", "+42", "4_2", "0", " 42"])
def test_a_non_canonical_record_id_is_400(
    wired: tuple[FakeJobs, FakeQueue], record_id: str
) -> None:
    result = post("netsuite", body_of("netsuite", id=record_id))
    assert result["statusCode"] == 400 and result["json"]["problems"][0]["field"] == "id"


# --- issue 8 item 7: rotation -----------------------------------------------------------


@pytest.mark.parametrize("source", ["netsuite", "salesforce"])
def test_a_rotation_accepts_old_and_new_key_during_the_overlap_only(
    wired: tuple[FakeJobs, FakeQueue], monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    old, new = KEYS[source], f"{source}-rotated-key"
    overlap = {source: new, f"{source}_previous": old}
    monkeypatch.setattr(webhooks, "get_secret_json", lambda _: dict(overlap))
    signed_by = {
        key: post(source, body, {**signing.signed_headers(key, body)})["statusCode"]
        for key, body in (
            (old, body_of(source, lastModifiedDate="2026-11-22T09:41:07Z")),
            (new, body_of(source, lastModifiedDate="2026-11-22T09:41:08Z")),
        )
    }
    assert signed_by == {old: 202, new: 202}
    monkeypatch.setattr(webhooks, "get_secret_json", lambda _: {source: new})  # overlap over
    body = body_of(source, lastModifiedDate="2026-11-22T09:41:09Z")
    assert post(source, body, {**signing.signed_headers(old, body)})["statusCode"] == 401
