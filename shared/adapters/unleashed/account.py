"""The Unleashed account as Send to Unleashed sees it (the flow's `UnleashedAccount` port).

Calls: `pickers` 5 requests (Warehouses, Taxes, Salespersons, SalesOrderGroups,
DeliveryMethods; one page each up to 1000); `stock_in` one per page of the warehouse's
stock rows; `customer_by_code` one; `save_customer` one; `create_sales_order` one (plus one
GET when Unleashed says the Guid exists: an earlier attempt created it);
`sales_orders_modified_since` and `products_modified_since` one per page of 1000.

Where the documentation is silent (choices made here):
- `customerCode` matches a prefix (as the sandbox and the web app's search do): the exact
  code is picked from the answer, case-insensitively.
- A `POST /SalesOrders/{guid}` refused with a 400 is followed by `GET /SalesOrders/{guid}`:
  when the order is there, it is ours (the Guid is derived from the opportunity) and the
  create counts as done; otherwise the 400 stands.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from shared.adapters.unleashed.client import UnleashedClient
from shared.errors import PermanentError
from shared.flows.unleashed_order_push.models import (
    CreatedOrder,
    Customer,
    OrderStatus,
    Pickers,
    Salesperson,
    StockLevel,
    Tax,
    UnleashedProduct,
    Warehouse,
)

_WIRE_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


class UnleashedOrders:
    def __init__(self, client: UnleashedClient) -> None:
        self.client = client

    def pickers(self) -> Pickers:
        warehouses = [w for w in self.client.items("Warehouses") if not w.get("Obsolete")]
        people = [p for p in self.client.items("Salespersons") if not p.get("Obsolete")]
        groups = self.client.items("SalesOrderGroups")
        methods = self.client.items("DeliveryMethods")
        return Pickers(
            warehouses=tuple(
                Warehouse(
                    str(w["WarehouseCode"]),
                    str(w.get("WarehouseName") or w["WarehouseCode"]),
                    bool(w.get("IsDefault")),
                )
                for w in warehouses
            ),
            taxes=tuple(self.taxes()),
            salespersons=tuple(
                Salesperson(str(p["Guid"]).lower(), str(p.get("FullName") or ""), p.get("Email"))
                for p in people
            ),
            sales_order_groups=tuple(str(g.get("GroupName")) for g in groups if g.get("GroupName")),
            delivery_methods=tuple(str(m.get("Name")) for m in methods if m.get("Name")),
        )

    def taxes(self) -> list[Tax]:
        return [
            Tax(
                str(t["TaxCode"]),
                str(t.get("Description") or t["TaxCode"]),
                Decimal(str(t.get("TaxRate") or 0)),
            )
            for t in self.client.items("Taxes")
            if not t.get("Obsolete")
        ]

    def stock_in(self, warehouse_code: str) -> dict[str, StockLevel]:
        rows = self.client.items("StockOnHand", {"warehouseCode": warehouse_code})
        return {
            str(row["ProductCode"]).lower(): StockLevel(
                on_hand=_decimal(row.get("QtyOnHand")),
                allocated=_decimal(row.get("AllocatedQty")),
                available=_decimal(row.get("AvailableQty")),
            )
            for row in rows
            if str(row.get("WarehouseCode") or warehouse_code).lower() == warehouse_code.lower()
        }

    def customer_by_code(self, code: str) -> Customer | None:
        answer = self.client.get("/Customers/1", {"customerCode": code, "pageSize": "200"}) or {}
        for item in answer.get("Items") or []:
            if str(item.get("CustomerCode", "")).lower() == code.lower():
                return _customer(item)
        return None

    def save_customer(self, guid: str, body: dict[str, Any]) -> Customer:
        return _customer(self.client.post(f"/Customers/{guid}", body, keyed=True))

    def create_sales_order(self, guid: str, body: dict[str, Any]) -> CreatedOrder:
        try:
            order = self.client.post(f"/SalesOrders/{guid}", body, keyed=True)
        except PermanentError:
            existing = self.client.get(f"/SalesOrders/{guid}")
            if existing is None:
                raise
            order = existing
        return CreatedOrder(
            str(order["Guid"]).lower(), str(order["OrderNumber"]), str(order["OrderStatus"])
        )

    def sales_orders_modified_since(self, since: datetime) -> list[OrderStatus]:
        moment = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        statuses = "Parked,Placed,Backordered,Completed,Deleted"
        rows = self.client.items("SalesOrders", {"modifiedSince": moment, "orderStatus": statuses})
        return [
            OrderStatus(
                guid=str(row["Guid"]).lower(),
                number=str(row["OrderNumber"]),
                status=str(row["OrderStatus"]),
                modified=wire_date(row.get("LastModifiedOn")) or since,
            )
            for row in rows
        ]

    def products_modified_since(self, since: datetime | None) -> list[UnleashedProduct]:
        """`GET /Products?includeObsolete=true[&modifiedSince=]`, one request a page of 1000
        (obsolete products are asked for: the price book deactivates them)."""
        params = {"includeObsolete": "true"}
        if since is not None:
            params["modifiedSince"] = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return [
            UnleashedProduct(
                guid=str(row["Guid"]).lower(),
                code=str(row["ProductCode"]),
                name=str(row.get("ProductDescription") or row["ProductCode"]),
                default_sell_price=_decimal(row.get("DefaultSellPrice")),
                obsolete=bool(row.get("Obsolete")),
                modified=wire_date(row.get("LastModifiedOn")),
            )
            for row in self.client.items("Products", params)
        ]


def _customer(item: dict[str, Any]) -> Customer:
    return Customer(
        str(item["Guid"]).lower(), str(item["CustomerCode"]), str(item.get("CustomerName") or "")
    )


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def wire_date(value: Any) -> datetime | None:
    """Unleashed's JSON dates: "/Date(<ms since the epoch>)/"."""
    match = _WIRE_DATE.match(str(value or ""))
    return datetime.fromtimestamp(int(match.group(1)) / 1000, UTC) if match else None
