"""Seed 002 end to end: NetSuite sales orders become Salesforce opportunities, through the
whole local stack (webhook -> receiver -> FIFO queue -> worker -> Salesforce and back).

One `LocalStack` serves the module (moto is global to the process), with the Salesforce and
NetSuite sandboxes holding the demo company. Every test starts from the same world: both
sandboxes reset and re-seeded (NetSuite without firing events, as when salesbridge is
installed on an existing account), every table emptied, both queues emptied, no faults.

How a test drives it:
- NetSuite's UI: `/__admin/edit` saves an order and fires the user event webhook; the REST
  API (TBA-signed, the same client salesbridge uses) changes lines with `?replace=item`,
  creates and deletes orders;
- a batch the worker must see at once (several versions of one order, ten orders, orders
  failing next to good ones) is accepted the way the receiver accepts an event, and its
  messages are handed to the worker in ONE invocation: the devstack poller takes messages as
  they arrive, so several webhooks rarely land in one batch;
- Salesforce API usage is read from the org's own counter (`api_usage`, what the daily
  allocation counts) and from the sandbox's request log.

The queue's visibility timeout (360 s) is scaled by `TIME_SCALE`, so a redelivery comes
back after about a second and a message reaches the DLQ after five deliveries in seconds.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack import sandbox_runner
from devstack.lambdas import INVOCATION_LOCK
from devstack.scenarios import s20_netsuite_orders
from devstack.scenarios.s20_netsuite_orders import netsuite_rest, settle
from devstack.stack import LocalStack
from ops import Operator
from ops.__main__ import main as ops_cli
from shared.adapters.aws.stores.hold import HOLD_CURSOR
from shared.adapters.aws.stores.jobs import JobStore
from shared.flows.netsuite_orders_to_salesforce.events import NetsuiteOrderEvent
from shared.intake import accept_event
from shared.netsuite_records import OPPORTUNITY_ID_FIELD
from shared.signing import signed_headers

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
TIME_SCALE = 0.003  # 360 s visibility -> ~1 s between deliveries
WORKER = "NetsuiteOrderWorkerFunction"
BACKSTOP = "NetsuiteBackstopFunction"
ORDER_ROUTE = "/webhooks/netsuite/orders"
TABLES = ("JobsTable", "LinksTable", "CursorsTable")
LOCK_ERROR = [
    {
        "errorCode": "UNABLE_TO_LOCK_ROW",
        "message": "unable to obtain exclusive access to this record or 1 records",
        "fields": [],
    }
]
# Demo ids (sandboxes/netsuite/demo.py): orders 1001 (flagged, discount + subtotal + note),
# 1002 (flagged, header discount), 1003 (not flagged); customers 101-105; items 501-508.
ALPINE, COASTAL = "101", "102"
TENT, BAG, PACK, STOVE, LAMP = "501", "503", "504", "505", "506"


# -- the world -----------------------------------------------------------------------------------


class Orders:
    """The stack as these tests see it: the two systems, the jobs, the queues."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.ns = stack.sandbox_admin("netsuite")
        self.sf = stack.sandbox_admin("salesforce")
        self.dynamodb = stack.client("dynamodb")
        self.sqs = stack.client("sqs")
        self.queue_url = str(stack.resources["NetsuiteOrderQueue"].url)
        self.dlq_url = str(stack.resources["NetsuiteOrderDLQ"].url)
        self.rest = netsuite_rest(stack)
        self.jobs_store = JobStore(
            stack.resources["JobsTable"].name,
            _dynamodb_resource(stack),
        )

    # -- a clean slate ---------------------------------------------------------------------

    def reset(self) -> None:
        self.ns.clear_faults()
        self.sf.clear_faults()
        self.ns.configure(events_enabled=True, concurrency_limit=15)
        self.stack.drain(timeout=60)
        self.ns.reset()
        self.ns.seed({**(sandbox_runner.demo_seed("netsuite") or {}), "emit_events": False})
        self.sf.reset()
        self.sf.configure(daily_api_limit=100_000, reset_api_usage=True)
        self.sf.seed(sandbox_runner.demo_seed("salesforce"))
        for logical_id in TABLES:
            self._empty_table(self.stack.resources[logical_id].name)
        for url in (self.queue_url, self.dlq_url):
            self._empty_queue(url)

    def _empty_table(self, name: str) -> None:
        keys = [
            k["AttributeName"]
            for k in self.dynamodb.describe_table(TableName=name)["Table"]["KeySchema"]
        ]
        for item in self.dynamodb.scan(TableName=name)["Items"]:
            self.dynamodb.delete_item(TableName=name, Key={k: item[k] for k in keys})

    def _empty_queue(self, url: str) -> None:
        while batch := self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
            "Messages"
        ):
            for message in batch:  # purge_queue is allowed once a minute only
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    # -- NetSuite --------------------------------------------------------------------------

    def edit(self, order_id: str, **fields: Any) -> str:
        """A user saves the order in the UI; answers its new version (lastModifiedDate)."""
        self.ns._call("POST", "/edit", {"id": order_id, "fields": fields})
        return self.version(order_id)

    def emit(self, order_id: str, event_type: str = "edit") -> None:
        self.ns._call("POST", "/emit", {"id": order_id, "eventType": event_type})

    def order(self, order_id: str) -> dict[str, Any]:
        return next(o for o in self.ns.state()["salesOrders"] if o["id"] == order_id)

    def version(self, order_id: str) -> str:
        return str(self.order(order_id)["lastModifiedDate"])

    def new_order(self, customer: str, lines: list[tuple[str, float]], **fields: Any) -> str:
        """An order saved in NetSuite over REST (fires a "create" event when events are on)."""
        body = {
            "entity": {"id": customer},
            "custbody_sb_send_to_salesforce": True,
            "custbody_sb_origin": "NetSuite",
            "item": {"items": [{"item": {"id": i}, "quantity": q} for i, q in lines]},
            **fields,
        }
        answer = self.rest.post("salesOrder", json=body)
        assert answer.status_code == 204, answer.text
        return answer.headers["Location"].rsplit("/", 1)[1]

    def post_event(self, order_id: str, version: str, event_type: str = "edit") -> httpx.Response:
        """What the user event script posts, signed (used to replay an old version)."""
        event = {
            "recordType": "salesorder",
            "id": order_id,
            "eventType": event_type,
            "lastModifiedDate": version,
        }
        body = json.dumps(event).encode()
        key = self.stack.endpoints["webhook_keys"]["netsuite"]
        headers = {"Content-Type": "application/json", **signed_headers(key, body)}
        url = self.stack.endpoints["api"]["base_url"] + ORDER_ROUTE
        return httpx.post(url, content=body, headers=headers)

    def wait_past_last_save(self, order_id: str) -> None:
        """Sleep into the second after the order's last save (versions have one-second
        precision), at most about a second."""
        saved = datetime.strptime(self.version(order_id), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        delay = (saved + timedelta(seconds=1) - datetime.now(UTC)).total_seconds()
        if delay > 0:
            time.sleep(delay)

    def write_backs(self) -> int:
        """PATCHes of a sales order salesbridge made (the tests' own go through `rest`)."""
        return self.ns.count("PATCH update_sales_order")

    # -- Salesforce ------------------------------------------------------------------------

    def records(self, sobject: str) -> list[dict[str, Any]]:
        rows = self.sf.state()["records"].get(sobject, [])
        return [r for r in rows if not r["IsDeleted"]]

    def opportunities(self, order_id: str) -> list[dict[str, Any]]:
        return [r for r in self.records("Opportunity") if r["NetSuite_Id__c"] == order_id]

    def opportunity(self, order_id: str) -> dict[str, Any]:
        [found] = self.opportunities(order_id)
        return found

    def lines(self, opportunity_id: str) -> dict[str, dict[str, Any]]:
        """The opportunity's lines by NetSuite line key."""
        rows = [
            r for r in self.records("OpportunityLineItem") if r["OpportunityId"] == opportunity_id
        ]
        keyed = {r["NetSuite_Line_Key__c"]: r for r in rows}
        assert len(keyed) == len(rows), "two lines share a NetSuite line key"
        return keyed

    def api_usage(self) -> int:
        """Calls counted against the org's daily allocation."""
        return int(self.sf.state()["api_usage"])

    def calls(self, endpoint: str) -> int:
        """Salesforce requests to one endpoint ("composite_graph", "query"), leaving out those
        refused for an expired session (the worker's token dies with every org reset)."""
        recent = self.sf.requests()["recent"]
        return sum(1 for r in recent if r["endpoint"] == endpoint and r["status"] != 401)

    # -- salesbridge -------------------------------------------------------------------------

    def settle(self) -> None:
        """Deliver every NetSuite event and work every queue dry, echoes included."""
        settle(self.stack)

    def jobs(self, order_id: str) -> list[dict[str, Any]]:
        """The order's jobs, oldest version first, with `detail` decoded."""
        table = self.stack.resources["JobsTable"].name
        items = self.dynamodb.scan(TableName=table)["Items"]
        found = []
        for item in items:
            if item["record_key"]["S"] != f"salesorder:{order_id}":
                continue
            job = {k: next(iter(v.values())) for k, v in item.items()}
            job["detail"] = json.loads(job.get("detail") or "{}")
            found.append(job)
        return sorted(found, key=lambda j: (j["version"], j["created_at"]))

    def statuses(self, order_id: str) -> list[str]:
        return [job["status"] for job in self.jobs(order_id)]

    def batch(self, *events: tuple[str, str]) -> list[dict[str, Any]]:
        """Accept (order id, version) events as the receiver does; answer SQS records of the
        messages it would have queued, in order, for ONE worker invocation."""
        records: list[dict[str, Any]] = []

        class Capture:
            def send(self, body: str, *, group_id: str | None, dedup_id: str | None) -> str:
                message_id = str(uuid.uuid4())
                records.append(_sqs_record(message_id, body, group_id or "", dedup_id or ""))
                return message_id

        for order_id, version in events:
            event = NetsuiteOrderEvent.model_validate(
                {
                    "recordType": "salesorder",
                    "id": order_id,
                    "eventType": "edit",
                    "lastModifiedDate": version,
                }
            )
            accept_event(
                event, correlation_id=f"test-{uuid.uuid4()}", jobs=self.jobs_store, queue=Capture()
            )
        return records

    def work(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = self.stack.invoke(WORKER, {"Records": records})
        return result

    def queue_depth(self, url: str) -> int:
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        attributes = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)
        return sum(int(v) for v in attributes["Attributes"].values())

    def put_cursor(self, name: str, value: str) -> None:
        self.dynamodb.update_item(
            TableName=self.stack.resources["CursorsTable"].name,
            Key={"name": {"S": name}},
            UpdateExpression="SET #v = :v",
            ExpressionAttributeNames={"#v": "value"},
            ExpressionAttributeValues={":v": {"S": value}},
        )


@contextmanager
def between_invocations() -> Iterator[None]:
    """Run the block while no function runs: the devstack serialises invocations with one
    lock, so holding it keeps the pollers' next invocation waiting until the block is done."""
    with INVOCATION_LOCK:
        yield


def _sqs_record(message_id: str, body: str, group_id: str, dedup_id: str) -> dict[str, Any]:
    return {
        "messageId": message_id,
        "receiptHandle": f"direct-{message_id}",
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": "1",
            "MessageGroupId": group_id,
            "MessageDeduplicationId": dedup_id,
            "SentTimestamp": str(int(time.time() * 1000)),
        },
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:direct",
        "awsRegion": "us-east-1",
    }


def _dynamodb_resource(stack: LocalStack) -> Any:
    import boto3

    aws = stack.endpoints["aws"]
    session = boto3.session.Session(
        aws_access_key_id=aws["access_key_id"],
        aws_secret_access_key=aws["secret_access_key"],
        region_name=aws["region"],
    )
    return session.resource("dynamodb", endpoint_url=aws["endpoint_url"])


def _settings_document(stack: LocalStack) -> str:
    ssm = stack.client("ssm")
    return str(
        ssm.get_parameter(Name=stack.resources["SettingsParameter"].name)["Parameter"]["Value"]
    )


def _put_settings(stack: LocalStack, document: str) -> None:
    """Change the settings parameter and make every function see it now (Powertools caches
    it for 60 s per container; the functions share this process's Powertools module)."""
    from aws_lambda_powertools.utilities import parameters

    name = stack.resources["SettingsParameter"].name
    stack.client("ssm").put_parameter(Name=name, Value=document, Type="String", Overwrite=True)
    parameters.clear_caches()


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def orders_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with LocalStack(
        ROOT / "template.yaml",
        sandboxes=["salesforce", "netsuite"],
        state_dir=tmp_path_factory.mktemp("orders"),
        time_scale=TIME_SCALE,
        seed_demo_data=True,
    ) as running:
        yield running


@pytest.fixture(scope="module")
def world(orders_stack: LocalStack) -> Iterator[Orders]:
    orders = Orders(orders_stack)
    yield orders
    orders.rest.close()


@pytest.fixture
def orders(world: Orders) -> Orders:
    world.reset()
    return world


@pytest.fixture
def settings(world: Orders) -> Iterator[dict[str, Any]]:
    """The settings document, editable by the test; put back afterwards."""
    original = _settings_document(world.stack)
    document: dict[str, Any] = json.loads(original)
    yield document
    _put_settings(world.stack, original)


# -- a new order -------------------------------------------------------------------------------


def test_a_flagged_new_order_becomes_a_tagged_opportunity_with_its_lines(orders: Orders) -> None:
    alpine = next(a for a in orders.records("Account") if a["NetSuite_Id__c"] == ALPINE)
    accounts_before = len(orders.records("Account"))

    version = orders.edit("1001", memo="Spring restock, confirmed")
    orders.settle()

    opportunity = orders.opportunity("1001")
    netsuite = orders.order("1001")
    assert opportunity["NetSuite_Order_Number__c"] == netsuite["tranId"] == "SO1001"
    assert opportunity["NetSuite_Originated_Order__c"] is True
    assert opportunity["Salesforce_Originated_Order__c"] is False
    assert opportunity["Skip_Export_to_NetSuite__c"] is True
    assert opportunity["NetSuite_Order_Record__c"].endswith(
        "/app/accounting/transactions/salesord.nl?id=1001"
    )
    assert opportunity["Name"] == "Alpine Trail Outfitters SO1001"
    assert opportunity["Description"] == "Spring restock, confirmed"
    assert opportunity["StageName"] == "Closed Won"
    assert opportunity["AccountId"] == alpine["Id"]  # matched by NetSuite id, not created
    assert len(orders.records("Account")) == accounts_before

    # 6 tents at 249 and 10 bags at 159, then a subtotal and a -10 % loyalty discount on it
    lines = orders.lines(opportunity["Id"])
    assert set(lines) == {"1001-1", "1001-2"}
    assert (lines["1001-1"]["Quantity"], lines["1001-1"]["UnitPrice"]) == (6, 249)
    assert (lines["1001-2"]["Quantity"], lines["1001-2"]["UnitPrice"]) == (10, 159)
    assert lines["1001-1"]["Discount"] == lines["1001-2"]["Discount"] == 10
    assert opportunity["Amount"] == pytest.approx(netsuite["total"]) == pytest.approx(2775.60)

    first, echo = orders.jobs("1001")
    assert first["version"] == version and first["status"] == "done"
    assert first["detail"]["opportunity_id"] == opportunity["Id"]
    assert [(s["line"], s["item"]) for s in first["detail"]["skipped_lines"]] == [
        (3, "Subtotal"),
        (5, "Note"),
    ]
    assert all(s["reason"] for s in first["detail"]["skipped_lines"])

    # the opportunity id went back to NetSuite once; that save's event was recognised
    assert netsuite[OPPORTUNITY_ID_FIELD] == opportunity["Id"]
    assert orders.write_backs() == 1
    assert echo["status"] == "skipped" and "echo" in echo["detail"]["reason"]
    assert orders.calls("composite_graph") == 1  # the echo cost Salesforce nothing
    assert orders.api_usage() == 2  # the price lookup (cold cache) and the graph


def test_a_new_customer_gets_its_own_account_never_one_matched_by_name(orders: Orders) -> None:
    orders.sf.seed({"accounts": [{"Name": "Fjord Outfitters", "Phone": "+47 555 0100"}]})
    orders.ns.seed(
        {
            "customers": [
                {
                    "id": "121",
                    "entityId": "FJORD",
                    "companyName": "Fjord Outfitters",
                    "phone": "+47 555 0199",
                    "url": "https://fjord.example",
                }
            ]
        }
    )
    order_id = orders.new_order("121", [(TENT, 2)])
    orders.settle()

    named = [a for a in orders.records("Account") if a["Name"] == "Fjord Outfitters"]
    [decoy] = [a for a in named if a["NetSuite_Id__c"] is None]
    [created] = [a for a in named if a["NetSuite_Id__c"] == "121"]
    assert decoy["Phone"] == "+47 555 0100" and decoy["LastModifiedById"] is None
    assert created["Phone"] == "+47 555 0199" and created["Website"] == "https://fjord.example"
    assert orders.opportunity(order_id)["AccountId"] == created["Id"]
    assert orders.statuses(order_id)[0] == "done"


# -- duplicates and order ----------------------------------------------------------------------


def test_the_same_event_three_times_syncs_once(orders: Orders) -> None:
    for _ in range(3):
        orders.emit("1001")
    orders.settle()

    [opportunity] = orders.opportunities("1001")
    assert set(orders.lines(opportunity["Id"])) == {"1001-1", "1001-2"}
    assert orders.write_backs() == 1
    assert orders.calls("composite_graph") == 1
    # Each emit is a separate afterSubmit run with its own eventId: a job each, settled by
    # one sync (the calls above), then the echo of the write-back.
    assert set(orders.statuses("1001")) == {"done", "skipped"}

    # SQS delivers at least once: the same message handed to the worker again costs nothing
    usage = orders.api_usage()
    first = orders.jobs("1001")[0]
    redelivery = _sqs_record(str(uuid.uuid4()), first["message"], "g", "d")
    assert orders.work([redelivery]) == {"batchItemFailures": []}
    assert orders.api_usage() == usage and orders.write_backs() == 1


def test_two_saves_within_one_second_get_a_job_each(orders: Orders) -> None:
    """Issue 8 item 4: the second save shares lastModifiedDate with the first (NetSuite keeps
    it to the second) but not its eventId, so it is not dropped as a duplicate at intake."""
    version = orders.edit("1001", memo="first save")
    orders.settle()
    version = orders.edit("1001", memo="second edit")
    orders.settle()  # the worker has read the first save of this version
    orders.ns._call(
        "POST", "/edit", {"id": "1001", "fields": {"memo": "last save"}, "sameSecond": True}
    )
    assert orders.version("1001") == version
    orders.settle()
    same_version = [job for job in orders.jobs("1001") if job["version"] == version]
    assert len(same_version) == 2, same_version
    assert len({job["detail"]["event_id"] for job in same_version}) == 2


def test_two_saves_within_one_second_are_both_synced(orders: Orders) -> None:
    orders.edit("1001", memo="first save")
    orders.settle()
    version = orders.edit("1001", memo="second edit")
    orders.settle()
    orders.ns._call(
        "POST", "/edit", {"id": "1001", "fields": {"memo": "last save"}, "sameSecond": True}
    )
    assert orders.version("1001") == version
    orders.settle()
    assert orders.opportunity("1001")["Description"] == "last save"


def test_a_stale_event_never_overwrites_a_newer_sync(orders: Orders) -> None:
    older = orders.edit("1001", memo="first edit")
    orders.settle()
    newest = orders.edit("1001", memo="second edit")
    orders.settle()
    graphs = orders.calls("composite_graph")

    answer = orders.post_event("1001", older)  # the first edit's event, delivered late
    assert answer.status_code == 202 and answer.json()["duplicate"] is True
    replayed = orders.post_event("1001", "2020-01-01T00:00:00Z")  # an even older version
    assert replayed.status_code == 202 and replayed.json()["duplicate"] is False
    orders.settle()

    opportunity = orders.opportunity("1001")
    assert opportunity["Description"] == "second edit"
    assert opportunity["NetSuite_Version__c"] == newest
    stale = next(j for j in orders.jobs("1001") if j["version"] == "2020-01-01T00:00:00Z")
    # the worker reads the order as it is now (the synced version): its content hash says
    # nothing changed, so it is skipped without a write
    assert stale["status"] == "skipped" and "no change" in stale["detail"]["reason"]
    assert orders.calls("composite_graph") == graphs


def test_two_versions_in_one_batch_sync_the_newest_once(orders: Orders) -> None:
    orders.ns.configure(events_enabled=False)
    first = orders.edit("1001", memo="draft")
    second = orders.edit("1001", memo="final")

    result = orders.work(orders.batch(("1001", first), ("1001", second)))

    assert result == {"batchItemFailures": []}
    opportunity = orders.opportunity("1001")
    assert opportunity["Description"] == "final"
    assert opportunity["NetSuite_Version__c"] == second
    assert orders.statuses("1001") == ["done", "done"]
    assert orders.calls("composite_graph") == 1 and orders.write_backs() == 1


def test_a_resync_changes_exactly_what_changed(orders: Orders) -> None:
    orders.emit("1001")
    orders.settle()
    opportunity_id = orders.opportunity("1001")["Id"]
    before = orders.lines(opportunity_id)

    # tents 6 -> 8, the sleeping bags removed, a backpack line added after the discount
    kept = [{"line": 1, "quantity": 8}, {"line": 3}, {"line": 4}, {"line": 5}]
    added = [{"item": {"id": PACK}, "quantity": 3}]
    answer = orders.rest.patch(
        "salesOrder/1001?replace=item", json={"item": {"items": kept + added}}
    )
    assert answer.status_code == 204, answer.text
    orders.settle()

    assert orders.opportunity("1001")["Id"] == opportunity_id
    after = orders.lines(opportunity_id)
    assert set(after) == {"1001-1", "1001-6"}
    assert after["1001-1"]["Id"] == before["1001-1"]["Id"]  # updated in place
    assert (after["1001-1"]["Quantity"], after["1001-1"]["Discount"]) == (8, 10)
    assert (after["1001-6"]["Quantity"], after["1001-6"]["UnitPrice"]) == (3, 189)
    assert after["1001-6"]["Discount"] == 0
    removed = [
        r
        for r in orders.sf.state()["records"]["OpportunityLineItem"]
        if r["Id"] == before["1001-2"]["Id"]
    ]
    assert removed == [] or removed[0]["IsDeleted"] is True
    update = orders.jobs("1001")[-1]  # the id is already on the order: no second write-back
    assert update["status"] == "done" and update["detail"]["deleted_lines"] == 1
    assert update["detail"]["reason"] == "update of a NetSuite originated order"


# -- the switches ----------------------------------------------------------------------------


def test_an_order_not_flagged_for_salesforce_is_skipped_with_the_reason(orders: Orders) -> None:
    orders.emit("1003")
    orders.settle()

    [job] = orders.jobs("1003")
    assert job["status"] == "skipped"
    assert job["detail"]["reason"] == (
        "'Send Order as Salesforce Opportunity' is not ticked on the order"
    )
    assert orders.opportunities("1003") == []
    assert orders.calls("composite_graph") == 0 and orders.write_backs() == 0


def test_updates_are_skipped_when_their_switch_is_off(
    orders: Orders, settings: dict[str, Any]
) -> None:
    orders.emit("1001")
    orders.settle()
    settings["netsuite_orders_to_salesforce"]["sync_updates_netsuite_originated"] = False
    _put_settings(orders.stack, json.dumps(settings))

    orders.edit("1001", memo="changed while updates are off")
    orders.settle()

    assert orders.opportunity("1001")["Description"] == "Spring restock"
    last = orders.jobs("1001")[-1]
    assert last["status"] == "skipped"
    assert last["detail"]["reason"] == "'Sync updates for NetSuite Originated Orders' is off"
    assert orders.calls("composite_graph") == 1


# -- cancelled and deleted -------------------------------------------------------------------


def test_a_cancelled_order_closes_its_opportunity_lost(orders: Orders) -> None:
    orders.emit("1001")
    orders.settle()
    orders.edit("1001", orderStatus={"id": "C"})
    orders.settle()

    opportunity = orders.opportunity("1001")
    assert opportunity["StageName"] == "Closed Lost"
    assert opportunity["NetSuite_Order_Status__c"] == "Cancelled"


def test_a_deleted_order_closes_its_opportunity_lost_and_says_so(orders: Orders) -> None:
    orders.emit("1001")
    orders.settle()
    orders.wait_past_last_save("1001")  # see the next test
    answer = orders.rest.delete("salesOrder/1001")
    assert answer.status_code == 204, answer.text
    orders.settle()

    opportunity = orders.opportunity("1001")
    assert opportunity["StageName"] == "Closed Lost"
    assert opportunity["NetSuite_Order_Status__c"] == "Deleted in NetSuite"
    assert orders.jobs("1001")[-1]["status"] == "done"


def test_a_delete_in_the_same_second_as_the_last_save_still_closes_the_opportunity(
    orders: Orders,
) -> None:
    orders.emit("1001")
    orders.settle()
    for memo in "abcdefghij":  # ten saves in one second: versions S .. S+9, all synced
        orders.edit("1001", memo=memo)
    orders.settle()
    answer = orders.rest.delete("salesOrder/1001")  # within nine seconds of S
    assert answer.status_code == 204, answer.text
    orders.settle()
    orders.stack.run_schedule(BACKSTOP)
    orders.settle()

    assert orders.opportunity("1001")["StageName"] == "Closed Lost"


# -- failures that pass ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param({"status": 400, "body": LOCK_ERROR}, id="UNABLE_TO_LOCK_ROW"),
        pytest.param(
            {"status": 503, "body": [{"errorCode": "SERVER_UNAVAILABLE", "message": "down"}]},
            id="503",
        ),
        pytest.param({"kind": "drop"}, id="dropped-connection"),
        pytest.param({"kind": "commit_then_drop"}, id="commit-then-drop"),
    ],
)
def test_a_passing_salesforce_failure_is_retried_then_syncs(
    orders: Orders, fault: dict[str, Any]
) -> None:
    orders.sf.inject_fault("composite_graph", times=1, **fault)
    orders.emit("1001")
    orders.settle()

    opportunity = orders.opportunity("1001")
    assert set(orders.lines(opportunity["Id"])) == {"1001-1", "1001-2"}
    assert orders.jobs("1001")[0]["status"] == "done"
    assert orders.calls("composite_graph") == 2 and orders.write_backs() == 1
    assert orders.queue_depth(orders.dlq_url) == 0


def test_netsuite_throttling_is_retried(orders: Orders) -> None:
    too_many = {
        "title": "Too Many Requests",
        "status": 429,
        "o:errorDetails": [
            {
                "detail": "Concurrent request limit exceeded. Request blocked.",
                "o:errorCode": "SSS_REQUEST_LIMIT_EXCEEDED",
            }
        ],
    }
    orders.ns.inject_fault("get_sales_order", status=429, body=too_many, times=1)
    orders.emit("1001")
    orders.settle()

    assert orders.opportunity("1001")
    reads = [r for r in orders.ns.requests()["recent"] if r["endpoint"] == "get_sales_order"]
    assert [r["status"] for r in reads][:2] == [429, 200]
    assert orders.jobs("1001")[0]["status"] == "done"


def test_an_exhausted_api_budget_holds_jobs_until_the_backstop_releases_them(
    orders: Orders,
) -> None:
    orders.sf.configure(daily_api_limit=orders.api_usage())
    orders.emit("1001")
    orders.settle()

    assert orders.statuses("1001") == ["held"]
    assert orders.queue_depth(orders.queue_url) == orders.queue_depth(orders.dlq_url) == 0
    refused = orders.sf.requests()["total"]

    orders.emit("1002")  # while the hold lasts, nobody calls Salesforce
    orders.settle()
    assert orders.statuses("1002") == ["held"]
    assert orders.sf.requests()["total"] == refused

    orders.sf.configure(daily_api_limit=100_000)
    orders.put_cursor(HOLD_CURSOR, (datetime.now(UTC) - timedelta(seconds=1)).isoformat())
    report = orders.stack.run_schedule(BACKSTOP)
    orders.settle()

    assert report["released"] == 2
    assert orders.statuses("1001")[0] == orders.statuses("1002")[0] == "done"
    assert len(orders.opportunities("1001")) == len(orders.opportunities("1002")) == 1


def test_a_held_job_says_why(orders: Orders) -> None:
    orders.sf.configure(daily_api_limit=orders.api_usage())
    orders.emit("1001")
    orders.settle()

    [job] = orders.jobs("1001")
    assert job["status"] == "held"
    assert "REQUEST_LIMIT_EXCEEDED" in job.get("last_error", "")


# -- failures that last ------------------------------------------------------------------------


def test_a_lasting_failure_goes_to_the_dlq_and_the_replay_syncs_it_once(
    orders: Orders, capsys: pytest.CaptureFixture[str]
) -> None:
    down = [{"errorCode": "SERVER_UNAVAILABLE", "message": "down for maintenance"}]
    orders.sf.inject_fault("composite_graph", status=503, body=down)
    orders.emit("1001")
    orders.settle()

    [job] = orders.jobs("1001")
    assert job["status"] == "failed"
    assert job["last_error"].startswith("gave up after 5 attempts (the message is in the DLQ)")
    assert "503" in job["last_error"] and "down for maintenance" in job["last_error"]
    assert orders.calls("composite_graph") == 5  # maxReceiveCount deliveries, no more
    assert orders.queue_depth(orders.dlq_url) == 1
    assert orders.opportunities("1001") == []

    # the runbook: see the failed jobs, fix the cause, replay them
    endpoints = ["--endpoints", str(orders.stack.endpoints_path)]
    assert ops_cli([*endpoints, "jobs", "--status", "failed", "--source", "netsuite"]) == 0
    assert job["job_id"] in capsys.readouterr().out
    orders.sf.clear_faults()
    with between_invocations():  # keeps this test deterministic; see the next test
        assert ops_cli([*endpoints, "replay", "--status", "failed", "--source", "netsuite"]) == 0
    assert f"replayed 1 job(s)\n  {job['job_id']}" in capsys.readouterr().out
    orders.settle()

    assert orders.statuses("1001") == ["done", "skipped"]  # the replayed job, then its echo
    assert orders.calls("composite_graph") == 6
    [opportunity] = orders.opportunities("1001")
    assert set(orders.lines(opportunity["Id"])) == {"1001-1", "1001-2"}

    # redriving the DLQ as well delivers the same message once more: it costs nothing
    assert Operator.from_local_stack(orders.stack).redrive("NetsuiteOrderQueue") == 1
    orders.settle()
    assert orders.calls("composite_graph") == 6 and orders.write_backs() == 1
    assert orders.queue_depth(orders.dlq_url) == 0
    assert len(orders.opportunities("1001")) == 1


def test_a_replay_the_worker_takes_at_once_still_ends_done(orders: Orders) -> None:
    orders.ns.seed({"items": [{"id": "509", "itemId": "ROPE-30M", "itemType": "InvtPart"}]})
    order_id = orders.new_order(ALPINE, [("509", 2)])
    orders.settle()
    [job] = orders.jobs(order_id)
    assert job["status"] == "failed" and "NetSuite_Item_Id__c = 509" in job["last_error"]
    rope = {"Name": "Rope", "ProductCode": "ROPE-30M", "NetSuite_Item_Id__c": "509", "price": 29}
    orders.sf.seed({"products": [rope]})  # the person fixed the catalogue

    operator = Operator.from_local_stack(orders.stack)
    send = operator._sqs.send_message

    def send_and_let_the_worker_run(**message: Any) -> Any:
        sent = send(**message)
        orders.stack.drain(timeout=30)  # the poller was quicker than the next line of ops
        return sent

    operator._sqs.send_message = send_and_let_the_worker_run
    assert operator.replay([job["job_id"]]) == [job["job_id"]]
    orders.settle()

    assert orders.jobs(order_id)[0]["status"] == "done"
    assert len(orders.opportunities(order_id)) == 1


def test_orders_a_person_must_fix_fail_with_the_reason_and_the_rest_sync(orders: Orders) -> None:
    orders.ns.configure(events_enabled=False)
    orders.ns.seed(
        {
            "items": [
                {"id": "509", "itemId": "ROPE-30M", "itemType": "InvtPart", "basePrice": 29.0},
                {"id": "510", "itemId": "HAMMOCK", "itemType": "InvtPart", "basePrice": 65.0},
            ],
            "customers": [{"id": "122", "entityId": "NONAME", "email": "x@noname.example"}],
        }
    )
    no_name = orders.rest.patch("customer/122", json={"entityId": None})
    assert no_name.status_code == 204, no_name.text
    seeded = orders.sf.seed(
        {
            "products": [
                {"Name": "Canopy Hammock", "ProductCode": "HAMMOCK", "NetSuite_Item_Id__c": "510"}
            ]
        }
    )
    orders.sf.seed(
        {
            "records": {
                "PricebookEntry": [
                    {
                        "Pricebook2Id": seeded["standard_pricebook_id"],
                        "Product2Id": seeded["products"]["HAMMOCK"],
                        "UnitPrice": 65.0,
                        "IsActive": False,
                    }
                ]
            }
        }
    )
    unknown = orders.new_order(ALPINE, [(TENT, 1), ("509", 2)])
    inactive = orders.new_order(COASTAL, [("510", 1)])
    nameless = orders.new_order("122", [(TENT, 1)])
    events = [(o, orders.version(o)) for o in ("1002", unknown, inactive, nameless)]

    result = orders.work(orders.batch(*events))

    assert result == {"batchItemFailures": []}  # nothing to retry: retrying cannot help
    assert orders.statuses("1002") == ["done"]
    assert len(orders.opportunities("1002")) == 1
    reasons = {o: orders.jobs(o)[0] for o in (unknown, inactive, nameless)}
    assert all(job["status"] == "failed" for job in reasons.values())
    assert "line 2 (ROPE-30M, NetSuite item 509)" in reasons[unknown]["last_error"]
    assert "no Salesforce product with NetSuite_Item_Id__c = 509" in reasons[unknown]["last_error"]
    assert (
        "its price book entry in 'Standard Price Book' is inactive"
        in reasons[inactive]["last_error"]
    )
    assert "customer 122: has no company name" in reasons[nameless]["last_error"]
    assert all(orders.opportunities(o) == [] for o in (unknown, inactive, nameless))
    assert orders.calls("composite_graph") == 1


# -- the backstop ------------------------------------------------------------------------------


def test_the_backstop_picks_up_a_missed_change_and_then_queues_nothing(orders: Orders) -> None:
    orders.ns.configure(events_enabled=False)
    orders.edit("1001", memo="saved while the webhook was down")
    orders.ns.configure(events_enabled=True)
    assert orders.jobs("1001") == []

    first = orders.stack.run_schedule(BACKSTOP)
    orders.settle()

    # the three demo orders were seeded without events: the backstop catches all of them
    assert (first["seen"], first["queued"]) == (3, 3)
    assert orders.opportunity("1001")["Description"] == "saved while the webhook was down"
    assert len(orders.opportunities("1002")) == 1 and orders.opportunities("1003") == []
    graphs = orders.calls("composite_graph")

    again = orders.stack.run_schedule(BACKSTOP)
    orders.settle()
    assert (again["queued"], again["duplicates"]) == (0, again["seen"])
    assert orders.calls("composite_graph") == graphs


# -- the API economy ---------------------------------------------------------------------------


def test_an_order_with_known_account_and_products_costs_one_salesforce_call(
    orders: Orders,
) -> None:
    orders.emit("1001")  # learns Alpine's account and the tent and bag prices
    orders.settle()
    usage, graphs = orders.api_usage(), orders.calls("composite_graph")

    order_id = orders.new_order(ALPINE, [(TENT, 2), (BAG, 3)])
    orders.settle()

    assert len(orders.opportunities(order_id)) == 1
    assert orders.api_usage() - usage == 1
    assert orders.calls("composite_graph") - graphs == 1


def test_ten_orders_in_one_batch_cost_at_most_two_salesforce_calls(orders: Orders) -> None:
    orders.ns.configure(events_enabled=False)
    products = [TENT, BAG, PACK, STOVE, LAMP]
    customers = ["101", "102", "103", "104", "105"]
    order_ids = [
        orders.new_order(customers[n % 5], [(products[n % 5], n + 1), (products[(n + 2) % 5], 1)])
        for n in range(10)
    ]
    records = orders.batch(*[(o, orders.version(o)) for o in order_ids])
    orders.ns.configure(events_enabled=True)
    usage = orders.api_usage()

    assert orders.work(records) == {"batchItemFailures": []}
    orders.settle()

    assert all(len(orders.opportunities(o)) == 1 for o in order_ids)
    assert all(orders.statuses(o)[0] == "done" for o in order_ids)
    assert orders.api_usage() - usage <= 2
    assert orders.calls("composite_graph") == 1 and orders.calls("query") == 1


# -- the demo --------------------------------------------------------------------------------------


def test_the_demo_scenario_passes(orders: Orders) -> None:
    lines: list[str] = []
    s20_netsuite_orders.run(orders.stack, lines.append)
    assert any("Closed Lost" in line for line in lines)


# -- a write whose answer is lost ------------------------------------------------------------


def _amount_matches(orders: Orders, order_id: str) -> dict[str, Any]:
    """Salesforce holds exactly NetSuite's order: one line per item line, Amount == total."""
    opportunity = orders.opportunity(order_id)
    netsuite = orders.order(order_id)
    keys = {f"{order_id}-{line['line']}" for line in netsuite["item"]["items"]}
    assert set(orders.lines(opportunity["Id"])) == keys
    assert opportunity["Amount"] == netsuite["total"]
    return opportunity


def test_a_committed_graph_whose_answer_is_lost_leaves_no_orphan_lines(orders: Orders) -> None:
    # The case: the first write commits, its answer never arrives, and NetSuite's
    # lines change before the retry. The retry must delete what the first attempt wrote.
    orders.ns.configure(events_enabled=False)
    order_id = orders.new_order(ALPINE, [(TENT, 1), (BAG, 2)])
    first = orders.batch((order_id, orders.version(order_id)))
    orders.sf.inject_fault("composite_graph", kind="commit_then_drop", times=1)
    assert orders.work(first)["batchItemFailures"] != []
    [job] = orders.jobs(order_id)
    assert job["status"] == "queued" and "unknown" in job["last_error"]
    committed = orders.opportunity(order_id)
    assert set(orders.lines(committed["Id"])) == {f"{order_id}-1", f"{order_id}-2"}

    orders.wait_past_last_save(order_id)
    items = {"items": [{"item": {"id": PACK}, "quantity": 3}]}
    answer = orders.rest.patch(f"salesOrder/{order_id}?replace=item", json={"item": items})
    assert answer.status_code == 204, answer.text
    edited = orders.version(order_id)
    orders.ns.configure(events_enabled=True)
    graphs, queries = orders.calls("composite_graph"), orders.calls("query")
    orders.emit(order_id)
    orders.settle()

    opportunity = _amount_matches(orders, order_id)
    assert opportunity["Id"] == committed["Id"]
    assert set(orders.lines(opportunity["Id"])) == {f"{order_id}-3"}
    [job] = [j for j in orders.jobs(order_id) if j["version"] == edited]
    assert job["status"] == "done" and job["detail"]["deleted_lines"] == 2
    # what the retry paid: one query for Salesforce's state, one for the new product's price
    assert orders.calls("query") - queries == 2
    assert orders.calls("composite_graph") - graphs == 1
