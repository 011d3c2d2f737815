"""In-memory stand-ins for the order sync's ports (our own interfaces, not outside systems)."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from shared.envelope import Envelope
from shared.errors import BudgetExhausted, StaleWrite
from shared.flows.netsuite_orders_to_salesforce.events import (
    NETSUITE_ORDER_CHANGED,
    NetsuiteOrderEvent,
)
from shared.flows.netsuite_orders_to_salesforce.ports import (
    OpportunityState,
    OrderWrite,
    PricebookEntryRef,
    WriteFailure,
    WriteOutcomeUnknown,
    WriteResult,
)
from shared.flows.netsuite_orders_to_salesforce.service import QueuedOrder
from shared.jobs import Job, JobStatus
from shared.links import Link
from shared.netsuite_records import Customer, SalesOrder
from tests.unit.fakes import FakeJobs

STANDARD = "Standard Price Book"


class FakeNetsuite:
    def __init__(self) -> None:
        self.orders: dict[str, SalesOrder] = {}
        self.customers: dict[str, Customer] = {}
        self.calls: list[str] = []

    def sales_order(self, order_id: str) -> SalesOrder | None:
        self.calls.append(f"GET salesOrder/{order_id}")
        return self.orders.get(order_id)

    def customer(self, customer_id: str) -> Customer | None:
        self.calls.append(f"GET customer/{customer_id}")
        return self.customers.get(customer_id)

    def update_sales_order(self, order_id: str, fields: dict[str, Any]) -> None:
        self.calls.append(f"PATCH salesOrder/{order_id}")
        order = self.orders[order_id]
        self.orders[order_id] = order.model_copy(
            update={
                "custom": {**order.custom, **fields},
                "last_modified": order.last_modified + timedelta(seconds=5),
            }
        )

    def record_url(self, order_id: str) -> str:
        return f"https://ns.example/app/accounting/transactions/salesord.nl?id={order_id}"


class FakeSalesforce:
    """Writes land in `opportunities` / `lines`; `fail_next` scripts failures per write id."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], PricebookEntryRef] = {
            (STANDARD, item): PricebookEntryRef(f"01u{item}", "01sSTD", STANDARD, item, True)
            for item in ("501", "502", "503", "504", "505", "506", "507", "508")
        }
        self.opportunities: dict[str, dict[str, Any]] = {}  # NetSuite id -> fields
        self.lines: dict[str, dict[str, Any]] = {}  # line key -> fields (+ id)
        self.accounts: dict[str, str] = {}
        self.calls: list[str] = []
        self.fail_next: dict[str, WriteFailure] = {}
        self.budget_gone = False
        self.lose_next_answer = False  # commit the next graph call, then raise as if timed out
        self.read_errors: list[Exception] = []  # raised by the next state reads, in order
        self._ids = itertools.count(1)

    def pricebook_entries(
        self, books: set[str], items: set[str]
    ) -> dict[tuple[str, str], PricebookEntryRef]:
        self.calls.append("query PricebookEntry")
        return {k: v for k, v in self.entries.items() if k[0] in books and k[1] in items}

    def write_orders(self, writes: list[OrderWrite]) -> dict[str, WriteResult]:
        self.calls.append(f"graph x{len(writes)}")
        if self.budget_gone:
            raise BudgetExhausted("REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.")
        results = {}
        for write in writes:
            failure = self.fail_next.pop(write.write_id, None)
            if failure is not None:
                results[write.write_id] = WriteResult(write.write_id, ok=False, failure=failure)
                continue
            account_id = write.account_id
            if write.account is not None:
                account_id = self.accounts.setdefault(
                    write.account.external_id, f"001{next(self._ids)}"
                )
            opp_key = write.opportunity.external_id
            opp = self.opportunities.setdefault(opp_key, {"Id": f"006{next(self._ids)}"})
            opp.update(write.opportunity.fields, AccountId=account_id)
            line_ids = {}
            for line in write.lines:
                if line.existing_id is None:
                    assert line.key not in self.lines, "a new line must not exist yet"
                    self.lines[line.key] = {"Id": f"00k{next(self._ids)}", "Opp": opp_key}
                self.lines[line.key].update(line.fields)
                line_ids[line.key] = self.lines[line.key]["Id"]
            for line_id in write.deleted_line_ids:
                self.lines = {k: v for k, v in self.lines.items() if v["Id"] != line_id}
            results[write.write_id] = WriteResult(
                write.write_id,
                ok=True,
                opportunity_id=opp["Id"],
                account_id=account_id,
                line_ids=line_ids,
            )
        if self.lose_next_answer:
            self.lose_next_answer = False
            raise WriteOutcomeUnknown("the answer of the graph call never arrived")
        return results

    def opportunity_states(self, netsuite_order_ids: set[str]) -> dict[str, OpportunityState]:
        self.calls.append("query opportunities with lines")
        if self.read_errors:
            raise self.read_errors.pop(0)
        return {
            order_id: OpportunityState(
                opp["Id"],
                {k: v["Id"] for k, v in self.lines.items() if v["Opp"] == order_id},
            )
            for order_id, opp in self.opportunities.items()
            if order_id in netsuite_order_ids
        }

    def opportunity_lines(self, opportunity_id: str) -> dict[str, str]:
        self.calls.append("query lines by opportunity")
        return {}

    def order_lines(self, netsuite_order_id: str) -> dict[str, str]:
        self.calls.append("query lines by order")
        return {k: v["Id"] for k, v in self.lines.items() if v["Opp"] == netsuite_order_id}


class FakeLinks:
    def __init__(self) -> None:
        self.links: dict[tuple[str, str], Link] = {}

    def get(self, source_key: str, target: str) -> Link | None:
        return self.links.get((source_key, target))

    def save(self, link: Link) -> Link:
        stored = self.links.get((link.source_key, link.target))
        if (stored.revision if stored else 0) != link.revision:
            raise StaleWrite("changed")
        saved = link.model_copy(update={"revision": link.revision + 1})
        self.links[(link.source_key, link.target)] = saved
        return saved


class FakeHold:
    def __init__(self) -> None:
        self.reason: str | None = None

    def active(self) -> bool:
        return self.reason is not None

    def held_until(self) -> str | None:
        return "2030-01-01T01:00:00+00:00" if self.reason is not None else None

    def hold(self, reason: str) -> str:
        self.reason = reason
        return "2030-01-01T01:00:00+00:00"


_message_ids = itertools.count(1)


def queued(
    order: SalesOrder,
    jobs: FakeJobs,
    *,
    event_type: str = "edit",
    version: str | None = None,
    receive_count: int = 1,
) -> QueuedOrder:
    """The message the receiver would have queued for this order version (and its job)."""
    event = NetsuiteOrderEvent.model_validate(
        {
            "recordType": "salesorder",
            "id": order.id,
            "eventType": event_type,
            "lastModifiedDate": version or order.version,
        }
    )
    job_id = Job.make_id("netsuite", f"salesorder:{order.id}", event.version)
    envelope = Envelope[NetsuiteOrderEvent](
        message_type=NETSUITE_ORDER_CHANGED,
        job_id=job_id,
        correlation_id="c",
        source="netsuite",
        record_key=f"salesorder:{order.id}",
        version=event.version,
        payload=event,
    )
    jobs.create(
        Job(
            job_id=job_id,
            source="netsuite",
            record_key=f"salesorder:{order.id}",
            version=event.version,
            status=JobStatus.QUEUED,
            correlation_id="c",
            message=envelope.model_dump_json(),
        )
    )
    return QueuedOrder(f"m-{next(_message_ids)}", envelope, receive_count)
