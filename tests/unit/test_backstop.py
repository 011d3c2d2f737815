"""The backstop: queue what changed since the watermark, release held jobs once allowed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from shared.cursors import Cursor
from shared.flows.netsuite_orders_to_salesforce.backstop import WATERMARK, run_backstop
from shared.flows.netsuite_orders_to_salesforce.events import NetsuiteOrderEvent
from shared.intake import accept_event
from shared.jobs import JobStatus
from shared.netsuite_records import SalesOrder
from tests.unit.fakes import FakeJobs, FakeQueue
from tests.unit.orders import order


class Orders:
    def __init__(self, *orders: SalesOrder) -> None:
        self.orders = {o.id: o for o in orders}
        self.asked_since: datetime | None = None

    def sales_orders_modified_since(self, since: datetime) -> Iterator[str]:
        self.asked_since = since
        yield from self.orders

    def sales_order(self, order_id: str) -> SalesOrder | None:
        return self.orders.get(order_id)


class Cursors:
    def __init__(self) -> None:
        self.cursors: dict[str, Cursor] = {}

    def get(self, name: str) -> Cursor | None:
        return self.cursors.get(name)

    def advance(self, cursor: Cursor, value: str) -> Cursor:
        moved = cursor.model_copy(update={"value": value, "revision": cursor.revision + 1})
        self.cursors[cursor.name] = moved
        return moved


class JobsWithStatus(FakeJobs):
    def list_by_status(self, status: JobStatus, limit: int = 50) -> list:  # type: ignore[type-arg]
        return [j for j in self.jobs.values() if j.status is status][:limit]


class Hold:
    def __init__(self, active: bool) -> None:
        self.is_active = active

    def active(self) -> bool:
        return self.is_active


NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC).timestamp()


def backstop(
    orders: Orders,
    jobs: JobsWithStatus,
    queue: FakeQueue,
    cursors: Cursors,
    hold_active: bool = False,
):  # type: ignore[no-untyped-def]
    return run_backstop(
        netsuite=orders,
        jobs=jobs,
        held_jobs=jobs,
        queue=queue,
        cursors=cursors,  # type: ignore[arg-type]
        hold=Hold(hold_active),
        accept=lambda e: accept_event(e, correlation_id="b", jobs=jobs, queue=queue).duplicate,
        clock=lambda: NOW,
    )


def test_missed_changes_are_queued_and_known_versions_are_not() -> None:
    jobs, queue, cursors = JobsWithStatus(), FakeQueue(), Cursors()
    seen = order(id="1")
    accept_event(  # its webhook did arrive
        NetsuiteOrderEvent.model_validate(
            {
                "recordType": "salesorder",
                "id": "1",
                "eventType": "edit",
                "lastModifiedDate": seen.version,
            }
        ),
        correlation_id="w",
        jobs=jobs,
        queue=queue,
    )
    report = backstop(Orders(seen, order(id="2")), jobs, queue, cursors)
    assert (report.seen, report.queued, report.duplicates) == (2, 1, 1)
    assert len(queue.sent) == 2  # one from the webhook, one found by the backstop
    assert cursors.cursors[WATERMARK].value == "2026-11-22T11:58:00+00:00"


def test_the_watermark_is_where_the_next_run_starts() -> None:
    jobs, queue, cursors = JobsWithStatus(), FakeQueue(), Cursors()
    orders = Orders()
    backstop(orders, jobs, queue, cursors)
    assert orders.asked_since == datetime(2026, 11, 21, 12, 0, tzinfo=UTC)  # first run: a day
    backstop(orders, jobs, queue, cursors)
    assert orders.asked_since == datetime(2026, 11, 22, 11, 58, tzinfo=UTC)


def test_held_jobs_are_released_in_order_once_the_hold_expires() -> None:
    jobs, queue, cursors = JobsWithStatus(), FakeQueue(), Cursors()
    for n in ("1", "2"):
        accepted = accept_event(
            NetsuiteOrderEvent.model_validate(
                {
                    "recordType": "salesorder",
                    "id": n,
                    "eventType": "edit",
                    "lastModifiedDate": "2026-11-22T09:00:00Z",
                }
            ),
            correlation_id="w",
            jobs=jobs,
            queue=queue,
        )
        jobs.transition(accepted.job, JobStatus.HELD)
    queue.sent.clear()
    assert backstop(Orders(), jobs, queue, cursors, hold_active=True).released == 0
    report = backstop(Orders(), jobs, queue, cursors, hold_active=False)
    assert report.released == 2
    assert [m["group_id"] for m in queue.sent] == ["netsuite-salesorder-1", "netsuite-salesorder-2"]
    assert all(m["dedup_id"].endswith(f"-r{int(NOW)}") for m in queue.sent)
    assert all(j.status is JobStatus.QUEUED for j in jobs.jobs.values())
