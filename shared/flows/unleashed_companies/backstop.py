"""The backstop for lost Unleashed webhooks (deliveries are tried once): every few minutes,
read the customers modified since the watermark (with their contacts) and queue, as a
stand-in notification, each one that differs from what was last synced. Unchanged customers
(and echoes of salesbridge's own writes) queue nothing, so the worker spends nothing on them.

Costs: Unleashed 1 call per 1000 modified customers; Salesforce 0 (the worker's costs follow).
The watermark trails the newest modification read by the overlap, so a save made while the
backstop reads is seen by the next run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from shared.cursors import Cursor, CursorRepository
from shared.flows.unleashed_companies.events import CustomerRef, UnleashedCustomerEvent
from shared.flows.unleashed_companies.ports import UnleashedCustomers

WATERMARK = "unleashed_companies:modified_since"
OVERLAP = timedelta(minutes=2)


def run_backstop(
    *,
    unleashed: UnleashedCustomers,
    pending: Callable[..., bool],
    accept: Callable[[UnleashedCustomerEvent], bool],
    cursors: CursorRepository,
    now: datetime,
    first_lookback: timedelta,
) -> dict[str, int]:
    """Queue what the webhooks missed; answer how many were read and queued."""
    cursor = cursors.get(WATERMARK) or Cursor(name=WATERMARK, value="")
    since = datetime.fromisoformat(cursor.value) if cursor.value else now - first_lookback
    customers = unleashed.customers_modified_since(since)
    queued = 0
    for customer in customers:
        if not pending(customer):
            continue
        event = UnleashedCustomerEvent(
            event_type="customer.updated",
            created_on=customer.modified or now,
            data=CustomerRef(customer_guid=customer.guid, customer_code=customer.code),
        )
        accept(event)
        queued += 1
    newest = max((c.modified for c in customers if c.modified), default=since + OVERLAP)
    watermark = min(newest, now) - OVERLAP
    cursors.advance(cursor, max(watermark, since).isoformat())
    return {"read": len(customers), "queued": queued}
