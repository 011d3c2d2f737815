"""`make chaos`: the reliability campaign, replayed through the local stack, bounded and seeded.

What it does, in one local stack (template.yaml, the Salesforce and NetSuite sandboxes, the demo
company):
1. seeds ORDERS NetSuite sales orders (2 to 5 lines each) without webhooks;
2. arms Salesforce faults on the endpoints the worker calls, each with a seeded probability:
   503 SERVER_UNAVAILABLE, UNABLE_TO_LOCK_ROW, a dropped connection, and a write that Salesforce
   commits but whose answer never arrives (`commit_then_drop`); plus NetSuite 429s and 503s on
   the order read;
3. posts every order's signed "create" webhook COPIES times, shuffled, while the worker runs;
4. edits every order in NetSuite half way through (lines removed, quantities changed, a line
   added), so retries meet a newer order than the one first written, and posts the new
   version's webhook COPIES times, shuffled together with the first version's remaining copies;
5. waits until nothing moves, lifts the faults, runs the backstop, replays the failed jobs as an
   operator would, and waits again;
6. compares Salesforce with NetSuite, order by order.

Figures (printed, and written to .bench/results.json as `chaos.*`): events sent, faults injected
by kind, orders lost (no opportunity), opportunities doubled, extra and missing opportunity lines,
stale orders (quantity, price or Amount differing from NetSuite's last version), jobs stuck in
received/queued, jobs failed with and without a reason before the replay, worker crashes (an
exception out of a handler), 5xx answers from the API, events refused (all are valid and signed,
so any refusal means the campaign tested nothing), and the time. The run fails (exit 1)
when any of lost / doubled / extra lines / missing lines / stale / stuck / crashes / 5xx is not 0.

Knobs: SALESBRIDGE_CHAOS_SEED (default 20261205), SALESBRIDGE_CHAOS_ORDERS (50),
SALESBRIDGE_CHAOS_COPIES (3), SALESBRIDGE_CHAOS_FAILURE_RATE (0.3: the chance that a call to a
faulted endpoint fails), SALESBRIDGE_CHAOS_TIMEOUT_S (600).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from devstack.stack import LocalStack
from shared.signing import signed_headers

ROOT = Path(__file__).resolve().parent.parent
LOG_FILE = ROOT / ".bench" / "chaos.log"
SEED = int(os.environ.get("SALESBRIDGE_CHAOS_SEED", "20261205"))
ORDERS = int(os.environ.get("SALESBRIDGE_CHAOS_ORDERS", "50"))
COPIES = int(os.environ.get("SALESBRIDGE_CHAOS_COPIES", "3"))
FAILURE_RATE = float(os.environ.get("SALESBRIDGE_CHAOS_FAILURE_RATE", "0.3"))
TIMEOUT_SECONDS = float(os.environ.get("SALESBRIDGE_CHAOS_TIMEOUT_S", "600"))
TIME_SCALE = 0.003  # visibility backoffs of 30-900 s take 0.1-2.7 s
WORKER = "NetsuiteOrderWorkerFunction"
BACKSTOP = "NetsuiteBackstopFunction"
ORDER_ROUTE = "/webhooks/netsuite/orders"
CUSTOMERS = ["101", "102", "103", "104", "105"]  # the demo company's, linked in both systems
PRODUCTS = ["501", "502", "503", "504", "505", "506", "507", "508"]
ORDER_FIELD = "NetSuite_Id__c"
LINE_KEY_FIELD = "NetSuite_Line_Key__c"
INVARIANTS = (
    "orders_lost",
    "opportunities_doubled",
    "extra_lines",
    "missing_lines",
    "stale_orders",
    "stuck_jobs",
    "worker_crashes",
    "api_5xx",
    "events_refused",
)

LOCK_ERROR = [
    {
        "errorCode": "UNABLE_TO_LOCK_ROW",
        "message": "unable to obtain exclusive access to this record or 1 records",
        "fields": [],
    }
]
UNAVAILABLE = [{"errorCode": "SERVER_UNAVAILABLE", "message": "Server temporarily unavailable"}]
NETSUITE_BUSY = {
    "title": "Too Many Requests",
    "status": 429,
    "o:errorDetails": [
        {
            "detail": "Concurrent request limit exceeded. Request blocked.",
            "o:errorCode": "SSS_REQUEST_LIMIT_EXCEEDED",
        }
    ],
}


@dataclass(frozen=True)
class Knobs:
    """One campaign's size and severity (the environment's, or a test's)."""

    seed: int = SEED
    orders: int = ORDERS
    copies: int = COPIES
    failure_rate: float = FAILURE_RATE


@dataclass(frozen=True)
class FaultPlan:
    """One kind of failure on one endpoint: `share` of FAILURE_RATE goes to it."""

    sandbox: str
    label: str
    endpoint: str
    share: float
    spec: dict[str, Any]


# Salesforce: the worker's one composite-graph write and its line/price book queries.
FAULTS = [
    FaultPlan("salesforce", "salesforce_503", "composite_graph", 0.25,
              {"status": 503, "body": UNAVAILABLE}),
    FaultPlan("salesforce", "salesforce_unable_to_lock_row", "composite_graph", 0.25,
              {"status": 400, "body": LOCK_ERROR}),
    FaultPlan("salesforce", "salesforce_dropped_connection", "composite_graph", 0.2,
              {"kind": "drop"}),
    FaultPlan("salesforce", "salesforce_commit_then_drop", "composite_graph", 0.3,
              {"kind": "commit_then_drop"}),
    FaultPlan("salesforce", "salesforce_query_503", "query", 0.3,
              {"status": 503, "body": UNAVAILABLE}),
    FaultPlan("netsuite", "netsuite_429", "get_sales_order", 0.15,
              {"status": 429, "body": NETSUITE_BUSY}),
]  # fmt: skip


class ChaosFailed(RuntimeError):
    """An invariant broke: the figures say which."""


class Campaign:
    def __init__(self, stack: LocalStack, knobs: Knobs) -> None:
        self.stack = stack
        self.knobs = knobs
        self.rng = random.Random(knobs.seed)
        self.ns = stack.sandbox_admin("netsuite")
        self.sf = stack.sandbox_admin("salesforce")
        self.url = stack.endpoints["api"]["base_url"] + ORDER_ROUTE
        self.key = stack.endpoints["webhook_keys"]["netsuite"]
        self.http = httpx.Client(timeout=30)
        self.answers: Counter[int] = Counter()
        self.fault_ids: dict[str, tuple[str, int]] = {}
        self.account_id = str(self.ns.state()["account_id"])

    # -- NetSuite ------------------------------------------------------------------------------

    def seed_orders(self, count: int) -> list[str]:
        orders = []
        for index in range(count):
            lines = [
                {"item": {"id": self.rng.choice(PRODUCTS)}, "quantity": self.rng.randint(1, 9)}
                for _ in range(self.rng.randint(2, 5))
            ]
            orders.append(
                {
                    "entity": {"id": CUSTOMERS[index % len(CUSTOMERS)]},
                    "memo": f"Chaos order {index}",
                    "custbody_sb_send_to_salesforce": True,
                    "custbody_sb_origin": "NetSuite",
                    "item": {"items": lines},
                }
            )
        created = self.ns.seed({"salesOrders": orders, "emit_events": False})
        return [str(order_id) for order_id in created["salesOrders"]]

    def orders(self) -> dict[str, dict[str, Any]]:
        return {str(o["id"]): o for o in self.ns.state()["salesOrders"]}

    def edit(self, order_id: str, order: dict[str, Any]) -> None:
        """A second version: the last line removed, the first line's quantity changed, a new
        line added (NetSuite replaces the whole item sublist)."""
        lines = [
            {"item": {"id": line["item"]["id"]}, "quantity": line["quantity"]}
            for line in order["item"]["items"]
        ]
        lines = lines[:-1]
        lines[0]["quantity"] = lines[0]["quantity"] % 9 + 1
        lines.append({"item": {"id": self.rng.choice(PRODUCTS)}, "quantity": 2})
        self.ns._call(
            "POST",
            "/edit",
            {"id": order_id, "fields": {"memo": "Chaos, second version", "item": {"items": lines}},
             "replace": ["item"]},
        )  # fmt: skip

    def event(self, order_id: str, order: dict[str, Any], event_type: str) -> bytes:
        version = order["lastModifiedDate"]
        return json.dumps(
            {
                "recordType": "salesorder",
                "id": order_id,
                "eventType": event_type,
                "lastModifiedDate": version,
                "accountId": self.account_id,
                # one id per version: the copies of a version are redeliveries of one event
                "eventId": f"chaos-{order_id}-{''.join(c for c in version if c.isdigit())}",
            }
        ).encode()

    def post(self, body: bytes) -> None:
        headers = {"Content-Type": "application/json", **signed_headers(self.key, body)}
        answer = self.http.post(self.url, content=body, headers=headers)
        self.answers[answer.status_code] += 1

    # -- faults ----------------------------------------------------------------------------------

    def arm_faults(self) -> None:
        for index, plan in enumerate(FAULTS):
            admin = self.sf if plan.sandbox == "salesforce" else self.ns
            fault_id = admin.inject_fault(
                plan.endpoint,
                probability=min(1.0, self.knobs.failure_rate * plan.share),
                seed=self.knobs.seed + index,
                **plan.spec,
            )
            self.fault_ids[plan.label] = (plan.sandbox, fault_id)

    def fault_hits(self) -> dict[str, int]:
        armed = {
            (name, fault["id"]): int(fault.get("hits", 0))
            for name, admin in (("salesforce", self.sf), ("netsuite", self.ns))
            for fault in admin._call("GET", "/faults")
        }
        return {label: armed.get(ident, 0) for label, ident in self.fault_ids.items()}

    def lift_faults(self) -> None:
        self.sf.clear_faults()
        self.ns.clear_faults()

    # -- waiting ---------------------------------------------------------------------------------

    def settle(self, deadline: float) -> None:
        """Until the webhooks are delivered and every queue is empty, twice in a row."""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ChaosFailed(f"the local stack did not settle within {TIMEOUT_SECONDS:.0f}s")
            self.ns._call("POST", "/flush", {"timeout": min(20.0, remaining)})
            try:
                self.stack.drain(timeout=min(120.0, remaining))
            except TimeoutError:
                continue
            if self.ns._call("POST", "/flush", {"timeout": 1.0})["flushed"]:
                with contextlib.suppress(TimeoutError):
                    self.stack.drain(timeout=min(5.0, max(remaining, 0.1)))
                    return

    # -- reading the outcome -----------------------------------------------------------------------

    def jobs(self) -> list[dict[str, Any]]:
        table = self.stack.resources["JobsTable"].name
        dynamodb = self.stack.client("dynamodb")
        items: list[dict[str, Any]] = []
        scan: dict[str, Any] = {"TableName": table}
        while True:
            page = dynamodb.scan(**scan)
            items += [{k: next(iter(v.values())) for k, v in i.items()} for i in page["Items"]]
            if "LastEvaluatedKey" not in page:
                return items
            scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def replay_failed(self) -> int:
        """What an operator does after a fix: `ops replay --status failed`."""
        from ops.operator import Operator

        return len(Operator.from_local_stack(self.stack).replay_status("failed"))


def compare(
    orders: dict[str, dict[str, Any]],
    records: dict[str, list[dict[str, Any]]],
    broken: dict[str, str] | None = None,
) -> Counter[str]:
    """Salesforce against NetSuite, order by order; `broken` collects what is wrong with each."""
    found: Counter[str] = Counter()
    broken = {} if broken is None else broken
    opportunities: dict[str, list[dict[str, Any]]] = {}
    for opportunity in records.get("Opportunity", []):
        if opportunity.get("IsDeleted"):
            continue
        order_id = opportunity.get(ORDER_FIELD)
        if order_id in orders:
            opportunities.setdefault(order_id, []).append(opportunity)
    lines_by_opportunity: dict[str, list[dict[str, Any]]] = {}
    for line in records.get("OpportunityLineItem", []):
        if not line.get("IsDeleted"):
            lines_by_opportunity.setdefault(line["OpportunityId"], []).append(line)
    for order_id, order in orders.items():
        matches = opportunities.get(order_id, [])
        if not matches:
            found["orders_lost"] += 1
            broken[order_id] = "no opportunity"
            continue
        found["opportunities_doubled"] += len(matches) - 1
        opportunity = matches[0]
        expected = {f"{order_id}-{line['line']}": line for line in order["item"]["items"]}
        written = {
            str(line.get(LINE_KEY_FIELD)): line
            for line in lines_by_opportunity.get(opportunity["Id"], [])
        }
        extra = set(written) - set(expected)
        missing = set(expected) - set(written)
        found["extra_lines"] += len(extra)
        found["missing_lines"] += len(missing)
        differing = [
            key
            for key in set(expected) & set(written)
            if float(written[key]["Quantity"]) != float(expected[key]["quantity"])
        ]
        amount = float(opportunity.get("Amount") or 0)
        stale = abs(amount - float(order["total"])) > 0.005 and not extra and not missing
        if differing or stale:
            found["stale_orders"] += 1
        if extra or missing or differing or stale or len(matches) > 1:
            broken[order_id] = (
                f"{len(matches)} opportunities; extra {sorted(extra)}, missing {sorted(missing)}, "
                f"quantity differs {sorted(differing)}, Amount {amount} vs total {order['total']}"
            )
    return found


# -- the run ---------------------------------------------------------------------------------------


def campaign(stack: LocalStack, knobs: Knobs | None = None) -> dict[str, float]:
    """Run the campaign on a started stack (sandboxes salesforce + netsuite, demo data);
    answer the figures (see the module docstring)."""
    knobs = knobs or Knobs()
    chaos = Campaign(stack, knobs)
    rng = chaos.rng
    copies = knobs.copies
    deadline = time.monotonic() + TIMEOUT_SECONDS
    order_ids = chaos.seed_orders(knobs.orders)
    first = chaos.orders()
    events = [chaos.event(o, first[o], "create") for o in order_ids for _ in range(copies)]
    rng.shuffle(events)
    chaos.arm_faults()

    half = len(events) // 2
    for body in events[:half]:
        chaos.post(body)
    for order_id in order_ids:  # NetSuite saves a second version while the first is syncing
        chaos.edit(order_id, first[order_id])
    second = chaos.orders()
    later = events[half:] + [
        chaos.event(o, second[o], "edit") for o in order_ids for _ in range(copies)
    ]
    rng.shuffle(later)
    for body in later:
        chaos.post(body)
    chaos.settle(deadline)
    hits = chaos.fault_hits()

    chaos.lift_faults()
    before_replay = chaos.jobs()
    failed = [j for j in before_replay if j.get("status") == "failed"]
    figures: dict[str, float] = {
        "orders": knobs.orders,
        "events_sent": len(events) + len(later) - len(events[half:]),
        "jobs_failed_with_reason": sum(1 for j in failed if j.get("last_error")),
        "jobs_failed_without_reason": sum(1 for j in failed if not j.get("last_error")),
    }
    figures |= {f"faults_{label}": count for label, count in hits.items()}
    figures["faults_total"] = sum(hits.values())

    stack.run_schedule(BACKSTOP)  # releases held jobs, queues orders modified since its mark
    chaos.settle(deadline)
    figures["jobs_replayed"] = chaos.replay_failed()
    chaos.settle(deadline)

    jobs = chaos.jobs()
    figures["stuck_jobs"] = sum(1 for j in jobs if j.get("status") in ("received", "queued"))
    figures["jobs_failed_after_replay"] = sum(1 for j in jobs if j.get("status") == "failed")
    figures["worker_crashes"] = sum(1 for i in stack.invocations if not i.ok)
    figures["api_5xx"] = sum(n for status, n in chaos.answers.items() if status >= 500)
    # every event is signed and valid: a 4xx means the campaign tested nothing
    figures["events_refused"] = sum(n for status, n in chaos.answers.items() if status >= 400)
    figures["events_accepted"] = sum(n for status, n in chaos.answers.items() if status < 300)
    broken: dict[str, str] = {}
    figures |= dict.fromkeys(INVARIANTS[:5], 0) | compare(
        {o: order for o, order in chaos.orders().items() if o in order_ids},
        chaos.sf.state()["records"],
        broken,
    )
    for order_id, problem in broken.items():  # to the log, with the order's jobs
        print(f"[chaos] order {order_id}: {problem}")
        for job in jobs:
            if job.get("record_key", "").endswith(f":{order_id}"):
                print(f"[chaos]   job {job['job_id']} {job.get('status')}: {job.get('last_error')}")
    return figures


def run() -> dict[str, float]:
    out = sys.stdout
    LOG_FILE.parent.mkdir(exist_ok=True)
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory() as state_dir,
        LOG_FILE.open("w") as log,
        contextlib.redirect_stdout(log),  # the functions' JSON logs and metrics
    ):
        stack = LocalStack(
            ROOT / "template.yaml",
            sandboxes=["salesforce", "netsuite"],
            state_dir=state_dir,
            time_scale=TIME_SCALE,
            seed_demo_data=True,
        )
        with stack:
            figures = campaign(stack)
    figures["seconds"] = round(time.monotonic() - started, 1)
    print(
        f"  seed {SEED}, failure rate {FAILURE_RATE:.0%}"
        f"  (function logs: {LOG_FILE.relative_to(ROOT)})",
        file=out,
    )
    for name, value in figures.items():
        flag = "  MUST BE 0" if name in INVARIANTS and value else ""
        print(f"  chaos.{name:<42} {value:>8g}{flag}", file=out)
    broken = [name for name in INVARIANTS if figures.get(name)]
    results = {f"chaos.{name}": float(value) for name, value in figures.items()}
    if broken:
        _write(results)
        raise ChaosFailed(f"invariants broken: {', '.join(broken)}")
    return results


def _write(results: dict[str, float]) -> None:
    path = ROOT / ".bench" / "results.json"
    figures = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps(dict(sorted((figures | results).items())), indent=2) + "\n")
