"""Intacct sales transactions <-> Salesforce through the local stack (seed 004), with the
Intacct and Salesforce sandboxes, as deployed from template.yaml with settings/local.json
(quotes and orders From Salesforce, quotes, orders and invoices To Salesforce with details,
one-to-one on, payment details on).

A rep clicks "Create Sales Quote" on an opportunity: the signed request reaches the receiver,
the worker creates the quote in Intacct and posts it back as its read-only record with lines;
a double click, a retried create and a second order under one-to-one make nothing more;
Intacct's own refusals reach the job with Intacct's correction; an invoice made in Intacct
comes back with its lines and, after a payment, its open balance and payment.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from simple_salesforce import Salesforce, SFType
from simple_salesforce.exceptions import SalesforceMalformedRequest

from devstack.stack import LocalStack
from shared.adapters.salesforce.connection import connection_from_secret
from shared.signing import signed_headers

ROOT = Path(__file__).resolve().parents[2]
ROUTE = "/webhooks/salesforce/intacct-documents"
POLL = "IntacctDocumentPollFunction"


def sobject(sf: Salesforce, name: str) -> SFType:
    return cast(SFType, getattr(sf, name))


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with LocalStack(
        ROOT / "template.yaml",
        sandboxes=["salesforce", "intacct"],
        seed_demo_data=True,
        state_dir=tmp_path_factory.mktemp("local-intacct"),
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


def an_opportunity(sf: Salesforce, account_code: str = "ALPINE", **products: int) -> str:
    [account] = query(
        sf, f"SELECT Id FROM Account WHERE Intacct_Customer_Id__c = 'C-{account_code}'"
    )
    entries = {
        row["Product2"]["ProductCode"]: row
        for row in query(
            sf,
            "SELECT Id, UnitPrice, Product2.ProductCode FROM PricebookEntry "
            "WHERE Pricebook2.IsStandard = true",
        )
    }
    [book] = query(sf, "SELECT Id FROM Pricebook2 WHERE IsStandard = true")
    opportunity = sobject(sf, "Opportunity").create(
        {
            "Name": f"{account_code} - {'/'.join(products)}",
            "AccountId": account["Id"],
            "StageName": "Proposal/Price Quote",
            "CloseDate": "2026-12-15",
            "Pricebook2Id": book["Id"],
        }
    )["id"]
    for code, quantity in (products or {"TENT-2P": 3, "STOVE-1": 10}).items():
        sobject(sf, "OpportunityLineItem").create(
            {
                "OpportunityId": opportunity,
                "PricebookEntryId": entries[code]["Id"],
                "Quantity": quantity,
                "UnitPrice": entries[code]["UnitPrice"],
            }
        )
    return str(opportunity)


def click(stack: LocalStack, sf: Salesforce, opportunity_id: str, kind: str) -> httpx.Response:
    """What the Create <Transaction> action posts through the Named Credential."""
    modified = sobject(sf, "Opportunity").get(opportunity_id)["LastModifiedDate"]
    body = {"opportunityId": opportunity_id, "transactionType": kind, "lastModifiedDate": modified}
    raw = json.dumps(body).encode()
    return httpx.post(
        stack.endpoints["api"]["base_url"] + ROUTE,
        content=raw,
        headers={
            "Content-Type": "application/json",
            **signed_headers(stack.endpoints["webhook_keys"]["salesforce"], raw),
        },
    )


def intacct_documents(stack: LocalStack, kind: str | None = None) -> list[dict[str, Any]]:
    rows = stack.sandboxes["intacct"].app.snapshot()["objects"]["SODOCUMENT"]
    return [row for row in rows if kind is None or row["DOCPARID"] == kind]


def jobs_of(stack: LocalStack, prefix: str) -> list[dict[str, Any]]:
    items = stack.client("dynamodb").scan(TableName=stack.resources["JobsTable"].name)["Items"]
    return [item for item in items if item["job_id"]["S"].startswith(prefix)]


def documents_of(sf: Salesforce, opportunity_id: str) -> list[dict[str, Any]]:
    return query(
        sf,
        "SELECT Id, Name, Document_Type__c, Intacct_Key__c, Total__c, Account__c, "
        "(SELECT Item_Id__c, Quantity__c, Unit_Price__c FROM Lines__r ORDER BY Line_No__c) "
        f"FROM Intacct_Sales_Document__c WHERE Opportunity__c = '{opportunity_id}'",
    )


def test_a_quote_created_from_an_opportunity_appears_in_intacct_and_back_with_its_lines(
    stack: LocalStack, sf: Salesforce
) -> None:
    opportunity_id = an_opportunity(sf)
    first = click(stack, sf, opportunity_id, "Sales Quote")
    assert first.status_code == 202, first.text
    double = click(stack, sf, opportunity_id, "Sales Quote")  # a double click
    assert double.status_code == 202 and double.json()["duplicate"] is True
    stack.drain(timeout=30)

    [quote] = [
        d for d in intacct_documents(stack, "Sales Quote") if opportunity_id in d["PONUMBER"]
    ]
    assert quote["CUSTVENDID"] == "C-ALPINE" and quote["TOTAL"] == "1337.00"  # 3x249 + 10x59
    [job] = jobs_of(stack, f"salesforce:opportunity:{opportunity_id}:SalesQuote")
    assert job["status"]["S"] == "done", job
    [record] = documents_of(sf, opportunity_id)
    assert record["Intacct_Key__c"] == quote["DOCID"] and record["Total__c"] == 1337.0
    lines = record["Lines__r"]["records"]
    assert [(line["Item_Id__c"], line["Quantity__c"]) for line in lines] == [
        ("TENT-2P", 3),
        ("STOVE-1", 10),
    ]


def test_a_type_that_is_not_from_salesforce_is_refused(stack: LocalStack, sf: Salesforce) -> None:
    opportunity_id = an_opportunity(sf)
    refused = click(stack, sf, opportunity_id, "Sales Invoice")
    assert refused.status_code == 400, refused.text
    [problem] = refused.json()["problems"]
    assert problem["field"] == "transactionType" and "From Salesforce" in problem["reason"]
    assert jobs_of(stack, f"salesforce:opportunity:{opportunity_id}") == []


def test_one_to_one_refuses_a_second_order_with_the_reason(
    stack: LocalStack, sf: Salesforce
) -> None:
    opportunity_id = an_opportunity(sf)
    assert click(stack, sf, opportunity_id, "Sales Order").status_code == 202
    stack.drain(timeout=30)
    stack.sandbox_admin("salesforce").set_clock(advance_seconds=2)  # a save seconds later
    sobject(sf, "Opportunity").update(opportunity_id, {"Description": "a later version"})
    assert click(stack, sf, opportunity_id, "Sales Order").status_code == 202
    stack.drain(timeout=30)
    orders = [d for d in intacct_documents(stack, "Sales Order") if opportunity_id in d["PONUMBER"]]
    assert len(orders) == 1
    statuses = sorted(
        (j["status"]["S"], j.get("last_error", {}).get("S", ""))
        for j in jobs_of(stack, f"salesforce:opportunity:{opportunity_id}:SalesOrder")
    )
    assert statuses[0][0] == "done" and statuses[1][0] == "failed"
    assert "one-to-one" in statuses[1][1]


def test_a_create_whose_answer_was_lost_is_retried_into_one_document(
    stack: LocalStack, sf: Salesforce
) -> None:
    opportunity_id = an_opportunity(sf, "COASTAL", **{"KAYAK-SOLO": 1})
    intacct = stack.sandbox_admin("intacct")
    intacct.inject_fault("gateway", kind="commit_then_drop", times=1)
    assert click(stack, sf, opportunity_id, "Sales Quote").status_code == 202
    stack.drain(timeout=60)
    intacct.clear_faults()
    quotes = [d for d in intacct_documents(stack, "Sales Quote") if opportunity_id in d["PONUMBER"]]
    assert len(quotes) == 1
    [job] = jobs_of(stack, f"salesforce:opportunity:{opportunity_id}:SalesQuote")
    assert job["status"]["S"] == "done" and int(job["attempt_count"]["N"]) >= 2
    assert len(documents_of(sf, opportunity_id)) == 1


def test_intacct_refusing_the_document_fails_the_job_with_intacct_correction(
    stack: LocalStack, sf: Salesforce
) -> None:
    product = sobject(sf, "Product2").create(
        {"Name": "Ghost lantern", "ProductCode": "GHOST", "Intacct_Item_Id__c": "GHOST-1"}
    )["id"]
    [book] = query(sf, "SELECT Id FROM Pricebook2 WHERE IsStandard = true")
    sobject(sf, "PricebookEntry").create(
        {"Pricebook2Id": book["Id"], "Product2Id": product, "UnitPrice": 10, "IsActive": True}
    )
    opportunity_id = an_opportunity(sf, "SUMMIT", GHOST=2)
    assert click(stack, sf, opportunity_id, "Sales Quote").status_code == 202
    stack.drain(timeout=30)
    [job] = jobs_of(stack, f"salesforce:opportunity:{opportunity_id}:SalesQuote")
    assert job["status"]["S"] == "failed"
    assert "BL01001973" in job["last_error"]["S"] and "Correction" in job["last_error"]["S"]


def test_a_user_edit_of_the_read_only_record_is_refused(stack: LocalStack, sf: Salesforce) -> None:
    [record] = query(sf, "SELECT Id FROM Intacct_Sales_Document__c LIMIT 1")
    app = stack.sandboxes["salesforce"].app
    app.seed({"users": [{"Username": "rep2@harbourpine.example", "LastName": "Rep"}]})
    rep_sf = rep(stack, "rep2@harbourpine.example")
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sobject(rep_sf, "Intacct_Sales_Document__c").update(record["Id"], {"State__c": "Closed"})
    assert refused.value.content[0]["errorCode"] == "FIELD_CUSTOM_VALIDATION_EXCEPTION"


def rep(stack: LocalStack, username: str) -> Salesforce:
    secret = {**stack.sandboxes["salesforce"].connection(), "username": username}
    return connection_from_secret(secret, str(stack.ca.bundle_path)).call(lambda client: client)


def test_an_invoice_made_in_intacct_appears_with_lines_then_its_open_balance_after_a_payment(
    stack: LocalStack, sf: Salesforce
) -> None:
    app = stack.sandboxes["intacct"].app
    [made] = app.seed(
        {
            "documents": [
                {
                    "DOCPARID": "Sales Invoice",
                    "CUSTVENDID": "C-REDWOOD",
                    "WHENCREATED": "2026-11-30",
                    "lines": [
                        {"ITEMID": "TENT-4P", "QUANTITY": 2, "PRICE": 429},
                        {"ITEMID": "LAMP-LED", "QUANTITY": 4, "PRICE": 34.5},
                    ],
                }
            ]
        }
    )["documents"]
    stack.run_schedule(POLL)
    invoice = query(
        sf,
        "SELECT Id, Total__c, Total_Due__c, Account__r.Name, "
        "(SELECT Item_Id__c FROM Lines__r ORDER BY Line_No__c), "
        "(SELECT Amount__c FROM Payments__r) "
        f"FROM Intacct_Sales_Document__c WHERE Intacct_Key__c = '{made['DOCID']}'",
    )
    [record] = invoice
    assert record["Total__c"] == 996.0 and record["Total_Due__c"] == 996.0
    assert record["Account__r"]["Name"] == "Redwood Camping Supply"
    assert [line["Item_Id__c"] for line in record["Lines__r"]["records"]] == ["TENT-4P", "LAMP-LED"]

    app.seed({"payments": [{"invoice": made["DOCID"], "AMOUNT": 500, "WHENPAID": "2026-12-02"}]})
    stack.run_schedule(POLL)
    [after] = query(
        sf,
        "SELECT Total_Paid__c, Total_Due__c, Account__r.Intacct_Open_Balance__c, "
        "(SELECT Amount__c FROM Payments__r) "
        f"FROM Intacct_Sales_Document__c WHERE Intacct_Key__c = '{made['DOCID']}'",
    )
    assert after["Total_Paid__c"] == 500.0 and after["Total_Due__c"] == 496.0
    assert [p["Amount__c"] for p in after["Payments__r"]["records"]] == [500.0]
    # the Account shows what the customer owes on all its invoices (Intacct's CUSTOMER.TOTALDUE)
    [customer] = [
        c for c in app.snapshot()["objects"]["CUSTOMER"] if c["CUSTOMERID"] == "C-REDWOOD"
    ]
    assert float(customer["TOTALDUE"]) >= 496.0
    assert after["Account__r"]["Intacct_Open_Balance__c"] == float(customer["TOTALDUE"])


def test_a_document_deleted_in_intacct_is_shown_as_deleted_in_salesforce(
    stack: LocalStack, sf: Salesforce
) -> None:
    app = stack.sandboxes["intacct"].app
    [made] = app.seed(
        {
            "documents": [
                {
                    "DOCPARID": "Sales Order",
                    "CUSTVENDID": "C-ALPINE",
                    "WHENCREATED": "2026-12-01",
                    "lines": [{"ITEMID": "STOVE-1", "QUANTITY": 1}],
                }
            ]
        }
    )["documents"]
    stack.run_schedule(POLL)
    soql = (
        "SELECT State__c, Total__c, (SELECT Item_Id__c FROM Lines__r) FROM "
        f"Intacct_Sales_Document__c WHERE Intacct_Key__c = '{made['DOCID']}'"
    )
    [before] = query(sf, soql)
    assert before["State__c"] != "Deleted in Intacct"

    app.seed({"deletions": [{"DOCID": made["DOCID"]}]})
    stack.run_schedule(POLL)
    [after] = query(sf, soql)
    assert after["State__c"] == "Deleted in Intacct"
    assert after["Total__c"] == before["Total__c"]  # kept, read-only, for the history
    assert [line["Item_Id__c"] for line in after["Lines__r"]["records"]] == ["STOVE-1"]
    [job] = [j for j in jobs_of(stack, "") if j.get("version", {}).get("S") == "deleted"]
    assert job["status"]["S"] == "done"


def test_a_poll_with_nothing_changed_costs_one_intacct_request(stack: LocalStack) -> None:
    admin = stack.sandbox_admin("intacct")
    stack.run_schedule(POLL)  # settle what earlier tests changed
    before = admin.count()
    stack.run_schedule(POLL)
    # documents of every type, payment details and deletions: one function each, ONE request
    assert admin.count() - before == 1


def test_the_demo_scenario_passes(stack: LocalStack) -> None:
    """`make demo` shows exactly this; if it breaks, the demo would too."""
    from devstack.scenarios import s60_intacct_documents

    lines: list[str] = []
    summary = s60_intacct_documents.run(stack, lines.append)
    assert "created once" in summary and any("open balance" in line for line in lines)
