"""Sage Intacct sales transactions <-> Salesforce (seed 004).

A rep clicks "Create Sales Quote" on an opportunity (the action's signed request is played
here); salesbridge creates the quote in Intacct from the opportunity's lines and posts it back
as a read-only sales document with its lines. Then the scheduled poll brings the invoices
Intacct made on its own (the demo history: one part-paid, one open) with lines, open balance
and payments. A rep's edit of a mirrored record is refused by its validation rule.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from simple_salesforce.format import format_soql

from shared.adapters.salesforce.connection import connection_from_secret
from shared.signing import signed_headers

ROUTE = "/webhooks/salesforce/intacct-documents"


def run(stack: Any, say: Callable[[str], None]) -> str:
    secret = stack.sandboxes["salesforce"].connection()
    sf = connection_from_secret(secret, str(stack.ca.bundle_path)).client()

    def rows(soql: str) -> list[dict[str, Any]]:
        return list(sf.query_all(soql)["records"])

    [account] = rows("SELECT Id, Name FROM Account WHERE Intacct_Customer_Id__c = 'C-LAKESIDE'")
    [book] = rows("SELECT Id FROM Pricebook2 WHERE IsStandard = true")
    entries = {
        row["Product2"]["ProductCode"]: row
        for row in rows(
            # the products Intacct knows (the Unleashed price book may hold others by code)
            "SELECT Id, UnitPrice, Product2.ProductCode FROM PricebookEntry "
            "WHERE Pricebook2.IsStandard = true AND Product2.Intacct_Item_Id__c != null"
        )
    }
    opportunity = sf.Opportunity.create(  # type: ignore[operator]
        {"Name": "Lakeside - summer kayaks", "AccountId": account["Id"],
         "StageName": "Proposal/Price Quote", "CloseDate": "2026-12-20",
         "Pricebook2Id": book["Id"]}
    )["id"]  # fmt: skip
    for code, count in (("KAYAK-SOLO", 4), ("PADDLE-AL", 8)):
        sf.OpportunityLineItem.create(  # type: ignore[operator]
            {"OpportunityId": opportunity, "PricebookEntryId": entries[code]["Id"],
             "Quantity": count, "UnitPrice": entries[code]["UnitPrice"]}
        )  # fmt: skip
    say(f"A rep clicks Create Sales Quote on 'Lakeside - summer kayaks' ({account['Name']})")
    modified = sf.Opportunity.get(opportunity)["LastModifiedDate"]  # type: ignore[operator]
    raw = json.dumps(
        {"opportunityId": opportunity, "transactionType": "Sales Quote",
         "lastModifiedDate": modified}
    ).encode()  # fmt: skip
    headers = {
        "Content-Type": "application/json",
        **signed_headers(stack.endpoints["webhook_keys"]["salesforce"], raw),
    }
    for _ in range(2):  # a double click
        httpx.post(stack.endpoints["api"]["base_url"] + ROUTE, content=raw, headers=headers)
    stack.drain(timeout=30)
    [quote] = rows(
        format_soql(
            "SELECT Id, Name, Total__c, (SELECT Id FROM Lines__r) FROM Intacct_Sales_Document__c "
            "WHERE Opportunity__c = {}",
            opportunity,
        )
    )
    say(
        f"  Intacct made {quote['Name']} ({quote['Total__c']:.2f}, "
        f"{len(quote['Lines__r']['records'])} lines) once for the double click; it is back in "
        "Salesforce as a read-only sales document"
    )
    stack.run_schedule("IntacctDocumentPollFunction")
    invoices = rows(
        "SELECT Name, Total__c, Total_Due__c FROM Intacct_Sales_Document__c "
        "WHERE Document_Type__c = 'Sales Invoice' ORDER BY Name"
    )
    for invoice in invoices:
        say(
            f"  {invoice['Name']}: total {invoice['Total__c']:.2f}, "
            f"open balance {invoice['Total_Due__c']:.2f}"
        )
    return (
        f"a quote created once from an opportunity and {len(invoices)} Intacct invoices "
        "posted back with lines and open balances"
    )
