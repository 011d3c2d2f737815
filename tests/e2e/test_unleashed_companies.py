"""Two-way company sync with Unleashed through the local stack (seed 003), Unleashed side.

A customer created in Unleashed (with two contacts and a salesperson) reaches Salesforce from
its signed webhook: the Account keyed by the Unleashed Guid, owned by the user with the
salesperson's e-mail, both contacts under it. A contact edited in Unleashed arrives from the
webhook; with the webhook lost, the `modifiedSince` backstop brings the next edit. A second
delivery of the same state (an echo or a duplicate) costs no Salesforce call.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from simple_salesforce import Salesforce

from devstack.stack import LocalStack
from shared.adapters.salesforce.connection import connection_from_secret

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
