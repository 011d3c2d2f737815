"""API limits and fault injection: Sforce-Limit-Info, REQUEST_LIMIT_EXCEEDED, injected faults."""

from __future__ import annotations

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
)

from sandboxes.common import SandboxAdmin
from sandboxes.salesforce import SalesforceSandbox


def test_every_api_response_carries_limit_info(
    base_url: str, token: str, http: requests.Session
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    first = http.get(f"{base_url}/services/data/v59.0/limits", headers=headers)
    second = http.get(f"{base_url}/services/data/v59.0/sobjects/Account/bad", headers=headers)

    assert first.headers["Sforce-Limit-Info"] == "api-usage=1/100000"
    assert second.status_code == 404
    assert second.headers["Sforce-Limit-Info"] == "api-usage=2/100000"
    assert first.json()["DailyApiRequests"] == {"Max": 100000, "Remaining": 99999}


def test_over_the_daily_allocation_calls_are_refused(sf: Salesforce, admin: SandboxAdmin) -> None:
    admin.configure(daily_api_limit=3)
    accounts = sf.Account  # simple-salesforce keeps the parsed header on the SFType
    for name in "ABC":
        accounts.create({"Name": name})
    assert accounts.api_usage["api-usage"] == (3, 3)

    with pytest.raises(SalesforceRefusedRequest) as raised:
        sf.Account.create({"Name": "D"})

    assert raised.value.status == 403
    assert raised.value.content == [
        {
            "message": "TotalRequests Limit exceeded.",
            "errorCode": "REQUEST_LIMIT_EXCEEDED",
            "fields": [],
        }
    ]
    assert admin.state()["api_usage"] == 3  # the refused call is not counted
    admin.configure(reset_api_usage=True)
    assert sf.Account.create({"Name": "D"})["success"] is True


def test_subrequests_are_not_counted(sf: Salesforce, app: SalesforceSandbox) -> None:
    sf.Account.create({"Name": "A"})
    session = next(iter(app.auth._sessions.values()))

    status, headers, body = app.subrequest(
        "POST", "/services/data/v59.0/sobjects/Account", {"Name": "B"}, session=session
    )

    assert status == 201 and body["success"] is True
    assert "Sforce-Limit-Info" not in headers
    assert app.api_usage == 1


def test_subrequest_decodes_errors_and_204(sf: Salesforce, app: SalesforceSandbox) -> None:
    account_id = sf.Account.create({"Name": "A"})["id"]
    session = next(iter(app.auth._sessions.values()))
    url = f"/services/data/v59.0/sobjects/Account/{account_id}"

    assert app.subrequest("PATCH", url, {"Name": "B"}, session=session)[::2] == (204, None)
    status, _, body = app.subrequest("PATCH", url, {"Nope": 1}, session=session)
    assert status == 400 and body[0]["errorCode"] == "INVALID_FIELD"


def test_transaction_rolls_back_on_error_and_on_request(app: SalesforceSandbox) -> None:
    org = app.org_store
    with pytest.raises(RuntimeError), org.transaction():
        org.create("Account", {"Name": "Lost"})
        raise RuntimeError("boom")
    with org.transaction() as tx:
        org.create("Account", {"Name": "Also lost"})
        with org.transaction() as inner:
            org.create("Account", {"Name": "Inner"})
            inner.rollback()
        assert [a["Name"] for a in org.records("Account")] == ["Also lost"]
        tx.rollback()
    assert list(org.records("Account")) == []


def test_status_fault_looks_like_a_lock_error(sf: Salesforce, admin: SandboxAdmin) -> None:
    admin.inject_fault(
        "sobject_root",
        status=400,
        body=[
            {
                "message": "unable to obtain exclusive access to this record",
                "errorCode": "UNABLE_TO_LOCK_ROW",
                "fields": [],
            }
        ],
        times=1,
    )

    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.Account.create({"Name": "A"})
    assert raised.value.content[0]["errorCode"] == "UNABLE_TO_LOCK_ROW"
    assert sf.Account.create({"Name": "A"})["success"] is True


def test_503_and_dropped_connections(sf: Salesforce, admin: SandboxAdmin) -> None:
    admin.inject_fault("sobject_root", status=503, body=None, times=1)
    with pytest.raises(SalesforceGeneralError) as raised:
        sf.Account.create({"Name": "A"})
    assert raised.value.status == 503

    admin.inject_fault("sobject_root", kind="drop", times=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        sf.Account.create({"Name": "A"})
    assert sf.Account.create({"Name": "A"})["success"] is True


def test_commit_then_drop_keeps_the_change_and_loses_the_answer(
    sf: Salesforce, admin: SandboxAdmin
) -> None:
    admin.inject_fault("sobject_root", kind="commit_then_drop", times=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        sf.Account.create({"Name": "Committed but unanswered"})
    rows = sf.query("SELECT Id FROM Account WHERE Name = 'Committed but unanswered'")
    assert rows["totalSize"] == 1
