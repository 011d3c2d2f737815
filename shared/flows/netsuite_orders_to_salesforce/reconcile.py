"""The reconciler: close the opportunities of orders deleted in NetSuite whose delete event
was missed. The backstop cannot see deletions (a deleted order is in no list of changes).

Every run (a daily schedule, or on demand with an explicit `since` to re-scan a window):
1. reads NetSuite's deletion log for sales orders deleted since the watermark (one SuiteQL
   request per 1,000 deletions: the cost follows what was deleted, not how many orders exist);
2. keeps the deletions of orders that have an opportunity (a link) not already closed as
   deleted: anything else costs no further call;
3. confirms each by a second read of the order: only NetSuite's 404 confirms absence; any
   other answer (403 after a role change, 5xx, a timeout) leaves it for a later run;
4. queues a delete event per confirmed order through the same intake as the webhook, so the
   worker closes the opportunity exactly as for a delete event, with a job for each;
5. moves the watermark to this run's start minus an overlap, but never past the oldest
   deletion it could not confirm, so that one is read again next run. A re-scan (`since`
   given) leaves the watermark alone.

A deletion whose webhook did arrive is the same job (same order, same moment of deletion),
so reading it again costs nothing but a duplicate answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from shared.cursors import Cursor
from shared.errors import SalesbridgeError
from shared.flows.netsuite_orders_to_salesforce.events import NetsuiteOrderEvent
from shared.flows.netsuite_orders_to_salesforce.plan import plan_close
from shared.flows.netsuite_orders_to_salesforce.settings import NetsuiteOrdersSettings
from shared.links import SALESFORCE_OPPORTUNITY, Link, LinkKey
from shared.netsuite_records import DeletedRecord, SalesOrder

WATERMARK = "netsuite.salesorder.deleted_since"
# Deletions are logged with one-second precision and possibly late: re-read a margin.
OVERLAP = timedelta(minutes=10)
FIRST_RUN_LOOKBACK = timedelta(days=2)  # a daily schedule plus a missed run


class DeletedOrders(Protocol):
    def sales_orders_deleted_since(self, since: datetime) -> Iterator[DeletedRecord]: ...
    def sales_order(self, order_id: str) -> SalesOrder | None: ...


class Links(Protocol):
    def get(self, source_key: str, target: str) -> Link | None: ...


class Watermarks(Protocol):
    def get(self, name: str) -> Cursor | None: ...
    def advance(self, cursor: Cursor, value: str) -> Cursor: ...


@dataclass
class ReconcileReport:
    since: str = ""
    deleted: int = 0  # sales orders in the deletion log since `since`
    not_synced: int = 0  # no opportunity: nothing to close
    already_closed: int = 0
    still_exist: int = 0  # the second read found the order: not closed
    unconfirmed: int = 0  # the second read failed: left for the next run
    queued: int = 0
    duplicates: int = 0  # the delete job exists already (its webhook came)
    queued_orders: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    watermark: str = ""


def closed_as_deleted(link: Link, settings: NetsuiteOrdersSettings) -> bool:
    """What salesbridge last wrote to the opportunity is the close of a deleted order."""
    order_id = link.source_key.rsplit(":", 1)[-1]
    return link.fields_hash == plan_close(order_id, settings, link).fields_hash


def run_reconciler(
    *,
    netsuite: DeletedOrders,
    links: Links,
    cursors: Watermarks,
    settings: NetsuiteOrdersSettings,
    accept: Callable[[NetsuiteOrderEvent], bool],
    since: datetime | None = None,
    clock: Callable[[], float] = time.time,
) -> ReconcileReport:
    """`accept(event) -> duplicate?` queues one delete event the way the receiver does."""
    started = datetime.fromtimestamp(clock(), UTC)
    cursor = cursors.get(WATERMARK) or Cursor(name=WATERMARK, value="")
    rescan = since is not None
    if since is None:
        since = (
            datetime.fromisoformat(cursor.value) if cursor.value else started - FIRST_RUN_LOOKBACK
        )
    report = ReconcileReport(since=since.isoformat())
    oldest_unconfirmed: datetime | None = None
    for deletion in netsuite.sales_orders_deleted_since(since):
        report.deleted += 1
        link = links.get(LinkKey.netsuite_order(deletion.record_id), SALESFORCE_OPPORTUNITY)
        if link is None:
            report.not_synced += 1
            continue
        if closed_as_deleted(link, settings):
            report.already_closed += 1
            continue
        try:
            order = netsuite.sales_order(deletion.record_id)  # None: NetSuite answered 404
        except SalesbridgeError as exc:
            report.unconfirmed += 1
            report.problems.append(
                f"sales order {deletion.record_id} is in NetSuite's deletion log but reading "
                f"it failed, so it stays open until a later run confirms it: {exc.message}"
            )
            if oldest_unconfirmed is None or deletion.deleted_at < oldest_unconfirmed:
                oldest_unconfirmed = deletion.deleted_at
            continue
        if order is not None:
            report.still_exist += 1
            continue
        event = NetsuiteOrderEvent.model_validate(
            {
                "recordType": "salesorder",
                "id": deletion.record_id,
                "eventType": "delete",
                "lastModifiedDate": deletion.version,
            }
        )
        if accept(event):
            report.duplicates += 1
        else:
            report.queued += 1
            report.queued_orders.append(deletion.record_id)
    if not rescan:
        watermark = started - OVERLAP
        if oldest_unconfirmed is not None:
            watermark = min(watermark, oldest_unconfirmed)
        report.watermark = watermark.isoformat()
        cursors.advance(cursor, report.watermark)
    return report
