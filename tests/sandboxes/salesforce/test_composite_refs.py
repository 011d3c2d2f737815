"""References between composite subrequests, resolved the way Salesforce documents them."""

from __future__ import annotations

import pytest

from sandboxes.salesforce.composite_refs import (
    InvalidReference,
    Resolved,
    is_valid_reference_id,
    referenced_ids,
    resolve,
    substitute_body,
    substitute_url,
)

CREATED = Resolved(True, {"id": "001000000000001AAA", "success": True, "errors": []})
QUERIED = Resolved(
    True,
    {
        "totalSize": 1,
        "done": True,
        "records": [
            {
                "attributes": {"type": "Contact"},
                "Id": "003000000000001AAA",
                "AccountId": None,
                "Account": {"BillingAddress": {"city": "Lyon"}},
            }
        ],
    },
)
FAILED = Resolved(False, [{"errorCode": "REQUIRED_FIELD_MISSING", "message": "x", "fields": []}])
RESULTS = {"refAccount": CREATED, "refContact": QUERIED, "badOne": FAILED}


def test_dot_index_and_nested_paths_resolve():
    assert resolve("refAccount.id", RESULTS, 59.0) == "001000000000001AAA"
    assert resolve("refContact.records[0].Id", RESULTS, 59.0) == "003000000000001AAA"
    assert resolve("refContact.records[0].Account.BillingAddress.city", RESULTS, 59.0) == "Lyon"


def test_field_names_are_case_sensitive_as_documented():
    with pytest.raises(InvalidReference) as caught:
        resolve("refAccount.Id", RESULTS, 59.0)
    assert caught.value.as_error() == {
        "errorCode": "PROCESSING_HALTED",
        "message": "Invalid reference specified. No value for refAccount.Id found in refAccount. "
        "Provided referenceId ('refAccount.Id') must start with a letter or a number, and it "
        "can contain only letters, numbers and underscores ('_').",
    }


def test_null_is_referenceable_from_52_but_not_before():
    assert resolve("refContact.records[0].AccountId", RESULTS, 52.0) is None
    with pytest.raises(InvalidReference):
        resolve("refContact.records[0].AccountId", RESULTS, 51.0)


@pytest.mark.parametrize(
    "expression",
    ["refContact.records[1].Id", "unknownRef.id", "badOne.id", "refAccount", "refAccount.id.x"],
)
def test_missing_values_unknown_and_failed_references_are_invalid(expression):
    with pytest.raises(InvalidReference):
        resolve(expression, RESULTS, 59.0)


def test_illegal_reference_id_is_reported_like_the_v51_documentation():
    results = {"refNewAccount": CREATED}
    with pytest.raises(InvalidReference) as caught:
        resolve("refNewAccount[1].id", results, 51.0)
    assert caught.value.message.startswith(
        "Invalid reference specified. No value for refNewAccount[1].id found in refNewAccount."
    )


def test_body_keeps_the_type_of_a_whole_reference_and_splices_text_inside_strings():
    body = {
        "AccountId": "@{refAccount.id}",
        "Description": "Made for @{refAccount.id} in "
        "@{refContact.records[0].Account.BillingAddress.city}",
        "Nested": [{"Flag": "@{refAccount.success}"}],
        "Count": 3,
    }
    assert substitute_body(body, RESULTS, 59.0) == {
        "AccountId": "001000000000001AAA",
        "Description": "Made for 001000000000001AAA in Lyon",
        "Nested": [{"Flag": True}],
        "Count": 3,
    }


def test_url_references_are_percent_encoded():
    results = {"q": Resolved(True, {"Name": "A&B / C"}), **RESULTS}
    url = "/services/data/v59.0/sobjects/Account/@{refAccount.id}?x=@{q.Name}"
    assert substitute_url(url, results, 59.0) == (
        "/services/data/v59.0/sobjects/Account/001000000000001AAA?x=A%26B%20%2F%20C"
    )


def test_reference_ids_are_letters_digits_underscores_starting_with_letter_or_digit():
    assert is_valid_reference_id("refAccount_1")
    assert is_valid_reference_id("1account")
    assert not is_valid_reference_id("_account")
    assert not is_valid_reference_id("refNewAccount[1]")
    assert not is_valid_reference_id("")


def test_referenced_ids_finds_every_reference_in_url_and_body():
    found = referenced_ids(["/x/@{a.id}", {"b": "@{b.records[0].Id}", "c": ["@{c.x} @{d.y}"]}])
    assert found == {"a", "b", "c", "d"}
