"""The reconciler: close the opportunities of orders deleted in NetSuite whose delete event
was missed, only when a second read confirms the order is gone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from shared.cursors import Cursor
from shared.envelope import Envelope
from shared.errors import ConfigurationError, RetryableError, SalesbridgeError
from shared.flows.netsuite_orders_to_salesforce.events import NetsuiteOrderEvent
from shared.flows.netsuite_orders_to_salesforce.plan import plan_close
from shared.flows.netsuite_orders_to_salesforce.reconcile import (
    FIRST_RUN_LOOKBACK,
    OVERLAP,
    WATERMARK,
    ReconcileReport,
    run_reconciler,
)
from shared.flows.netsuite_orders_to_salesforce.settings import NetsuiteOrdersSettings
from shared.intake import accept_event
from shared.links import Link
from shared.netsuite_records import DeletedRecord, SalesOrder
from tests.unit.fakes import FakeJobs, FakeQueue
from tests.unit.orders import order
from tests.unit.test_backstop import Cursors

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
DELETED_AT = datetime(2026, 11, 21, 16, 30, 5, tzinfo=UTC)
SETTINGS = NetsuiteOrdersSettings()


class NetSuite:
    """The deletion log and the orders that still exist; counts the second reads."""

    def __init__(self, *deleted: DeletedRecord, existing: tuple[SalesOrder, ...] = ()) -> None:
        self.deleted = list(deleted)
        self.orders = {o.id: o for o in existing}
        self.failures: dict[str, SalesbridgeError] = {}
        self.reads: list[str] = []
        self.asked_since: datetime | None = None

    def sales_orders_deleted_since(self, since: datetime) -> Iterator[DeletedRecord]:
        self.asked_since = since
        yield from (d for d in self.deleted if d.deleted_at >= since)

    def sales_order(self, order_id: str) -> SalesOrder | None:
        self.reads.append(order_id)
        if order_id in self.failures:
            raise self.failures[order_id]
        return self.orders.get(order_id)


class Links:
    def __init__(self, *links: Link) -> None:
        self.links = {(link.source_key, link.target): link for link in links}

    def get(self, source_key: str, target: str) -> Link | None:
        return self.links.get((source_key, target))


def synced(order_id: str) -> Link:
    return Link(
        source_key=f"netsuite:salesorder:{order_id}",
        target="salesforce:Opportunity",
        target_id=f"006{order_id}",
        synced_version="2026-11-20T10:00:00Z",
        fields_hash="hash-of-an-open-opportunity",
        revision=1,
    )


def closed(order_id: str) -> Link:
    link = synced(order_id)
    return link.model_copy(update={"fields_hash": plan_close(order_id, SETTINGS, link).fields_hash})


def deletion(order_id: str, at: datetime = DELETED_AT) -> DeletedRecord:
    return DeletedRecord(record_id=order_id, deleted_at=at)


class World:
    def __init__(self, netsuite: NetSuite, links: Links) -> None:
        self.netsuite = netsuite
        self.links = links
        self.jobs = FakeJobs()
        self.queue = FakeQueue()
        self.cursors = Cursors()

    def run(self, *, at: datetime = NOW, since: datetime | None = None) -> ReconcileReport:
        return run_reconciler(
            netsuite=self.netsuite,
            links=self.links,
            cursors=self.cursors,
            settings=SETTINGS,
            accept=lambda e: (
                accept_event(e, correlation_id="r", jobs=self.jobs, queue=self.queue).duplicate
            ),
            since=since,
            clock=at.timestamp,
        )

    def queued_events(self) -> list[NetsuiteOrderEvent]:
        return [
            Envelope[NetsuiteOrderEvent].model_validate_json(str(sent["body"])).payload
            for sent in self.queue.sent
        ]


def test_a_missed_delete_of_a_synced_order_queues_one_delete_job() -> None:
    world = World(NetSuite(deletion("1001")), Links(synced("1001")))

    report = world.run()

    [event] = world.queued_events()
    assert (event.id, event.event_type, event.version) == ("1001", "delete", "2026-11-21T16:30:05Z")
    assert (report.queued, report.queued_orders) == (1, ["1001"])
    [job] = world.jobs.jobs.values()
    assert job.record_key == "salesorder:1001" and job.detail == {"event_type": "delete"}
    assert world.netsuite.reads == ["1001"]  # the second read that confirmed it


def test_the_job_is_the_one_the_delete_webhook_makes_so_a_delivered_delete_costs_nothing() -> None:
    world = World(NetSuite(deletion("1001")), Links(synced("1001")))
    webhook = NetsuiteOrderEvent.model_validate(
        {
            "recordType": "salesorder",
            "id": "1001",
            "eventType": "delete",
            "lastModifiedDate": "2026-11-21T16:30:05Z",
        }
    )
    accept_event(webhook, correlation_id="w", jobs=world.jobs, queue=world.queue)

    report = world.run()

    assert (report.queued, report.duplicates) == (0, 1)
    assert len(world.queue.sent) == 1 and len(world.jobs.jobs) == 1


def test_deletions_of_orders_never_synced_or_already_closed_cost_no_read() -> None:
    world = World(
        NetSuite(deletion("1001"), deletion("1002"), deletion("1003")),
        Links(synced("1001"), closed("1003")),
    )

    report = world.run()

    assert (report.deleted, report.not_synced, report.already_closed) == (3, 1, 1)
    assert world.netsuite.reads == ["1001"] and report.queued_orders == ["1001"]


def test_an_order_the_second_read_finds_is_not_closed() -> None:
    world = World(
        NetSuite(deletion("4711"), existing=(order(),)),  # order() is 4711
        Links(synced("4711")),
    )

    report = world.run()

    assert (report.still_exist, report.queued) == (1, 0) and world.queue.sent == []


@pytest.mark.parametrize(
    "failure",
    [
        ConfigurationError("NetSuite refused to read salesOrder/1001: the role lacks permission"),
        RetryableError("NetSuite answered 503 to read salesOrder/1001"),
    ],
    ids=["forbidden", "unavailable"],
)
def test_only_a_404_confirms_absence_any_other_failure_is_retried_next_run(
    failure: SalesbridgeError,
) -> None:
    netsuite = NetSuite(deletion("1001"), deletion("1002", DELETED_AT + timedelta(hours=2)))
    netsuite.failures["1001"] = failure
    world = World(netsuite, Links(synced("1001"), synced("1002")))

    first = world.run()

    assert (first.unconfirmed, first.queued_orders) == (1, ["1002"])
    assert "sales order 1001" in first.problems[0] and failure.message in first.problems[0]
    # the watermark stays at the deletion it could not confirm
    assert world.cursors.cursors[WATERMARK].value == DELETED_AT.isoformat()

    del netsuite.failures["1001"]
    second = world.run(at=NOW + timedelta(days=1))

    assert netsuite.asked_since == DELETED_AT
    assert second.queued_orders == ["1001"] and second.duplicates == 1


def test_the_watermark_moves_to_the_run_start_less_the_overlap() -> None:
    world = World(NetSuite(), Links())

    first = world.run()
    assert world.netsuite.asked_since == NOW - FIRST_RUN_LOOKBACK
    assert first.watermark == (NOW - OVERLAP).isoformat()

    world.run(at=NOW + timedelta(days=1))
    assert world.netsuite.asked_since == NOW - OVERLAP


def test_a_rescan_reads_the_window_asked_for_and_leaves_the_watermark() -> None:
    world = World(NetSuite(deletion("1001")), Links(synced("1001")))
    world.cursors.advance(Cursor(name=WATERMARK, value=""), NOW.isoformat())
    since = datetime(2026, 11, 1, tzinfo=UTC)

    report = world.run(since=since)

    assert world.netsuite.asked_since == since and report.queued_orders == ["1001"]
    assert report.watermark == "" and world.cursors.cursors[WATERMARK].value == NOW.isoformat()
