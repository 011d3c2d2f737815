"""What a job says after the worker is done with it: a 404 is not a deletion (issue 7 defect 5),
a finished job shows its outcome and keeps its errors in the history (defect 7), a held job
says until when (defect 6)."""

from __future__ import annotations

from decimal import Decimal

from shared.flows.netsuite_orders_to_salesforce.ports import WriteFailure
from shared.jobs import Job, JobStatus
from shared.netsuite_records import SalesOrder
from tests.unit.order_fakes import queued
from tests.unit.orders import line, order
from tests.unit.test_order_sync_service import World, world


def job_of(w: World, sales_order: SalesOrder, version: str | None = None) -> Job:
    job_id = Job.make_id("netsuite", f"salesorder:{sales_order.id}", version or sales_order.version)
    return w.jobs.jobs[job_id]


EDIT = "2026-11-22T12:00:00Z"


def test_a_404_on_an_edit_of_a_synced_order_keeps_the_opportunity_open() -> None:
    w = world()
    so = w.add(order([line(1, "501", 1, 10.0)]))
    w.sync.run([queued(so, w.jobs)])
    stage = w.salesforce.opportunities[so.id]["StageName"]
    del w.netsuite.orders[so.id]  # the integration role no longer sees it

    first = w.sync.run([queued(so, w.jobs, version=EDIT)])
    assert first.failed_message_ids  # retried with backoff: it may be a passing problem
    w.sync.run([queued(so, w.jobs, version=EDIT, receive_count=3)])  # the last delivery

    job = job_of(w, so, EDIT)
    assert job.status is JobStatus.FAILED
    assert f"NetSuite returns 404 for sales order {so.id}: check the integration role" in (
        job.last_error or ""
    )
    assert w.salesforce.opportunities[so.id]["StageName"] == stage  # not closed
    assert job.message  # replayable


def test_a_404_on_an_order_never_synced_is_not_skipped_as_deleted() -> None:
    w = world()
    so = order([line(1, "501", 1, 10.0)])  # NetSuite does not return it
    w.sync.run([queued(so, w.jobs, event_type="create", receive_count=3)])
    job = job_of(w, so)
    assert job.status is JobStatus.FAILED
    assert "404" in (job.last_error or "") and "deleted" not in (job.last_error or "")
    assert w.salesforce.calls == []


def test_only_a_delete_event_closes_the_opportunity_of_a_missing_order() -> None:
    w = world()
    so = w.add(order([line(1, "501", 1, 10.0)]))
    w.sync.run([queued(so, w.jobs)])
    del w.netsuite.orders[so.id]
    w.sync.run([queued(so, w.jobs, version=EDIT), queued(so, w.jobs, event_type="delete")])
    assert w.salesforce.opportunities[so.id]["NetSuite_Order_Status__c"] == "Deleted in NetSuite"


def test_a_job_done_after_a_retry_shows_its_outcome_and_keeps_the_error_in_its_history() -> None:
    w = world()
    so = w.add(order([line(1, "501", 2, 10.0), line(2, "503", 1, 5.0)]))
    w.salesforce.fail_next[f"ns{so.id}"] = WriteFailure(
        "UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record"
    )
    w.sync.run([queued(so, w.jobs)])
    assert job_of(w, so).last_error and "UNABLE_TO_LOCK_ROW" in job_of(w, so).last_error  # type: ignore[operator]

    w.sync.run([queued(so, w.jobs, receive_count=2)])
    job = job_of(w, so)
    assert job.status is JobStatus.DONE
    assert job.last_error is None
    assert job.outcome["opportunity_id"] == w.salesforce.opportunities[so.id]["Id"]
    assert job.outcome["account_id"]
    assert job.outcome["lines"] == 2 and job.outcome["deleted_lines"] == 0
    assert Decimal(job.outcome["netsuite_total"]) == Decimal(job.outcome["salesforce_total"]) == 25
    assert job.attempt_count == 2
    assert [bool(a.error) for a in job.attempts] == [True, False]
    assert job.attempts[-1].status is JobStatus.DONE
    assert "UNABLE_TO_LOCK_ROW" in (job.attempts[0].error or "")


def test_a_held_job_says_until_when() -> None:
    w = world()
    w.salesforce.budget_gone = True
    so = w.add(order([line(1, "501", 1, 10.0)]))
    w.sync.run([queued(so, w.jobs)])
    job = job_of(w, so)
    assert job.status is JobStatus.HELD
    assert job.held_until == "2030-01-01T01:00:00+00:00"
    assert "REQUEST_LIMIT_EXCEEDED" in (job.last_error or "")


def test_the_history_is_bounded() -> None:
    job = Job(
        job_id="j",
        source="s",
        record_key="k",
        version="v",
        status=JobStatus.QUEUED,
        correlation_id="c",
    )
    for n in range(25):
        job = job.moved_to(JobStatus.QUEUED, error=f"e{n}", attempted=True)
    assert job.attempt_count == 25
    assert [a.error for a in job.attempts] == [f"e{n}" for n in range(15, 25)]
