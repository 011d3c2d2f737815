"""Unleashed customers and contacts <-> Salesforce accounts and contacts (seed 003).

A customer is created in Unleashed with two contacts: its signed webhook brings the Account
(keyed by the Unleashed Guid) and both contacts under it. A contact's phone edited in Unleashed
follows from the webhook; a phone edited on the Account in Salesforce reaches Unleashed from the
flow's callout (played here with the Apex action's signed request), and Unleashed's notice of
that write is recognised as salesbridge's own: no call is spent on it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from simple_salesforce.format import format_soql

from shared.adapters.salesforce.connection import connection_from_secret
from shared.signing import signed_headers

CODE = "RIMU"


def run(stack: Any, say: Callable[[str], None]) -> str:
    sf: Any = connection_from_secret(
        stack.sandboxes["salesforce"].connection(), str(stack.ca.bundle_path)
    ).client()
    unleashed = stack.sandboxes["unleashed"].app

    def settle() -> None:
        stack.drain(timeout=30)
        unleashed.webhooks.flush()
        stack.drain(timeout=30)

    say(f"In Unleashed, customer {CODE} 'Rimu Outfitters' is created with two contacts")
    people = [
        {"FirstName": "Hana", "LastName": "Wiremu", "PhoneNumber": "021 410"},
        {"FirstName": "Tom", "LastName": "Reid", "PhoneNumber": "021 420"},
    ]
    customer = {"CustomerCode": CODE, "CustomerName": "Rimu Outfitters", "PhoneNumber": "09 410"}
    guid = unleashed.seed({"customers": [{**customer, "Contacts": people}]})["customers"][CODE]
    settle()
    [account] = sf.query(
        format_soql(
            "SELECT Id, Name, Phone FROM Account WHERE Unleashed_Customer_Guid__c = {}", guid
        )
    )["records"]
    contacts = sf.query(format_soql("SELECT Id FROM Contact WHERE AccountId = {}", account["Id"]))[
        "records"
    ]
    say(f"Salesforce has the Account {account['Name']} with {len(contacts)} contacts under it")

    say("In Unleashed, Hana's phone becomes 021 499")
    for person, guid_ in zip(people, unleashed.account.contacts[guid], strict=False):
        person["Guid"] = guid_
    people[0]["PhoneNumber"] = "021 499"
    unleashed.seed({"customers": [{**customer, "Contacts": people}]})
    settle()
    [hana] = sf.query(
        format_soql(
            "SELECT Phone FROM Contact WHERE Unleashed_Contact_Guid__c = {}", people[0]["Guid"]
        )
    )["records"]
    say(f"Salesforce shows Hana's phone {hana['Phone']}")

    say("In Salesforce, a rep changes the Account's phone to 09 499")
    sf.Account.update(account["Id"], {"Phone": "09 499"})
    row = sf.Account.get(account["Id"])
    values = {"name": row["Name"], "phone": row["Phone"], "website": row["Website"]}
    body = {"object": "Account", "recordId": account["Id"], "customerGuid": guid,
            "lastModifiedDate": row["LastModifiedDate"], "values": values}  # fmt: skip
    raw = json.dumps(body).encode()
    before = stack.api_calls()
    httpx.post(
        stack.endpoints["api"]["base_url"] + "/webhooks/salesforce/companies",
        content=raw,
        headers={"Content-Type": "application/json",
                 **signed_headers(stack.endpoints["webhook_keys"]["salesforce"], raw)},
        verify=str(stack.ca.bundle_path),
    ).raise_for_status()  # fmt: skip
    settle()
    spent = {k: stack.api_calls()[k] - before[k] for k in before}
    phone = next(c for c in unleashed.snapshot()["customers"] if c["Guid"] == guid)["PhoneNumber"]
    say(f"Unleashed shows {phone}; calls spent: {spent} (Unleashed's notice of it cost nothing)")
    return (
        f"an Unleashed customer and its contacts reached Salesforce, a contact edit followed, "
        f"and an Account phone edited in Salesforce reached Unleashed ({phone})"
    )
