"""Price books and opportunity lines through the REST API: the rules and the arithmetic."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sandboxes.salesforce import SalesforceSandbox


@pytest.fixture
def opportunity(sf: Salesforce, catalogue: dict[str, Any]) -> str:
    return str(
        sf.Opportunity.create(
            {
                "Name": "Spring restock",
                "StageName": "Prospecting",
                "CloseDate": "2026-12-01",
                "AccountId": catalogue["accounts"]["alpine"],
            }
        )["id"]
    )


def add_line(sf: Salesforce, opportunity: str, entry: str, **values: Any) -> str:
    return str(
        sf.OpportunityLineItem.create(
            {"OpportunityId": opportunity, "PricebookEntryId": entry, **values}
        )["id"]
    )


def test_line_takes_product_and_list_price_from_the_entry_and_totals(
    sf: Salesforce, catalogue: dict[str, Any], opportunity: str
) -> None:
    entry = catalogue["pricebook_entries"]["TENT-2P"]

    line = sf.OpportunityLineItem.get(
        add_line(sf, opportunity, entry, Quantity=4, UnitPrice=225.0, Discount=10)
    )

    assert line["Product2Id"] == catalogue["products"]["TENT-2P"]
    assert line["ListPrice"] == 249.0
    assert line["Subtotal"] == 900.0
    assert line["TotalPrice"] == 810.0
    record = sf.Opportunity.get(opportunity)
    assert record["Pricebook2Id"] == catalogue["standard_pricebook_id"]  # set from the entry
    assert record["Amount"] == 810.0 and record["HasOpportunityLineItem"] is True


def test_amount_is_the_sum_of_lines_and_ignores_direct_updates(
    sf: Salesforce, catalogue: dict[str, Any], opportunity: str
) -> None:
    entries = catalogue["pricebook_entries"]
    first = add_line(sf, opportunity, entries["TENT-2P"], Quantity=1, UnitPrice=249)
    add_line(sf, opportunity, entries["STOVE-1"], Quantity=2, TotalPrice=100)

    assert sf.Opportunity.get(opportunity)["Amount"] == 349.0
    sf.Opportunity.update(opportunity, {"Amount": 5})
    assert sf.Opportunity.get(opportunity)["Amount"] == 349.0
    sf.OpportunityLineItem.update(first, {"Quantity": 2})
    assert sf.Opportunity.get(opportunity)["Amount"] == 598.0
    sf.OpportunityLineItem.delete(first)
    assert sf.Opportunity.get(opportunity)["Amount"] == 100.0


def test_total_price_given_derives_unit_price(
    sf: Salesforce, catalogue: dict[str, Any], opportunity: str
) -> None:
    line = add_line(
        sf, opportunity, catalogue["pricebook_entries"]["STOVE-1"], Quantity=4, TotalPrice=200
    )
    assert sf.OpportunityLineItem.get(line)["UnitPrice"] == 50.0


@pytest.mark.parametrize(
    ("values", "code", "fields"),
    [
        (
            {"Quantity": 1, "UnitPrice": 1, "TotalPrice": 1},
            "FIELD_INTEGRITY_EXCEPTION",
            ["TotalPrice", "UnitPrice"],
        ),
        (
            {"Quantity": 1, "UnitPrice": 1, "Discount": 150},
            "NUMBER_OUTSIDE_VALID_RANGE",
            ["Discount"],
        ),
        ({"UnitPrice": 1}, "REQUIRED_FIELD_MISSING", ["Quantity"]),
    ],
)
def test_line_errors(
    sf: Salesforce,
    catalogue: dict[str, Any],
    opportunity: str,
    values: dict[str, Any],
    code: str,
    fields: list[str],
) -> None:
    with pytest.raises(SalesforceMalformedRequest) as raised:
        add_line(sf, opportunity, catalogue["pricebook_entries"]["TENT-2P"], **values)
    assert raised.value.content[0]["errorCode"] == code
    assert raised.value.content[0]["fields"] == fields


def test_entry_from_another_book_is_refused(
    sf: Salesforce, app: SalesforceSandbox, catalogue: dict[str, Any], opportunity: str
) -> None:
    wholesale = app.seed(
        {"pricebooks": [{"Name": "Wholesale", "entries": [{"product": "TENT-2P", "price": 199}]}]}
    )["pricebooks"]["Wholesale"]
    add_line(sf, opportunity, catalogue["pricebook_entries"]["STOVE-1"], Quantity=1, UnitPrice=59)

    with pytest.raises(SalesforceMalformedRequest) as raised:
        add_line(sf, opportunity, wholesale["entries"]["TENT-2P"], Quantity=1, UnitPrice=199)

    assert raised.value.content[0]["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"
    assert "different pricebook" in raised.value.content[0]["message"]


def test_inactive_entry_is_refused(
    sf: Salesforce, catalogue: dict[str, Any], opportunity: str
) -> None:
    entry = catalogue["pricebook_entries"]["TENT-2P"]
    sf.PricebookEntry.update(entry, {"IsActive": False})

    with pytest.raises(SalesforceMalformedRequest) as raised:
        add_line(sf, opportunity, entry, Quantity=1, UnitPrice=1)
    assert "inactive" in raised.value.content[0]["message"]


def test_custom_book_entry_needs_standard_price(sf: Salesforce) -> None:
    product = sf.Product2.create({"Name": "Lantern"})["id"]
    book = sf.Pricebook2.create({"Name": "Retail", "IsActive": True})["id"]

    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.PricebookEntry.create(
            {"Pricebook2Id": book, "Product2Id": product, "UnitPrice": 30, "IsActive": True}
        )
    assert raised.value.content[0]["errorCode"] == "STANDARD_PRICE_NOT_DEFINED"
