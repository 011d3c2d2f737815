"""The Salesforce -> NetSuite backstop (issue 8, item 5): lost callouts and jobs left received."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.cursors import Cursor
from shared.errors import RetryableError
from shared.flows.salesforce_orders_to_netsuite.backstop import (
    FIRST_RUN_LOOKBACK,
    OVERLAP,
    WATERMARK,
    run_export_backstop,
)
from shared.flows.salesforce_orders_to_netsuite.events import SalesforceOpportunityEvent
from shared.flows.salesforce_orders_to_netsuite.ports import WonOpportunity
from shared.intake import accept_event
from shared.jobs import JobStatus
from tests.unit.fakes import FakeQueue
from tests.unit.test_backstop import Cursors, JobsWithStatus

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
OPP = "006Hp00001AbCdEIAV"


class Won:
    def __init__(self, *won: WonOpportunity) -> None:
        self.won = list(won)
        self.asked_since: list[datetime] = []

    def won_not_exported_since(self, since: datetime) -> list[WonOpportunity]:
        self.asked_since.append(since)
        return self.won


def run(won: Won, jobs: JobsWithStatus, queue: FakeQueue, cursors: Cursors, now: datetime = NOW):  # type: ignore[no-untyped-def]
    return run_export_backstop(
        salesforce=won,
        jobs=jobs,
        received=jobs,
        queue=queue,
        cursors=cursors,  # type: ignore[arg-type]
        correlation_id="backstop-test",
        clock=now.timestamp,
    )


def test_a_lost_callout_is_queued_once_and_the_watermark_moves_with_overlap() -> None:
    won = Won(WonOpportunity(OPP, NOW - timedelta(minutes=3)))
    jobs, queue, cursors = JobsWithStatus(), FakeQueue(), Cursors()

    first = run(won, jobs, queue, cursors)
    assert (first.seen, first.queued, first.duplicates) == (1, 1, 0)
    assert won.asked_since == [NOW - FIRST_RUN_LOOKBACK]
    assert cursors.cursors[WATERMARK].value == (NOW - OVERLAP).isoformat()
    [sent] = queue.sent
    assert sent["group_id"] and OPP in (sent["body"] or "")

    again = run(won, jobs, queue, cursors, NOW + timedelta(minutes=15))
    assert (again.queued, again.duplicates) == (0, 1) and len(queue.sent) == 1
    assert won.asked_since[-1] == NOW - OVERLAP


def test_a_callout_that_arrived_makes_the_backstop_cost_nothing() -> None:
    modified = NOW - timedelta(minutes=1)
    jobs, queue, cursors = JobsWithStatus(), FakeQueue(), Cursors()
    event = SalesforceOpportunityEvent.model_validate(
        {"opportunityId": OPP, "lastModifiedDate": modified}
    )
    accept_event(event, correlation_id="callout", jobs=jobs, queue=queue)
    report = run(Won(WonOpportunity(OPP, modified)), jobs, queue, cursors)
    assert (report.queued, report.duplicates) == (0, 1) and len(queue.sent) == 1


def test_a_job_left_received_after_a_queue_error_is_resent_after_the_grace() -> None:
    jobs, cursors = JobsWithStatus(), Cursors()
    event = SalesforceOpportunityEvent.model_validate(
        {"opportunityId": OPP, "lastModifiedDate": NOW - timedelta(hours=1)}
    )
    with pytest.raises(RetryableError):  # the receiver answered 503, the job stays received
        accept_event(event, correlation_id="c", jobs=jobs, queue=FakeQueue(1))
    [job] = jobs.jobs.values()
    assert job.status is JobStatus.RECEIVED
    created = datetime.fromisoformat(job.created_at.replace("Z", "+00:00"))
    cursors.cursors[WATERMARK] = Cursor(name=WATERMARK, value=NOW.isoformat())

    queue = FakeQueue()
    early = run(Won(), jobs, queue, cursors, created + timedelta(minutes=1))
    assert early.resent == 0 and queue.sent == []  # a receiver may still be sending it

    later = run(Won(), jobs, queue, cursors, created + timedelta(minutes=6))
    assert later.resent == 1 and len(queue.sent) == 1
    assert jobs.jobs[job.job_id].status is JobStatus.QUEUED
