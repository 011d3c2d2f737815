"""The worker handler's contract with Lambda: partial batch failures, backoff, bad messages."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from functions.netsuite_order_worker import app as worker
from shared import wiring
from shared.adapters.aws.queues import SqsQueue
from shared.batch import back_off
from shared.flows.netsuite_orders_to_salesforce.service import BatchResult, QueuedOrder
from tests.conftest import FakeLambdaContext, load_event
from tests.unit.fakes import FakeQueue


class FakeSync:
    def __init__(self, failed: list[str]) -> None:
        self.failed = failed
        self.seen: list[QueuedOrder] = []

    def run(self, batch: list[QueuedOrder]) -> BatchResult:
        self.seen = batch
        return BatchResult(failed_message_ids=list(self.failed), outcomes={"j": "done"})


@pytest.fixture
def delays(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """The delays the worker asks of its queue: (message's receipt handle, seconds)."""
    queue = FakeQueue()
    monkeypatch.setattr(wiring, "netsuite_order_queue", lambda: queue)
    return queue.delays


def invoke(event: dict[str, Any]) -> dict[str, Any]:
    return worker.lambda_handler(event, FakeLambdaContext())  # type: ignore[arg-type]


def test_the_sample_event_is_parsed_and_handed_over_whole(
    monkeypatch: pytest.MonkeyPatch, delays: list[tuple[str, int]]
) -> None:
    sync = FakeSync(failed=[])
    monkeypatch.setattr(wiring, "order_sync", lambda: sync)
    assert invoke(load_event("netsuite_order_worker")) == {"batchItemFailures": []}
    [queued] = sync.seen
    assert queued.envelope.payload.id == "4711" and queued.receive_count == 1


def test_failed_orders_and_malformed_messages_are_reported_and_delayed(
    monkeypatch: pytest.MonkeyPatch, delays: list[tuple[str, int]]
) -> None:
    event = load_event("netsuite_order_worker")
    good = event["Records"][0]
    retry = copy.deepcopy(good) | {"messageId": "m-retry", "receiptHandle": "r-retry"}
    retry["attributes"] = {**good["attributes"], "ApproximateReceiveCount": "3"}
    broken = copy.deepcopy(good) | {"messageId": "m-broken", "body": json.dumps({"nope": 1})}
    monkeypatch.setattr(wiring, "order_sync", lambda: FakeSync(failed=["m-retry"]))
    answer = invoke({"Records": [good, retry, broken]})
    assert sorted(f["itemIdentifier"] for f in answer["batchItemFailures"]) == [
        "m-broken",
        "m-retry",
    ]
    assert ("r-retry", 120) in delays


def test_backoff_is_capped() -> None:
    calls: list[int] = []

    class FakeSqs:
        def change_message_visibility(self, **kwargs: Any) -> None:
            calls.append(kwargs["VisibilityTimeout"])

    queue = SqsQueue("https://sqs/q.fifo", client=FakeSqs())
    records = [
        {
            "messageId": str(n),
            "receiptHandle": "r",
            "attributes": {"ApproximateReceiveCount": str(n)},
        }
        for n in (1, 2, 9)
    ]
    back_off(records, {"1", "2", "9"}, queue=lambda: queue)
    assert calls == [30, 60, 900]
