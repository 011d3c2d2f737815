"""Sales orders: create with the caller's Guid, totals, comment lines, update, complete, stock."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from sandboxes.common import SandboxAdmin

ORDER_GUID = "9b0d8c52-41f6-4d0e-a1a2-7f3e6b5c4d21"


def _order(**overrides: Any) -> dict[str, Any]:
    """An order in the shape salesbridge sends: 2 tents less 10%, a lantern, a comment line."""
    return {
        "OrderDate": "/Date(1763683200000)/",
        "RequiredDate": "2025-11-28",
        "OrderStatus": "Parked",
        "Customer": {"CustomerCode": "ALPINE"},
        "Warehouse": {"WarehouseCode": "MAIN"},
        "Tax": {"TaxCode": "STD"},
        "TaxRate": 0.0825,
        "Currency": {"CurrencyCode": "USD"},
        "ExchangeRate": 1.0,
        "SalesPerson": {"Email": "maya.chen@harbourpine.example"},
        "SalesOrderGroup": "Wholesale",
        "DeliveryMethod": "Freight",
        "DeliveryName": "Alpine Trail Outfitters",
        "DeliveryStreetAddress": "12 Ridge Road",
        "DeliveryCity": "Bend",
        "DeliveryRegion": "OR",
        "DeliveryPostCode": "97701",
        "DeliveryCountry": "US",
        "Comments": "Opportunity 006xx0000012345",
        "SalesOrderLines": [
            {
                "LineNumber": 1,
                "Product": {"ProductCode": "TENT-2P"},
                "OrderQuantity": 2,
                "UnitPrice": 249.0,
                "DiscountRate": 0.1,
                "LineTotal": 448.2,
            },
            {"LineNumber": 2, "LineType": "Comment", "Comments": "Ship with the spring order"},
            {"LineNumber": 3, "Product": {"ProductCode": "LAMP-LED"}, "OrderQuantity": 3},
        ],
        "SubTotal": 551.7,  # 448.20 + 3 x 34.50 (the lantern's default sell price)
        "TaxTotal": 45.52,  # 36.98 + 8.54
        "Total": 597.22,
        **overrides,
    }


def test_create_with_the_callers_guid(client: httpx.Client, seeded: Any) -> None:
    response = client.post(f"/SalesOrders/{ORDER_GUID}", json=_order())
    assert response.status_code == 200
    order = response.json()
    assert order["Guid"] == ORDER_GUID
    assert order["OrderNumber"] == "SO-00000001"
    assert order["OrderStatus"] == "Parked"
    assert order["OrderDate"] == "/Date(1763683200000)/"
    assert order["RequiredDate"] == "/Date(1764288000000)/"
    assert order["Customer"]["CustomerCode"] == "ALPINE"
    assert order["Warehouse"]["WarehouseCode"] == "MAIN"
    assert order["Tax"]["TaxCode"] == "STD" and order["TaxRate"] == 0.0825
    assert order["SalesPerson"]["FullName"] == "Maya Chen"
    assert (order["SalesOrderGroup"], order["DeliveryMethod"]) == ("Wholesale", "Freight")
    assert order["DeliveryCity"] == "Bend"
    assert (order["SubTotal"], order["TaxTotal"], order["Total"]) == (551.7, 45.52, 597.22)
    assert client.get(f"/SalesOrders/{ORDER_GUID}").json() == order


def test_lines_comment_and_default_sell_price(client: httpx.Client, seeded: Any) -> None:
    order = client.post(f"/SalesOrders/{ORDER_GUID}", json=_order()).json()
    tent, comment, lamp = order["SalesOrderLines"]
    assert tent["LineType"] is None
    assert tent["Product"]["ProductCode"] == "TENT-2P"
    assert (tent["OrderQuantity"], tent["UnitPrice"], tent["DiscountRate"]) == (2, 249.0, 0.1)
    assert (tent["LineTotal"], tent["LineTax"]) == (448.2, 36.98)
    assert uuid.UUID(tent["Guid"])
    assert comment["LineType"] == "Comment"
    assert comment["Comments"] == "Ship with the spring order"
    assert comment["Product"] is None and comment["LineTotal"] == 0
    assert lamp["UnitPrice"] == 34.5  # the product's DefaultSellPrice
    assert lamp["LineTotal"] == 103.5


def test_repeating_the_create_never_makes_a_second_order(client: httpx.Client, seeded: Any) -> None:
    first = client.post(f"/SalesOrders/{ORDER_GUID}", json=_order())
    again = client.post(f"/SalesOrders/{ORDER_GUID}", json=_order(Comments="retry"))
    assert first.status_code == 200
    assert again.status_code == 400
    assert again.json() == {
        "Description": f"A Sales Order with Guid '{ORDER_GUID}' already exists.",
        "DebugInformation": None,
    }
    listed = client.get("/SalesOrders").json()
    assert listed["Pagination"]["NumberOfItems"] == 1
    assert listed["Items"][0]["Comments"] == "Opportunity 006xx0000012345"


def test_order_numbers_count_up_and_can_be_chosen(client: httpx.Client, seeded: Any) -> None:
    client.post(f"/SalesOrders/{uuid.uuid4()}", json=_order())
    chosen = client.post(f"/SalesOrders/{uuid.uuid4()}", json=_order(OrderNumber="SF-1001"))
    assert chosen.json()["OrderNumber"] == "SF-1001"
    third = client.post(f"/SalesOrders/{uuid.uuid4()}", json=_order()).json()
    assert third["OrderNumber"] == "SO-00000002"
    clash = client.post(f"/SalesOrders/{uuid.uuid4()}", json=_order(OrderNumber="sf-1001"))
    assert clash.status_code == 400
    found = client.get("/SalesOrders", params={"orderNumber": "SF-1001"}).json()["Items"]
    assert [o["OrderNumber"] for o in found] == ["SF-1001"]


def _line(code: str, quantity: float, price: float) -> dict[str, Any]:
    return {"Product": {"ProductCode": code}, "OrderQuantity": quantity, "UnitPrice": price}


def _totals(sub_total: float, tax_total: float) -> dict[str, float]:
    return {"SubTotal": sub_total, "TaxTotal": tax_total, "Total": sub_total + tax_total}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"Customer": {"CustomerCode": "NOPE"}}, "Customer 'NOPE' does not exist."),
        ({"Customer": None}, "Customer is required."),
        ({"Warehouse": {"WarehouseCode": "WEST"}}, "Warehouse 'WEST' does not exist."),
        ({"Tax": {"TaxCode": "VAT"}}, "Tax code 'VAT' does not exist."),
        ({"TaxRate": 0.15}, "TaxRate 0.15 does not match the rate 0.0825 of tax code 'STD'."),
        ({"SalesOrderGroup": "Export"}, "SalesOrderGroup 'Export' does not exist."),
        ({"DeliveryMethod": "Drone"}, "DeliveryMethod 'Drone' does not exist."),
        ({"OrderStatus": "Completed"}, "A new Sales Order cannot have the status 'Completed'."),
        ({"SalesOrderLines": []}, "A Sales Order must have at least one line."),
        (
            {"SalesOrderLines": [_line("GHOST", 1, 1)], **_totals(1, 0)},
            "Line 1: Product 'GHOST' does not exist.",
        ),
        (
            {
                "SalesOrderLines": [_line("STOVE-1", 0, 59)],
                "SubTotal": 0,
                "TaxTotal": 0,
                "Total": 0,
            },
            "Line 1: OrderQuantity must be greater than zero.",
        ),
        (
            {
                "SalesOrderLines": [{"LineType": "Comment"}],
                "SubTotal": 0,
                "TaxTotal": 0,
                "Total": 0,
            },
            "Line 1: a comment line needs Comments.",
        ),
        ({"SubTotal": 550.0}, "SubTotal 550.00 does not match the calculated 551.70."),
        ({"Total": 600.0}, "Total 600.00 does not match the calculated 597.22."),
        ({"TaxTotal": None}, "TaxTotal is required."),
        ({"RequiredDate": "2025-11-01"}, "Required Date cannot be earlier than Order Date."),
        ({"OrderDate": "21/11/2025"}, "The OrderDate '21/11/2025' is not a valid date."),
    ],
)
def test_validation_errors(
    client: httpx.Client, seeded: Any, change: dict[str, Any], message: str
) -> None:
    response = client.post(f"/SalesOrders/{ORDER_GUID}", json=_order(**change))
    assert response.status_code == 400
    assert response.json() == {"Description": message, "DebugInformation": None}
    assert client.get(f"/SalesOrders/{ORDER_GUID}").status_code == 404


def test_bad_line_total_is_refused(client: httpx.Client, seeded: Any) -> None:
    body = _order()
    body["SalesOrderLines"][0]["LineTotal"] = 498.0  # forgot the discount
    response = client.post(f"/SalesOrders/{ORDER_GUID}", json=body)
    assert response.status_code == 400
    assert response.json()["Description"] == (
        "Line 1: LineTotal 498.00 does not match the calculated 448.20."
    )


def test_put_updates_a_parked_order(client: httpx.Client, seeded: Any) -> None:
    client.post(f"/SalesOrders/{ORDER_GUID}", json=_order())
    response = client.put(
        f"/SalesOrders/{ORDER_GUID}",
        json={
            "OrderStatus": "Placed",
            "Comments": "Confirmed by phone",
            "SalesOrderLines": [_line("KAYAK-SOLO", 1, 899.0)],
            "Warehouse": {"WarehouseCode": "EAST"},
            "SubTotal": 899.0,
            "TaxTotal": 74.17,
            "Total": 973.17,
        },
    )
    assert response.status_code == 200
    order = client.get(f"/SalesOrders/{ORDER_GUID}").json()
    assert order["OrderStatus"] == "Placed"
    assert order["Comments"] == "Confirmed by phone"
    assert [line["Product"]["ProductCode"] for line in order["SalesOrderLines"]] == ["KAYAK-SOLO"]
    assert order["OrderNumber"] == "SO-00000001"
    kayak = client.get("/StockOnHand", params={"warehouseCode": "EAST"}).json()["Items"]
    row = next(r for r in kayak if r["ProductCode"] == "KAYAK-SOLO")
    assert (row["QtyOnHand"], row["AllocatedQty"], row["AvailableQty"]) == (6.0, 1.0, 5.0)


def test_put_checks_totals_and_unknown_orders(client: httpx.Client, seeded: Any) -> None:
    client.post(f"/SalesOrders/{ORDER_GUID}", json=_order())
    wrong = client.put(
        f"/SalesOrders/{ORDER_GUID}",
        json={
            "SalesOrderLines": [_line("STOVE-1", 1, 59)],
            "SubTotal": 1,
            "TaxTotal": 0,
            "Total": 1,
        },
    )
    assert wrong.status_code == 400
    assert client.get(f"/SalesOrders/{ORDER_GUID}").json()["SubTotal"] == 551.7
    assert client.put(f"/SalesOrders/{uuid.uuid4()}", json={}).status_code == 404


def test_complete_takes_stock_off_hand_and_freezes_the_order(
    client: httpx.Client, seeded: Any, admin: SandboxAdmin
) -> None:
    client.post(f"/SalesOrders/{ORDER_GUID}", json=_order(OrderStatus="Placed"))
    main = {"warehouseCode": "MAIN"}
    before = {r["ProductCode"]: r for r in client.get("/StockOnHand", params=main).json()["Items"]}
    assert before["TENT-2P"]["AllocatedQty"] == 2.0
    response = client.post(f"/SalesOrders/{ORDER_GUID}/Complete")
    assert response.status_code == 200
    completed = response.json()
    assert completed["OrderStatus"] == "Completed"
    assert completed["CompletedDate"].startswith("/Date(")
    after = {r["ProductCode"]: r for r in client.get("/StockOnHand", params=main).json()["Items"]}
    assert (after["TENT-2P"]["QtyOnHand"], after["TENT-2P"]["AllocatedQty"]) == (38.0, 0.0)
    assert after["LAMP-LED"]["QtyOnHand"] == 197.0

    again = client.post(f"/SalesOrders/{ORDER_GUID}/Complete")
    assert again.status_code == 400
    assert again.json()["Description"] == "Sales Order 'SO-00000001' is already completed."
    frozen = client.put(f"/SalesOrders/{ORDER_GUID}", json={"Comments": "too late"})
    assert frozen.status_code == 400
    assert frozen.json()["Description"] == "A Completed Sales Order cannot be updated."
    done = client.get("/SalesOrders", params={"orderStatus": "Completed"}).json()["Items"]
    assert [o["Guid"] for o in done] == [ORDER_GUID]
    assert client.get("/SalesOrders", params={"orderStatus": "Parked"}).json()["Items"] == []


def test_completing_a_product_that_never_moved_creates_its_stock_row(
    client: httpx.Client, seeded: Any
) -> None:
    body = _order(
        Warehouse={"WarehouseCode": "EAST"},
        Tax={"TaxCode": "NONE"},
        TaxRate=0.0,
        SalesOrderLines=[_line("STOVE-1", 2, 59.0)],
        SubTotal=118.0,
        TaxTotal=0.0,
        Total=118.0,
    )
    client.post(f"/SalesOrders/{ORDER_GUID}", json=body)
    client.post(f"/SalesOrders/{ORDER_GUID}/Complete")
    east = client.get("/StockOnHand", params={"warehouseCode": "EAST"}).json()["Items"]
    assert next(r for r in east if r["ProductCode"] == "STOVE-1")["QtyOnHand"] == -2.0


def test_list_filters(client: httpx.Client, seeded: Any) -> None:
    client.post(f"/SalesOrders/{ORDER_GUID}", json=_order())
    other = _order(Customer={"CustomerCode": "SUMMIT"}, Warehouse={"WarehouseCode": "EAST"})
    client.post(f"/SalesOrders/{uuid.uuid4()}", json=other)

    def numbers(**params: Any) -> list[str]:
        items = client.get("/SalesOrders", params=params).json()["Items"]
        return [o["Customer"]["CustomerCode"] for o in items]

    assert numbers() == ["ALPINE", "SUMMIT"]
    assert numbers(customerCode="SUM") == ["SUMMIT"]
    assert numbers(warehouseCode="MAIN") == ["ALPINE"]
    assert numbers(orderStatus="Placed,Completed") == []
    assert numbers(startDate="2025-11-21", endDate="2025-11-22") == ["ALPINE", "SUMMIT"]
    assert client.get("/SalesOrders/Page/1").json()["Pagination"]["NumberOfItems"] == 2


def test_only_parked_orders_can_be_deleted(client: httpx.Client, seeded: Any) -> None:
    client.post(f"/SalesOrders/{ORDER_GUID}", json=_order())
    placed = str(uuid.uuid4())
    client.post(f"/SalesOrders/{placed}", json=_order(OrderStatus="Placed"))
    assert client.delete(f"/SalesOrders/{ORDER_GUID}").status_code == 200
    refused = client.delete(f"/SalesOrders/{placed}")
    assert refused.status_code == 400
    assert refused.json()["Description"] == "A Placed Sales Order cannot be deleted."
    assert [o["Guid"] for o in client.get("/SalesOrders").json()["Items"]] == [placed]
    deleted = client.get("/SalesOrders", params={"orderStatus": "Deleted"}).json()["Items"]
    assert [o["OrderStatus"] for o in deleted] == ["Deleted"]


def test_tax_rate_and_salesperson_default_from_tax_code_and_customer(
    client: httpx.Client, seeded: Any
) -> None:
    body = _order(TaxRate=None, SalesPerson=None, Customer={"CustomerCode": "COASTAL"})
    order = client.post(f"/SalesOrders/{ORDER_GUID}", json=body).json()
    assert order["TaxRate"] == 0.0825
    assert order["SalesPerson"]["FullName"] == "Luis Ortega"  # Coastal's salesperson
    assert order["Currency"]["CurrencyCode"] == "USD"
