"""SOQL over REST: pages of 2,000 (or Sforce-Query-Options batchSize), nextRecordsUrl, queryAll."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sandboxes.common import SandboxAdmin
from sandboxes.salesforce import SalesforceSandbox
from tests.sandboxes.salesforce.conftest import client, jwt_assertion, request_token


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


def test_the_org_dates_records_and_date_literals_by_the_sandbox_clock(
    app: SalesforceSandbox,
    admin: SandboxAdmin,
    http: requests.Session,
    base_url: str,
    connection: dict[str, Any],
) -> None:
    # Late on the 15th UTC: TODAY is the UTC date, whatever the day the tests run.
    answer = admin.set_clock(now="2030-01-15T23:30:00Z")
    frozen = datetime(2030, 1, 15, 23, 30, tzinfo=UTC)
    token = request_token(
        http,
        base_url,
        {
            "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
            # The org checks `exp` against its own clock, as Salesforce does.
            "assertion": jwt_assertion(connection, exp=int(frozen.timestamp()) + 180),
        },
    ).json()["access_token"]
    sf = client(base_url, token, http)
    for name, close in (("Today", "2030-01-15"), ("Tomorrow", "2030-01-16")):
        sf.Opportunity.create({"Name": name, "StageName": "Prospecting", "CloseDate": close})

    today = sf.query("SELECT Name, CreatedDate FROM Opportunity WHERE CloseDate = TODAY")
    next_days = sf.query("SELECT Name FROM Opportunity WHERE CloseDate = NEXT_N_DAYS:1")

    assert answer["now"] == "2030-01-15T23:30:00Z" and answer["frozen"] is True
    assert [(r["Name"], r["CreatedDate"]) for r in today["records"]] == [
        ("Today", "2030-01-15T23:30:00.000+0000")
    ]
    assert [r["Name"] for r in next_days["records"]] == ["Tomorrow"]
