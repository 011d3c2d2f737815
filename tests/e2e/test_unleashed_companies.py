"""Two-way company sync with Unleashed through the local stack (seed 003), Unleashed side.

A customer created in Unleashed (with two contacts and a salesperson) reaches Salesforce from
its signed webhook: the Account keyed by the Unleashed Guid, owned by the user with the
salesperson's e-mail, both contacts under it. A contact edited in Unleashed arrives from the
webhook; with the webhook lost, the `modifiedSince` backstop brings the next edit. A second
delivery of the same state (an echo or a duplicate) costs no Salesforce call.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from simple_salesforce import Salesforce

from devstack.stack import LocalStack
from shared.adapters.salesforce.connection import connection_from_secret
from shared.signing import signed_headers

ROOT = Path(__file__).resolve().parents[2]
REP = "sam.sales@harbourpine.example"
CODE = "KAURI"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with LocalStack(
        ROOT / "template.yaml",
        sandboxes=["salesforce", "unleashed"],
        state_dir=tmp_path_factory.mktemp("local-unleashed-companies"),
        time_scale=0.01,
    ) as running:
        yield running


@pytest.fixture(scope="module")
def sf(stack: LocalStack) -> Salesforce:
    secret = stack.sandboxes["salesforce"].connection()
    return connection_from_secret(secret, str(stack.ca.bundle_path)).call(lambda client: client)


def contact(first: str, last: str, phone: str, guid: str | None = None) -> dict[str, Any]:
    entry = {
        "FirstName": first,
        "LastName": last,
        "EmailAddress": f"{first.lower()}@kauri.example",
        "PhoneNumber": phone,
    }
    return {**entry, "Guid": guid} if guid else entry


def edit_in_unleashed(stack: LocalStack, contacts: list[dict[str, Any]]) -> None:
    stack.sandboxes["unleashed"].app.seed(
        {"customers": [{"CustomerCode": CODE, "Contacts": contacts}]}
    )
    stack.sandboxes["unleashed"].app.webhooks.flush()
    stack.drain(timeout=30)


def sf_contacts(sf: Salesforce, guid: str) -> dict[str, dict[str, Any]]:
    rows = sf.query_all(
        "SELECT Id, FirstName, LastName, Email, Phone, Unleashed_Contact_Guid__c "
        f"FROM Contact WHERE Account.Unleashed_Customer_Guid__c = '{guid}'"
    )["records"]
    return {str(r["Unleashed_Contact_Guid__c"]): r for r in rows}


def test_customer_and_contacts_reach_salesforce_from_webhooks_and_the_backstop(
    stack: LocalStack, sf: Salesforce
) -> None:
    unleashed = stack.sandboxes["unleashed"].app
    stack.sandboxes["salesforce"].app.seed(
        {"users": [{"Username": REP, "FirstName": "Sam", "LastName": "Sales", "Email": REP}]}
    )
    unleashed.seed({"salespersons": [{"FullName": "Sam Sales", "Email": REP}]})

    # Created in Unleashed: the Account and both contacts arrive from the webhook.
    made = unleashed.seed(
        {
            "customers": [
                {
                    "CustomerCode": CODE,
                    "CustomerName": "Kauri Joinery",
                    "PhoneNumber": "+64 9 555 0101",
                    "Website": "https://kauri.example",
                    "SalesPerson": {"Email": REP},
                    "Contacts": [
                        contact("Aroha", "Ngata", "021 100"),
                        contact("Ben", "Ito", "021 200"),
                    ],
                }
            ]
        }
    )
    guid = made["customers"][CODE]
    unleashed.webhooks.flush()
    stack.drain(timeout=30)
    account = sf.query(
        "SELECT Id, Name, Phone, Website, OwnerId, Owner.Email, Unleashed_Customer_Code__c "
        f"FROM Account WHERE Unleashed_Customer_Guid__c = '{guid}'"
    )["records"]
    assert len(account) == 1
    assert account[0]["Name"] == "Kauri Joinery"
    assert account[0]["Phone"] == "+64 9 555 0101"
    assert account[0]["Website"] == "https://kauri.example"
    assert account[0]["Unleashed_Customer_Code__c"] == CODE
    assert cast(dict[str, Any], account[0]["Owner"])["Email"] == REP
    contacts = sf_contacts(sf, guid)
    assert sorted(c["LastName"] for c in contacts.values()) == ["Ito", "Ngata"]

    # A contact edited in Unleashed arrives from the webhook.
    by_name = {c["LastName"]: g for g, c in contacts.items()}
    edit_in_unleashed(
        stack,
        [
            contact("Aroha", "Ngata", "021 999", by_name["Ngata"]),
            contact("Ben", "Ito", "021 200", by_name["Ito"]),
        ],
    )
    assert sf_contacts(sf, guid)[by_name["Ngata"]]["Phone"] == "021 999"

    # The same state again (an echo, a duplicate): no Salesforce call.
    before = stack.api_calls()["salesforce"]
    unleashed.webhooks.emit("customer.updated", {"customerGuid": guid, "customerCode": CODE})
    unleashed.webhooks.flush()
    stack.drain(timeout=30)
    assert stack.api_calls()["salesforce"] == before

    # The webhook is lost: the backstop's modifiedSince read brings the edit.
    subscriptions = unleashed.webhooks.snapshot()["subscriptions"]
    unleashed.webhooks.subscribe([])
    edit_in_unleashed(
        stack,
        [
            contact("Aroha", "Ngata", "021 999", by_name["Ngata"]),
            contact("Ben", "Ito", "021 777", by_name["Ito"]),
        ],
    )
    assert sf_contacts(sf, guid)[by_name["Ito"]]["Phone"] == "021 200"
    report = stack.run_schedule("UnleashedCustomerBackstopFunction")
    assert report["queued"] == 1
    stack.drain(timeout=30)
    assert sf_contacts(sf, guid)[by_name["Ito"]]["Phone"] == "021 777"
    unleashed.webhooks.subscribe(
        [{"url": s["url"], "signature_key": s["signatureKey"]} for s in subscriptions]
    )


def flow_callout(stack: LocalStack, sf: Salesforce, sobject: str, record_id: str) -> int:
    """What SalesbridgeCompanyCallout posts after the save (the sandbox runs no flows)."""
    if sobject == "Account":
        row = sf.query(
            "SELECT Id, Name, Phone, Website, Owner.Email, LastModifiedDate, "
            f"Unleashed_Customer_Guid__c FROM Account WHERE Id = '{record_id}'"
        )["records"][0]
        owner = cast(dict[str, Any], row["Owner"])
        body: dict[str, Any] = {
            "object": "Account",
            "recordId": row["Id"],
            "lastModifiedDate": row["LastModifiedDate"],
            "customerGuid": row["Unleashed_Customer_Guid__c"],
            "values": {
                "name": row["Name"],
                "phone": row["Phone"],
                "website": row["Website"],
                "account_manager": str(owner["Email"]).lower(),
            },
        }
    else:
        row = sf.query(
            "SELECT Id, FirstName, LastName, Email, Phone, MobilePhone, Fax, LastModifiedDate, "
            "Unleashed_Contact_Guid__c, Account.Unleashed_Customer_Guid__c "
            f"FROM Contact WHERE Id = '{record_id}'"
        )["records"][0]
        body = {
            "object": "Contact",
            "recordId": row["Id"],
            "lastModifiedDate": row["LastModifiedDate"],
            "customerGuid": cast(dict[str, Any], row["Account"])["Unleashed_Customer_Guid__c"],
            "contactGuid": row["Unleashed_Contact_Guid__c"],
            "values": {
                "first_name": row["FirstName"],
                "last_name": row["LastName"],
                "email": row["Email"],
                "phone": row["Phone"],
                "mobile": row["MobilePhone"],
                "fax": row["Fax"],
            },
        }
    raw = json.dumps(body).encode()
    answer = httpx.post(
        stack.endpoints["api"]["base_url"] + "/webhooks/salesforce/companies",
        content=raw,
        headers={
            "Content-Type": "application/json",
            **signed_headers(stack.endpoints["webhook_keys"]["salesforce"], raw),
        },
        verify=str(stack.ca.bundle_path),
    )
    stack.drain(timeout=30)
    stack.sandboxes["unleashed"].app.webhooks.flush()  # Unleashed's notice of our own write
    stack.drain(timeout=30)
    return answer.status_code


def test_salesforce_edits_reach_unleashed_and_refusals_show_on_the_account(
    stack: LocalStack, sf: Salesforce
) -> None:
    unleashed = stack.sandboxes["unleashed"].app
    made = unleashed.seed(
        {
            "customers": [
                {
                    "CustomerCode": "TOTARA",
                    "CustomerName": "Totara Timber",
                    "PhoneNumber": "+64 9 555 0200",
                    "SalesPerson": {"Email": REP},
                    "Contacts": [contact("Mere", "Tane", "021 300")],
                }
            ]
        }
    )
    guid = made["customers"]["TOTARA"]
    unleashed.webhooks.flush()
    stack.drain(timeout=30)
    account_id = sf.query(f"SELECT Id FROM Account WHERE Unleashed_Customer_Guid__c = '{guid}'")[
        "records"
    ][0]["Id"]
    [(contact_guid, row)] = sf_contacts(sf, guid).items()

    def in_unleashed() -> dict[str, Any]:
        return next(c for c in unleashed.snapshot()["customers"] if c["Guid"] == guid)

    # A phone edited on the Account, and on the Contact, is in Unleashed within the test.
    before = stack.api_calls()
    cast(Any, sf).Account.update(account_id, {"Phone": "+64 9 555 0299"})
    assert flow_callout(stack, sf, "Account", account_id) == 202
    assert in_unleashed()["PhoneNumber"] == "+64 9 555 0299"
    cast(Any, sf).Contact.update(row["Id"], {"Phone": "021 399"})
    assert flow_callout(stack, sf, "Contact", row["Id"]) == 202
    contacts = unleashed.account.contacts[guid]
    assert contacts[contact_guid]["PhoneNumber"] == "021 399"
    spent = {k: stack.api_calls()[k] - before[k] for k in before}
    assert spent == {"unleashed": 4, "salesforce": 0}  # read + write each; Unleashed's echo free

    # The callout of an unchanged record (salesbridge's own write coming back) costs nothing.
    before = stack.api_calls()
    assert flow_callout(stack, sf, "Account", account_id) == 202
    assert stack.api_calls() == before

    # A website Unleashed refuses: the reason on the Account, the name still syncs.
    cast(Any, sf).Account.update(account_id, {"Website": "not a url", "Name": "Totara Timber Ltd"})
    assert flow_callout(stack, sf, "Account", account_id) == 202
    assert in_unleashed()["CustomerName"] == "Totara Timber Ltd"
    assert in_unleashed()["Website"] is None
    error = sf.query(f"SELECT Unleashed_Sync_Error__c FROM Account WHERE Id = '{account_id}'")
    assert "not a URL Unleashed accepts" in error["records"][0]["Unleashed_Sync_Error__c"]


def test_a_forged_or_stale_unleashed_webhook_is_refused(stack: LocalStack) -> None:
    from shared.adapters.unleashed.webhooks import sign

    key = stack.endpoints["webhook_keys"]["unleashed"]
    raw = json.dumps(
        {"eventType": "customer.updated", "createdOn": "2026-11-01T00:00:00.000Z",
         "data": {"customerGuid": "6f1c2b1e-1111-4222-8333-944455556666"}}
    ).encode()  # fmt: skip
    url = stack.endpoints["api"]["base_url"] + "/webhooks/unleashed/customers"
    now = str(int(time.time()))
    stale = str(int(time.time()) - 3600)
    for stamp, signature in ((now, sign("guessed", now, raw)), (stale, sign(key, stale, raw))):
        answer = httpx.post(
            url,
            content=raw,
            headers={"x-unleashed-timestamp": stamp, "x-unleashed-signature": signature},
            verify=str(stack.ca.bundle_path),
        )
        assert answer.status_code == 401, answer.text
