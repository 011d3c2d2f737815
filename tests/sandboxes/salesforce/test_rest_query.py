"""SOQL over REST: pages of 2,000 (or Sforce-Query-Options batchSize), nextRecordsUrl, queryAll."""

from __future__ import annotations

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sandboxes.salesforce import SalesforceSandbox


@pytest.fixture
def accounts(app: SalesforceSandbox) -> list[str]:
    rows = [{"Name": f"Customer {n:04d}"} for n in range(2500)]
    return list(app.seed({"accounts": rows})["accounts"].values())


def test_first_page_holds_2000_and_a_next_records_url(sf: Salesforce, accounts: list[str]) -> None:
    page = sf.query("SELECT Id, Name FROM Account ORDER BY Name")

    assert page["totalSize"] == 2500 and page["done"] is False
    assert len(page["records"]) == 2000
    locator = page["nextRecordsUrl"]
    assert locator.startswith("/services/data/v59.0/query/01g") and locator.endswith("-2000")
    assert page["records"][0]["attributes"]["type"] == "Account"

    rest = sf.query_more(locator, identifier_is_url=True)
    assert rest["done"] is True and "nextRecordsUrl" not in rest
    assert len(rest["records"]) == 500


def test_query_all_follows_every_page(sf: Salesforce, accounts: list[str]) -> None:
    result = sf.query_all("SELECT Id FROM Account")

    assert result["totalSize"] == 2500
    assert {r["Id"] for r in result["records"]} == set(accounts)


def test_batch_size_header_sets_the_page(
    base_url: str, token: str, http: requests.Session, accounts: list[str]
) -> None:
    headers = {"Authorization": f"Bearer {token}", "Sforce-Query-Options": "batchSize=500"}
    page = http.get(
        f"{base_url}/services/data/v59.0/query",
        params={"q": "SELECT Id FROM Account"},
        headers=headers,
    ).json()

    assert len(page["records"]) == 500 and page["nextRecordsUrl"].endswith("-500")


def test_query_all_resource_sees_deleted_rows(sf: Salesforce) -> None:
    gone = sf.Account.create({"Name": "Gone"})["id"]
    sf.Account.create({"Name": "Kept"})
    sf.Account.delete(gone)

    assert sf.query("SELECT Id FROM Account")["totalSize"] == 1
    every = sf.query_all("SELECT Id, IsDeleted FROM Account", include_deleted=True)
    assert {r["Id"]: r["IsDeleted"] for r in every["records"]}[gone] is True


def test_unknown_locator_is_invalid_query_locator(
    base_url: str, token: str, http: requests.Session
) -> None:
    response = http.get(
        f"{base_url}/services/data/v59.0/query/01g5g0000000001AAA-2000",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_bad_soql_is_a_400(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest):
        sf.query("SELECT Nope__c FROM Account")
