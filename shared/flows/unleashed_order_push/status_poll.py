"""The status poll: Unleashed order statuses kept current on the opportunities, held sends
released once the monthly quota is back.

Every run (EventBridge schedule):
1. asks Unleashed for sales orders modified since the watermark (one request a page of
   1000, every status: Parked, Placed, Backordered, Completed, Deleted). Unleashed offers no
   webhook for sales orders (its webhooks cover customers and products), so polling is the
   only way to learn a status;
2. when that read is refused for the spent quota, stops there: nothing else would get
   through, and the held sends stay held. When it is answered, the quota is back: the sends
   held for it are put back on the queue (oldest first), whatever `held_until` said (the
   worker computed it from its own clock; Unleashed's answer is the authority);
3. keeps the orders that salesbridge sent (a link order Guid -> opportunity) whose status
   differs from the one last written, and writes them in ONE Salesforce collection call per
   200 opportunities, then remembers each status on its link (what the overlap re-reads is
   then a no-op);
4. moves the watermark to the newest `LastModifiedOn` seen minus an overlap, never back.
   Unleashed's own clock dates the window, so a skew between our clock and Unleashed's can
   neither skip nor repeat changes; the overlap covers orders committed out of order.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from shared.clock import real_utc_now
from shared.cursors import Cursor, CursorRepository
from shared.envelope import Envelope
from shared.errors import BudgetExhausted, StaleWrite
from shared.flows.unleashed_order_push.events import SendRequest
from shared.flows.unleashed_order_push.models import OrderStatus
from shared.flows.unleashed_order_push.ports import SalesOrderFeed, StatusWriter
from shared.intake import QueueSender, fifo_dedup_id, fifo_group_id
from shared.jobs import Job, JobStatus
from shared.links import SALESFORCE_OPPORTUNITY, Link, LinkKey, LinkRepository

WATERMARK = "unleashed.salesorder.modified_since"
OVERLAP = timedelta(minutes=5)
# The first run (no watermark yet) reads the last day: the schedule is deployed with the
# worker, so no order sent through salesbridge is older than that.
FIRST_RUN_LOOKBACK = timedelta(days=1)


class HeldJobs(Protocol):
    def list_by_status(self, status: JobStatus, limit: int = 50) -> list[Job]: ...
    def transition(self, job: Job, status: JobStatus) -> Job: ...


@dataclass
class StatusPollReport:
    quota_spent: bool = False
    released: int = 0
    seen: int = 0
    updated: int = 0
    not_ours: int = 0  # orders made in Unleashed itself or by another integration
    watermark: str = ""


@dataclass
class StatusPoll:
    unleashed: SalesOrderFeed
    salesforce: StatusWriter
    links: LinkRepository
    cursors: CursorRepository
    held_jobs: HeldJobs
    queue: QueueSender
    clock: Callable[[], datetime] = real_utc_now

    def run(self) -> StatusPollReport:
        report = StatusPollReport()
        started = self.clock()
        cursor = self.cursors.get(WATERMARK) or Cursor(name=WATERMARK, value="")
        since = (
            datetime.fromisoformat(cursor.value) if cursor.value else started - FIRST_RUN_LOOKBACK
        )
        try:
            orders = self.unleashed.sales_orders_modified_since(since)
        except BudgetExhausted:
            report.quota_spent = True
            report.watermark = cursor.value
            return report
        report.released = self.release_held(started)
        report.seen = len(orders)
        changed = self._changed(orders, report)
        if changed:
            self.salesforce.record_statuses({link.target_id: o.status for link, o in changed})
            for link, order in changed:
                # Another run wrote the same link first: it wrote this status or a newer one.
                with contextlib.suppress(StaleWrite):
                    self.links.save(link.model_copy(update={"synced_version": order.status}))
            report.updated = len(changed)
        newest = max((o.modified for o in orders), default=None)
        watermark = max(since, newest - OVERLAP) if newest else since
        if watermark != since or not cursor.value:
            self.cursors.advance(cursor, watermark.astimezone(UTC).isoformat())
        report.watermark = watermark.astimezone(UTC).isoformat()
        return report

    def _changed(
        self, orders: list[OrderStatus], report: StatusPollReport
    ) -> list[tuple[Link, OrderStatus]]:
        latest: dict[str, OrderStatus] = {}
        for order in sorted(orders, key=lambda o: o.modified):
            latest[order.guid] = order  # the newest answer for an order wins
        changed = []
        for order in latest.values():
            link = self.links.get(LinkKey.unleashed_sales_order(order.guid), SALESFORCE_OPPORTUNITY)
            if link is None:
                report.not_ours += 1
            elif link.synced_version != order.status:
                changed.append((link, order))
        return changed

    def release_held(self, now: datetime) -> int:
        """Put this flow's held sends back on the queue, oldest first (the quota answered)."""
        held = [
            j
            for j in self.held_jobs.list_by_status(JobStatus.HELD, limit=500)
            if j.flow == SendRequest.FLOW and j.message
        ]
        for job in sorted(held, key=lambda j: j.created_at):
            envelope = Envelope[SendRequest].model_validate_json(job.message or "")
            # Queued before sent: a worker that takes the message at once finds it queued.
            self.held_jobs.transition(job, JobStatus.QUEUED)
            self.queue.send(
                job.message or "",
                group_id=fifo_group_id(envelope.source, envelope.record_key),
                # A fresh id: the original one may still be in SQS's deduplication window.
                dedup_id=fifo_dedup_id(
                    envelope.source,
                    envelope.record_key,
                    envelope.version,
                    f"-r{int(now.timestamp())}",
                ),
            )
        return len(held)
