"""Customers and their contacts: create-or-update by Guid, validation, contact upkeep."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

NEW_GUID = "3f2b8c1e-7d4a-4b6e-9a10-5c3d2e1f0a9b"


def _new_customer(**overrides: Any) -> dict[str, Any]:
    return {
        "CustomerCode": "PINECONE",
        "CustomerName": "Pinecone Paddle Shop",
        "PhoneNumber": "+1 541 555 0199",
        "Email": "shop@pinecone.example",
        "Website": "https://pinecone.example",
        "SalesPerson": {"Email": "priya.nair@harbourpine.example"},
        "Addresses": [
            {
                "AddressType": "Physical",
                "StreetAddress": "1 Lake Road",
                "City": "Bend",
                "Region": "OR",
                "PostalCode": "97701",
                "Country": "US",
                "IsDefault": True,
            }
        ],
        **overrides,
    }


def test_post_with_a_new_guid_creates_the_customer(client: httpx.Client, seeded: Any) -> None:
    response = client.post(f"/Customers/{NEW_GUID}", json=_new_customer())
    assert response.status_code == 200
    created = response.json()
    assert created["Guid"] == NEW_GUID
    assert created["SalesPerson"]["FullName"] == "Priya Nair"
    assert created["Addresses"][0]["StreetAddress"] == "1 Lake Road"
    assert created["CreatedOn"] == created["LastModifiedOn"]
    assert client.get(f"/Customers/{NEW_GUID}").json()["CustomerCode"] == "PINECONE"


def test_post_with_a_known_guid_updates_only_what_is_sent(
    client: httpx.Client, seeded: dict[str, Any]
) -> None:
    guid = seeded["customers"]["COASTAL"]
    response = client.post(
        f"/Customers/{guid}",
        json={"PhoneNumber": "+1 207 555 0999", "SalesPerson": {"FullName": "Maya Chen"}},
    )
    assert response.status_code == 200
    updated = client.get(f"/Customers/{guid}").json()
    assert updated["PhoneNumber"] == "+1 207 555 0999"
    assert updated["SalesPerson"]["Email"] == "maya.chen@harbourpine.example"
    assert updated["CustomerName"] == "Coastal Kayak Co."  # untouched
    assert len(client.get("/Customers").json()["Items"]) == 5


def test_post_without_guid_in_url_creates_too(client: httpx.Client, seeded: Any) -> None:
    response = client.post("/Customers", json=_new_customer())
    assert response.status_code == 200
    assert uuid.UUID(response.json()["Guid"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"CustomerCode": ""}, "Customer Code is required."),
        ({"CustomerCode": "ALPINE"}, "Customer Code 'ALPINE' is already used by another customer."),
        ({"CustomerName": None}, "Customer Name is required."),
        ({"Email": "not-an-email"}, "Email 'not-an-email' is not a valid email address."),
        ({"Website": "not a url"}, "Website 'not a url' is not a valid URL."),
        (
            {"SalesPerson": {"Email": "ghost@harbourpine.example"}},
            "The specified SalesPerson does not exist or is obsolete.",
        ),
        ({"Addresses": [{"AddressType": "Moon"}]}, "AddressType 'Moon' is not valid."),
    ],
)
def test_customer_validation_errors(
    client: httpx.Client, seeded: Any, change: dict[str, Any], message: str
) -> None:
    response = client.post(f"/Customers/{NEW_GUID}", json=_new_customer(**change))
    assert response.status_code == 400
    assert response.json() == {"Description": message, "DebugInformation": None}
    assert client.get(f"/Customers/{NEW_GUID}").status_code == 404  # nothing half-made


def test_body_guid_must_match_the_url(client: httpx.Client, seeded: Any) -> None:
    other = str(uuid.uuid4())
    response = client.post(f"/Customers/{NEW_GUID}", json=_new_customer(Guid=other))
    assert response.status_code == 400


def test_obsolete_customers_are_hidden_unless_asked_for(
    client: httpx.Client, seeded: dict[str, Any]
) -> None:
    client.post(f"/Customers/{seeded['customers']['REDWOOD']}", json={"Obsolete": True})
    active = [c["CustomerCode"] for c in client.get("/Customers").json()["Items"]]
    assert "REDWOOD" not in active
    every = client.get("/Customers", params={"includeObsolete": "true"}).json()["Items"]
    assert "REDWOOD" in [c["CustomerCode"] for c in every]


# -- contacts ----------------------------------------------------------------------------------


def test_contacts_list_create_update_delete(client: httpx.Client, seeded: dict[str, Any]) -> None:
    customer = seeded["customers"]["ALPINE"]
    listed = client.get(f"/Customers/{customer}/Contacts").json()
    assert [c["FirstName"] for c in listed["Items"]] == ["Hannah"]
    assert listed["Items"][0]["IsDefault"] is True
    assert set(listed["Items"][0]) >= {
        "Guid",
        "FirstName",
        "LastName",
        "EmailAddress",
        "PhoneNumber",
        "MobilePhone",
        "FaxNumber",
        "IsDefault",
    }

    created = client.post(
        f"/Customers/{customer}/Contacts",
        json={
            "FirstName": "Rosa",
            "LastName": "Diaz",
            "EmailAddress": "rosa@alpinetrail.example",
            "MobilePhone": "+1 503 555 0177",
            "FaxNumber": "+1 503 555 0178",
        },
    )
    assert created.status_code == 200
    rosa = created.json()
    assert rosa["IsDefault"] is False

    updated = client.put(
        f"/Customers/{customer}/Contacts/{rosa['Guid']}",
        json={"PhoneNumber": "+1 503 555 0170", "IsDefault": True},
    )
    assert updated.status_code == 200
    assert updated.json()["PhoneNumber"] == "+1 503 555 0170"
    contacts = client.get(f"/Customers/{customer}/Contacts").json()["Items"]
    assert [(c["FirstName"], c["IsDefault"]) for c in contacts] == [
        ("Rosa", True),
        ("Hannah", False),
    ]
    assert client.get(f"/Customers/{customer}").json()["ContactFirstName"] == "Rosa"

    deleted = client.delete(f"/Customers/{customer}/Contacts/{rosa['Guid']}")
    assert deleted.status_code == 200
    contacts = client.get(f"/Customers/{customer}/Contacts").json()["Items"]
    assert [(c["FirstName"], c["IsDefault"]) for c in contacts] == [("Hannah", True)]


def test_contact_validation(client: httpx.Client, seeded: dict[str, Any]) -> None:
    customer = seeded["customers"]["ALPINE"]
    contacts = f"/Customers/{customer}/Contacts"
    nameless = client.post(contacts, json={"PhoneNumber": "+1 0"})
    assert nameless.status_code == 400
    assert nameless.json()["Description"] == (
        "At least one of FirstName, LastName or EmailAddress is required."
    )
    assert client.post(contacts, json={"FirstName": "Solo"}).status_code == 200
    duplicate = client.post(
        contacts,
        json={
            "FirstName": "hannah",
            "LastName": "BROOKS",
            "EmailAddress": "Hannah@alpinetrail.example",
        },
    )
    assert duplicate.status_code == 400
    assert "must be unique" in duplicate.json()["Description"]
    namesake = client.post(contacts, json={"FirstName": "Hannah", "LastName": "Brooks"})
    assert namesake.status_code == 200  # same name, no email: a different contact
    bad_email = client.post(contacts, json={"FirstName": "A", "EmailAddress": "nope"})
    assert bad_email.status_code == 400
    assert client.put(f"{contacts}/{uuid.uuid4()}", json={}).status_code == 404
    assert client.get(f"/Customers/{uuid.uuid4()}/Contacts").status_code == 404


def test_contact_names_on_the_customer_write_its_primary_contact(
    client: httpx.Client, seeded: dict[str, Any]
) -> None:
    customer = seeded["customers"]["SUMMIT"]
    client.post(f"/Customers/{customer}", json={"ContactFirstName": "Marcy"})
    [primary] = client.get(f"/Customers/{customer}/Contacts").json()["Items"]
    assert (primary["FirstName"], primary["LastName"]) == ("Marcy", "Lee")
    created = client.post(f"/Customers/{NEW_GUID}", json=_new_customer(ContactLastName="Ng"))
    assert created.json()["ContactLastName"] == "Ng"
    [made] = client.get(f"/Customers/{NEW_GUID}/Contacts").json()["Items"]
    assert (made["LastName"], made["EmailAddress"], made["IsDefault"]) == (
        "Ng",
        "shop@pinecone.example",
        True,
    )
