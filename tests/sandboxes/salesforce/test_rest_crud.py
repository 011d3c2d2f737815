"""Create, read, update, delete and describe through simple-salesforce: the documented shapes."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from sandboxes.salesforce import SalesforceSandbox


def test_create_answers_201_with_id_success_and_errors(sf: Salesforce) -> None:
    created = sf.Account.create({"Name": "California Wheat Corporation", "Type": "New Customer"})

    assert created["success"] is True
    assert created["errors"] == []
    assert created["id"].startswith("001") and len(created["id"]) == 18


def test_created_record_reads_back_with_attributes_and_system_fields(
    sf: Salesforce, app: SalesforceSandbox
) -> None:
    account_id = sf.Account.create({"name": "Acme", "phone": "+1 503 555 0101"})["id"]

    record = sf.Account.get(account_id)

    assert record["attributes"] == {
        "type": "Account",
        "url": f"/services/data/v59.0/sobjects/Account/{account_id}",
    }
    assert record["Name"] == "Acme" and record["Phone"] == "+1 503 555 0101"
    assert record["IsDeleted"] is False
    assert record["CreatedDate"].endswith("+0000")
    integration_user = app._find_user(app.integration_username)
    assert integration_user is not None
    assert record["OwnerId"] == record["CreatedById"] == integration_user.id


def test_fields_parameter_limits_the_answer(sf: Salesforce) -> None:
    account_id = sf.Account.create({"Name": "Acme"})["id"]

    record = sf.restful(f"sobjects/Account/{account_id}", params={"fields": "Name,Phone"})

    assert set(record) == {"attributes", "Name", "Phone"}


def test_fifteen_character_id_reads_the_same_record(sf: Salesforce) -> None:
    account_id = sf.Account.create({"Name": "Acme"})["id"]

    assert sf.Account.get(account_id[:15])["Id"] == account_id


def test_update_answers_204_and_changes_the_record(sf: Salesforce) -> None:
    account_id = sf.Account.create({"Name": "Acme"})["id"]

    status = sf.Account.update(account_id, {"Name": "Acme Corp"})

    assert status == 204
    assert sf.Account.get(account_id)["Name"] == "Acme Corp"


def test_delete_answers_204_then_the_record_is_gone(sf: Salesforce) -> None:
    account_id = sf.Account.create({"Name": "Acme"})["id"]

    assert sf.Account.delete(account_id) == 204
    with pytest.raises(SalesforceResourceNotFound) as raised:
        sf.Account.get(account_id)
    assert raised.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"


def test_unknown_record_is_not_found(sf: Salesforce) -> None:
    with pytest.raises(SalesforceResourceNotFound) as raised:
        sf.Account.get("001000000000000AAA")
    assert raised.value.content == [
        {"errorCode": "NOT_FOUND", "message": "The requested resource does not exist", "fields": []}
    ]


def test_id_of_another_object_reads_as_an_unknown_external_id_field(sf: Salesforce) -> None:
    with pytest.raises(SalesforceResourceNotFound) as raised:
        sf.Account.get("0035g0000000001AAA")
    assert raised.value.content[0]["message"] == (
        "Provided external ID field does not exist or is not accessible: 0035g0000000001AAA"
    )


@pytest.mark.parametrize(
    ("values", "code", "message", "fields"),
    [
        (
            {"Name": "A", "Bogus__c": 1},
            "INVALID_FIELD",
            "No such column 'Bogus__c' on sobject of type Account",
            [],
        ),
        ({"Name": "A", "IsDeleted": True}, "INVALID_FIELD_FOR_INSERT_UPDATE", None, ["IsDeleted"]),
        ({"Phone": "1"}, "REQUIRED_FIELD_MISSING", "Required fields are missing: [Name]", ["Name"]),
        ({"Name": "x" * 256}, "STRING_TOO_LONG", None, ["Name"]),
        ({"Name": "A", "AnnualRevenue": "lots"}, "JSON_PARSER_ERROR", None, []),
        (
            {"Name": "A", "AnnualRevenue": 1e20},
            "NUMBER_OUTSIDE_VALID_RANGE",
            None,
            ["AnnualRevenue"],
        ),
        ({"Name": "A", "ParentId": "not-an-id"}, "MALFORMED_ID", None, ["ParentId"]),
        (
            {"Name": "A", "ParentId": "001000000000000AAA"},
            "INVALID_CROSS_REFERENCE_KEY",
            "invalid cross reference id",
            ["ParentId"],
        ),
        (
            {"Name": "A", "ParentId": "0065g0000000001AAA"},
            "FIELD_INTEGRITY_EXCEPTION",
            None,
            ["ParentId"],
        ),
        (
            {"Name": "A", "NumberOfEmployees": {"n": 1}},
            "INVALID_TYPE_ON_FIELD_IN_RECORD",
            None,
            ["NumberOfEmployees"],
        ),
    ],
)
def test_account_validation_errors(
    sf: Salesforce, values: dict[str, Any], code: str, message: str | None, fields: list[str]
) -> None:
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.Account.create(values)

    assert raised.value.status == 400
    error = raised.value.content[0]
    assert error["errorCode"] == code
    assert error["fields"] == fields
    if message is not None:
        assert error["message"] == message


def test_restricted_picklist_names_the_bad_value(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.Opportunity.create({"Name": "O", "StageName": "Dreaming", "CloseDate": "2026-12-01"})

    error = raised.value.content[0]
    assert error["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert error["message"].endswith("bad value for restricted picklist field: Dreaming")
    assert error["fields"] == ["StageName"]


def test_duplicate_external_id_names_the_holder(sf: Salesforce) -> None:
    first = sf.Account.create({"Name": "A", "NetSuite_Id__c": "101"})["id"]

    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.Account.create({"Name": "B", "NetSuite_Id__c": "101"})

    assert raised.value.content[0]["errorCode"] == "DUPLICATE_VALUE"
    assert raised.value.content[0]["message"].endswith(f"with id: {first}")


def test_update_of_a_deleted_record_is_entity_is_deleted(sf: Salesforce) -> None:
    account_id = sf.Account.create({"Name": "A"})["id"]
    sf.Account.delete(account_id)

    with pytest.raises(SalesforceResourceNotFound) as raised:
        sf.Account.update(account_id, {"Name": "B"})
    assert raised.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"


def test_required_field_cannot_be_cleared(sf: Salesforce) -> None:
    account_id = sf.Account.create({"Name": "A"})["id"]

    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.Account.update(account_id, {"Name": None})
    assert raised.value.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING"


def test_body_that_is_not_json_is_a_parser_error(
    base_url: str, token: str, http: requests.Session
) -> None:
    response = http.post(
        f"{base_url}/services/data/v59.0/sobjects/Account",
        data="{not json",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "JSON_PARSER_ERROR"


def test_describe_lists_fields_picklists_and_children(sf: Salesforce) -> None:
    describe = sf.Opportunity.describe()

    assert describe["name"] == "Opportunity" and describe["keyPrefix"] == "006"
    fields = {f["name"]: f for f in describe["fields"]}
    stage = fields["StageName"]
    assert stage["type"] == "picklist" and stage["restrictedPicklist"] is True
    assert {
        "value": "Closed Won",
        "label": "Closed Won",
        "active": True,
        "defaultValue": False,
        "validFor": None,
    } in stage["picklistValues"]
    assert fields["AccountId"]["referenceTo"] == ["Account"]
    assert fields["AccountId"]["relationshipName"] == "Account"
    assert fields["NetSuite_Id__c"]["externalId"] is True
    assert fields["Id"]["createable"] is False
    assert any(
        r["relationshipName"] == "OpportunityLineItems" for r in describe["childRelationships"]
    )


# The keys the SOAP API Developer Guide documents for DescribeSObjectResult, Field,
# PicklistEntry and ChildRelationship (REST's describe answers the same objects as JSON), and
# for DescribeGlobalSObjectResult (REST describeGlobal's `sobjects`, plus `urls`).
GLOBAL_SOBJECT_KEYS = {
    "activateable", "associateEntityType", "associateParentEntity", "createable", "custom",
    "customSetting", "deepCloneable", "deletable", "deprecatedAndHidden", "feedEnabled",
    "hasSubtypes", "isInterface", "isSubtype", "keyPrefix", "label", "labelPlural",
    "layoutable", "mergeable", "mruEnabled", "name", "queryable", "replicateable",
    "retrieveable", "searchable", "triggerable", "undeletable", "updateable", "urls",
}  # fmt: skip
SOBJECT_KEYS = GLOBAL_SOBJECT_KEYS | {
    "actionOverrides", "childRelationships", "compactLayoutable", "fields", "listviewable",
    "lookupLayoutable", "namedLayoutInfos", "networkScopeFieldName", "recordTypeInfos",
    "searchLayoutable", "supportedScopes",
}  # fmt: skip
FIELD_KEYS = {
    "aggregatable", "aiPredictionField", "autoNumber", "byteLength", "calculated",
    "calculatedFormula", "cascadeDelete", "caseSensitive", "compoundFieldName",
    "controllerName", "createable", "custom", "defaultValue", "defaultValueFormula",
    "defaultedOnCreate", "dependentPicklist", "deprecatedAndHidden", "digits",
    "displayLocationInDecimal", "encrypted", "externalId", "extraTypeInfo", "filterable",
    "filteredLookupInfo", "formulaTreatNullNumberAsZero", "groupable", "highScaleNumber",
    "htmlFormatted", "idLookup", "inlineHelpText", "label", "length", "mask", "maskType",
    "name", "nameField", "namePointing", "nillable", "permissionable", "picklistValues",
    "polymorphicForeignKey", "precision", "queryByDistance", "referenceTargetField",
    "referenceTo", "relationshipName", "relationshipOrder", "restrictedDelete",
    "restrictedPicklist", "scale", "searchPrefilterable", "soapType", "sortable", "type",
    "unique", "updateable", "writeRequiresMasterRead",
}  # fmt: skip
PICKLIST_ENTRY_KEYS = {"active", "defaultValue", "label", "validFor", "value"}
CHILD_RELATIONSHIP_KEYS = {
    "cascadeDelete", "childSObject", "deprecatedAndHidden", "field", "junctionIdListNames",
    "junctionReferenceTo", "relationshipName", "restrictedDelete",
}  # fmt: skip


def test_describe_answers_every_documented_key(sf: Salesforce) -> None:
    describe = sf.Opportunity.describe()
    described_globally = next(o for o in sf.describe()["sobjects"] if o["name"] == "Account")

    assert set(described_globally) >= GLOBAL_SOBJECT_KEYS
    assert described_globally["customSetting"] is False
    assert set(describe) >= SOBJECT_KEYS
    for field in describe["fields"]:
        assert set(field) >= FIELD_KEYS, field["name"]
        for entry in field["picklistValues"]:
            assert set(entry) == PICKLIST_ENTRY_KEYS, field["name"]
    for relation in describe["childRelationships"]:
        assert set(relation) >= CHILD_RELATIONSHIP_KEYS
    fields = {f["name"]: f for f in describe["fields"]}
    assert fields["Name"]["nameField"] is True and fields["Id"]["nameField"] is False
    assert fields["Amount"]["digits"] == 0  # digits is for integer fields only


def test_describe_field_and_picklist_labels_come_from_the_metadata(sf: Salesforce) -> None:
    fields = {f["name"]: f for f in sf.Opportunity.describe()["fields"]}

    assert fields["StageName"]["label"] == "Stage"
    assert fields["NetSuite_Id__c"]["label"] != "NetSuite_Id__c"


def test_describe_global_and_basic_info(sf: Salesforce) -> None:
    names = {o["name"] for o in sf.describe()["sobjects"]}
    assert {"Account", "Opportunity", "OpportunityLineItem", "ContentVersion"} <= names
    assert sf.Account.metadata()["objectDescribe"]["keyPrefix"] == "001"


def test_versions_and_resources(base_url: str, http: requests.Session, token: str) -> None:
    versions = http.get(f"{base_url}/services/data/").json()
    assert {"label": "Winter '24", "url": "/services/data/v59.0", "version": "59.0"} in versions
    assert versions[0]["version"] == "20.0" and versions[-1]["version"] == "64.0"

    resources = http.get(
        f"{base_url}/services/data/v59.0/", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert resources["sobjects"] == "/services/data/v59.0/sobjects"

    unsupported = http.get(
        f"{base_url}/services/data/v65.0/sobjects", headers={"Authorization": f"Bearer {token}"}
    )
    assert unsupported.status_code == 404
    assert unsupported.json()[0]["errorCode"] == "NOT_FOUND"
