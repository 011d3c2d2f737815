"""Stock on hand: rows per product and warehouse, allocations, and what orders do to stock.

A stock row exists only for a (product, warehouse) pair that has moved, as in Unleashed.
Placed orders allocate their quantities in their warehouse; completing an order takes them
off QtyOnHand (creating the row when the product never moved there before).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandboxes.unleashed import orders
from sandboxes.unleashed.records import Account


def rows(account: Account, per_warehouse: bool) -> list[dict[str, Any]]:
    """One row per (product, warehouse), or per product summed over warehouses."""
    allocated = allocations(account)
    found = []
    for (product_guid, code), stock in account.stock.items():
        product = account.products[product_guid]
        warehouse = account.warehouse_by_code(code) or {}
        held = allocated.get((product_guid, code), 0.0)
        found.append(_row(product, warehouse, stock, held))
    found.sort(key=lambda r: (r["ProductCode"].lower(), r["WarehouseCode"]))
    return found if per_warehouse else _summed_over_warehouses(found)


def allocations(account: Account) -> dict[tuple[str, str], float]:
    """Placed orders hold stock in their warehouse until they are completed."""
    allocated: dict[tuple[str, str], float] = {}
    for order in account.sales_orders.values():
        if order["OrderStatus"] == "Placed":
            code = order["Warehouse"]["WarehouseCode"]
            for product_guid, quantity in orders.product_quantities(order).items():
                key = (product_guid, code)
                allocated[key] = allocated.get(key, 0.0) + quantity
    return allocated


def touch(
    account: Account, affected: list[dict[str, Any]], now: datetime, ship: bool = False
) -> None:
    """Mark the rows the orders affect as modified; `ship` also takes the stock off hand."""
    for order in affected:
        code = order["Warehouse"]["WarehouseCode"]
        for product_guid, quantity in orders.product_quantities(order).items():
            key = (product_guid, code)
            if key not in account.stock and not ship:
                continue
            row = account.stock.setdefault(key, {"QtyOnHand": 0.0, "LastModifiedOn": now})
            if ship:
                row["QtyOnHand"] -= quantity
            row["LastModifiedOn"] = now


def _row(
    product: dict[str, Any], warehouse: dict[str, Any], stock: dict[str, Any], allocated: float
) -> dict[str, Any]:
    on_hand = stock["QtyOnHand"]
    return {
        "Guid": product["Guid"],
        "ProductGuid": product["Guid"],
        "ProductCode": product["ProductCode"],
        "ProductDescription": product["ProductDescription"],
        "ProductGroupName": None,
        "ProductSourceId": None,
        "WarehouseId": warehouse.get("Guid"),
        "WarehouseCode": warehouse.get("WarehouseCode"),
        "Warehouse": warehouse.get("WarehouseName"),
        "QtyOnHand": on_hand,
        "AllocatedQty": allocated,
        "AvailableQty": on_hand - allocated,
        "OnPurchase": 0.0,
        "AvgCost": 0.0,
        "TotalCost": 0.0,
        "DaysSinceLastSale": None,
        "LastModifiedOn": stock["LastModifiedOn"],
    }


def _summed_over_warehouses(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    summed: dict[str, dict[str, Any]] = {}
    for row in rows:
        total = summed.get(row["ProductGuid"])
        if total is None:
            blank = {"WarehouseId": None, "WarehouseCode": None, "Warehouse": None}
            summed[row["ProductGuid"]] = {**row, **blank}
            continue
        for key in ("QtyOnHand", "AllocatedQty", "AvailableQty"):
            total[key] += row[key]
        total["LastModifiedOn"] = max(total["LastModifiedOn"], row["LastModifiedOn"])
    return list(summed.values())
