"""Missed deletes end to end: an order deleted in NetSuite while its delete webhook was lost
is found by the reconciler in NetSuite's deletion log (SuiteQL over `DeletedRecord`),
confirmed gone by a second read, and closed by the worker through a delete job, exactly as
the webhook would have; an order NetSuite merely will not show is never closed.

The world is the one of `test_netsuite_orders` (the same fixtures, its own local stack).
NetSuite calls are read from the sandbox's request log: a run costs one SuiteQL request plus
one read per deleted order that has an open opportunity, whatever the account holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e import test_netsuite_orders as base
from tests.e2e.test_netsuite_orders import Orders

pytestmark = pytest.mark.e2e

# The order tests' fixtures: one local stack with the NetSuite and Salesforce sandboxes.
orders_stack, world, orders = base.orders_stack, base.world, base.orders

RECONCILER = "NetsuiteReconcilerFunction"
SUITEQL = "POST suiteql"
READ = "GET get_sales_order"
NOT_FOUND = {
    "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5",
    "title": "Not Found",
    "status": 404,
    "o:errorDetails": [
        {
            "detail": "The record instance does not exist. Provide a valid record instance ID.",
            "o:errorCode": "NONEXISTENT_ID",
        }
    ],
}
FORBIDDEN = {
    "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.4",
    "title": "Forbidden",
    "status": 403,
    "o:errorDetails": [
        {
            "detail": "Permission Violation: You need the 'Transactions -> Sales Order' "
            "permission to access this page.",
            "o:errorCode": "INSUFFICIENT_PERMISSION",
        }
    ],
}


def synced(orders: Orders, *order_ids: str) -> None:
    for order_id in order_ids:
        orders.emit(order_id)
    orders.settle()
    for order_id in order_ids:
        assert orders.opportunity(order_id)["StageName"] != "Closed Lost"


def delete_without_webhook(orders: Orders, order_id: str) -> None:
    """A user deletes the order while the user event's webhook is lost."""
    orders.ns.configure(events_enabled=False)
    try:
        answer = orders.rest.delete(f"salesOrder/{order_id}")
        assert answer.status_code == 204, answer.text
    finally:
        orders.ns.configure(events_enabled=True)


@contextmanager
def netsuite_calls(orders: Orders) -> Iterator[dict[str, int]]:
    """NetSuite requests made inside the block (no other function runs meanwhile)."""
    counts: dict[str, int] = {}
    with base.between_invocations():
        orders.ns.clear_requests()
        yield counts
        counts.update(orders.ns.requests()["by_endpoint"])


def reconcile(orders: Orders, **event: Any) -> dict[str, Any]:
    if event:
        return dict(orders.stack.invoke(RECONCILER, event))
    return dict(orders.stack.run_schedule(RECONCILER))


def test_the_reconciler_is_a_daily_schedule_of_the_local_stack(orders: Orders) -> None:
    schedule = orders.stack.endpoints["event_sources"]["schedules"][f"{RECONCILER}.Reconcile"]
    assert schedule["expression"] == "rate(1 day)" and schedule["enabled"]


def test_a_missed_delete_closes_the_opportunity_with_a_job_at_a_cost_of_what_changed(
    orders: Orders,
) -> None:
    synced(orders, "1001", "1002")
    # Many orders that did not change: the reconciler never reads them.
    customer = {"id": base.ALPINE}
    bulk = [{"entity": customer, "memo": f"bulk {n}", "item": {"items": []}} for n in range(20)]
    orders.ns.seed({"salesOrders": bulk, "emit_events": False})
    delete_without_webhook(orders, "1001")
    assert "delete" not in [j["detail"].get("event_type") for j in orders.jobs("1001")]

    with netsuite_calls(orders) as calls:
        report = reconcile(orders)
    orders.settle()

    assert (report["deleted"], report["queued"], report["queued_orders"]) == (1, 1, ["1001"])
    assert calls == {SUITEQL: 1, READ: 1}  # the deletion log, then the second read
    opportunity = orders.opportunity("1001")
    assert opportunity["StageName"] == "Closed Lost"
    assert opportunity["NetSuite_Order_Status__c"] == "Deleted in NetSuite"
    closing = orders.jobs("1001")[-1]
    assert closing["status"] == "done" and closing["detail"]["event_type"] == "delete"
    assert closing["correlation_id"].startswith("reconciler-")
    assert orders.opportunity("1002")["StageName"] != "Closed Lost"

    # The next run finds the deletion again (overlap) and knows it is closed: one request.
    jobs_before = len(orders.jobs("1001"))
    with netsuite_calls(orders) as calls:
        again = reconcile(orders)
    orders.settle()
    assert (again["deleted"], again["already_closed"], again["queued"]) == (1, 1, 0)
    assert calls == {SUITEQL: 1}
    assert len(orders.jobs("1001")) == jobs_before


def test_a_delete_whose_webhook_arrived_costs_the_reconciler_nothing(orders: Orders) -> None:
    synced(orders, "1001")
    orders.wait_past_last_save("1001")
    answer = orders.rest.delete("salesOrder/1001")
    assert answer.status_code == 204, answer.text
    orders.settle()
    closed_jobs = orders.jobs("1001")

    report = reconcile(orders)
    orders.settle()

    assert (report["already_closed"], report["queued"]) == (1, 0)
    assert orders.jobs("1001") == closed_jobs


def test_an_order_netsuite_answers_404_for_but_did_not_delete_is_never_closed(
    orders: Orders,
) -> None:
    synced(orders, "1001")
    # the integration role lost sight of the order: every read answers 404
    orders.ns.inject_fault("get_sales_order", method="GET", status=404, body=NOT_FOUND)

    with netsuite_calls(orders) as calls:
        report = reconcile(orders)
    orders.settle()

    assert (report["deleted"], report["queued"]) == (0, 0)
    assert calls == {SUITEQL: 1}
    orders.ns.clear_faults()
    assert orders.opportunity("1001")["StageName"] != "Closed Lost"


def test_a_logged_deletion_of_an_order_that_still_reads_is_not_closed(orders: Orders) -> None:
    synced(orders, "1001")
    moment = datetime.now(UTC).replace(microsecond=0).isoformat()
    orders.ns.seed(
        {"deletedRecords": [{"recordid": "1001", "type": "salesorder", "deleteddate": moment}]}
    )

    report = reconcile(orders)
    orders.settle()

    assert (report["deleted"], report["still_exist"], report["queued"]) == (1, 1, 0)
    assert orders.opportunity("1001")["StageName"] != "Closed Lost"


def test_a_deletion_the_second_read_cannot_confirm_waits_for_a_later_run(orders: Orders) -> None:
    synced(orders, "1002")
    delete_without_webhook(orders, "1002")
    orders.ns.inject_fault("get_sales_order", method="GET", status=403, body=FORBIDDEN)

    first = reconcile(orders)
    orders.settle()

    assert (first["unconfirmed"], first["queued"]) == (1, 0)
    assert "INSUFFICIENT_PERMISSION" in first["problems"][0]
    assert orders.opportunity("1002")["StageName"] != "Closed Lost"

    orders.ns.clear_faults()  # the role is fixed
    second = reconcile(orders)
    orders.settle()

    assert second["queued_orders"] == ["1002"]
    assert orders.opportunity("1002")["NetSuite_Order_Status__c"] == "Deleted in NetSuite"


def test_on_demand_a_window_is_rescanned_without_moving_the_watermark(orders: Orders) -> None:
    synced(orders, "1001")
    delete_without_webhook(orders, "1001")
    reconcile(orders)  # moves the watermark to now less the overlap
    orders.put_cursor("netsuite.salesorder.deleted_since", datetime.now(UTC).isoformat())
    orders.settle()

    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    report = reconcile(orders, since=since)

    assert report["since"] == since and report["watermark"] == ""
    assert report["deleted"] == 1 and report["already_closed"] == 1
