from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from shared.envelope import Envelope
from shared.errors import RetryableError
from shared.flows.netsuite_orders_to_salesforce.events import NetsuiteOrderEvent
from shared.intake import accept_event
from shared.jobs import JobStatus
from tests.unit.fakes import FakeJobs, FakeQueue


def order_event(
    version: str = "2026-11-22T09:41:07Z", order_id: str = "4711"
) -> NetsuiteOrderEvent:
    return NetsuiteOrderEvent.model_validate(
        {
            "recordType": "salesorder",
            "id": order_id,
            "eventType": "edit",
            "lastModifiedDate": version,
        }
    )


def test_an_event_becomes_one_queued_job_and_one_message() -> None:
    jobs, queue = FakeJobs(), FakeQueue()
    accepted = accept_event(order_event(), correlation_id="c-1", jobs=jobs, queue=queue)
    assert accepted.job.status is JobStatus.QUEUED and not accepted.duplicate
    assert accepted.job.job_id == "netsuite:salesorder:4711:2026-11-22T09:41:07Z"
    [message] = queue.sent
    assert message["group_id"] == "netsuite-salesorder-4711"
    assert message["dedup_id"] == "netsuite-salesorder-4711-2026-11-22T094107Z"
    envelope = Envelope[NetsuiteOrderEvent].model_validate_json(message["body"] or "")
    assert envelope.job_id == accepted.job.job_id and envelope.correlation_id == "c-1"
    assert envelope.payload.id == "4711" and envelope.version == "2026-11-22T09:41:07Z"


def test_the_same_version_delivered_three_times_is_queued_once() -> None:
    jobs, queue = FakeJobs(), FakeQueue()
    results = [
        accept_event(order_event(), correlation_id=f"c-{i}", jobs=jobs, queue=queue)
        for i in range(3)
    ]
    assert [r.duplicate for r in results] == [False, True, True]
    assert len(queue.sent) == 1 and len(jobs.jobs) == 1


def test_a_new_version_is_a_new_job() -> None:
    jobs, queue = FakeJobs(), FakeQueue()
    accept_event(order_event("2026-11-22T09:41:07Z"), correlation_id="a", jobs=jobs, queue=queue)
    accept_event(order_event("2026-11-22T09:45:00Z"), correlation_id="b", jobs=jobs, queue=queue)
    assert len(queue.sent) == 2 and len(jobs.jobs) == 2


def test_a_failed_enqueue_leaves_the_job_received_and_the_next_delivery_sends_it() -> None:
    jobs, queue = FakeJobs(), FakeQueue(fail_times=1)
    with pytest.raises(RetryableError):
        accept_event(order_event(), correlation_id="a", jobs=jobs, queue=queue)
    [job] = jobs.jobs.values()
    assert job.status is JobStatus.RECEIVED and queue.sent == []
    again = accept_event(order_event(), correlation_id="b", jobs=jobs, queue=queue)
    assert again.job.status is JobStatus.QUEUED and len(queue.sent) == 1


def test_versions_are_normalised_to_utc_seconds() -> None:
    event = order_event("2026-11-22T10:41:07.250+01:00")
    assert event.version == "2026-11-22T09:41:07Z"
    assert event.last_modified_date == datetime(2026, 11, 22, 9, 41, 7, 250000, tzinfo=UTC)


def test_the_job_keeps_the_message_for_replay() -> None:
    jobs, queue = FakeJobs(), FakeQueue()
    accepted = accept_event(order_event(), correlation_id="c", jobs=jobs, queue=queue)
    assert json.loads(accepted.job.message or "")["payload"]["id"] == "4711"


def saved(event_id: str | None, version: str = "2026-11-22T09:41:07Z") -> NetsuiteOrderEvent:
    body = {
        "recordType": "salesorder",
        "id": "4711",
        "eventType": "edit",
        "lastModifiedDate": version,
    }
    return NetsuiteOrderEvent.model_validate(
        {**body, **({"eventId": event_id} if event_id else {})}
    )


def test_two_saves_within_one_second_get_a_job_and_a_message_each() -> None:
    """Issue 8 item 4: lastModifiedDate is to the second; the script's eventId tells saves apart."""
    jobs, queue = FakeJobs(), FakeQueue()
    first = accept_event(saved("e-1"), correlation_id="c", jobs=jobs, queue=queue)
    second = accept_event(saved("e-2"), correlation_id="c", jobs=jobs, queue=queue)
    assert not first.duplicate and not second.duplicate
    assert first.job.job_id == "netsuite:salesorder:4711:2026-11-22T09:41:07Z"
    assert second.job.job_id == "netsuite:salesorder:4711:2026-11-22T09:41:07Z-e-2"
    assert [m["dedup_id"] for m in queue.sent] == [
        "netsuite-salesorder-4711-2026-11-22T094107Z",
        "netsuite-salesorder-4711-2026-11-22T094107Z-e-2",
    ]
    assert {m["group_id"] for m in queue.sent} == {"netsuite-salesorder-4711"}  # still in order


def test_a_redelivered_event_or_one_without_an_id_stays_a_duplicate() -> None:
    jobs, queue = FakeJobs(), FakeQueue()
    accept_event(saved("e-1"), correlation_id="c", jobs=jobs, queue=queue)
    again = accept_event(saved("e-1"), correlation_id="c", jobs=jobs, queue=queue)
    backstop = accept_event(saved(None), correlation_id="c", jobs=jobs, queue=queue)
    accept_event(saved("e-2"), correlation_id="c", jobs=jobs, queue=queue)
    third = accept_event(saved("e-2"), correlation_id="c", jobs=jobs, queue=queue)
    assert again.duplicate and backstop.duplicate and third.duplicate
    assert len(queue.sent) == 2


@pytest.mark.parametrize("event_id", ["é", "a b", "x" * 41, "-leading", "a:b"])
def test_an_event_id_that_cannot_be_part_of_a_deduplication_id_is_refused(event_id: str) -> None:
    with pytest.raises(ValueError, match="eventId"):
        saved(event_id)
