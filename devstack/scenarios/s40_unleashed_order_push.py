"""Send to Unleashed: an opportunity built from the Unleashed price book becomes an Unleashed
sales order, and its status comes back.

The price book schedule brings Unleashed's products and default sell prices into the
"Unleashed" price book; a rep builds an opportunity from it (one line described, one price
overridden), opens the Warehouse Selection page (the Canvas signed request the quick action
would post), picks a warehouse and sends; the worker creates the order and writes its number
back; the warehouse completes it in Unleashed and the status poll brings "Completed" back.
"""

from __future__ import annotations

import json
import ssl
import time
from collections.abc import Callable
from typing import Any

import httpx
from simple_salesforce.format import format_soql

from devstack.scenarios import money
from shared.adapters.salesforce.connection import connection_from_secret
from shared.adapters.unleashed.client import UnleashedAuth, UnleashedClient, UnleashedCredentials
from shared.flows.unleashed_order_push.order import order_guid

APP = "Salesbridge_Unleashed_Send"
REP = "maya.chen@harbourpine.example"


def run(stack: Any, say: Callable[[str], None]) -> str:
    sf = connection_from_secret(
        stack.sandboxes["salesforce"].connection(), str(stack.ca.bundle_path)
    ).client()
    tls = ssl.create_default_context(cafile=str(stack.ca.bundle_path))
    org, unleashed = stack.sandboxes["salesforce"], stack.sandboxes["unleashed"]
    page_url = stack.endpoints["api"]["base_url"] + "/unleashed/send"

    say("The price book schedule copies Unleashed's products into the 'Unleashed' price book")
    imported = stack.run_schedule("UnleashedPricebookSyncFunction")["written"]
    say(f"  {imported['products']} products, each with its default sell price")
    entries = {
        row["Product2"]["Unleashed_Product_Code__c"]: row
        for row in sf.query_all(
            "SELECT Id, UnitPrice, Pricebook2Id, Product2.Unleashed_Product_Code__c "
            "FROM PricebookEntry WHERE Pricebook2.Name = 'Unleashed'"
        )["records"]
    }
    [account] = sf.query("SELECT Id, Name FROM Account WHERE Name = 'Alpine Trail Outfitters'")[
        "records"
    ]
    tent, bag = entries["TENT-2P"], entries["BAG-20F"]
    say(
        f"A rep builds 'Alpine - spring tents' for {account['Name']}: 4 tents at the Unleashed "
        f"price {money(tent['UnitPrice'])} ('Pack in pairs'), 6 bags at {money(150)} instead "
        f"of {money(bag['UnitPrice'])}"
    )
    opportunity = sf.Opportunity.create(  # type: ignore[operator]
        {
            "Name": "Alpine - spring tents",
            "AccountId": account["Id"],
            "StageName": "Negotiation/Review",
            "CloseDate": "2026-11-30",
            "Pricebook2Id": tent["Pricebook2Id"],
        }
    )["id"]
    for entry, quantity, price, note in (
        (tent, 4, tent["UnitPrice"], "Pack in pairs"),
        (bag, 6, 150, None),
    ):
        sf.OpportunityLineItem.create(  # type: ignore[operator]
            {
                "OpportunityId": opportunity,
                "PricebookEntryId": entry["Id"],
                "Quantity": quantity,
                "UnitPrice": price,
                "Description": note,
            }
        )

    app = httpx.post(
        f"{org.base_url}/__admin/oauth/apps",
        json={"name": APP, "callback_urls": ["https://example.invalid/cb"], "canvas_url": page_url},
        verify=tls,
    ).json()
    stack.client("secretsmanager").put_secret_value(
        SecretId=stack.resources["UnleashedCanvasSecret"].arn,
        SecretString=json.dumps({"consumer_secret": app["consumer_secret"]}),
    )
    signed = httpx.post(
        f"{org.base_url}/__admin/canvas/signed-request",
        json={"app": APP, "user": REP, "record": {"type": "Opportunity", "id": opportunity}},
        verify=tls,
    ).json()["signed_request"]
    page = httpx.post(page_url, data={"signed_request": signed})
    assert page.status_code == 200 and 'data-warehouse="MAIN"' in page.text, page.text[:500]
    say("  she presses Send to Unleashed: the Warehouse Selection page shows stock per warehouse")
    sent = httpx.post(
        page_url,
        data={
            "signed_request": signed,
            "action": "send",
            "customer_code": "ALPINE",
            "warehouse_code": "MAIN",
            "tax_code": "OR",
        },
    )
    assert sent.status_code == 202, sent.text
    query = (
        "SELECT Unleashed_Order_Number__c, Unleashed_Order_Status__c FROM Opportunity WHERE Id = {}"
    )
    # Waits for this send only: other scenarios' queues may still be busy.
    deadline = time.monotonic() + 30
    while True:
        [written] = sf.query(format_soql(query, opportunity))["records"]
        if written["Unleashed_Order_Number__c"] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    number = written["Unleashed_Order_Number__c"]
    assert number, written
    say(f"  MAIN is chosen and sent: Unleashed sales order {number}, Parked, is on the opportunity")

    credentials = UnleashedCredentials.model_validate(unleashed.connection())
    warehouse = UnleashedClient(
        credentials,
        http=httpx.Client(
            base_url=credentials.base_url,
            auth=UnleashedAuth(credentials),
            headers={"Accept": "application/json", "client-type": "warehouse/desk"},
            verify=tls,
        ),
    )
    warehouse.post(f"/SalesOrders/{order_guid(opportunity)}/Complete", {}, keyed=True)
    say("The warehouse ships and completes the order in Unleashed; the status poll runs")
    stack.run_schedule("UnleashedOrderStatusFunction")
    [after] = sf.query(format_soql(query, opportunity))["records"]
    assert after["Unleashed_Order_Status__c"] == "Completed", after
    say(f"  the opportunity now shows {number}: Completed")
    return f"an opportunity became Unleashed order {number}; its completion came back to Salesforce"
