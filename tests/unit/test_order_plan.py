"""The one Salesforce write per order: tags, lines by key, accounts from customers, problems."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shared.errors import PermanentError
from shared.flows.netsuite_orders_to_salesforce.facts import order_facts
from shared.flows.netsuite_orders_to_salesforce.plan import Plan, fields_hash, plan_close, plan_sync
from shared.flows.netsuite_orders_to_salesforce.ports import PricebookEntryRef
from shared.flows.netsuite_orders_to_salesforce.settings import NetsuiteOrdersSettings
from shared.links import Link
from tests.unit.orders import customer, line, order

STANDARD = "Standard Price Book"
ENTRIES = {
    (STANDARD, item): PricebookEntryRef(
        f"01u00000000000{item}AAA", "01s000000000001AAA", STANDARD, item, True
    )
    for item in ("501", "503", "505")
}
URL = "https://tstdrv.app.netsuite.com/app/accounting/transactions/salesord.nl?id=4711"


def plan(
    sales_order=None,
    *,
    link=None,
    account_id="001000000000001AAA",
    cust=None,
    entries=None,
    **settings,
):  # type: ignore[no-untyped-def]
    config = NetsuiteOrdersSettings.model_validate(settings)
    so = sales_order if sales_order is not None else order()
    return plan_sync(
        so,
        order_facts(so, config),
        settings=config,
        link=link,
        account_id=account_id,
        customer=cust,
        entries=entries or ENTRIES,
        record_url=URL,
    )


def test_a_new_order_tags_the_opportunity_as_the_seed_lists() -> None:
    result: Plan = plan()
    opportunity = result.write.opportunity
    assert (opportunity.sobject, opportunity.external_id_field, opportunity.external_id) == (
        "Opportunity",
        "NetSuite_Id__c",
        "4711",
    )
    assert opportunity.fields == {
        "Name": "Alpine Trail Outfitters SO1042",
        "CloseDate": "2026-11-20",
        "StageName": "Closed Won",
        "Description": "Spring restock",
        "NetSuite_Order_Number__c": "SO1042",
        "NetSuite_Originated_Order__c": True,
        "Salesforce_Originated_Order__c": False,
        "Skip_Export_to_NetSuite__c": True,
        "NetSuite_Order_Record__c": URL,
        "NetSuite_Order_Status__c": "Pending Fulfillment",
        "NetSuite_Version__c": "2026-11-22T09:41:07Z",
        "Pricebook2Id": "01s000000000001AAA",
    }
    [new_line] = result.write.lines
    assert new_line.key == "4711-1" and new_line.pricebook_entry_id == ENTRIES[(STANDARD, "501")].id
    assert new_line.fields == {
        "Quantity": Decimal(2),
        "UnitPrice": Decimal("249.0"),
        "Discount": Decimal(0),
        "Description": None,
    }
    assert result.write.account is None and result.write.account_id == "001000000000001AAA"


def test_a_resync_updates_known_lines_creates_new_ones_and_deletes_removed_ones() -> None:
    link = Link(
        source_key="netsuite:salesorder:4711",
        target="salesforce:Opportunity",
        target_id="006000000000001AAA",
        synced_version="2026-11-22T09:00:00Z",
        attributes={"line:4711-1": "00k000000000001AAA", "line:4711-2": "00k000000000002AAA"},
        revision=3,
    )
    result = plan(order([line(1, "501", 5, 249.0), line(3, "505", 1, 59.0)]), link=link)
    updated, created = result.write.lines
    assert (updated.existing_id, updated.pricebook_entry_id) == ("00k000000000001AAA", None)
    assert (created.key, created.existing_id) == ("4711-3", None)
    assert result.write.deleted_line_ids == ("00k000000000002AAA",)
    assert "Pricebook2Id" not in result.write.opportunity.fields  # never changed once lines exist


def test_a_missing_account_is_created_from_the_customer_mapping() -> None:
    result = plan(account_id=None, cust=customer())
    account = result.write.account
    assert account is not None
    assert (account.sobject, account.external_id_field, account.external_id) == (
        "Account",
        "NetSuite_Id__c",
        "101",
    )
    assert account.fields["Name"] == "Alpine Trail Outfitters"
    assert account.fields["BillingCity"] == "Bend" and account.fields["ShippingCity"] is None


def test_every_problem_a_person_must_fix_is_named_at_once() -> None:
    inactive = {
        **ENTRIES,
        (STANDARD, "503"): PricebookEntryRef("01uX", "01sX", STANDARD, "503", False),
    }
    bad = order(
        [line(1, "501", 1, 1.0), line(2, "503", 1, 1.0), line(3, "999", 1, 1.0)], tranDate=None
    )
    with pytest.raises(PermanentError) as caught:
        plan(bad, account_id=None, cust=customer(companyName=None, entityId=None), entries=inactive)
    reasons = " | ".join(f"{p.field}: {p.reason}" for p in caught.value.problems)
    assert "line 2 (Item 503, NetSuite item 503): its price book entry" in reasons
    assert "NetSuite_Item_Id__c = 999" in reasons
    assert "CloseDate: renders empty" in reasons
    assert "customer 101: has no company name" in reasons


def test_price_levels_choose_the_price_book() -> None:
    wholesale = {("Wholesale", "501"): PricebookEntryRef("01uW", "01sW", "Wholesale", "501", True)}
    result = plan(
        order([line(1, "501", 1, 200.0, price={"id": "2", "refName": "Wholesale"})]),
        entries=wholesale,
        price_level_price_books={"2": "Wholesale"},
    )
    assert result.write.opportunity.fields["Pricebook2Id"] == "01sW"
    with pytest.raises(PermanentError, match="different price books"):
        plan(
            order([line(1, "501", 1, 1.0, price={"id": "2"}), line(2, "503", 1, 1.0)]),
            price_level_price_books={"2": "Wholesale"},
        )


def test_the_hash_ignores_the_version_so_an_echo_is_recognised() -> None:
    first = plan(order(lastModifiedDate="2026-11-22T09:41:07Z"))
    echo = plan(order(lastModifiedDate="2026-11-22T09:45:00Z"))
    changed = plan(order([line(1, "501", 3, 249.0)]))
    assert first.fields_hash == echo.fields_hash != changed.fields_hash
    assert fields_hash({"A": 1}, []) == fields_hash({"A": 1, "NetSuite_Version__c": "x"}, [])


def test_a_cancelled_order_maps_to_closed_lost() -> None:
    cancelled = order(status={"id": "Cancelled", "refName": "Cancelled"})
    fields = plan(cancelled).write.opportunity.fields
    assert (
        fields["StageName"] == "Closed Lost" and fields["NetSuite_Order_Status__c"] == "Cancelled"
    )


def test_a_deleted_order_closes_and_flags_the_opportunity() -> None:
    link = Link(source_key="s", target="t", target_id="006", revision=1)
    result = plan_close("4711", NetsuiteOrdersSettings(), link)
    assert result.write.opportunity.fields == {
        "StageName": "Closed Lost",
        "NetSuite_Order_Status__c": "Deleted in NetSuite",
    }
    assert result.write.lines == ()
