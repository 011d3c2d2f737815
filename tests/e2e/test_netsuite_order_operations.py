"""Issue 7 (defects 5, 6) and issue 8 (item 3) through the whole local stack: a 404 from
NetSuite is not a deletion, every delivery crashing still leaves a failed job, and a schedule
of the running stack runs on demand from outside it (what `make local` needs for the backstop).
"""

# ruff: noqa: F811 - the module's fixtures come from test_netsuite_orders (one stack per module)
from __future__ import annotations

from typing import Any

import pytest

from devstack.__main__ import main as devstack_cli
from ops.__main__ import main as ops_cli
from tests.e2e.test_netsuite_orders import (  # noqa: F401 - fixtures
    BACKSTOP,
    WORKER,
    Orders,
    orders,
    orders_stack,
    world,
)

pytestmark = pytest.mark.e2e

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


def test_a_404_on_an_edit_fails_the_job_leaves_the_opportunity_open_and_replays(
    orders: Orders,
) -> None:
    orders.emit("1002")
    orders.settle()
    stage = orders.opportunity("1002")["StageName"]

    orders.wait_past_last_save("1002")
    orders.ns.inject_fault("get_sales_order", status=404, body=NOT_FOUND)  # the role lost it
    version = orders.edit("1002", memo="seen by a role that cannot read it")
    orders.settle()

    job = next(j for j in orders.jobs("1002") if j["version"] == version)
    assert job["status"] == "failed"
    assert (
        "NetSuite returns 404 for sales order 1002: check the integration role can see it"
        in (job["last_error"])
    )
    assert orders.opportunity("1002")["StageName"] == stage  # not closed as deleted
    assert orders.opportunity("1002")["NetSuite_Order_Status__c"] != "Deleted in NetSuite"
    assert orders.queue_depth(orders.dlq_url) == 1

    orders.ns.clear_faults()  # the role is fixed
    endpoints = str(orders.stack.endpoints_path)
    assert ops_cli(["--endpoints", endpoints, "replay", job["job_id"]]) == 0
    orders.settle()
    assert next(j for j in orders.jobs("1002") if j["version"] == version)["status"] == "done"


def test_a_crash_on_every_delivery_leaves_the_job_failed_not_queued(
    orders: Orders, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = orders.stack.handler_module(WORKER)

    class Crashing:
        def run(self, batch: Any) -> Any:
            raise RuntimeError("killed mid-batch")

    monkeypatch.setattr(module.wiring, "order_sync", lambda: Crashing())
    orders.emit("1001")
    orders.settle()

    [job] = orders.jobs("1001")
    assert job["status"] == "failed"
    assert "the worker crashed" in job["last_error"] and "killed mid-batch" in job["last_error"]
    assert orders.queue_depth(orders.dlq_url) == 1


def test_the_backstop_runs_on_demand_from_outside_the_stack(
    orders: Orders, capsys: pytest.CaptureFixture[str]
) -> None:
    endpoints = str(orders.stack.endpoints_path)
    ran = len([i for i in orders.stack.invocations if i.function == BACKSTOP])
    assert devstack_cli(["trigger", BACKSTOP, "--endpoints", endpoints]) == 0
    assert '"watermark"' in capsys.readouterr().out
    assert ops_cli(["--endpoints", endpoints, "trigger", BACKSTOP]) == 0
    assert '"released"' in capsys.readouterr().out
    assert len([i for i in orders.stack.invocations if i.function == BACKSTOP]) == ran + 2

    assert devstack_cli(["trigger", "NoSuchSchedule", "--endpoints", endpoints]) == 2
    assert "NoSuchSchedule" in capsys.readouterr().out
