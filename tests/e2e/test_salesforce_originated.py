"""Salesforce Originated orders through the local stack, with both sandboxes (seed 002).

What a customer's org and NetSuite account do, played against salesbridge as deployed from
template.yaml: a sales rep closes an opportunity with lines, the flow's callout reaches the
receiver, the worker creates the NetSuite order labelled Salesforce Originated and writes the
NetSuite ids back; repeats change nothing; NetSuite's own event for that create is recognised
as salesbridge's echo; a later edit in NetSuite flows back onto the same opportunity lines
("Sync Salesforce Originated Orders" is on in settings/local.json).
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from simple_salesforce import Salesforce, SFType

from devstack.stack import LocalStack
from shared.adapters.aws.stores.jobs import JobStore
from shared.adapters.salesforce.connection import connection_from_secret
from shared.flows.salesforce_orders_to_netsuite.events import SalesforceOpportunityEvent
from shared.intake import accept_event
from shared.signing import signed_headers

ROOT = Path(__file__).resolve().parents[2]
ROUTE = "/webhooks/salesforce/opportunities"
WORKER = "SalesforceOrderWorkerFunction"


def sobject(sf: Salesforce, name: str) -> SFType:
    """`sf.<name>` typed (simple-salesforce's __getattr__ is typed as a union)."""
    return cast(SFType, getattr(sf, name))


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """Its own stack: this module needs the sandboxes (one LocalStack per process at a time;
    modules run one after the other, each stopping its stack at its end)."""
    with LocalStack(
        ROOT / "template.yaml",
        sandboxes=["salesforce", "netsuite"],
        seed_demo_data=True,
        state_dir=tmp_path_factory.mktemp("local-sf-originated"),
        time_scale=0.01,
    ) as running:
        yield running


@pytest.fixture(scope="module")
def sf(stack: LocalStack) -> Salesforce:
    secret = stack.sandboxes["salesforce"].connection()
    connection = connection_from_secret(secret, str(stack.ca.bundle_path))
    return connection.call(lambda client: client)


def query(sf: Salesforce, soql: str) -> list[dict[str, Any]]:
    return list(sf.query_all(soql)["records"])


def close_an_opportunity_with_lines(sf: Salesforce) -> str:
    """As a rep does it: an open opportunity, two products (one discounted), then Closed Won."""
    [account] = query(sf, "SELECT Id FROM Account WHERE NetSuite_Id__c = '101'")
    entries = {
        row["Product2"]["ProductCode"]: row["Id"]
        for row in query(
            sf,
            "SELECT Id, Product2.ProductCode FROM PricebookEntry "
            "WHERE Pricebook2.IsStandard = true",
        )
    }
    [book] = query(sf, "SELECT Id FROM Pricebook2 WHERE IsStandard = true")
    opportunity = sobject(sf, "Opportunity").create(
        {
            "Name": "Alpine - winter tents",
            "AccountId": account["Id"],
            "StageName": "Negotiation/Review",
            "CloseDate": "2026-11-21",
            "Pricebook2Id": book["Id"],
        }
    )["id"]
    for code, quantity, discount in (("TENT-2P", 3, None), ("STOVE-1", 10, 10)):
        line: dict[str, Any] = {
            "OpportunityId": opportunity,
            "PricebookEntryId": entries[code],
            "Quantity": quantity,
            "UnitPrice": 249 if code == "TENT-2P" else 59,
        }
        if discount:
            line["Discount"] = discount
        sobject(sf, "OpportunityLineItem").create(line)
    sobject(sf, "Opportunity").update(opportunity, {"StageName": "Closed Won"})
    return str(opportunity)


def callout(stack: LocalStack, sf: Salesforce, opportunity_id: str) -> httpx.Response:
    """What the flow's Apex action posts through the Named Credential."""
    modified = sobject(sf, "Opportunity").get(opportunity_id)["LastModifiedDate"]
    body = {"opportunityId": opportunity_id, "event": "closed_won", "lastModifiedDate": modified}
    raw = json.dumps(body).encode()  # signed as the Apex action signs it
    return httpx.post(
        stack.endpoints["api"]["base_url"] + ROUTE,
        content=raw,
        headers={
            "Content-Type": "application/json",
            **signed_headers(stack.endpoints["webhook_keys"]["salesforce"], raw),
        },
    )


def settle(stack: LocalStack) -> None:
    """Run everything queued, let NetSuite's user events post, and run what they queued."""
    stack.drain(timeout=20)
    netsuite_admin(stack, "flush", {"timeout": 10})
    stack.drain(timeout=20)


def netsuite_admin(stack: LocalStack, action: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(
        f"{stack.sandboxes['netsuite'].base_url}/__admin/{action}",
        json=body,
        verify=ssl.create_default_context(cafile=str(stack.ca.bundle_path)),
    )


def netsuite_orders(stack: LocalStack, external_id: str) -> list[dict[str, Any]]:
    orders = stack.sandboxes["netsuite"].app.snapshot()["salesOrders"]
    return [order for order in orders if order.get("externalId") == external_id]


def jobs(stack: LocalStack) -> dict[str, dict[str, Any]]:
    items = stack.client("dynamodb").scan(TableName=stack.resources["JobsTable"].name)["Items"]
    return {item["job_id"]["S"]: item for item in items}


def test_a_closed_won_opportunity_becomes_one_salesforce_originated_order(
    stack: LocalStack, sf: Salesforce
) -> None:
    opportunity_id = close_an_opportunity_with_lines(sf)

    answer = callout(stack, sf, opportunity_id)
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "queued" and answer.json()["duplicate"] is False
    settle(stack)

    [order] = netsuite_orders(stack, f"sf-{opportunity_id}")
    assert order["custbody_sb_origin"] == "Salesforce"
    assert order["custbody_sb_sf_opportunity_id"] == opportunity_id
    assert order["entity"]["id"] == "101" and order["tranDate"] == "2026-11-21"
    items = order["item"]["items"]
    assert [(i["item"]["id"], i["quantity"], i["rate"]) for i in items] == [
        ("501", 3, 249),
        ("505", 10, 53.1),  # 59 less 10 %
    ]
    [opportunity] = query(
        sf,
        "SELECT NetSuite_Id__c, NetSuite_Order_Number__c, StageName FROM Opportunity "
        f"WHERE Id = '{opportunity_id}'",
    )
    assert opportunity["NetSuite_Id__c"] == order["id"]
    assert opportunity["NetSuite_Order_Number__c"] == order["tranId"]
    lines = query(
        sf,
        "SELECT Id, NetSuite_Line_Key__c, Quantity FROM OpportunityLineItem "
        f"WHERE OpportunityId = '{opportunity_id}' ORDER BY Quantity",
    )
    assert [line["NetSuite_Line_Key__c"] for line in lines] == [
        f"{order['id']}-{items[0]['line']}",
        f"{order['id']}-{items[1]['line']}",
    ]

    recorded = jobs(stack)
    [export] = [
        j for k, j in recorded.items() if k.startswith(f"salesforce:opportunity:{opportunity_id}")
    ]
    assert export["status"]["S"] == "done"
    echoes = [j for k, j in recorded.items() if k.startswith(f"netsuite:salesorder:{order['id']}:")]
    assert echoes and all(j["status"]["S"] == "skipped" for j in echoes)  # our own create

    # The flow fires again (a retry, a second save): still one order, nothing rewritten.
    for _ in range(3):
        again = callout(stack, sf, opportunity_id)
        assert again.status_code == 202
    settle(stack)
    assert len(netsuite_orders(stack, f"sf-{opportunity_id}")) == 1

    # Finance edits the order in NetSuite: the opportunity's lines follow, none duplicated.
    first_line = {"line": items[0]["line"], "quantity": 5}
    edit = netsuite_admin(
        stack, "edit", {"id": order["id"], "fields": {"item": {"items": [first_line]}}}
    )
    assert edit.status_code == 200, edit.text
    settle(stack)
    after = query(
        sf,
        "SELECT Id, NetSuite_Line_Key__c, Quantity FROM OpportunityLineItem "
        f"WHERE OpportunityId = '{opportunity_id}' ORDER BY NetSuite_Line_Key__c",
    )
    assert len(after) == 2
    assert {line["Id"] for line in after} == {line["Id"] for line in lines}
    quantities = {line["NetSuite_Line_Key__c"]: line["Quantity"] for line in after}
    assert quantities[f"{order['id']}-{items[0]['line']}"] == 5
    assert len(netsuite_orders(stack, f"sf-{opportunity_id}")) == 1
    statuses = {k: j["status"]["S"] for k, j in jobs(stack).items()}
    assert "failed" not in statuses.values(), statuses
    assert [s for k, s in statuses.items() if k.startswith("netsuite:")].count("done") == 1


def test_a_wrong_key_or_the_retired_static_key_is_refused_and_queues_nothing(
    stack: LocalStack,
) -> None:
    before = len(jobs(stack))
    body = {"opportunityId": "006000000000001AAA", "lastModifiedDate": "2026-11-22T09:41:07Z"}
    raw = json.dumps(body).encode()
    for headers in (
        signed_headers("guessed", raw),
        {"X-Salesbridge-Key": stack.endpoints["webhook_keys"]["salesforce"]},
    ):
        answer = httpx.post(
            stack.endpoints["api"]["base_url"] + ROUTE,
            content=raw,
            headers={"Content-Type": "application/json", **headers},
        )
        assert answer.status_code == 401 and answer.json()["error"] == "unauthorized"
    assert len(jobs(stack)) == before


def test_the_demo_scenario_passes(stack: LocalStack) -> None:
    """`make demo` shows exactly this; if it breaks, the demo would too."""
    from devstack.scenarios import s30_salesforce_originated

    lines: list[str] = []
    s30_salesforce_originated.run(stack, lines.append)
    assert any("the opportunity's lines" in line for line in lines)


# -- writes whose answer is lost, and the backstop (issue 8, items 1 and 5) ----------------------


def export_delivery(stack: LocalStack, sf: Salesforce, opportunity_id: str) -> dict[str, Any]:
    """The SQS record the callout would queue (its job recorded), for direct invocations, so
    a test can act between a failed delivery and the retry."""
    from tests.e2e.test_netsuite_orders import _dynamodb_resource, _sqs_record

    records: list[dict[str, Any]] = []

    class Capture:
        def send(self, body: str, *, group_id: str | None, dedup_id: str | None) -> str:
            records.append(_sqs_record(f"m-{opportunity_id}", body, group_id or "", dedup_id or ""))
            return records[-1]["messageId"]

    modified = sobject(sf, "Opportunity").get(opportunity_id)["LastModifiedDate"]
    event = SalesforceOpportunityEvent.model_validate(
        {"opportunityId": opportunity_id, "lastModifiedDate": modified}
    )
    store = JobStore(stack.resources["JobsTable"].name, _dynamodb_resource(stack))
    accept_event(event, correlation_id="test", jobs=store, queue=Capture())
    [record] = records
    return record


def deliver(stack: LocalStack, record: dict[str, Any], receive_count: int) -> dict[str, Any]:
    record["attributes"]["ApproximateReceiveCount"] = str(receive_count)
    answer: dict[str, Any] = stack.invoke(WORKER, {"Records": [record]})
    return answer


def export_job(stack: LocalStack, opportunity_id: str) -> dict[str, Any]:
    [job] = [
        j
        for k, j in jobs(stack).items()
        if k.startswith(f"salesforce:opportunity:{opportunity_id}")
    ]
    return job


def converged(stack: LocalStack, sf: Salesforce, opportunity_id: str) -> dict[str, Any]:
    """One NetSuite order; the opportunity's keyed lines are exactly its lines, same total."""
    [order] = netsuite_orders(stack, f"sf-{opportunity_id}")
    [opportunity] = query(
        sf, f"SELECT NetSuite_Id__c, Amount FROM Opportunity WHERE Id = '{opportunity_id}'"
    )
    lines = query(
        sf,
        "SELECT NetSuite_Line_Key__c, Quantity FROM OpportunityLineItem "
        f"WHERE OpportunityId = '{opportunity_id}'",
    )
    items = order["item"]["items"]
    assert opportunity["NetSuite_Id__c"] == order["id"]
    assert {line["NetSuite_Line_Key__c"] for line in lines} == {
        f"{order['id']}-{item['line']}" for item in items
    }
    assert opportunity["Amount"] == order["total"]
    statuses = {k: j["status"]["S"] for k, j in jobs(stack).items()}
    [export] = [
        s for k, s in statuses.items() if k.startswith(f"salesforce:opportunity:{opportunity_id}")
    ]
    assert export == "done", statuses
    return order


def test_an_order_put_committed_unanswered_then_edited_converges_on_the_retry(
    stack: LocalStack, sf: Salesforce
) -> None:
    opportunity_id = close_an_opportunity_with_lines(sf)
    # every attempt of the first delivery commits in NetSuite and loses its answer
    fault = {"endpoint": "upsert_sales_order", "kind": "commit_then_drop", "times": 4}
    assert netsuite_admin(stack, "faults", fault).status_code == 201
    record = export_delivery(stack, sf, opportunity_id)
    assert deliver(stack, record, 1)["batchItemFailures"] != []
    job = export_job(stack, opportunity_id)
    assert job["status"]["S"] == "queued" and "NetSuite" in job["last_error"]["S"]

    # before the retry, someone adds a line to the order in NetSuite
    [order] = netsuite_orders(stack, f"sf-{opportunity_id}")
    added = {"item": {"items": [{"item": {"id": "506"}, "quantity": 7}]}}
    edit = netsuite_admin(stack, "edit", {"id": order["id"], "fields": added})
    assert edit.status_code == 200, edit.text
    assert deliver(stack, record, 2) == {"batchItemFailures": []}
    settle(stack)

    order = converged(stack, sf, opportunity_id)
    items = order["item"]["items"]
    assert [(i["item"]["id"], i["quantity"]) for i in items] == [("501", 3), ("505", 10)]


def test_a_write_back_committed_unanswered_then_edited_in_netsuite_converges(
    stack: LocalStack, sf: Salesforce
) -> None:
    opportunity_id = close_an_opportunity_with_lines(sf)
    fault = {"endpoint": "composite_collections", "method": "PATCH", "kind": "commit_then_drop"}
    admin = stack.sandbox_admin("salesforce")
    admin.inject_fault(fault.pop("endpoint"), times=1, **fault)
    record = export_delivery(stack, sf, opportunity_id)
    assert deliver(stack, record, 1)["batchItemFailures"] != []
    assert "Salesforce" in export_job(stack, opportunity_id)["last_error"]["S"]

    # before the retry, finance changes the first line in NetSuite (its event syncs it back)
    [order] = netsuite_orders(stack, f"sf-{opportunity_id}")
    first = order["item"]["items"][0]
    changed = {"item": {"items": [{"line": first["line"], "quantity": 6}]}}
    edit = netsuite_admin(stack, "edit", {"id": order["id"], "fields": changed})
    assert edit.status_code == 200, edit.text
    assert deliver(stack, record, 2) == {"batchItemFailures": []}
    settle(stack)

    order = converged(stack, sf, opportunity_id)
    assert order["item"]["items"][0]["quantity"] == 6


def test_a_lost_closed_won_callout_is_recovered_by_the_backstop(
    stack: LocalStack, sf: Salesforce
) -> None:
    opportunity_id = close_an_opportunity_with_lines(sf)  # and the callout never arrives
    event = json.loads((ROOT / "events" / "salesforce_export_backstop.json").read_text())

    report = stack.invoke("SalesforceExportBackstopFunction", event)
    assert report["queued"] >= 1
    settle(stack)
    converged(stack, sf, opportunity_id)

    # exported now (NetSuite_Id__c set): the next run finds nothing more to queue for it
    again = stack.invoke("SalesforceExportBackstopFunction", event)
    assert again["queued"] == 0
    assert len(netsuite_orders(stack, f"sf-{opportunity_id}")) == 1
