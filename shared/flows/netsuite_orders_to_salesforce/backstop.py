"""The scheduled backstop: user events can be missed, so also read what changed lately.

Every run (EventBridge schedule):
1. releases jobs held for an exhausted Salesforce budget once the hold has expired, putting
   their messages back on the queue in their original order;
2. asks NetSuite for sales orders modified since the watermark and accepts each as if its
   webhook had arrived: a version whose webhook did arrive is a duplicate job and nothing is
   queued, so the backstop costs Salesforce nothing;
3. moves the watermark to this run's start, minus an overlap for clock skew and NetSuite's
   minute-precision filter (what the overlap re-reads is recognised as duplicates).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from shared.cursors import Cursor, CursorRepository
from shared.envelope import Envelope
from shared.flows.netsuite_orders_to_salesforce.events import NetsuiteOrderEvent
from shared.intake import QueueSender, fifo_dedup_id, fifo_group_id
from shared.jobs import Job, JobRepository, JobStatus
from shared.netsuite_records import SalesOrder

WATERMARK = "netsuite.salesorder.modified_since"
OVERLAP = timedelta(minutes=2)
FIRST_RUN_LOOKBACK = timedelta(days=1)


class ModifiedOrders(Protocol):
    def sales_orders_modified_since(self, since: datetime) -> Iterator[str]: ...
    def sales_order(self, order_id: str) -> SalesOrder | None: ...


class HeldJobs(Protocol):
    def list_by_status(self, status: JobStatus, limit: int = 50) -> list[Job]: ...
    def transition(self, job: Job, status: JobStatus) -> Job: ...


class Hold(Protocol):
    def active(self) -> bool: ...


@dataclass
class BackstopReport:
    released: int = 0
    seen: int = 0
    queued: int = 0
    duplicates: int = 0
    watermark: str = ""


def release_held(jobs: HeldJobs, queue: QueueSender, hold: Hold, *, now: float) -> int:
    """Put held NetSuite jobs back on the queue, oldest first, once the hold has expired."""
    if hold.active():
        return 0
    held = [
        j
        for j in jobs.list_by_status(JobStatus.HELD, limit=500)
        if j.source == NetsuiteOrderEvent.SOURCE
    ]
    released = 0
    for job in sorted(held, key=lambda j: j.created_at):
        envelope = Envelope[NetsuiteOrderEvent].model_validate_json(job.message or "")
        # Queued before sent: a worker that takes the message at once finds it queued.
        jobs.transition(job, JobStatus.QUEUED)
        queue.send(
            job.message or "",
            group_id=fifo_group_id(envelope.source, envelope.record_key),
            # A fresh id: the original one may still be inside SQS's deduplication window.
            dedup_id=fifo_dedup_id(
                envelope.source, envelope.record_key, envelope.version, f"-r{int(now)}"
            ),
        )
        released += 1
    return released


def run_backstop(
    *,
    netsuite: ModifiedOrders,
    jobs: JobRepository,
    held_jobs: HeldJobs,
    queue: QueueSender,
    cursors: CursorRepository,
    hold: Hold,
    accept: Callable[[NetsuiteOrderEvent], bool],
    clock: Callable[[], float] = time.time,
) -> BackstopReport:
    """`accept(event) -> duplicate?` queues one order version the way the receiver does."""
    started = datetime.fromtimestamp(clock(), UTC)
    report = BackstopReport(released=release_held(held_jobs, queue, hold, now=clock()))
    cursor = cursors.get(WATERMARK) or Cursor(name=WATERMARK, value="")
    since = datetime.fromisoformat(cursor.value) if cursor.value else started - FIRST_RUN_LOOKBACK
    for order_id in netsuite.sales_orders_modified_since(since):
        order = netsuite.sales_order(order_id)
        if order is None:
            continue  # deleted since: its delete event (or the next run) tells
        report.seen += 1
        event = NetsuiteOrderEvent.model_validate(
            {
                "recordType": "salesorder",
                "id": order.id,
                "eventType": "edit",
                "lastModifiedDate": order.version,
            }
        )
        if accept(event):
            report.duplicates += 1
        else:
            report.queued += 1
    watermark = (started - OVERLAP).isoformat()
    cursors.advance(cursor, watermark)
    report.watermark = watermark
    return report
