"""Unleashed companies <-> Salesforce (seed 003): API calls per change, echoes, latency.

One local stack (template.yaml, the Salesforce and Unleashed sandboxes); calls are those the
functions make (`LocalStack.api_calls`, the sandboxes' meters), never the bench's own:
- `unleashed_calls_per_changed_customer_u2s` / `salesforce_calls_per_changed_customer_u2s`:
  a customer's phone edited in Unleashed, from its webhook to the Account.
- `..._per_changed_contact_u2s`: one contact's phone edited in Unleashed.
- `..._per_changed_account_s2u` / `..._per_changed_contact_s2u`: a phone edited in Salesforce,
  from the flow's callout to Unleashed (Unleashed's notice of that write included).
- `calls_per_echo`: the callout of a record salesbridge itself just wrote (target 0).
- `seconds_change_to_arrival_u2s` / `_s2u`: from the edit to the value on the other side.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from devstack.stack import LocalStack
from shared.adapters.salesforce.connection import connection_from_secret
from shared.signing import signed_headers

ROOT = Path(__file__).resolve().parents[1]
REP = "bench.rep@harbourpine.example"


def spent(stack: LocalStack, before: dict[str, int]) -> dict[str, int]:
    return {name: stack.api_calls()[name] - before[name] for name in before}


def settle(stack: LocalStack) -> None:
    stack.drain(timeout=30)
    stack.sandboxes["unleashed"].app.webhooks.flush()
    stack.drain(timeout=30)


def callout(stack: LocalStack, body: dict[str, Any]) -> None:
    raw = json.dumps(body).encode()
    httpx.post(
        stack.endpoints["api"]["base_url"] + "/webhooks/salesforce/companies",
        content=raw,
        headers={
            "Content-Type": "application/json",
            **signed_headers(stack.endpoints["webhook_keys"]["salesforce"], raw),
        },
        verify=str(stack.ca.bundle_path),
    ).raise_for_status()


def measure(stack: LocalStack) -> dict[str, float]:
    unleashed = stack.sandboxes["unleashed"].app
    sf: Any = connection_from_secret(
        stack.sandboxes["salesforce"].connection(), str(stack.ca.bundle_path)
    ).client()
    stack.sandboxes["salesforce"].app.seed(
        {"users": [{"Username": REP, "FirstName": "B", "LastName": "Rep", "Email": REP}]}
    )
    unleashed.seed({"salespersons": [{"FullName": "B Rep", "Email": REP}]})
    person = {"FirstName": "Ana", "LastName": "Lee", "PhoneNumber": "021 1"}
    customer = {"CustomerCode": "BENCH", "CustomerName": "Bench Ltd", "PhoneNumber": "09 1",
                "SalesPerson": {"Email": REP}}  # fmt: skip
    guid = unleashed.seed({"customers": [{**customer, "Contacts": [person]}]})["customers"]["BENCH"]
    settle(stack)
    [contact_guid] = unleashed.account.contacts[guid]
    person["Guid"] = contact_guid
    figures: dict[str, float] = {}

    def u2s(name: str, change: dict[str, Any]) -> None:
        before, started = stack.api_calls(), time.monotonic()
        unleashed.seed({"customers": [{**customer, **change}]})
        settle(stack)
        figures[f"seconds_change_to_arrival_u2s_{name}"] = round(time.monotonic() - started, 3)
        for system, calls in spent(stack, before).items():
            figures[f"{system}_calls_per_changed_{name}_u2s"] = calls

    u2s("customer", {"PhoneNumber": "09 2"})
    customer["PhoneNumber"] = "09 2"
    u2s("contact", {"Contacts": [{**person, "PhoneNumber": "021 2"}]})

    account = sf.query(
        f"SELECT Id, LastModifiedDate FROM Account WHERE Unleashed_Customer_Guid__c = '{guid}'"
    )["records"][0]
    contact = sf.query(
        f"SELECT Id FROM Contact WHERE Unleashed_Contact_Guid__c = '{contact_guid}'"
    )["records"][0]
    account_values = {"name": "Bench Ltd", "phone": "09 3", "website": None,
                      "account_manager": REP}  # fmt: skip
    contact_values = {"first_name": "Ana", "last_name": "Lee", "email": None, "phone": "021 3",
                      "mobile": None, "fax": None}  # fmt: skip

    def s2u(name: str, body: dict[str, Any]) -> None:
        sobject = body["object"]
        getattr(sf, sobject).update(body["recordId"], {"Phone": body["values"]["phone"]})
        body["lastModifiedDate"] = getattr(sf, sobject).get(body["recordId"])["LastModifiedDate"]
        before, started = stack.api_calls(), time.monotonic()
        callout(stack, body)
        settle(stack)
        figures[f"seconds_change_to_arrival_s2u_{name}"] = round(time.monotonic() - started, 3)
        for system, calls in spent(stack, before).items():
            figures[f"{system}_calls_per_changed_{name}_s2u"] = calls

    account_body = {"object": "Account", "recordId": account["Id"], "customerGuid": guid,
                    "values": account_values}  # fmt: skip
    s2u("account", account_body)
    s2u("contact", {"object": "Contact", "recordId": contact["Id"], "customerGuid": guid,
                    "contactGuid": contact_guid, "values": contact_values})  # fmt: skip
    before = stack.api_calls()
    callout(stack, account_body)  # the same values again: salesbridge's own write coming back
    settle(stack)
    figures["calls_per_echo"] = sum(spent(stack, before).values())
    return figures


def run() -> dict[str, float]:
    with (
        tempfile.TemporaryDirectory() as state_dir,
        LocalStack(
            ROOT / "template.yaml",
            sandboxes=["salesforce", "unleashed"],
            state_dir=Path(state_dir),
            time_scale=0.01,
        ) as stack,
    ):
        figures = measure(stack)
    for name, value in sorted(figures.items()):
        print(f"  {name}: {value}")
    return {f"unleashed_companies.{name}": float(value) for name, value in figures.items()}


if __name__ == "__main__":
    run()
