"""The worker handler: SQS records in, Lambda's partial batch response out (domain faked)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from functions.salesforce_order_worker import app as worker
from shared import wiring
from shared.errors import RetryableError
from shared.flows.salesforce_orders_to_netsuite.service import QueuedOpportunity
from tests.conftest import FakeLambdaContext, load_event


class FakeExport:
    def __init__(self, error: Exception | None = None, failing: str | None = None) -> None:
        self.handled: list[QueuedOpportunity] = []
        self.error = error
        self.failing = failing  # only this message id fails (None: every one)

    def handle(self, message: QueuedOpportunity) -> None:
        self.handled.append(message)
        if self.error is not None and self.failing in (None, message.message_id):
            raise self.error


def run(monkeypatch: pytest.MonkeyPatch, export: FakeExport, event: dict[str, Any]) -> Any:
    monkeypatch.setattr(wiring, "order_export", lambda: export)
    return worker.lambda_handler(event, FakeLambdaContext())


def test_the_sample_message_reaches_the_export(monkeypatch: pytest.MonkeyPatch) -> None:
    export = FakeExport()
    result = run(monkeypatch, export, load_event("salesforce_order_worker"))
    assert result == {"batchItemFailures": []}
    [message] = export.handled
    assert message.envelope.payload.opportunity_id == "006Hp00001AbCdEIAV"
    assert (
        message.envelope.job_id == "salesforce:opportunity:006Hp00001AbCdEIAV:2026-11-22T09:41:07Z"
    )
    assert message.receive_count == 1


def test_a_retryable_failure_holds_back_its_group_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = load_event("salesforce_order_worker")
    first = event["Records"][0]
    same_group = {**copy.deepcopy(first), "messageId": "same-group"}
    other_group = copy.deepcopy(first)
    other_group["messageId"] = "other-group"
    other_group["attributes"]["MessageGroupId"] = "salesforce-opportunity-006Hp00001ZzZzZIAV"
    event["Records"] += [same_group, other_group]
    export = FakeExport(RetryableError("NetSuite answered 503"), failing=first["messageId"])
    result = run(monkeypatch, export, event)
    failed = [item["itemIdentifier"] for item in result["batchItemFailures"]]
    assert failed == [first["messageId"], "same-group"]
    assert [m.message_id for m in export.handled] == [first["messageId"], "other-group"]


def test_a_batch_that_fails_entirely_is_reported_not_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = load_event("salesforce_order_worker")
    result = run(monkeypatch, FakeExport(RetryableError("NetSuite answered 503")), event)
    assert result["batchItemFailures"] == [{"itemIdentifier": event["Records"][0]["messageId"]}]


def test_a_malformed_message_is_reported_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    event = load_event("salesforce_order_worker")
    event["Records"][0]["body"] = '{"schema_version": 1}'
    export = FakeExport()
    result = run(monkeypatch, export, event)
    assert result["batchItemFailures"] == [{"itemIdentifier": event["Records"][0]["messageId"]}]
    assert export.handled == []
