"""The record store without HTTP: ids, system fields, transactions and business rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sandboxes.salesforce import ids
from sandboxes.salesforce.errors import SalesforceApiError
from sandboxes.salesforce.metadata import default_schema
from sandboxes.salesforce.store import Org


@pytest.fixture(scope="module")
def schema():  # type: ignore[no-untyped-def]
    return default_schema()


@pytest.fixture
def org(schema) -> Org:  # type: ignore[no-untyped-def]
    return Org(schema, clock=lambda: datetime(2026, 11, 22, 2, 17, 32, 123000, tzinfo=UTC))


def test_case_safe_suffix_matches_the_documented_example() -> None:
    assert ids.to_18("00190000001pPvH") == "00190000001pPvHAAU"
    assert ids.normalize("00190000001ppvhaau") == "00190000001pPvHAAU"
    assert ids.normalize("00190000001pPvH") == "00190000001pPvHAAU"
    assert ids.normalize("not an id") is None


def test_new_ids_carry_the_key_prefix_and_a_valid_suffix(org: Org) -> None:
    account_id = org.create("Account", {"Name": "A"})
    assert account_id.startswith("001") and ids.normalize(account_id) == account_id


def test_system_fields_are_stamped(org: Org) -> None:
    account = org.get_by_id(org.create("Account", {"Name": "A"}, user_id="0055g0000000001AAA"))
    assert account is not None
    assert account["CreatedDate"] == "2026-11-22T02:17:32.123+0000"
    assert account["OwnerId"] == account["CreatedById"] == "0055g0000000001AAA"


def test_every_org_has_one_undeletable_standard_price_book(org: Org) -> None:
    books = list(org.records("Pricebook2"))
    assert [(b["Name"], b["IsStandard"]) for b in books] == [("Standard Price Book", True)]
    with pytest.raises(SalesforceApiError) as raised:
        org.delete(books[0]["Id"])
    assert raised.value.error_code == "DELETE_FAILED"


def test_custom_price_needs_a_standard_price_first(org: Org) -> None:
    product = org.create("Product2", {"Name": "Tent"})
    book = org.create("Pricebook2", {"Name": "Wholesale", "IsActive": True})
    with pytest.raises(SalesforceApiError) as raised:
        org.create(
            "PricebookEntry",
            {"Pricebook2Id": book, "Product2Id": product, "UnitPrice": 200, "IsActive": True},
        )
    assert raised.value.error_code == "STANDARD_PRICE_NOT_DEFINED"
    assert raised.value.message == "Before creating a custom price, create a standard price."


def test_deleting_an_opportunity_takes_its_lines(org: Org) -> None:
    product = org.create("Product2", {"Name": "Tent"})
    entry = org.create(
        "PricebookEntry",
        {
            "Pricebook2Id": org.standard_pricebook_id,
            "Product2Id": product,
            "UnitPrice": 10,
            "IsActive": True,
        },
    )
    opportunity = org.create(
        "Opportunity", {"Name": "O", "StageName": "Prospecting", "CloseDate": "2026-12-01"}
    )
    line = org.create(
        "OpportunityLineItem",
        {"OpportunityId": opportunity, "PricebookEntryId": entry, "Quantity": 1, "UnitPrice": 10},
    )

    org.delete(opportunity)

    assert org.get_by_id(line)["IsDeleted"] is True  # type: ignore[index]
    assert list(org.records("OpportunityLineItem")) == []
    assert len(list(org.records("OpportunityLineItem", include_deleted=True))) == 1


def test_failed_write_leaves_nothing_behind(org: Org) -> None:
    with pytest.raises(SalesforceApiError), org.transaction():
        org.create("Account", {"Name": "A"})
        org.create("Account", {})
    assert list(org.records("Account")) == []


def test_stage_sets_closed_won_and_probability(org: Org) -> None:
    opportunity = org.create(
        "Opportunity", {"Name": "O", "StageName": "Prospecting", "CloseDate": "2026-12-01"}
    )
    org.update(opportunity, {"StageName": "Closed Won"})
    record = org.get_by_id(opportunity)
    assert record is not None
    assert (record["IsClosed"], record["IsWon"], record["Probability"]) == (True, True, 100)


def test_datetimes_are_normalised_to_utc(org: Org) -> None:
    version_less = org.create(
        "Opportunity",
        {"Name": "O", "StageName": "Prospecting", "CloseDate": "2026-12-01"},
    )
    assert org.get_by_id(version_less)["CloseDate"] == "2026-12-01"  # type: ignore[index]
    with pytest.raises(SalesforceApiError) as raised:
        org.create(
            "Opportunity", {"Name": "O", "StageName": "Prospecting", "CloseDate": "2026-13-01"}
        )
    assert raised.value.error_code == "JSON_PARSER_ERROR"


def test_demo_seed_loads_the_company() -> None:
    from sandboxes.salesforce import SalesforceSandbox
    from sandboxes.salesforce.demo import demo_seed

    app = SalesforceSandbox()
    answer = app.seed(demo_seed(app.schema))

    # the three salespeople, and the console's operator and viewer
    assert {"maya", "luis", "priya"} <= set(answer["users"])
    assert len(answer["users"]) == 5
    assert len(answer["accounts"]) == 5 and len(answer["pricebook_entries"]) == 8
    alpine = app.org_store.get_by_id(answer["accounts"]["ALPINE"])
    assert alpine is not None
    assert alpine["OwnerId"] == answer["users"]["maya"] and alpine["NetSuite_Id__c"] == "101"
    tent = app.org_store.find_by_field("Product2", "ProductCode", "TENT-2P")[0]
    assert tent["NetSuite_Item_Id__c"] == "501"


def _priced_product(org: Org) -> str:
    product = org.create("Product2", {"Name": "Tent"})
    return org.create(
        "PricebookEntry",
        {
            "Pricebook2Id": org.standard_pricebook_id,
            "Product2Id": product,
            "UnitPrice": 10,
            "IsActive": True,
        },
    )


def _opportunity(key: str, stage: str = "Prospecting") -> dict[str, str]:
    return {"Name": key, "StageName": stage, "CloseDate": "2026-12-01"}


def test_a_rollback_restores_records_and_the_external_id_index(org: Org) -> None:
    # Given an opportunity with a line, known by external ids
    entry = _priced_product(org)
    kept, _ = org.upsert("Opportunity", "NetSuite_Id__c", "ns-1", _opportunity("kept"))
    org.upsert(
        "OpportunityLineItem",
        "NetSuite_Line_Key__c",
        "ns-1-1",
        {"OpportunityId": kept, "PricebookEntryId": entry, "Quantity": 1, "UnitPrice": 10},
    )
    before = {r["Id"]: r for r in org.records("Opportunity", include_deleted=True)}

    # When one transaction creates, re-keys, updates and deletes, then rolls back
    with org.transaction() as tx:
        made, created = org.upsert("Opportunity", "NetSuite_Id__c", "ns-2", _opportunity("new"))
        org.update(kept, {"NetSuite_Id__c": "ns-renamed", "StageName": "Closed Won"})
        org.upsert("Opportunity", "NetSuite_Id__c", "ns-2", {"Name": "new, updated"})
        org.delete(made)
        tx.rollback()

    # Then every record is as it was, and the index finds by the old keys only
    assert created
    assert {r["Id"]: r for r in org.records("Opportunity", include_deleted=True)} == before
    assert [r["Id"] for r in org.find_by_field("Opportunity", "NetSuite_Id__c", "NS-1")] == [kept]
    assert org.find_by_field("Opportunity", "NetSuite_Id__c", "ns-renamed") == []
    assert org.find_by_field("Opportunity", "NetSuite_Id__c", "ns-2") == []
    assert org.get_by_id(made) is None
    # ... and writes after the rollback see the restored index
    assert org.upsert("Opportunity", "NetSuite_Id__c", "ns-1", {"Name": "again"}) == (kept, False)
    again, created_again = org.upsert("Opportunity", "NetSuite_Id__c", "ns-2", _opportunity("n"))
    assert created_again and again != made


def test_a_failing_graph_undoes_its_lines_and_the_roll_up(org: Org) -> None:
    # Given an opportunity with one line (Amount 10)
    entry = _priced_product(org)
    opportunity, _ = org.upsert("Opportunity", "NetSuite_Id__c", "ns-1", _opportunity("o"))
    line = {"OpportunityId": opportunity, "PricebookEntryId": entry, "Quantity": 1}
    org.upsert("OpportunityLineItem", "NetSuite_Line_Key__c", "k-1", {**line, "UnitPrice": 10})

    # When a savepoint adds a line and changes another, then a later write fails
    with pytest.raises(SalesforceApiError), org.transaction():
        with org.transaction():
            org.upsert(
                "OpportunityLineItem", "NetSuite_Line_Key__c", "k-2", {**line, "UnitPrice": 5}
            )
            org.upsert("OpportunityLineItem", "NetSuite_Line_Key__c", "k-1", {"Quantity": 3})
        org.create("Opportunity", {"Name": "no stage"})

    # Then the lines, the opportunity's roll-up and the unique index are as before
    lines = list(org.records("OpportunityLineItem"))
    assert [(r["NetSuite_Line_Key__c"], r["Quantity"]) for r in lines] == [("k-1", 1)]
    assert org.get_by_id(opportunity)["Amount"] == 10  # type: ignore[index]
    assert org.find_by_field("OpportunityLineItem", "NetSuite_Line_Key__c", "k-2") == []
    org.upsert("OpportunityLineItem", "NetSuite_Line_Key__c", "k-2", {**line, "UnitPrice": 5})
    assert org.get_by_id(opportunity)["Amount"] == 15  # type: ignore[index]


def test_a_committed_transaction_keeps_every_write(org: Org) -> None:
    with org.transaction():
        first, _ = org.upsert("Account", "NetSuite_Id__c", "c-1", {"Name": "A"})
        with org.transaction() as inner:
            org.upsert("Account", "NetSuite_Id__c", "c-2", {"Name": "B"})
            inner.rollback()
        org.upsert("Account", "NetSuite_Id__c", "c-3", {"Name": "C"})

    names = sorted(r["Name"] for r in org.records("Account"))
    assert names == ["A", "C"]
    assert org.upsert("Account", "NetSuite_Id__c", "C-1", {"Name": "A2"}) == (first, False)
    with pytest.raises(SalesforceApiError) as duplicate:
        org.create("Account", {"Name": "D", "NetSuite_Id__c": "c-3"})
    assert duplicate.value.error_code == "DUPLICATE_VALUE"
