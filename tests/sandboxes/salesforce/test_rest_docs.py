"""Requests from the REST API Developer Guide's examples, replayed as curl would send them.

Each test names the guide's page; it asserts the documented status, headers and body shape
(ids differ: they are the org's own).
"""

from __future__ import annotations

import re

import pytest
import requests

ID = re.compile(r"^[a-zA-Z0-9]{18}$")


@pytest.fixture
def api(base_url: str, token: str, http: requests.Session) -> requests.Session:
    http.headers.update({"Authorization": f"Bearer {token}", "X-PrettyPrint": "1"})
    return http


@pytest.fixture
def data(base_url: str) -> str:
    return f"{base_url}/services/data/v60.0"


def test_create_a_record(api: requests.Session, data: str) -> None:
    """dome_sobject_create: POST .../sobjects/Account/ with a Name."""
    response = api.post(
        f"{data}/sobjects/Account/", json={"Name": "Express Logistics and Transport"}
    )

    assert response.status_code == 201
    body = response.json()
    assert list(body) == ["id", "success", "errors"] and ID.match(body["id"])
    assert body["success"] is True and body["errors"] == []
    assert response.headers["Location"] == f"/services/data/v60.0/sobjects/Account/{body['id']}"


def test_upsert_new_then_existing_record(api: requests.Session, data: str) -> None:
    """dome_upsert: PATCH .../sobjects/Account/customExtIdField__c/11999, twice."""
    url = f"{data}/sobjects/Account/NetSuite_Id__c/11999"
    new = api.patch(url, json={"Name": "California Wheat Corporation", "Type": "New Customer"})
    existing = api.patch(url, json={"BillingCity": "San Francisco"})

    assert new.status_code == 201
    assert new.json() == {"id": new.json()["id"], "success": True, "errors": [], "created": True}
    assert existing.status_code == 200
    assert existing.json()["created"] is False and existing.json()["id"] == new.json()["id"]


def test_insert_using_id_as_the_external_id(api: requests.Session, data: str) -> None:
    """dome_upsert / resources_sobject_upsert_post: POST .../sobjects/Account/Id (37.0+) is an
    upsert on a null Id, so it answers as an upsert that created (`created` from 46.0)."""
    response = api.post(f"{data}/sobjects/Account/Id", json={"Name": "California Wheat"})

    assert response.status_code == 201
    body = response.json()
    assert body == {"id": body["id"], "success": True, "errors": [], "created": True}
    assert response.headers["Location"] == f"/services/data/v60.0/sobjects/Account/{body['id']}"


def test_insert_using_id_before_46_has_no_created_flag(
    api: requests.Session, base_url: str
) -> None:
    response = api.post(
        f"{base_url}/services/data/v45.0/sobjects/Account/Id", json={"Name": "Wheat"}
    )

    assert response.status_code == 201 and "created" not in response.json()


@pytest.mark.parametrize("key", ["id", "Id"])
@pytest.mark.parametrize("path", ["/sobjects/Account/", "/sobjects/Account/Id"])
def test_an_id_in_a_create_body_is_refused(
    api: requests.Session, data: str, key: str, path: str
) -> None:
    """dome_sobject_create, "Example of an error when attempting to create a new Account"."""
    body = {key: "001D000000IqhSLIAZ", "Name": "Express Donuts and Pies"}

    response = api.post(f"{data}{path}", json=body)

    assert response.status_code == 400
    (error,) = response.json()
    assert error["errorCode"] == "INVALID_FIELD"
    assert error["message"] == "The Id field should not be specified in the sobject data."
    assert api.get(f"{data}/query/?q=SELECT+Id+FROM+Account").json()["totalSize"] == 0


@pytest.mark.parametrize("key", ["Id", "NetSuite_Id__c", "netsuite_id__c"])
def test_upsert_with_id_or_the_external_id_in_the_body_is_refused(
    api: requests.Session, data: str, key: str
) -> None:
    """resources_sobject_upsert_patch: "Do not specify Id or an external ID field in the
    request body or an error is generated"."""
    url = f"{data}/sobjects/Account/NetSuite_Id__c/11999"

    response = api.patch(url, json={"Name": "California Wheat", key: "001D000000IqhSLIAZ"})

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "INVALID_FIELD"
    assert api.get(f"{data}/query/?q=SELECT+Id+FROM+Account").json()["totalSize"] == 0


def test_upsert_with_an_incorrect_external_id_field(api: requests.Session, data: str) -> None:
    """dome_upsert, error responses: 404 NOT_FOUND."""
    response = api.patch(f"{data}/sobjects/Account/NoSuchField__c/11999", json={"Name": "A"})

    assert response.status_code == 404
    assert response.json()[0]["errorCode"] == "NOT_FOUND"


def test_execute_a_soql_query(api: requests.Session, data: str) -> None:
    """dome_query: GET .../query/?q=SELECT+name+from+Account."""
    for name in ("Test 1", "Test 2"):
        api.post(f"{data}/sobjects/Account/", json={"Name": name})

    response = api.get(f"{data}/query/?q=SELECT+name+from+Account")

    assert response.status_code == 200
    body = response.json()
    assert body["done"] is True and body["totalSize"] == 2
    record = body["records"][0]
    assert set(record) == {"attributes", "Name"}
    assert record["attributes"]["type"] == "Account"
    assert record["attributes"]["url"].startswith("/services/data/v60.0/sobjects/Account/001")


def test_list_available_versions(base_url: str, http: requests.Session) -> None:
    """dome_versions: GET /services/data/ needs no authorization."""
    response = http.get(f"{base_url}/services/data/")

    assert response.status_code == 200
    assert all(set(v) == {"label", "url", "version"} for v in response.json())


def test_list_org_limits(api: requests.Session, data: str) -> None:
    """dome_limits: GET .../limits/ answers Max and Remaining per limit."""
    limits = api.get(f"{data}/limits/").json()

    assert set(limits["DailyApiRequests"]) == {"Max", "Remaining"}


def test_expired_or_invalid_session(base_url: str, http: requests.Session) -> None:
    """errorcodes: 401 with message and errorCode."""
    response = http.get(
        f"{base_url}/services/data/v60.0/sobjects", headers={"Authorization": "Bearer nope"}
    )

    assert response.status_code == 401
    assert response.json()[0]["errorCode"] == "INVALID_SESSION_ID"
