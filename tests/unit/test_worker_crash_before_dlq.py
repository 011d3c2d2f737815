"""Issue 8 item 3: a message that reaches the DLQ always has its job marked failed with the
reason, even when every delivery crashes the worker before the service could record it."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from functions.netsuite_order_worker import app as worker
from shared import wiring
from shared.envelope import Envelope
from shared.flows.netsuite_orders_to_salesforce.events import NetsuiteOrderEvent
from shared.flows.netsuite_orders_to_salesforce.service import QueuedOrder
from shared.intake import job_for
from shared.jobs import JobStatus
from tests.conftest import FakeLambdaContext, load_event
from tests.unit.fakes import FakeJobs, FakeQueue

MAX_RECEIVE_COUNT = 5


class CrashingSync:
    def run(self, batch: list[QueuedOrder]) -> Any:
        raise KeyError("a bug in the worker")


def delivery(record: dict[str, Any], count: int) -> dict[str, Any]:
    delivered = copy.deepcopy(record)
    delivered["attributes"]["ApproximateReceiveCount"] = str(count)
    return delivered


@pytest.fixture
def jobs(monkeypatch: pytest.MonkeyPatch) -> FakeJobs:
    fake = FakeJobs()
    monkeypatch.setattr(wiring, "jobs", lambda: fake)
    monkeypatch.setattr(wiring, "max_receive_count", lambda: MAX_RECEIVE_COUNT)
    monkeypatch.setattr(wiring, "netsuite_order_queue", FakeQueue)
    return fake


def test_a_crash_on_every_delivery_leaves_the_job_failed_with_the_reason(
    jobs: FakeJobs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wiring, "order_sync", lambda: CrashingSync())
    [record] = load_event("netsuite_order_worker")["Records"]
    envelope = Envelope[NetsuiteOrderEvent].model_validate_json(record["body"])
    job_id = job_for(envelope, jobs).job_id

    for count in range(1, MAX_RECEIVE_COUNT + 1):
        with pytest.raises(KeyError):  # Lambda sees the crash: the error alarm fires
            worker.lambda_handler({"Records": [delivery(record, count)]}, FakeLambdaContext())  # type: ignore[arg-type]
        if count < MAX_RECEIVE_COUNT:
            assert jobs.jobs[job_id].status is JobStatus.QUEUED  # SQS will deliver it again

    job = jobs.jobs[job_id]
    assert job.status is JobStatus.FAILED
    assert job.last_error is not None
    assert job.last_error.startswith("gave up after 5 attempts (the message is in the DLQ)")
    assert "the worker crashed" in job.last_error and "a bug in the worker" in job.last_error


def test_a_malformed_message_on_its_last_delivery_fails_its_job(jobs: FakeJobs) -> None:
    [record] = load_event("netsuite_order_worker")["Records"]
    envelope = Envelope[NetsuiteOrderEvent].model_validate_json(record["body"])
    job_id = job_for(envelope, jobs).job_id
    broken = delivery(record, MAX_RECEIVE_COUNT)
    broken["body"] = json.dumps({"job_id": job_id, "payload": "not an order"})
    answer = worker.lambda_handler({"Records": [broken]}, FakeLambdaContext())  # type: ignore[arg-type]
    assert answer["batchItemFailures"] == [{"itemIdentifier": broken["messageId"]}]
    assert jobs.jobs[job_id].status is JobStatus.FAILED
    assert "malformed queue message" in (jobs.jobs[job_id].last_error or "")


def test_finished_jobs_are_left_as_they_are(
    jobs: FakeJobs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wiring, "order_sync", lambda: CrashingSync())
    [record] = load_event("netsuite_order_worker")["Records"]
    envelope = Envelope[NetsuiteOrderEvent].model_validate_json(record["body"])
    job = job_for(envelope, jobs)
    jobs.transition(job, JobStatus.DONE, outcome={"opportunity_id": "006A"})
    with pytest.raises(KeyError):
        worker.lambda_handler({"Records": [delivery(record, 5)]}, FakeLambdaContext())  # type: ignore[arg-type]
    assert jobs.jobs[job.job_id].status is JobStatus.DONE
