"""The Salesforce -> NetSuite backstop: a lost Closed Won callout is found and queued anyway.

Every run (EventBridge schedule):
1. re-sends the export jobs left `received` (the callout recorded its job but the queue was
   unavailable), once they are older than `RECEIVED_GRACE` (a receiver may still be sending);
2. asks Salesforce, in ONE query, for won opportunities not yet exported (not "Skip Export to
   NetSuite", no `NetSuite_Id__c`) modified since the watermark, and accepts each as if its
   callout had arrived: a version whose callout did arrive is a duplicate job and nothing is
   queued, so the backstop costs NetSuite nothing;
3. moves the watermark to this run's start minus an overlap (clock skew, the seconds-precise
   LastModifiedDate); what the overlap re-reads is recognised as duplicates.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from shared.cursors import Cursor, CursorRepository
from shared.flows.salesforce_orders_to_netsuite.events import SalesforceOpportunityEvent
from shared.flows.salesforce_orders_to_netsuite.ports import WonOpportunities
from shared.intake import QueueSender, accept, accept_event, fifo_dedup_id, fifo_group_id
from shared.jobs import Job, JobRepository, JobStatus

WATERMARK = "salesforce.opportunity.won_since"
OVERLAP = timedelta(minutes=2)
FIRST_RUN_LOOKBACK = timedelta(days=1)
RECEIVED_GRACE = timedelta(minutes=5)


class ReceivedJobs(Protocol):
    def list_by_status(self, status: JobStatus, limit: int = 50) -> list[Job]: ...


@dataclass
class ExportBackstopReport:
    resent: int = 0
    seen: int = 0
    queued: int = 0
    duplicates: int = 0
    watermark: str = ""


def resend_received(
    jobs: JobRepository, received: ReceivedJobs, queue: QueueSender, *, now: datetime
) -> int:
    """Queue the export jobs a receiver recorded but could not queue, oldest first."""
    stuck = [
        job
        for job in received.list_by_status(JobStatus.RECEIVED, limit=500)
        if job.source == SalesforceOpportunityEvent.SOURCE
        and datetime.fromisoformat(job.created_at.replace("Z", "+00:00")) <= now - RECEIVED_GRACE
    ]
    resent = 0
    for job in sorted(stuck, key=lambda j: j.created_at):
        accepted = accept(
            job,
            jobs=jobs,
            queue=queue,
            group_id=fifo_group_id(job.source, job.record_key),
            dedup_id=fifo_dedup_id(job.source, job.record_key, job.version),
        )
        resent += accepted.job.status is JobStatus.QUEUED
    return resent


def run_export_backstop(
    *,
    salesforce: WonOpportunities,
    jobs: JobRepository,
    received: ReceivedJobs,
    queue: QueueSender,
    cursors: CursorRepository,
    correlation_id: str,
    clock: Callable[[], float] = time.time,
) -> ExportBackstopReport:
    started = datetime.fromtimestamp(clock(), UTC)
    report = ExportBackstopReport(resent=resend_received(jobs, received, queue, now=started))
    cursor = cursors.get(WATERMARK) or Cursor(name=WATERMARK, value="")
    since = datetime.fromisoformat(cursor.value) if cursor.value else started - FIRST_RUN_LOOKBACK
    for won in salesforce.won_not_exported_since(since):
        report.seen += 1
        event = SalesforceOpportunityEvent.model_validate(
            {"opportunityId": won.id, "lastModifiedDate": won.last_modified}
        )
        accepted = accept_event(event, correlation_id=correlation_id, jobs=jobs, queue=queue)
        if accepted.duplicate:
            report.duplicates += 1
        else:
            report.queued += 1
    watermark = (started - OVERLAP).isoformat()
    cursors.advance(cursor, watermark)
    report.watermark = watermark
    return report
