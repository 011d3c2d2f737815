"""Intacct sales documents <-> Salesforce (seed 004): API calls, from the sandboxes' own logs.

One local stack (template.yaml, the Salesforce and Intacct sandboxes, demo data):
- `intacct_calls_per_created_document` / `salesforce_calls_per_created_document`: a
  "Create Sales Quote" of a 10-line opportunity whose account has an Intacct customer id, the
  worker warm (its Intacct session open): the create, the read back, the query and the graph.
- `salesforce_calls_per_posted_document_10_lines`: an invoice of 10 lines made in Intacct,
  posted back by the poll (target 1: one composite graph for header and lines).
- `intacct_calls_per_idle_poll`: a poll when nothing changed (documents of every To
  Salesforce type, payment details and deletions: functions of ONE request).
- `salesforce_calls_per_1000_invoices` / `intacct_calls_per_1000_invoices`: 1,000 invoices
  of 2 lines made in Intacct, posted back by one poll.
Salesforce counts leave out the OAuth token endpoint.
"""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

from devstack.stack import LocalStack
from shared.adapters.salesforce.connection import connection_from_secret
from shared.signing import signed_headers

ROOT = Path(__file__).resolve().parents[1]
LOG_FILE = ROOT / ".bench" / "intacct_documents.log"
POLL = "IntacctDocumentPollFunction"
INVOICES = 1000
PRODUCTS = ["TENT-2P", "TENT-4P", "BAG-20F", "PACK-55L", "STOVE-1", "LAMP-LED", "KAYAK-SOLO",
            "PADDLE-AL"]  # fmt: skip


def api_calls(stack: LocalStack, name: str) -> int:
    counts = stack.sandbox_admin(name).requests()["by_endpoint"]
    return sum(n for key, n in counts.items() if "token" not in key)


def clear(stack: LocalStack) -> None:
    for name in ("salesforce", "intacct"):
        stack.sandbox_admin(name).clear_requests()


def opportunity_with_lines(sf: Any, lines: int) -> str:
    [account] = sf.query("SELECT Id FROM Account WHERE Intacct_Customer_Id__c = 'C-ALPINE'")[
        "records"
    ]
    entries = sf.query(
        "SELECT Id, UnitPrice FROM PricebookEntry WHERE Pricebook2.IsStandard = true"
    )["records"]
    [book] = sf.query("SELECT Id FROM Pricebook2 WHERE IsStandard = true")["records"]
    opportunity = sf.Opportunity.create(
        {"Name": "bench", "AccountId": account["Id"], "StageName": "Prospecting",
         "CloseDate": "2026-12-31", "Pricebook2Id": book["Id"]}
    )["id"]  # fmt: skip
    for index in range(lines):
        entry = entries[index % len(entries)]
        sf.OpportunityLineItem.create(
            {"OpportunityId": opportunity, "PricebookEntryId": entry["Id"],
             "Quantity": index + 1, "UnitPrice": entry["UnitPrice"]}
        )  # fmt: skip
    return str(opportunity)


def create_quote(stack: LocalStack, sf: Any, opportunity_id: str) -> None:
    """The click (its request counted from here on: the logs are cleared after the read)."""
    modified = sf.Opportunity.get(opportunity_id)["LastModifiedDate"]
    clear(stack)
    raw = json.dumps(
        {"opportunityId": opportunity_id, "transactionType": "Sales Quote",
         "lastModifiedDate": modified}
    ).encode()  # fmt: skip
    answer = httpx.post(
        stack.endpoints["api"]["base_url"] + "/webhooks/salesforce/intacct-documents",
        content=raw,
        headers={"Content-Type": "application/json",
                 **signed_headers(stack.endpoints["webhook_keys"]["salesforce"], raw)},
    )  # fmt: skip
    answer.raise_for_status()
    stack.drain(timeout=60)


def invoice(customer: str, lines: int, day: int) -> dict[str, Any]:
    return {
        "DOCPARID": "Sales Invoice",
        "CUSTVENDID": customer,
        "WHENCREATED": f"2026-11-{1 + day % 28:02d}",
        "lines": [
            {"ITEMID": PRODUCTS[i % len(PRODUCTS)], "QUANTITY": i + 1, "PRICE": 10}
            for i in range(lines)
        ],
    }


def measure(stack: LocalStack) -> dict[str, float]:
    secret = stack.sandboxes["salesforce"].connection()
    sf = connection_from_secret(secret, str(stack.ca.bundle_path)).call(lambda client: client)
    intacct = stack.sandboxes["intacct"].app
    figures: dict[str, float] = {}
    stack.run_schedule(POLL)  # the demo history, and a warm poller
    create_quote(stack, sf, opportunity_with_lines(sf, 10))  # a warm worker
    create_quote(stack, sf, opportunity_with_lines(sf, 10))
    figures["intacct_calls_per_created_document"] = api_calls(stack, "intacct")
    figures["salesforce_calls_per_created_document"] = api_calls(stack, "salesforce")

    intacct.seed({"documents": [invoice("C-SUMMIT", 10, 1)]})
    clear(stack)
    stack.run_schedule(POLL)
    figures["salesforce_calls_per_posted_document_10_lines"] = api_calls(stack, "salesforce")
    clear(stack)
    stack.run_schedule(POLL)
    figures["intacct_calls_per_idle_poll"] = api_calls(stack, "intacct")

    customers = ["C-ALPINE", "C-COASTAL", "C-REDWOOD", "C-SUMMIT", "C-LAKESIDE"]
    intacct.seed({"documents": [invoice(customers[n % 5], 2, n) for n in range(INVOICES)]})
    clear(stack)
    report = stack.run_schedule(POLL)
    figures["salesforce_calls_per_1000_invoices"] = api_calls(stack, "salesforce")
    figures["intacct_calls_per_1000_invoices"] = api_calls(stack, "intacct")
    posted = sf.query("SELECT COUNT() FROM Intacct_Sales_Document__c")["totalSize"]
    if posted < INVOICES:
        raise RuntimeError(f"only {posted} documents in Salesforce after the poll: {report}")
    return figures


def run() -> dict[str, float]:
    out = sys.stdout
    LOG_FILE.parent.mkdir(exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as state_dir,
        LOG_FILE.open("w") as log,
        contextlib.redirect_stdout(log),
        LocalStack(
            ROOT / "template.yaml",
            sandboxes=["salesforce", "intacct"],
            state_dir=state_dir,
            time_scale=0.01,
            seed_demo_data=True,
        ) as stack,
    ):
        figures = measure(stack)
    for name, value in figures.items():
        print(f"  intacct_documents.{name:<48} {value:>9g}", file=out)
    return {f"intacct_documents.{name}": float(value) for name, value in figures.items()}


if __name__ == "__main__":
    print(run())
