"""Validation rules from the package's metadata: the Intacct records are read-only mirrors,
writable only by a user holding the custom permission Salesbridge_Integration_Writes (granted
by the Salesbridge Integration permission set). Salesforce answers a rule's refusal with 400
FIELD_CUSTOM_VALIDATION_EXCEPTION and the rule's errorMessage (REST API Developer Guide,
status codes and error responses; the Metadata API's ValidationRule)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sandboxes.salesforce.app import SalesforceSandbox

REP = "rep@harbourpine.example"


def a_document(sf: Salesforce) -> str:
    account = sf.Account.create({"Name": "Alpine", "Intacct_Customer_Id__c": "C-ALPINE"})["id"]
    return str(
        sf.Intacct_Sales_Document__c.create(
            {
                "Name": "Sales Quote-QT0001",
                "Intacct_Key__c": "Sales Quote-QT0001",
                "Account__c": account,
                "Read_Only__c": True,
            }
        )["id"]
    )


@pytest.fixture
def rep(
    app: SalesforceSandbox,
    make_client: Callable[..., Salesforce],
    make_assertion: Callable[..., str],
    post_token: Callable[..., Any],
) -> Salesforce:
    app.seed({"users": [{"Username": REP, "LastName": "Rep"}]})
    answer = post_token(
        {
            "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "assertion": make_assertion(sub=REP),
        }
    )
    assert answer.status_code == 200, answer.text
    return make_client(answer.json()["access_token"])


def test_the_integration_user_writes_the_read_only_records(sf: Salesforce) -> None:
    document = a_document(sf)
    sf.Intacct_Sales_Document__c.update(document, {"State__c": "Closed"})
    sf.Intacct_Sales_Document_Line__c.create(
        {"Sales_Document__c": document, "Line_Key__c": "1-1", "Quantity__c": 2}
    )
    assert sf.Intacct_Sales_Document__c.get(document)["State__c"] == "Closed"


def test_a_user_edit_of_a_read_only_record_is_refused_with_the_rules_message(
    sf: Salesforce, rep: Salesforce
) -> None:
    document = a_document(sf)
    with pytest.raises(SalesforceMalformedRequest) as refused:
        rep.Intacct_Sales_Document__c.update(document, {"State__c": "Closed"})
    [error] = refused.value.content
    assert error["errorCode"] == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    assert "read-only" in error["message"]
    with pytest.raises(SalesforceMalformedRequest):
        rep.Intacct_Sales_Document_Line__c.create({"Sales_Document__c": document})
    assert sf.Intacct_Sales_Document__c.get(document)["State__c"] is None  # nothing changed


def test_other_objects_have_no_such_rule(rep: Salesforce) -> None:
    assert rep.Account.create({"Name": "Anyone may"})["success"]


def test_a_parent_is_named_by_its_external_id_in_a_body(sf: Salesforce) -> None:
    """REST API Developer Guide, "Insert or Update (Upsert) a Record Using an External ID":
    a relationship field given as {"<External_Id__c>": value} links the one record holding it."""
    account = sf.Account.create({"Name": "Coastal", "Intacct_Customer_Id__c": "C-COASTAL"})["id"]
    sf.Intacct_Sales_Document__c.upsert(
        "Intacct_Key__c/Sales Invoice-INV0009",
        {"Name": "INV0009", "Account__r": {"Intacct_Customer_Id__c": "C-COASTAL"}},
    )
    [row] = sf.query("SELECT Account__c FROM Intacct_Sales_Document__c")["records"]
    assert row["Account__c"] == account
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.Intacct_Sales_Document__c.create(
            {"Name": "x", "Intacct_Key__c": "x", "Account__r": {"Intacct_Customer_Id__c": "C-NONE"}}
        )
    assert "Foreign key external ID: C-NONE not found" in refused.value.content[0]["message"]
