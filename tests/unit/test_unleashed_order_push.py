"""Send to Unleashed's worker and status poll over fakes of their ports (no network)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from shared.cursors import Cursor
from shared.envelope import Envelope
from shared.errors import BudgetExhausted
from shared.flows.unleashed_order_push.events import SendRequest
from shared.flows.unleashed_order_push.models import (
    AccountForSend,
    Address,
    CreatedOrder,
    Customer,
    OpportunityForSend,
    OrderStatus,
    SendLine,
    SendResult,
    Tax,
)
from shared.flows.unleashed_order_push.order import customer_guid, order_guid
from shared.flows.unleashed_order_push.service import OrderPush, QueuedSend
from shared.flows.unleashed_order_push.settings import UnleashedOrderPushSettings
from shared.flows.unleashed_order_push.status_poll import (
    FIRST_RUN_LOOKBACK,
    OVERLAP,
    WATERMARK,
    StatusPoll,
)
from shared.intake import accept_event
from shared.jobs import JobStatus
from shared.links import SALESFORCE_OPPORTUNITY, Link, LinkKey
from tests.unit.fakes import FakeJobs, FakeQueue
from tests.unit.order_fakes import FakeLinks

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
OPP = "006000000000001AAA"
ACCOUNT = "001000000000001AAA"
REP = "005000000000001AAA"


class Jobs(FakeJobs):
    def list_by_status(self, status: JobStatus, limit: int = 50) -> list[Any]:
        return [j for j in self.jobs.values() if j.status is status][:limit]


class Cursors:
    def __init__(self) -> None:
        self.cursors: dict[str, Cursor] = {}

    def get(self, name: str) -> Cursor | None:
        return self.cursors.get(name)

    def advance(self, cursor: Cursor, value: str, detail: dict[str, str] | None = None) -> Cursor:
        moved = cursor.model_copy(update={"value": value, "revision": cursor.revision + 1})
        self.cursors[cursor.name] = moved
        return moved


class Opportunities:
    """The OpportunityStore port: one opportunity, what was written back."""

    def __init__(self, opportunity: OpportunityForSend | None) -> None:
        self.opportunity = opportunity
        self.sends: list[SendResult] = []
        self.status_calls: list[dict[str, str]] = []

    def opportunity_for_send(self, opportunity_id: str) -> OpportunityForSend | None:
        return self.opportunity

    def record_send(self, result: SendResult) -> None:
        self.sends.append(result)
        if self.opportunity is not None and result.order is not None:
            self.opportunity = OpportunityForSend(
                **{
                    **self.opportunity.__dict__,
                    "unleashed_order_guid": result.order.guid,
                    "unleashed_order_number": result.order.number,
                    "unleashed_order_status": result.order.status,
                }
            )

    def record_statuses(self, statuses: dict[str, str]) -> None:
        self.status_calls.append(dict(statuses))


class Unleashed:
    """The UnleashedAccount port: customers and orders by Guid, a quota that can run out."""

    def __init__(self) -> None:
        self.customers: dict[str, Customer] = {}
        self.orders: dict[str, dict[str, Any]] = {}
        self.quota_spent = False
        self.changed: list[OrderStatus] = []
        self.asked_since: list[datetime] = []

    def _call(self) -> None:
        if self.quota_spent:
            raise BudgetExhausted("the Unleashed monthly API quota is spent", retry_after=86400)

    def pickers(self) -> Any:
        raise AssertionError("the worker never reads the pickers")

    def taxes(self) -> list[Tax]:
        self._call()
        return [Tax("GST", "GST", Decimal("0.15"))]

    def stock_in(self, warehouse_code: str) -> Any:
        raise AssertionError("the worker never reads stock")

    def customer_by_code(self, code: str) -> Customer | None:
        self._call()
        return next((c for c in self.customers.values() if c.code.lower() == code.lower()), None)

    def save_customer(self, guid: str, body: dict[str, Any]) -> Customer:
        self._call()
        self.customers[guid] = Customer(guid, body["CustomerCode"], body["CustomerName"])
        return self.customers[guid]

    def create_sales_order(self, guid: str, body: dict[str, Any]) -> CreatedOrder:
        self._call()
        self.orders.setdefault(guid, {**body, "OrderNumber": f"SO-{len(self.orders) + 1:05d}"})
        return CreatedOrder(guid, self.orders[guid]["OrderNumber"], "Parked")

    def sales_orders_modified_since(self, since: datetime) -> list[OrderStatus]:
        self._call()
        self.asked_since.append(since)
        return [o for o in self.changed if o.modified >= since]


def opportunity(**more: Any) -> OpportunityForSend:
    fields: dict[str, Any] = {
        "id": OPP,
        "name": "Harbour Pine - spring",
        "stage": "Negotiation/Review",
        "is_closed": False,
        "is_won": False,
        "last_modified": NOW,
        "account": AccountForSend(ACCOUNT, "Harbour Pine Ltd", shipping=Address(city="Auckland")),
        "lines": (
            SendLine("00k1", "Widget", "WIDGET", Decimal(5), Decimal(10), Decimal(10), None, "W"),
        ),
    }
    return OpportunityForSend(**{**fields, **more})


def queued_send(jobs: Jobs, **choices: Any) -> QueuedSend:
    request = SendRequest(
        opportunity_id=OPP,
        opportunity_version=NOW,
        requested_by=REP,
        customer_code="HARBOUR",
        warehouse_code="MAIN",
        **choices,
    )
    accepted = accept_event(request, correlation_id="c", jobs=jobs, queue=FakeQueue())
    envelope = Envelope[SendRequest].model_validate_json(accepted.job.message or "")
    return QueuedSend("m-1", envelope)


def worker(opps: Opportunities, unleashed: Unleashed, jobs: Jobs, links: FakeLinks) -> OrderPush:
    return OrderPush(
        salesforce=opps,
        unleashed=unleashed,
        jobs=jobs,
        links=links,
        settings=UnleashedOrderPushSettings(),
        max_receive_count=5,
        clock=lambda: NOW,
    )


def test_a_send_creates_the_customer_and_one_order_and_writes_both_back() -> None:
    opps, unleashed, jobs, links = Opportunities(opportunity()), Unleashed(), Jobs(), FakeLinks()
    message = queued_send(jobs, tax_code="GST")
    worker(opps, unleashed, jobs, links).handle(message)
    worker(opps, unleashed, jobs, links).handle(message)  # the message redelivered

    [order] = unleashed.orders.values()
    assert order["Customer"] == {"CustomerCode": "HARBOUR"}
    assert [line.get("LineType") for line in order["SalesOrderLines"]] == [None, "Comment"]
    assert (order["SubTotal"], order["TaxTotal"]) == (50.0, 7.5)
    assert list(unleashed.customers) == [customer_guid(ACCOUNT)]
    [sent] = opps.sends
    assert sent.order is not None and sent.order.guid == order_guid(OPP)
    assert sent.account_id == ACCOUNT and sent.customer is not None
    [job] = jobs.jobs.values()
    assert job.status is JobStatus.DONE and job.outcome["order_number"] == "SO-00001"
    link = links.get(LinkKey.unleashed_sales_order(order_guid(OPP)), SALESFORCE_OPPORTUNITY)
    assert link is not None and (link.target_id, link.synced_version) == (OPP, "Parked")


def test_an_opportunity_sent_by_an_earlier_attempt_is_done_without_a_second_create() -> None:
    already = opportunity(unleashed_order_guid=order_guid(OPP), unleashed_order_number="SO-7")
    opps, unleashed, jobs = Opportunities(already), Unleashed(), Jobs()
    worker(opps, unleashed, jobs, FakeLinks()).handle(queued_send(jobs))
    assert unleashed.orders == {} and opps.sends == []
    [job] = jobs.jobs.values()
    assert job.status is JobStatus.DONE and job.outcome["order_number"] == "SO-7"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"lines": ()}, "no products"),
        ({"is_closed": True, "stage": "Closed Lost"}, "Closed Lost"),
        (
            {"lines": (SendLine("00k2", "Service", None, Decimal(1), Decimal(9), None, None, ""),)},
            "Product Service is not in Unleashed",
        ),
    ],
)
def test_a_guard_that_refuses_at_send_time_fails_the_job_and_tells_the_rep(
    changes: dict[str, Any], reason: str
) -> None:
    opps, unleashed, jobs = Opportunities(opportunity(**changes)), Unleashed(), Jobs()
    worker(opps, unleashed, jobs, FakeLinks()).handle(queued_send(jobs))
    assert unleashed.orders == {} and unleashed.customers == {}
    [job] = jobs.jobs.values()
    assert job.status is JobStatus.FAILED and reason in (job.last_error or "")
    [written] = opps.sends
    assert written.order is None and reason in (written.error or "")


def test_a_customer_code_taken_by_another_customer_is_refused_in_the_reps_words() -> None:
    opps, unleashed, jobs = Opportunities(opportunity()), Unleashed(), Jobs()
    unleashed.customers["c-1"] = Customer("c-1", "HARBOUR", "Harbour Master Inc")
    worker(opps, unleashed, jobs, FakeLinks()).handle(queued_send(jobs))
    assert unleashed.orders == {}
    [written] = opps.sends
    assert "Customer code HARBOUR is taken by another customer" in (written.error or "")


def test_an_unknown_tax_code_is_refused() -> None:
    opps, unleashed, jobs = Opportunities(opportunity()), Unleashed(), Jobs()
    worker(opps, unleashed, jobs, FakeLinks()).handle(queued_send(jobs, tax_code="VAT"))
    assert unleashed.orders == {}
    assert "Tax code VAT does not exist" in (opps.sends[0].error or "")


def test_the_spent_quota_holds_the_send_and_the_next_poll_that_gets_an_answer_releases_it() -> None:
    opps, unleashed, jobs, links = Opportunities(opportunity()), Unleashed(), Jobs(), FakeLinks()
    unleashed.quota_spent = True
    message = queued_send(jobs)
    worker(opps, unleashed, jobs, links).handle(message)  # consumed: no redelivery, no DLQ
    [job] = jobs.jobs.values()
    assert job.status is JobStatus.HELD and job.held_until == "2026-11-21T09:00:00.000Z"
    assert opps.sends == []  # held is not an error for the rep

    queue = FakeQueue()
    poll = status_poll(unleashed, opps, links, Cursors(), jobs, queue)
    report = poll.run()  # the quota is still spent
    assert report.quota_spent and report.released == 0 and queue.sent == []
    assert jobs.jobs[job.job_id].status is JobStatus.HELD

    unleashed.quota_spent = False  # the month rolled over
    report = poll.run()
    assert report.released == 1 and jobs.jobs[job.job_id].status is JobStatus.QUEUED
    [again] = queue.sent
    assert again["body"] == job.message and again["dedup_id"] != message.envelope.job_id
    assert again["group_id"] is not None
    worker(opps, unleashed, jobs, links).handle(message)
    assert len(unleashed.orders) == 1 and jobs.jobs[job.job_id].status is JobStatus.DONE


def status_poll(
    unleashed: Unleashed,
    opps: Opportunities,
    links: FakeLinks,
    cursors: Cursors,
    jobs: Jobs,
    queue: FakeQueue,
    clock: datetime = NOW,
) -> StatusPoll:
    return StatusPoll(
        unleashed=unleashed,
        salesforce=opps,
        links=links,
        cursors=cursors,
        held_jobs=jobs,
        queue=queue,
        clock=lambda: clock,
    )


def linked(links: FakeLinks, guid: str, opportunity_id: str, status: str) -> None:
    links.save(
        Link(
            source_key=LinkKey.unleashed_sales_order(guid),
            target=SALESFORCE_OPPORTUNITY,
            target_id=opportunity_id,
            synced_version=status,
        )
    )


def test_changed_statuses_of_our_orders_are_written_in_one_call_per_200() -> None:
    unleashed, opps, links, cursors = Unleashed(), Opportunities(None), FakeLinks(), Cursors()
    moment = NOW - timedelta(hours=1)
    for n in range(450):
        linked(links, f"g-{n}", f"006{n:012d}", "Parked")
        status = "Parked" if n % 9 == 0 else "Completed"  # 50 unchanged
        unleashed.changed.append(OrderStatus(f"g-{n}", f"SO-{n}", status, moment))
    unleashed.changed.append(OrderStatus("made-in-unleashed", "SO-X", "Placed", moment))

    report = status_poll(unleashed, opps, links, cursors, Jobs(), FakeQueue()).run()

    assert (report.seen, report.updated, report.not_ours) == (451, 400, 1)
    [statuses] = opps.status_calls  # the port pages by 200; the poll hands it every change once
    assert len(statuses) == 400 and set(statuses.values()) == {"Completed"}
    assert unleashed.asked_since == [NOW - FIRST_RUN_LOOKBACK]
    saved = links.get(LinkKey.unleashed_sales_order("g-1"), SALESFORCE_OPPORTUNITY)
    assert saved is not None and saved.synced_version == "Completed"
    assert cursors.cursors[WATERMARK].value == (moment - OVERLAP).isoformat()


def test_the_overlap_re_read_writes_nothing_and_the_watermark_never_moves_back() -> None:
    unleashed, opps, links, cursors = Unleashed(), Opportunities(None), FakeLinks(), Cursors()
    linked(links, "g-1", OPP, "Parked")
    first = NOW - timedelta(minutes=1)
    unleashed.changed.append(OrderStatus("g-1", "SO-1", "Placed", first))
    poll = status_poll(unleashed, opps, links, cursors, Jobs(), FakeQueue())
    poll.run()
    second = poll.run()  # the same order, inside the overlap
    assert opps.status_calls == [{OPP: "Placed"}] and second.updated == 0
    assert unleashed.asked_since[1] == first - OVERLAP
    unleashed.changed[0] = OrderStatus("g-1", "SO-1", "Deleted", first + timedelta(seconds=1))
    poll.run()
    assert opps.status_calls[-1] == {OPP: "Deleted"}
    unleashed.changed.clear()
    poll.run()  # nothing new: the watermark stays where it was
    assert cursors.cursors[WATERMARK].value == (first + timedelta(seconds=1) - OVERLAP).isoformat()


def test_the_newest_answer_for_an_order_wins_within_one_read() -> None:
    unleashed, opps, links = Unleashed(), Opportunities(None), FakeLinks()
    linked(links, "g-1", OPP, "Parked")
    unleashed.changed += [
        OrderStatus("g-1", "SO-1", "Completed", NOW - timedelta(minutes=1)),
        OrderStatus("g-1", "SO-1", "Placed", NOW - timedelta(minutes=2)),
    ]
    status_poll(unleashed, opps, links, Cursors(), Jobs(), FakeQueue()).run()
    assert opps.status_calls == [{OPP: "Completed"}]
