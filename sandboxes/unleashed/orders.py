"""Sales orders: building them from a request, checking them, and their effect on stock.

An order is validated as a whole before anything is stored, so a 400 never leaves half an
order behind. Money is rounded to cents per line; the header totals a caller sends must agree
with the lines within a cent (Unleashed refuses orders whose totals do not add up).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandboxes.unleashed.records import (
    Account,
    checked_guid,
    currency_object,
    new_guid,
    salesperson_summary,
)
from sandboxes.unleashed.wire import Filters, bad_request, money, parse_date

CREATABLE_STATUSES = ("Parked", "Placed")
EDITABLE_STATUSES = ("Parked", "Placed")
LISTED_BY_DEFAULT = ("Parked", "Placed", "Backordered", "Completed")  # all but "Deleted"
COMMENT_LINE = "Comment"
TOLERANCE = 0.01

DELIVERY_FIELDS = (
    "DeliveryName",
    "DeliveryStreetAddress",
    "DeliveryStreetAddress2",
    "DeliverySuburb",
    "DeliveryCity",
    "DeliveryRegion",
    "DeliveryCountry",
    "DeliveryPostCode",
    "DeliveryInstruction",
    "DeliveryContact",
)
TEXT_FIELDS = ("Comments", "CustomerRef", "SourceId", *DELIVERY_FIELDS)


def new_order(account: Account, guid: str, data: dict[str, Any], now: datetime) -> dict[str, Any]:
    if guid in account.sales_orders:
        raise bad_request(f"A Sales Order with Guid '{guid}' already exists.")
    if not data.get("Customer"):
        raise bad_request("Customer is required.")
    if not data.get("SalesOrderLines"):
        raise bad_request("A Sales Order must have at least one line.")
    status = data.get("OrderStatus") or "Parked"
    if status not in CREATABLE_STATUSES:
        raise bad_request(f"A new Sales Order cannot have the status '{status}'.")
    order: dict[str, Any] = {
        "Guid": guid,
        "OrderNumber": None,
        "OrderStatus": status,
        "OrderDate": now,
        "RequiredDate": None,
        "CompletedDate": None,
        "ExchangeRate": 1.0,
        "DiscountRate": 0.0,
        "SalesOrderGroup": None,
        "DeliveryMethod": None,
        "SalesPerson": None,
        "Tax": None,
        "TaxRate": 0.0,
        "CreatedBy": "api",
        "CreatedOn": now,
        **dict.fromkeys(TEXT_FIELDS),
    }
    order = updated_order(account, order, data, now)
    order["OrderNumber"] = _order_number(account, guid, data.get("OrderNumber"))
    return order


def updated_order(
    account: Account, current: dict[str, Any], data: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The order after applying `data`; raises a 400 and leaves `current` untouched."""
    order = dict(current)
    if "OrderStatus" in data and data["OrderStatus"] != current["OrderStatus"]:
        if data["OrderStatus"] not in EDITABLE_STATUSES:
            raise bad_request(f"Status '{data['OrderStatus']}' cannot be set by an update.")
        order["OrderStatus"] = data["OrderStatus"]
    _apply_header(account, order, data)
    if "OrderNumber" in data and current["OrderNumber"] is not None:
        order["OrderNumber"] = _order_number(account, order["Guid"], data["OrderNumber"])
    lines_sent = "SalesOrderLines" in data
    if lines_sent:
        if not data["SalesOrderLines"]:
            raise bad_request("A Sales Order must have at least one line.")
        order["SalesOrderLines"] = _lines(account, data["SalesOrderLines"], order)
    elif "Tax" in data or "TaxRate" in data:  # the lines' tax follows the new rate
        resent = [_without_amounts(line) for line in current["SalesOrderLines"]]
        order["SalesOrderLines"] = _lines(account, resent, order)
    _apply_totals(order, data, totals_required=lines_sent)
    order["LastModifiedOn"] = now
    return order


def completed(order: dict[str, Any], now: datetime) -> dict[str, Any]:
    if order["OrderStatus"] == "Completed":
        raise bad_request(f"Sales Order '{order['OrderNumber']}' is already completed.")
    if order["OrderStatus"] not in EDITABLE_STATUSES:
        raise bad_request(f"A {order['OrderStatus']} Sales Order cannot be completed.")
    return {**order, "OrderStatus": "Completed", "CompletedDate": now, "LastModifiedOn": now}


def deleted(order: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Only a Parked order can be deleted; it stays readable with the status "Deleted"."""
    if order["OrderStatus"] != "Parked":
        raise bad_request(f"A {order['OrderStatus']} Sales Order cannot be deleted.")
    return {**order, "OrderStatus": "Deleted", "LastModifiedOn": now}


def product_quantities(order: dict[str, Any]) -> dict[str, float]:
    """Quantity per product guid on the order's product lines."""
    quantities: dict[str, float] = {}
    for line in order["SalesOrderLines"]:
        if line["Product"] is not None:
            guid = line["Product"]["Guid"]
            quantities[guid] = quantities.get(guid, 0.0) + line["OrderQuantity"]
    return quantities


def wanted(order: dict[str, Any], filters: Filters) -> bool:
    """Whether an order passes the documented GET /SalesOrders filters."""
    number = filters.get("orderNumber")
    if number is not None:  # documented to override every other filter
        return order["OrderNumber"].lower() == number.lower()
    statuses = filters.get("orderStatus")
    listed = statuses.split(",") if statuses else LISTED_BY_DEFAULT
    in_status = {status.strip().lower() for status in listed}
    customer_ids = {g.strip().lower() for g in (filters.get("customerId") or "").split(",")}
    since, start, end = (filters.date(k) for k in ("modifiedSince", "startDate", "endDate"))
    after, before = filters.date("completedAfter"), filters.date("completedBefore")
    completed = order["CompletedDate"]
    return (
        order["OrderStatus"].lower() in in_status
        and _starts(order["Customer"]["CustomerCode"], filters.get("customerCode"))
        and (customer_ids == {""} or order["Customer"]["Guid"] in customer_ids)
        and _equals(order["Warehouse"]["WarehouseCode"], filters.get("warehouseCode"))
        and (since is None or order["LastModifiedOn"] >= since)
        and (start is None or order["OrderDate"] >= start)
        and (end is None or order["OrderDate"] <= end)
        and (after is None or (completed is not None and completed >= after))
        and (before is None or (completed is not None and completed <= before))
    )


# -- header ---------------------------------------------------------------------------------------


def _apply_header(account: Account, order: dict[str, Any], data: dict[str, Any]) -> None:
    if "Customer" in data:
        order["Customer"] = _customer(account, data["Customer"])
    if "Warehouse" in data or "Warehouse" not in order:
        order["Warehouse"] = _warehouse(account, data.get("Warehouse"))
    if "Tax" in data or "TaxRate" in data or "Tax" not in order:
        order["Tax"], order["TaxRate"] = _tax(account, data)
    if "Currency" in data or "Currency" not in order:
        order["Currency"] = _currency(account, order, data.get("Currency"))
    if "ExchangeRate" in data:
        order["ExchangeRate"] = _positive_number(data["ExchangeRate"], "ExchangeRate")
    if "SalesPerson" in data or order.get("SalesPerson") is None:
        order["SalesPerson"] = _salesperson(account, order, data.get("SalesPerson"))
    if "SalesOrderGroup" in data:
        groups = account.sales_order_groups
        order["SalesOrderGroup"] = _named(groups, data["SalesOrderGroup"], "SalesOrderGroup")
    if "DeliveryMethod" in data:
        methods = account.delivery_methods
        order["DeliveryMethod"] = _named(methods, data["DeliveryMethod"], "DeliveryMethod")
    for key in TEXT_FIELDS:
        if key in data:
            order[key] = data[key]
    if data.get("OrderDate"):
        order["OrderDate"] = parse_date(data["OrderDate"], "OrderDate")
    if data.get("RequiredDate"):
        order["RequiredDate"] = parse_date(data["RequiredDate"], "RequiredDate")
    order["RequiredDate"] = order["RequiredDate"] or order["OrderDate"]
    if order["RequiredDate"].date() < order["OrderDate"].date():
        raise bad_request("Required Date cannot be earlier than Order Date.")


def _customer(account: Account, reference: Any) -> dict[str, Any]:
    if not isinstance(reference, dict):
        raise bad_request("Customer must be an object with a CustomerCode or Guid.")
    if reference.get("Guid"):
        customer = account.customers.get(checked_guid(str(reference["Guid"]), "Customer"))
    else:
        customer = account.customer_by_code(str(reference.get("CustomerCode") or ""))
    if customer is None:
        named = reference.get("CustomerCode") or reference.get("Guid")
        raise bad_request(f"Customer '{named}' does not exist.")
    if customer["Obsolete"]:
        raise bad_request(f"Customer '{customer['CustomerCode']}' is obsolete.")
    keys = ("CustomerCode", "CustomerName", "Guid")
    return {key: customer[key] for key in keys}


def _warehouse(account: Account, reference: Any) -> dict[str, Any]:
    if reference is None:
        found = account.default_warehouse()
        if found is None:
            raise bad_request("No warehouse was given and the account has none.")
    elif not isinstance(reference, dict):
        raise bad_request("Warehouse must be an object with a WarehouseCode or Guid.")
    elif reference.get("Guid"):
        found = account.warehouses.get(str(reference["Guid"]).lower())
    else:
        found = account.warehouse_by_code(str(reference.get("WarehouseCode") or ""))
    if found is None or found["Obsolete"]:
        named = (reference or {}).get("WarehouseCode") or (reference or {}).get("Guid")
        raise bad_request(f"Warehouse '{named}' does not exist.")
    keys = ("WarehouseCode", "WarehouseName", "IsDefault", "Guid")
    return {key: found[key] for key in keys}


def _tax(account: Account, data: dict[str, Any]) -> tuple[dict[str, Any] | None, float]:
    reference = data.get("Tax")
    rate = data.get("TaxRate")
    if not reference:
        return None, _rate(rate) if rate is not None else 0.0
    code = reference.get("TaxCode") if isinstance(reference, dict) else None
    found = account.tax_by_code(str(code or ""))
    if found is None:
        raise bad_request(f"Tax code '{code}' does not exist.")
    if rate is not None and abs(_rate(rate) - found["TaxRate"]) > 1e-9:
        raise bad_request(
            f"TaxRate {rate} does not match the rate {found['TaxRate']} of tax code '{code}'."
        )
    summary = {key: found[key] for key in ("TaxCode", "Description", "TaxRate", "Guid")}
    return summary, found["TaxRate"]


def _rate(value: Any) -> float:
    rate = _number(value, "TaxRate")
    if not 0 <= rate <= 1:
        raise bad_request("TaxRate must be a fraction between 0 and 1 (0.15 for 15%).")
    return rate


def _currency(account: Account, order: dict[str, Any], reference: Any) -> dict[str, Any]:
    if isinstance(reference, dict):
        reference = reference.get("CurrencyCode")
    if reference:
        code = str(reference).upper()
        if len(code) != 3 or not code.isalpha():
            raise bad_request(f"Currency '{reference}' is not a valid currency code.")
        return currency_object(code)
    customer = account.customers.get(order["Customer"]["Guid"])
    return customer["Currency"] if customer else currency_object(account.currency)


def _salesperson(account: Account, order: dict[str, Any], reference: Any) -> Any:
    if reference:
        if not isinstance(reference, dict):
            raise bad_request("SalesPerson must be an object with a Guid, Email or FullName.")
        person = account.salesperson_matching(reference)
        if person is None or person["Obsolete"]:
            raise bad_request("The specified SalesPerson does not exist or is obsolete.")
        return salesperson_summary(person)
    customer = account.customers.get(order["Customer"]["Guid"])
    return customer["SalesPerson"] if customer else None


def _named(entries: dict[str, dict[str, Any]], name: Any, what: str) -> str | None:
    """A group or delivery method named as a string (or an object with its name)."""
    if isinstance(name, dict):
        name = name.get("GroupName") or name.get("Name")
    if not name:
        return None
    entry = entries.get(str(name).lower())
    if entry is None:
        raise bad_request(f"{what} '{name}' does not exist.")
    return str(entry.get("GroupName") or entry.get("Name"))


def _order_number(account: Account, guid: str, number: Any) -> str:
    if not number:
        account.last_order_number += 1
        return f"SO-{account.last_order_number:08d}"
    number = str(number)
    for other in account.sales_orders.values():
        if other["Guid"] != guid and other["OrderNumber"].lower() == number.lower():
            raise bad_request(f"Order Number '{number}' is already used.")
    return number


# -- lines --------------------------------------------------------------------------------------


def _lines(account: Account, raw_lines: Any, order: dict[str, Any]) -> list[dict[str, Any]]:
    if not isinstance(raw_lines, list):
        raise bad_request("SalesOrderLines must be a list.")
    lines = [_line(account, raw, index, order) for index, raw in enumerate(raw_lines)]
    numbers = [line["LineNumber"] for line in lines]
    if len(set(numbers)) != len(numbers):
        raise bad_request("Sales Order line numbers must be unique.")
    return lines


def _without_amounts(line: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in line.items() if key not in ("LineTotal", "LineTax")}


def _line(account: Account, raw: Any, index: int, order: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise bad_request("Each Sales Order line must be an object.")
    number = int(raw.get("LineNumber") or index + 1)
    base = {
        "LineNumber": number,
        "Guid": str(raw.get("Guid") or new_guid()).lower(),
        "DueDate": order["RequiredDate"],
        "Comments": raw.get("Comments"),
    }
    line_type = raw.get("LineType") or None
    if line_type == COMMENT_LINE:
        return {**base, **_comment_line(raw, number)}
    if line_type is not None:
        raise bad_request(f"Line {number}: LineType '{line_type}' is not supported.")
    return {**base, **_product_line(account, raw, number, order)}


def _comment_line(raw: dict[str, Any], number: int) -> dict[str, Any]:
    if not str(raw.get("Comments") or "").strip():
        raise bad_request(f"Line {number}: a comment line needs Comments.")
    return {
        "LineType": COMMENT_LINE,
        "Product": None,
        "OrderQuantity": 0.0,
        "UnitPrice": 0.0,
        "DiscountRate": 0.0,
        "LineTotal": 0.0,
        "LineTax": 0.0,
        "LineTaxCode": None,
    }


def _product_line(
    account: Account, raw: dict[str, Any], number: int, order: dict[str, Any]
) -> dict[str, Any]:
    product = _product(account, raw.get("Product"), number)
    quantity = _positive_number(raw.get("OrderQuantity"), f"Line {number}: OrderQuantity")
    price = raw.get("UnitPrice")
    unit_price = product["DefaultSellPrice"] if price is None else _number(price, "UnitPrice")
    discount = _number(raw.get("DiscountRate") or 0, "DiscountRate")
    if not 0 <= discount <= 1:
        raise bad_request(f"Line {number}: DiscountRate must be a fraction between 0 and 1.")
    line_total = money(quantity * unit_price * (1 - discount))
    line_tax = money(line_total * order["TaxRate"])
    _check_sent(raw, "LineTotal", line_total, f"Line {number}: ")
    _check_sent(raw, "LineTax", line_tax, f"Line {number}: ")
    return {
        "LineType": None,
        "Product": {
            "Guid": product["Guid"],
            "ProductCode": product["ProductCode"],
            "ProductDescription": product["ProductDescription"],
        },
        "OrderQuantity": quantity,
        "UnitPrice": unit_price,
        "DiscountRate": discount,
        "LineTotal": line_total,
        "LineTax": line_tax,
        "LineTaxCode": order["Tax"]["TaxCode"] if order["Tax"] else None,
    }


def _product(account: Account, reference: Any, number: int) -> dict[str, Any]:
    if not isinstance(reference, dict):
        raise bad_request(f"Line {number}: Product is required (ProductCode or Guid).")
    if reference.get("Guid"):
        product = account.products.get(str(reference["Guid"]).lower())
    else:
        product = account.product_by_code(str(reference.get("ProductCode") or ""))
    if product is None:
        named = reference.get("ProductCode") or reference.get("Guid")
        raise bad_request(f"Line {number}: Product '{named}' does not exist.")
    if product["Obsolete"]:
        raise bad_request(f"Line {number}: Product '{product['ProductCode']}' is obsolete.")
    return product


# -- totals -----------------------------------------------------------------------------------


def _apply_totals(order: dict[str, Any], data: dict[str, Any], totals_required: bool) -> None:
    lines = order["SalesOrderLines"]
    order["SubTotal"] = money(sum(line["LineTotal"] for line in lines))
    order["TaxTotal"] = money(sum(line["LineTax"] for line in lines))
    order["Total"] = money(order["SubTotal"] + order["TaxTotal"])
    for key in ("SubTotal", "TaxTotal", "Total"):
        if totals_required and data.get(key) is None:
            raise bad_request(f"{key} is required.")
        _check_sent(data, key, order[key], "")


def _check_sent(data: dict[str, Any], key: str, expected: float, prefix: str) -> None:
    if data.get(key) is None:
        return
    sent = _number(data[key], key)
    if abs(sent - expected) > TOLERANCE:
        raise bad_request(f"{prefix}{key} {sent:.2f} does not match the calculated {expected:.2f}.")


def _number(value: Any, what: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise bad_request(f"{what} '{value}' is not a number.") from None


def _positive_number(value: Any, what: str) -> float:
    number = _number(value, what)
    if number <= 0:
        raise bad_request(f"{what} must be greater than zero.")
    return number


def _starts(value: Any, prefix: str | None) -> bool:
    return prefix is None or str(value or "").lower().startswith(prefix.lower())


def _equals(value: Any, wanted: str | None) -> bool:
    return wanted is None or str(value or "").lower() == wanted.lower()
