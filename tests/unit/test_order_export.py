"""Exporting Closed Won opportunities as Salesforce Originated NetSuite orders (fakes only)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from shared.envelope import Envelope
from shared.errors import PermanentError, RetryableError
from shared.flows.netsuite_orders_to_salesforce.decide import Verdict, decide
from shared.flows.netsuite_orders_to_salesforce.facts import order_facts
from shared.flows.netsuite_orders_to_salesforce.plan import plan_sync
from shared.flows.netsuite_orders_to_salesforce.settings import NetsuiteOrdersSettings
from shared.flows.salesforce_orders_to_netsuite.events import (
    SALESFORCE_OPPORTUNITY_WON,
    SalesforceOpportunityEvent,
)
from shared.flows.salesforce_orders_to_netsuite.models import (
    ExportableOpportunity,
    ExportRecord,
    OpportunityLine,
)
from shared.flows.salesforce_orders_to_netsuite.order import (
    line_keys,
    net_rate,
    sales_order_body,
    skip_reason,
)
from shared.flows.salesforce_orders_to_netsuite.service import OrderExport, QueuedOpportunity
from shared.jobs import Job, JobStatus
from shared.links import SALESFORCE_OPPORTUNITY, LinkKey
from shared.netsuite_records import SalesOrder
from tests.unit.order_fakes import FakeJobs, FakeLinks
from tests.unit.orders import parse_order

OPP = "006Hp00001AbCdEIAV"
VERSION = "2026-11-22T09:41:07Z"


def opportunity(**changes: Any) -> ExportableOpportunity:
    base = ExportableOpportunity(
        id=OPP,
        name="Alpine Trail Outfitters - spring restock",
        is_won=True,
        skip_export=False,
        netsuite_id=None,
        close_date="2026-11-20",
        description="Spring restock, ship before March",
        account_id="001Hp00001AbCdEIAV",
        account_name="Alpine Trail Outfitters",
        account_netsuite_id="101",
        lines=(
            OpportunityLine("00kA1", Decimal(2), Decimal("249.00"), None, "Tent", "Tent", "501"),
            OpportunityLine(
                "00kA2", Decimal(4), Decimal("80.00"), Decimal("12.50"), None, "Stove", "502"
            ),
        ),
    )
    return replace(base, **changes)


class FakeNetsuite:
    """Upsert by external id, numbering lines like NetSuite; reads answer the saved order."""

    def __init__(self) -> None:
        self.orders: dict[str, dict[str, Any]] = {}  # external id -> order body as read
        self.calls: list[str] = []
        self.fail_upsert: Exception | None = None

    def upsert_sales_order(self, external_id: str, body: dict[str, Any]) -> str:
        self.calls.append("upsert")
        if self.fail_upsert is not None:
            raise self.fail_upsert
        existing = self.orders.get(external_id)
        order_id = existing["id"] if existing else str(9000 + len(self.orders))
        first = 1 + (
            max((i["line"] for i in existing["item"]["items"]), default=0) if existing else 0
        )
        items = [
            {
                "line": first + n,
                "item": line["item"],
                "itemType": "InvtPart",
                "quantity": line["quantity"],
                "rate": line["rate"],
                "description": line.get("description"),
            }
            for n, line in enumerate(body["item"]["items"])
        ]
        self.orders[external_id] = {
            **{k: v for k, v in body.items() if k != "item"},
            "id": order_id,
            "tranId": f"SO{order_id}",
            "externalId": external_id,
            "lastModifiedDate": VERSION,
            "item": {"items": items},
        }
        return order_id

    def sales_order(self, order_id: str) -> SalesOrder | None:
        self.calls.append("read")
        for body in self.orders.values():
            if body["id"] == order_id:
                return parse_order(body)
        return None


class FakeOpportunities:
    def __init__(self, record: ExportableOpportunity | None) -> None:
        self.record = record
        self.exports: list[ExportRecord] = []
        self.calls: list[str] = []

    def opportunity_for_export(self, opportunity_id: str) -> ExportableOpportunity | None:
        self.calls.append("query")
        return self.record

    def record_export(self, record: ExportRecord) -> None:
        self.calls.append("write-back")
        self.exports.append(record)
        if self.record is not None:
            self.record = replace(self.record, netsuite_id=record.netsuite_id)


def queued(receive_count: int = 1, version: str = VERSION) -> QueuedOpportunity:
    event = SalesforceOpportunityEvent.model_validate(
        {"opportunityId": OPP, "lastModifiedDate": version}
    )
    key = f"opportunity:{OPP}"
    envelope = Envelope[SalesforceOpportunityEvent](
        message_type=SALESFORCE_OPPORTUNITY_WON,
        job_id=Job.make_id("salesforce", key, event.version),
        correlation_id="corr-1",
        source="salesforce",
        record_key=key,
        version=event.version,
        payload=event,
    )
    return QueuedOpportunity("m-1", envelope, receive_count)


class World:
    def __init__(self, record: ExportableOpportunity | None) -> None:
        self.salesforce = FakeOpportunities(record)
        self.netsuite = FakeNetsuite()
        self.jobs = FakeJobs()
        self.links = FakeLinks()
        self.export = OrderExport(
            salesforce=self.salesforce,
            netsuite=self.netsuite,
            jobs=self.jobs,
            links=self.links,
            max_receive_count=3,
        )

    def run(self, message: QueuedOpportunity | None = None) -> Job:
        message = message or queued()
        self.export.handle(message)
        return self.jobs.jobs[message.envelope.job_id]


# -- the order body ----------------------------------------------------------------------------


def test_the_body_is_labelled_salesforce_originated_with_the_lines() -> None:
    body = sales_order_body(opportunity())
    assert body["entity"] == {"id": "101"}
    assert body["tranDate"] == "2026-11-20"
    assert body["custbody_sb_origin"] == "Salesforce"
    assert body["custbody_sb_sf_opportunity_id"] == OPP
    assert body["custbody_sb_send_to_salesforce"] is True
    assert body["memo"] == "Spring restock, ship before March"
    assert body["item"]["items"] == [
        {
            "item": {"id": "501"},
            "quantity": Decimal(2),
            "rate": Decimal("249.00"),
            "description": "Tent",
        },
        {"item": {"id": "502"}, "quantity": Decimal(4), "rate": Decimal("70.0000")},
    ]


def test_a_discount_becomes_an_exact_net_rate() -> None:
    line = opportunity().lines[1]
    assert net_rate(line) == Decimal(70)
    odd = replace(line, unit_price=Decimal("19.99"), discount_percent=Decimal("33.33"))
    assert net_rate(odd) == Decimal("13.327333")  # 19.99 x 66.67 / 100, nothing rounded


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"is_won": False}, "not Closed Won"),
        ({"skip_export": True}, "Skip Export to NetSuite"),
        ({"netsuite_id": "4711"}, "already has NetSuite order 4711"),
    ],
)
def test_what_is_not_exported_says_why(changes: dict[str, Any], reason: str) -> None:
    assert reason in str(skip_reason(opportunity(**changes)))
    assert skip_reason(opportunity()) is None


def test_an_account_without_a_netsuite_customer_must_be_linked_first() -> None:
    with pytest.raises(PermanentError, match="create or link the customer first"):
        sales_order_body(opportunity(account_netsuite_id=None))


def test_products_without_a_netsuite_item_are_all_named() -> None:
    lines = tuple(replace(line, netsuite_item_id=None) for line in opportunity().lines)
    with pytest.raises(PermanentError) as caught:
        sales_order_body(opportunity(lines=lines))
    assert "Tent (line 00kA1)" in caught.value.message
    assert "Stove (line 00kA2)" in caught.value.message


def test_an_opportunity_without_products_is_refused() -> None:
    with pytest.raises(PermanentError, match="no products"):
        sales_order_body(opportunity(lines=()))


def test_line_keys_pair_the_saved_lines_in_order() -> None:
    netsuite = FakeNetsuite()
    order_id = netsuite.upsert_sales_order("sf-x", sales_order_body(opportunity()))
    order = netsuite.sales_order(order_id)
    assert order is not None
    assert line_keys(order, opportunity()) == {"00kA1": f"{order_id}-1", "00kA2": f"{order_id}-2"}
    with pytest.raises(PermanentError, match="cannot be paired"):
        line_keys(order, opportunity(lines=opportunity().lines[:1]))


# -- the service -------------------------------------------------------------------------------


def test_a_won_opportunity_becomes_one_order_and_is_written_back_once() -> None:
    world = World(opportunity())
    job = world.run()

    assert job.status is JobStatus.DONE
    [order] = world.netsuite.orders.values()
    assert order["externalId"] == f"sf-{OPP}"
    assert world.netsuite.calls == ["upsert", "read"]
    assert world.salesforce.calls == ["query", "write-back"]
    [record] = world.salesforce.exports
    assert record == ExportRecord(
        opportunity_id=OPP,
        netsuite_id=order["id"],
        order_number=order["tranId"],
        line_keys={"00kA1": f"{order['id']}-1", "00kA2": f"{order['id']}-2"},
    )
    link = world.links.get(LinkKey.netsuite_order(order["id"]), SALESFORCE_OPPORTUNITY)
    assert link is not None and link.target_id == OPP and link.synced_version == VERSION
    assert link.attributes == {f"line:{order['id']}-1": "00kA1", f"line:{order['id']}-2": "00kA2"}
    assert job.detail["netsuite_order_id"] == order["id"] and job.detail["lines"] == 2


def test_the_same_event_again_costs_nothing_and_a_newer_one_is_skipped() -> None:
    world = World(opportunity())
    world.run()
    world.run()  # redelivered: the job is done
    assert world.salesforce.calls == ["query", "write-back"]
    later = world.run(queued(version="2026-11-22T10:00:00Z"))
    assert later.status is JobStatus.SKIPPED
    assert "already has NetSuite order" in later.detail["reason"]
    assert len(world.netsuite.orders) == 1 and world.netsuite.calls == ["upsert", "read"]


def test_a_skipped_opportunity_costs_one_query() -> None:
    world = World(opportunity(skip_export=True))
    job = world.run()
    assert job.status is JobStatus.SKIPPED and "Skip Export" in job.detail["reason"]
    assert world.salesforce.calls == ["query"] and world.netsuite.calls == []


def test_a_deleted_opportunity_is_skipped() -> None:
    job = World(None).run()
    assert job.status is JobStatus.SKIPPED and "no longer exists" in job.detail["reason"]


def test_a_permanent_problem_fails_the_job_and_consumes_the_message() -> None:
    world = World(opportunity(account_netsuite_id=None))
    job = world.run()  # does not raise: SQS must not deliver it again
    assert job.status is JobStatus.FAILED
    assert "create or link the customer first" in str(job.last_error)
    assert world.netsuite.calls == []


def test_a_retryable_problem_returns_the_message_until_the_last_attempt() -> None:
    world = World(opportunity())
    world.netsuite.fail_upsert = RetryableError("NetSuite answered 429")
    with pytest.raises(RetryableError):
        world.run(queued(receive_count=1))
    assert world.jobs.jobs[queued().envelope.job_id].status is JobStatus.QUEUED
    with pytest.raises(RetryableError):
        world.run(queued(receive_count=3))
    assert world.jobs.jobs[queued().envelope.job_id].status is JobStatus.FAILED


def test_a_retry_after_netsuite_wrote_updates_the_same_order() -> None:
    world = World(opportunity())
    world.salesforce.record_export = _failing_once(world.salesforce.record_export)  # type: ignore[method-assign]
    with pytest.raises(RetryableError):
        world.run(queued(receive_count=1))
    job = world.run(queued(receive_count=2))
    assert job.status is JobStatus.DONE
    assert len(world.netsuite.orders) == 1
    [order] = world.netsuite.orders.values()
    # The repeated upsert replaced the lines (NetSuite numbers them afresh): the keys follow.
    assert world.salesforce.exports[-1].line_keys == {
        "00kA1": f"{order['id']}-3",
        "00kA2": f"{order['id']}-4",
    }
    link = world.links.get(LinkKey.netsuite_order(order["id"]), SALESFORCE_OPPORTUNITY)
    assert link is not None and set(link.attributes) == {
        f"line:{order['id']}-3",
        f"line:{order['id']}-4",
    }


def _failing_once(write: Any) -> Any:
    state = {"failed": False}

    def wrapper(record: ExportRecord) -> None:
        if not state["failed"]:
            state["failed"] = True
            raise RetryableError("Salesforce answered 503")
        write(record)

    return wrapper


# -- the other direction agrees ----------------------------------------------------------------


def settings() -> NetsuiteOrdersSettings:
    return NetsuiteOrdersSettings.model_validate({"sync_salesforce_originated": True})


def test_the_echo_of_our_own_create_is_not_synced_back() -> None:
    world = World(opportunity())
    world.run()
    [body] = world.netsuite.orders.values()
    echo = parse_order(body)  # what the NetSuite worker reads for the "create" event
    link = world.links.get(LinkKey.netsuite_order(echo.id), SALESFORCE_OPPORTUNITY)
    decision = decide(echo, order_facts(echo, settings()), link=link, settings=settings())
    assert decision.verdict is Verdict.SKIP and "not newer" in decision.reason


def test_a_later_netsuite_edit_updates_the_same_opportunity_lines() -> None:
    world = World(opportunity())
    world.run()
    [body] = world.netsuite.orders.values()
    items = body["item"]["items"]
    edited = parse_order(
        {
            **body,
            "lastModifiedDate": datetime(2026, 11, 23, tzinfo=UTC).isoformat(),
            "item": {"items": [{**items[0], "quantity": 3}, items[1]]},
        }
    )
    link = world.links.get(LinkKey.netsuite_order(edited.id), SALESFORCE_OPPORTUNITY)
    facts = order_facts(edited, settings())
    assert decide(edited, facts, link=link, settings=settings()).verdict is Verdict.SYNC
    plan = plan_sync(
        edited,
        facts,
        settings=settings(),
        link=link,
        account_id="001Hp00001AbCdEIAV",
        customer=None,
        entries={},
        record_url="https://example/so",
    )
    assert [(w.key, w.existing_id) for w in plan.write.lines] == [
        (f"{edited.id}-1", "00kA1"),
        (f"{edited.id}-2", "00kA2"),
    ]
    assert plan.write.lines[0].fields["Quantity"] == Decimal(3)
    assert plan.write.deleted_line_ids == ()
    assert plan.write.opportunity.fields["Salesforce_Originated_Order__c"] is True
