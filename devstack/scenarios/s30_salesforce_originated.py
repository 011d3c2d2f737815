"""A Closed Won opportunity in Salesforce becomes one NetSuite sales order, and back.

A rep closes an opportunity with two products (one discounted); the Closed Won flow's Apex
action posts to salesbridge through its Named Credential (played here with the same request);
salesbridge creates the NetSuite order labelled Salesforce Originated, writes its id and line
keys back, and recognises the NetSuite save event this causes as its own. Finance then edits
the order in NetSuite and the opportunity's lines follow ("Sync Salesforce Originated Orders"
is on in settings/local.json).
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Callable
from typing import Any

import httpx
from simple_salesforce.format import format_soql

from devstack.scenarios import money, quantity
from shared.adapters.salesforce.connection import connection_from_secret
from shared.signing import signed_headers

ROUTE = "/webhooks/salesforce/opportunities"


def run(stack: Any, say: Callable[[str], None]) -> str:
    secret = stack.sandboxes["salesforce"].connection()
    sf = connection_from_secret(secret, str(stack.ca.bundle_path)).client()
    verify = ssl.create_default_context(cafile=str(stack.ca.bundle_path))
    netsuite = stack.sandboxes["netsuite"]

    def rows(soql: str) -> list[dict[str, Any]]:
        return list(sf.query_all(soql)["records"])

    def settle() -> None:
        stack.drain(timeout=30)
        httpx.post(f"{netsuite.base_url}/__admin/flush", json={"timeout": 10}, verify=verify)
        stack.drain(timeout=30)

    [account] = rows("SELECT Id, Name FROM Account WHERE NetSuite_Id__c = '104'")
    [book] = rows("SELECT Id FROM Pricebook2 WHERE IsStandard = true")
    prices = {
        row["Product2"]["ProductCode"]: row["Id"]
        for row in rows(
            "SELECT Id, Product2.ProductCode FROM PricebookEntry WHERE Pricebook2.IsStandard = true"
        )
    }
    say(
        f"A sales rep closes the opportunity 'Summit - spring stoves' for {account['Name']} as "
        "Closed Won: 20 stoves at 59.00 with 5 % discount, 12 LED lamps at 34.50"
    )
    opportunity = sf.Opportunity.create(  # type: ignore[operator]
        {
            "Name": "Summit - spring stoves",
            "AccountId": account["Id"],
            "StageName": "Prospecting",
            "CloseDate": "2026-11-30",
            "Pricebook2Id": book["Id"],
        }
    )["id"]
    sf.OpportunityLineItem.create(  # type: ignore[operator]
        {
            "OpportunityId": opportunity,
            "PricebookEntryId": prices["STOVE-1"],
            "Quantity": 20,
            "UnitPrice": 59,
            "Discount": 5,
        }
    )
    sf.OpportunityLineItem.create(  # type: ignore[operator]
        {
            "OpportunityId": opportunity,
            "PricebookEntryId": prices["LAMP-LED"],
            "Quantity": 12,
            "UnitPrice": 34.5,
        }
    )
    sf.Opportunity.update(opportunity, {"StageName": "Closed Won"})  # type: ignore[operator]

    modified = sf.Opportunity.get(opportunity)["LastModifiedDate"]  # type: ignore[operator]
    body = {"opportunityId": opportunity, "event": "closed_won", "lastModifiedDate": modified}
    raw = json.dumps(body).encode()  # signed as the Apex action signs it
    answer = httpx.post(
        stack.endpoints["api"]["base_url"] + ROUTE,
        content=raw,
        headers={
            "Content-Type": "application/json",
            **signed_headers(stack.endpoints["webhook_keys"]["salesforce"], raw),
        },
    )
    assert answer.status_code == 202, answer.text
    say(
        "  the Closed Won flow calls salesbridge, which accepts it (202) as job "
        f"{answer.json()['jobId']}"
    )
    settle()

    orders = [
        o
        for o in netsuite.app.snapshot()["salesOrders"]
        if o.get("externalId") == f"sf-{opportunity}"
    ]
    assert len(orders) == 1, orders
    [order] = orders
    say(
        f"  NetSuite now has sales order {order['tranId']} (id {order['id']}), labelled "
        f"{order['custbody_sb_origin']} Originated, with the lines:"
    )
    for item in order["item"]["items"]:
        say(f"    {item['item']['refName']}: {quantity(item['quantity'])} at {money(item['rate'])}")
    say("    (salesbridge puts the stove's 5 % discount into its rate: 59.00 less 5 % is 56.05)")
    [synced] = rows(
        format_soql(
            "SELECT NetSuite_Id__c, NetSuite_Order_Number__c FROM Opportunity WHERE Id = {}",
            opportunity,
        )
    )
    say(
        f"  the opportunity now carries NetSuite id {synced['NetSuite_Id__c']} and order number "
        f"{synced['NetSuite_Order_Number__c']}; the order's own save event is recognised as "
        "salesbridge's echo"
    )
    assert synced["NetSuite_Id__c"] == order["id"]

    say("Finance raises the stove quantity to 25 in NetSuite")
    first = order["item"]["items"][0]["line"]
    edited = httpx.post(
        f"{netsuite.base_url}/__admin/edit",
        json={"id": order["id"], "fields": {"item": {"items": [{"line": first, "quantity": 25}]}}},
        verify=verify,
    )
    assert edited.status_code == 200, edited.text
    settle()
    after = rows(
        format_soql(
            "SELECT NetSuite_Line_Key__c, Quantity FROM OpportunityLineItem "
            "WHERE OpportunityId = {} ORDER BY NetSuite_Line_Key__c",
            opportunity,
        )
    )
    say("  the opportunity's lines follow:")
    for line in after:
        say(f"    line {line['NetSuite_Line_Key__c']}: quantity {quantity(line['Quantity'])}")
    assert len(after) == 2 and after[0]["Quantity"] == 25
    return "a won opportunity became 1 NetSuite order; a NetSuite edit came back to its lines"
