"""Upsert by external id: 201 created, 200/204 updated by API version, 300, 404, updateOnly."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMoreThanOneRecord, SalesforceResourceNotFound

from sandboxes.salesforce import SalesforceSandbox


def test_upsert_creates_with_201_and_created_true(sf: Salesforce) -> None:
    result = sf.Account.upsert(
        "NetSuite_Id__c/11999", {"Name": "California Wheat"}, raw_response=True
    )

    assert result.status_code == 201
    body = result.json()
    assert body["success"] is True and body["errors"] == [] and body["created"] is True
    assert sf.Account.get(body["id"])["NetSuite_Id__c"] == "11999"


def test_upsert_updates_with_200_and_created_false_on_v46_and_later(sf: Salesforce) -> None:
    created = sf.Account.upsert("NetSuite_Id__c/1", {"Name": "A"}, raw_response=True).json()

    result = sf.Account.upsert("NetSuite_Id__c/1", {"Name": "B"}, raw_response=True)

    assert result.status_code == 200
    assert result.json() == {"id": created["id"], "success": True, "errors": [], "created": False}
    assert sf.Account.get(created["id"])["Name"] == "B"


def test_upsert_updates_with_204_before_v46(
    sf: Salesforce, token: str, make_client: Callable[..., Salesforce]
) -> None:
    sf.Account.upsert("NetSuite_Id__c/1", {"Name": "A"})
    old = make_client(token, "45.0")

    assert old.Account.upsert("NetSuite_Id__c/1", {"Name": "B"}) == 204
    created = old.Account.upsert("NetSuite_Id__c/2", {"Name": "C"}, raw_response=True)
    assert created.status_code == 201 and "created" not in created.json()


def test_upsert_with_several_matches_answers_300_with_their_urls(
    sf: Salesforce, app: SalesforceSandbox
) -> None:
    users = app.seed(
        {
            "users": [
                {"Username": "a@x.example", "Unleashed_Salesperson_Guid__c": "g"},
                {"Username": "b@x.example", "Unleashed_Salesperson_Guid__c": "G"},
            ]
        }
    )["users"]
    first, second = users["a@x.example"], users["b@x.example"]

    with pytest.raises(SalesforceMoreThanOneRecord) as raised:
        sf.User.upsert("Unleashed_Salesperson_Guid__c/g", {"Title": "Rep"})

    assert raised.value.status == 300
    assert raised.value.content == [
        f"/services/data/v59.0/sobjects/User/{first}",
        f"/services/data/v59.0/sobjects/User/{second}",
    ]
    assert app.org_store.get_by_id(first)["Title"] is None  # nothing written


def test_upsert_on_a_field_that_is_not_an_external_id_is_404(sf: Salesforce) -> None:
    with pytest.raises(SalesforceResourceNotFound) as raised:
        sf.Account.upsert("Phone/123", {"Name": "A"})
    assert raised.value.content == [
        {
            "errorCode": "NOT_FOUND",
            "message": "Provided external ID field does not exist or is not accessible: Phone",
            "fields": [],
        }
    ]


def test_update_only_refuses_to_create_on_v61(
    sf: Salesforce, base_url: str, token: str, http: requests.Session
) -> None:
    url = f"{base_url}/services/data/v61.0/sobjects/Account/NetSuite_Id__c/77?updateOnly=true"
    headers = {"Authorization": f"Bearer {token}"}

    missing = http.patch(url, json={"Name": "A"}, headers=headers)
    assert missing.status_code == 404 and missing.json()[0]["errorCode"] == "NOT_FOUND"

    sf.Account.upsert("NetSuite_Id__c/77", {"Name": "A"})
    assert http.patch(url, json={"Name": "B"}, headers=headers).status_code == 200


def test_get_and_delete_by_external_id(sf: Salesforce) -> None:
    account_id = sf.Account.create({"Name": "A", "NetSuite_Id__c": "ns-5"})["id"]

    assert sf.Account.get_by_custom_id("NetSuite_Id__c", "ns-5")["Id"] == account_id
    assert sf.restful("sobjects/Account/NetSuite_Id__c/ns-5", method="DELETE") is None
    with pytest.raises(SalesforceResourceNotFound):
        sf.Account.get_by_custom_id("NetSuite_Id__c", "ns-5")


def test_upsert_validation_errors_still_apply(sf: Salesforce) -> None:
    from simple_salesforce.exceptions import SalesforceMalformedRequest

    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.Account.upsert("NetSuite_Id__c/9", {"Phone": "1"})
    assert raised.value.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
