"""Read-only resources: paging, filters, dates and the shape of every record."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from sandboxes.common import SandboxAdmin
from sandboxes.unleashed.demo import demo_seed

WIRE_DATE = re.compile(r"^/Date\(\d+\)/$")
PAGINATION_KEYS = {"NumberOfItems", "PageSize", "PageNumber", "NumberOfPages"}


def test_list_answers_pagination_and_items(client: httpx.Client, seeded: Any) -> None:
    body = client.get("/Products").json()
    assert set(body) == {"Pagination", "Items"}
    assert body["Pagination"] == {
        "NumberOfItems": 8,
        "PageSize": 200,
        "PageNumber": 1,
        "NumberOfPages": 1,
    }
    assert [p["ProductCode"] for p in body["Items"]][:2] == ["BAG-20F", "KAYAK-SOLO"]


def test_page_number_is_a_path_segment(client: httpx.Client, seeded: Any) -> None:
    first = client.get("/Products/1", params={"pageSize": 3}).json()
    third = client.get("/Products/3", params={"pageSize": 3}).json()
    beyond = client.get("/Products/4", params={"pageSize": 3}).json()
    assert first["Pagination"] == {
        "NumberOfItems": 8,
        "PageSize": 3,
        "PageNumber": 1,
        "NumberOfPages": 3,
    }
    assert len(first["Items"]) == 3 and len(third["Items"]) == 2
    assert third["Pagination"]["PageNumber"] == 3
    assert beyond["Items"] == []


def test_page_size_bounds(client: httpx.Client, seeded: Any) -> None:
    capped = client.get("/Products", params={"pageSize": 5000})
    assert capped.status_code == 200
    assert capped.json()["Pagination"]["PageSize"] == 1000
    for bad in ("0", "-1", "ten"):
        response = client.get("/Products", params={"pageSize": bad})
        assert response.status_code == 400
        assert "pageSize" in response.json()["Description"]


def test_empty_listing_has_no_pages(client: httpx.Client, admin: SandboxAdmin) -> None:
    body = client.get("/SalesOrders").json()
    assert body == {
        "Pagination": {"NumberOfItems": 0, "PageSize": 200, "PageNumber": 1, "NumberOfPages": 0},
        "Items": [],
    }


def test_dates_use_the_microsoft_json_format(client: httpx.Client, seeded: Any) -> None:
    customer = client.get("/Customers").json()["Items"][0]
    assert WIRE_DATE.match(customer["LastModifiedOn"])
    assert WIRE_DATE.match(customer["CreatedOn"])


def test_modified_since_returns_only_later_changes(
    client: httpx.Client, admin: SandboxAdmin
) -> None:
    admin.configure(now="2026-02-01T08:00:00Z")
    seeded = admin.seed(demo_seed())
    admin.configure(now="2026-03-01T10:00:00Z")
    guid = seeded["customers"]["SUMMIT"]
    assert client.post(f"/Customers/{guid}", json={"PhoneNumber": "+1 303 555 0199"}).is_success
    changed = client.get("/Customers", params={"modifiedSince": "2026-03-01T09:00:00"}).json()
    assert [c["CustomerCode"] for c in changed["Items"]] == ["SUMMIT"]
    assert changed["Items"][0]["LastModifiedOn"] == "/Date(1772359200000)/"
    by_date = client.get("/Customers", params={"modifiedSince": "2026-03-02"}).json()
    assert by_date["Items"] == []


@pytest.mark.parametrize("value", ["yesterday", "2026-13-45", "01/03/2026"])
def test_modified_since_must_be_a_date(client: httpx.Client, seeded: Any, value: str) -> None:
    response = client.get("/Customers", params={"modifiedSince": value})
    assert response.status_code == 400
    assert "modifiedSince" in response.json()["Description"]


def test_customer_shape(client: httpx.Client, seeded: dict[str, Any]) -> None:
    guid = seeded["customers"]["ALPINE"]
    customer = client.get(f"/Customers/{guid}").json()
    assert customer["Guid"] == guid
    assert customer["CustomerCode"] == "ALPINE"
    assert customer["CustomerName"] == "Alpine Trail Outfitters"
    assert customer["PhoneNumber"] == "+1 503 555 0101"
    assert customer["Email"] == "orders@alpinetrail.example"
    assert customer["Website"] == "https://alpinetrail.example"
    assert customer["SalesPerson"] == {
        "FullName": "Maya Chen",
        "Email": "maya.chen@harbourpine.example",
        "Obsolete": False,
        "Guid": seeded["salespersons"]["maya.chen@harbourpine.example"],
    }
    postal = customer["Addresses"][0]
    assert postal["AddressType"] == "Postal" and postal["City"] == "Bend"
    assert postal["IsDefault"] is True and postal["PostalCode"] == "97701"
    assert customer["Currency"]["CurrencyCode"] == "USD"
    assert customer["Obsolete"] is False
    assert (customer["ContactFirstName"], customer["ContactLastName"]) == ("Hannah", "Brooks")


def test_customer_filters(client: httpx.Client, seeded: Any) -> None:
    def codes(**params: Any) -> list[str]:
        return [c["CustomerCode"] for c in client.get("/Customers", params=params).json()["Items"]]

    assert codes(customerCode="al") == ["ALPINE"]  # a prefix, any case
    assert codes(customerName="Red") == ["REDWOOD"]
    assert codes(customer="Kayak") == ["COASTAL"]
    assert codes(customer="kayak") == []  # documented as case-sensitive
    assert codes(contactEmail="greta@") == ["LAKESIDE"]
    assert codes(CUSTOMERCODE="SUM") == ["SUMMIT"]  # filter names bind in any case
    listed = client.get("/Customers", params={"includeAllContacts": "true"}).json()["Items"]
    assert listed[0]["Contacts"][0]["FirstName"] == "Hannah"
    assert "Contacts" not in client.get("/Customers").json()["Items"][0]


def test_unknown_and_malformed_guids(client: httpx.Client, seeded: Any) -> None:
    missing = client.get("/Customers/6f1c8a3e-0000-4000-8000-000000000000")
    assert missing.status_code == 404
    assert set(missing.json()) == {"Description", "DebugInformation"}
    assert client.get("/Customers/not-a-guid").status_code == 400


def test_salespersons(client: httpx.Client, seeded: Any) -> None:
    people = client.get("/Salespersons").json()["Items"]
    assert [p["FullName"] for p in people] == ["Luis Ortega", "Maya Chen", "Priya Nair"]
    assert set(people[0]) >= {"FullName", "Email", "Guid", "Obsolete"}
    one = client.get(f"/Salespersons/{people[1]['Guid']}").json()
    assert one["Email"] == "maya.chen@harbourpine.example"


def test_products(client: httpx.Client, seeded: dict[str, Any]) -> None:
    guid = seeded["products"]["LAMP-LED"]
    product = client.get(f"/Products/{guid}").json()
    assert product["ProductCode"] == "LAMP-LED"
    assert product["ProductDescription"] == "Lumen LED Lantern"
    assert product["DefaultSellPrice"] == 34.5
    assert product["Obsolete"] is False
    assert WIRE_DATE.match(product["LastModifiedOn"])
    tents = client.get("/Products", params={"productCode": "TENT"}).json()["Items"]
    assert [p["ProductCode"] for p in tents] == ["TENT-2P", "TENT-4P"]


def test_warehouses_taxes_groups_delivery_methods(client: httpx.Client, seeded: Any) -> None:
    houses = client.get("/Warehouses").json()["Items"]
    assert [(w["WarehouseCode"], w["IsDefault"]) for w in houses] == [
        ("EAST", False),
        ("MAIN", True),
    ]
    assert houses[1]["WarehouseName"] == "Main Warehouse - Portland OR"
    main = client.get(f"/Warehouses/{houses[1]['Guid']}").json()
    assert (main["WarehouseCode"], main["IsDefault"]) == ("MAIN", True)
    taxes = client.get("/Taxes").json()["Items"]
    assert {(t["TaxCode"], t["TaxRate"]) for t in taxes} == {
        ("NONE", 0.0),
        ("OR", 0.0),
        ("STD", 0.0825),
    }
    assert client.get("/Taxes", params={"taxCode": "STD"}).json()["Items"][0]["Description"] == (
        "Standard sales tax"
    )
    groups = client.get("/SalesOrderGroups").json()["Items"]
    assert [g["GroupName"] for g in groups] == ["Retail", "Wholesale", "Online"]
    methods = client.get("/DeliveryMethods").json()["Items"]
    assert [m["Name"] for m in methods] == ["Courier", "Freight", "Customer Pickup"]


def test_stock_on_hand_sums_warehouses_unless_one_is_asked_for(
    client: httpx.Client, seeded: Any
) -> None:
    rows = client.get("/StockOnHand").json()["Items"]
    tent = next(r for r in rows if r["ProductCode"] == "TENT-2P")
    assert (tent["QtyOnHand"], tent["AvailableQty"], tent["AllocatedQty"]) == (52.0, 52.0, 0.0)
    assert tent["WarehouseCode"] is None and tent["Warehouse"] is None
    east = client.get("/StockOnHand", params={"warehouseCode": "EAST"}).json()["Items"]
    assert {r["ProductCode"]: r["QtyOnHand"] for r in east} == {
        "BAG-20F": 30.0,
        "KAYAK-SOLO": 6.0,
        "LAMP-LED": 80.0,
        "PACK-55L": 25.0,
        "PADDLE-AL": 44.0,
        "TENT-2P": 12.0,
        "TENT-4P": 0.0,
    }
    assert set(east[0]) >= {
        "ProductCode",
        "ProductDescription",
        "ProductGuid",
        "WarehouseCode",
        "Warehouse",
        "QtyOnHand",
        "AllocatedQty",
        "AvailableQty",
        "LastModifiedOn",
    }


def test_products_that_never_moved_are_absent(client: httpx.Client, seeded: dict[str, Any]) -> None:
    east = client.get("/StockOnHand", params={"warehouseCode": "EAST"}).json()["Items"]
    assert "STOVE-1" not in {r["ProductCode"] for r in east}
    stove = seeded["products"]["STOVE-1"]
    everywhere = client.get(f"/StockOnHand/{stove}/AllWarehouses").json()["Items"]
    assert [(r["WarehouseCode"], r["QtyOnHand"]) for r in everywhere] == [("MAIN", 120.0)]
    admin_product = seeded["products"]["KAYAK-SOLO"]
    one = client.get(f"/StockOnHand/{admin_product}").json()
    assert (one["ProductCode"], one["QtyOnHand"]) == ("KAYAK-SOLO", 6.0)
    by_id = client.get("/StockOnHand", params={"productId": stove}).json()["Items"]
    assert [r["ProductCode"] for r in by_id] == ["STOVE-1"]


def test_stock_for_a_product_without_transactions_is_404(
    client: httpx.Client, admin: SandboxAdmin
) -> None:
    made = admin.seed(
        {"products": [{"ProductCode": "NEW", "ProductDescription": "New", "DefaultSellPrice": 1}]}
    )
    assert client.get(f"/StockOnHand/{made['products']['NEW']}").status_code == 404
    assert client.get(f"/StockOnHand/{made['products']['NEW']}/AllWarehouses").json()["Items"] == []
