"""The account's records in memory: customers, items, employees and sales orders.

Writes follow the REST Record API: a POST body holds every field to set, a PATCH body only
the fields to change (null clears one), and the `item` sublist is keyed by `line` — a PATCH
updates the lines whose `line` it names and appends the rest, while `?replace=item` also
drops the lines it leaves out. Amounts are computed here, as NetSuite computes them on
save: a line is quantity x rate, a subtotal line sums the lines since the previous subtotal,
a discount line applies to the line just above it (a percentage or a fixed amount), and
the header discount applies to the subtotal. Callers hold the app's lock.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sandboxes.netsuite.errors import (
    NetSuiteError,
    invalid_content,
    invalid_field_value,
    missing_value,
    not_found,
)

ORDER_STATUSES = {
    "A": "Pending Approval",
    "B": "Pending Fulfillment",
    "C": "Cancelled",
    "D": "Partially Fulfilled",
    "E": "Pending Billing/Partially Fulfilled",
    "F": "Pending Billing",
    "G": "Billed",
    "H": "Closed",
}
ITEM_RECORD_TYPES = {
    "InvtPart": "inventoryItem",
    "NonInvtPart": "nonInventorySaleItem",
    "Service": "serviceSaleItem",
    "OthCharge": "otherChargeSaleItem",
    "Discount": "discountItem",
    "Subtotal": "subtotalItem",
    "Description": "descriptionItem",
}
_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9_\-]+$")
PRICE_LEVELS = {"1": "Base Price", "-1": "Custom"}
CUSTOM_BODY_DEFAULTS: dict[str, Any] = {"custbody_sb_send_to_salesforce": False}

_ORDER_FIELDS = {
    "entity",
    "tranDate",
    "orderStatus",
    "currency",
    "memo",
    "otherRefNum",
    "discountItem",
    "discountRate",
    "externalId",
    "tranId",
    "item",
}
_ORDER_READ_ONLY = {
    "id",
    "links",
    "status",
    "total",
    "subtotal",
    "discountTotal",
    "taxTotal",
    "createdDate",
    "lastModifiedDate",
}
_LINE_FIELDS = {"line", "item", "quantity", "rate", "amount", "description", "price", "links"}
_CUSTOMER_FIELDS = {
    "entityId",
    "companyName",
    "email",
    "phone",
    "url",
    "salesRep",
    "subsidiary",
    "isInactive",
    "externalId",
    "comments",
    "addressbook",
}
_CUSTOMER_READ_ONLY = {"id", "links", "defaultAddress", "dateCreated", "lastModifiedDate"}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _real_now() -> datetime:
    return datetime.now(UTC)


def _money(value: float) -> float:
    return round(value + 0.0, 2)


class Account:
    """One NetSuite account's data, with NetSuite's id and timestamp habits."""

    def __init__(self, account_id: str, clock: Callable[[], datetime] = _real_now) -> None:
        self.account_id = account_id
        self.clock = clock
        self.customers: dict[str, dict[str, Any]] = {}
        self.items: dict[str, dict[str, Any]] = {}
        self.employees: dict[str, dict[str, Any]] = {}
        self.orders: dict[str, dict[str, Any]] = {}
        # The deletion log SuiteQL reads as `DeletedRecord` (see sandboxes.netsuite.suiteql).
        self.deleted_records: list[dict[str, Any]] = []
        self.currencies = {"1": "USD"}
        self.subsidiaries = {"1": "Parent Company"}
        self._order_ids = itertools.count(1001)
        self._tran_numbers = itertools.count(1001)
        self._entity_ids = itertools.count(1001)

    # -- lookups ----------------------------------------------------------------------------

    @staticmethod
    def by_external_id(table: dict[str, dict[str, Any]], external_id: str) -> dict[str, Any] | None:
        return next((r for r in table.values() if r.get("externalId") == external_id), None)

    def find(self, table: dict[str, dict[str, Any]], key: str, url_path: str) -> dict[str, Any]:
        """A record by internal id or by `eid:<externalId>`, else NetSuite's 404."""
        if key.startswith("eid:"):
            found = self.by_external_id(table, key[4:])
            if found is not None:
                return found
        elif key in table:
            return table[key]
        raise not_found(url_path)

    def next_entity_id(self) -> str:
        while True:
            candidate = str(next(self._entity_ids))
            if candidate not in self.customers and candidate not in self.employees:
                return candidate

    def next_order_id(self) -> str:
        while True:
            candidate = str(next(self._order_ids))
            if candidate not in self.orders:
                return candidate

    def now(self) -> datetime:
        """The account's clock to the second, as NetSuite stamps records."""
        return self.clock().astimezone(UTC).replace(microsecond=0)

    def touch(self, record: dict[str, Any], at: datetime | None = None) -> None:
        """Bump lastModifiedDate; never twice to the same second on one record."""
        moment = at or self.now()
        previous = record.get("lastModifiedDate")
        if previous is not None and moment <= previous:
            moment = previous + timedelta(seconds=1)
        record["lastModifiedDate"] = moment

    # -- catalog seeding (admin only) ------------------------------------------------------

    def add_employee(self, data: dict[str, Any]) -> str:
        employee_id = str(data.get("id") or self.next_entity_id())
        self.employees[employee_id] = {
            "id": employee_id,
            "entityId": data.get("entityId")
            or f"{data.get('firstName', '')} {data.get('lastName', '')}".strip(),
            "firstName": data.get("firstName"),
            "lastName": data.get("lastName"),
            "email": data.get("email"),
        }
        return employee_id

    def add_item(self, data: dict[str, Any]) -> str:
        item_type = data.get("itemType", "InvtPart")
        if item_type not in ITEM_RECORD_TYPES:
            raise invalid_content(f"Unknown item type {item_type}.")
        item_id = str(data.get("id") or 1 + max((int(i) for i in self.items), default=0))
        rate = data.get("rate")
        self.items[item_id] = {
            "id": item_id,
            "itemId": data.get("itemId") or data.get("displayName") or f"Item {item_id}",
            "displayName": data.get("displayName"),
            "itemType": item_type,
            "basePrice": data.get("basePrice"),
            "rate": rate,
            "description": data.get("description"),
            "isInactive": bool(data.get("isInactive", False)),
            "lastModifiedDate": self.now(),
        }
        return item_id

    # -- customers ---------------------------------------------------------------------------

    def create_customer(self, body: dict[str, Any], customer_id: str | None = None) -> str:
        _check_fields(body, _CUSTOMER_FIELDS, _CUSTOMER_READ_ONLY)
        _check_external_id(self.customers, customer_id, body)
        if not body.get("companyName") and not body.get("entityId"):
            raise missing_value("Company Name", "companyName")
        new_id = customer_id or self.next_entity_id()
        customer: dict[str, Any] = {
            "id": new_id,
            "isInactive": False,
            "subsidiary": "1",
            "addressbook": [],
            "dateCreated": self.now(),
        }
        self._write_customer(customer, body)
        customer.setdefault("entityId", customer.get("companyName"))
        self.customers[new_id] = customer
        self.touch(customer)
        return new_id

    def update_customer(self, customer: dict[str, Any], body: dict[str, Any]) -> None:
        _check_fields(body, _CUSTOMER_FIELDS, _CUSTOMER_READ_ONLY)
        _check_external_id(self.customers, customer["id"], body)
        self._write_customer(customer, body)
        self.touch(customer)

    def _write_customer(self, customer: dict[str, Any], body: dict[str, Any]) -> None:
        for field, value in body.items():
            if field in _CUSTOMER_READ_ONLY:
                continue
            if field == "salesRep":
                customer[field] = self._ref_id(value, self.employees, "salesRep")
            elif field == "subsidiary":
                customer[field] = self._ref_id(value, self.subsidiaries, "subsidiary") or "1"
            elif field == "addressbook":
                customer[field] = _addressbook(value)
            elif field == "isInactive":
                customer[field] = bool(value)
            elif value is None:
                customer.pop(field, None)
            else:
                customer[field] = value

    # -- sales orders ------------------------------------------------------------------------

    def create_order(self, body: dict[str, Any], order_id: str | None = None) -> str:
        _check_fields(body, _ORDER_FIELDS, _ORDER_READ_ONLY, custom=True)
        _check_external_id(self.orders, order_id, body)
        if not isinstance(body.get("entity"), dict):
            raise missing_value("Customer", "entity")
        new_id = order_id or self.next_order_id()
        order: dict[str, Any] = {
            "id": new_id,
            "tranId": f"SO{next(self._tran_numbers)}",
            "tranDate": self.now().date().isoformat(),
            "orderStatus": "B",
            "currency": "1",
            "lines": [],
            "createdDate": self.now(),
            **CUSTOM_BODY_DEFAULTS,
        }
        self._write_order(order, body, replace_lines=True)
        self.orders[new_id] = order
        self.touch(order)
        return new_id

    def delete_order(self, order: dict[str, Any], *, context: str) -> dict[str, Any]:
        """Remove the order and log its deletion; answer the log entry."""
        del self.orders[order["id"]]
        entry = {
            "recordid": order["id"],
            "type": "salesorder",
            "name": f"Sales Order #{order['tranId']}",
            "deleteddate": datetime.now(UTC),
            "context": context,
            "deletedby": "-4",
            "iscustomrecord": "F",
            "iscustomlist": "F",
            "iscustomtransaction": "F",
        }
        self.deleted_records.append(entry)
        return entry

    def log_deletion(self, entry: dict[str, Any]) -> None:
        """Seed a deletion log entry (admin only): `recordid`, `type`, ISO `deleteddate`."""
        moment = datetime.fromisoformat(str(entry["deleteddate"]).replace("Z", "+00:00"))
        self.deleted_records.append(
            {**entry, "recordid": str(entry["recordid"]), "deleteddate": moment}
        )

    def update_order(self, order: dict[str, Any], body: dict[str, Any], replace: set[str]) -> None:
        _check_fields(body, _ORDER_FIELDS, _ORDER_READ_ONLY, custom=True)
        _check_external_id(self.orders, order["id"], body)
        draft = {**order, "lines": [dict(line) for line in order["lines"]]}
        self._write_order(draft, body, replace_lines="item" in replace)
        order.clear()
        order.update(draft)
        self.touch(order)

    def _write_order(
        self, order: dict[str, Any], body: dict[str, Any], replace_lines: bool
    ) -> None:
        for field, value in body.items():
            if field in _ORDER_READ_ONLY:
                continue
            if field == "item":
                self._write_lines(order, value, replace_lines)
            elif field == "entity":
                entity = self._ref_id(value, self.customers, "entity")
                if entity is None:
                    raise missing_value("Customer", "entity")
                order["entity"] = entity
            elif field == "currency":
                order["currency"] = self._ref_id(value, self.currencies, "currency") or "1"
            elif field == "orderStatus":
                order["orderStatus"] = self._status(value)
            elif field == "discountItem":
                order["discountItem"] = self._discount_item(value)
                if order["discountItem"] is None:
                    order.pop("discountRate", None)
            elif field == "discountRate":
                order["discountRate"] = _number(value, "discountRate")
            elif field.startswith("custbody_") and value is None:
                order[field] = CUSTOM_BODY_DEFAULTS.get(field)
            elif value is None:
                order.pop(field, None)
            else:
                order[field] = value
        if order.get("discountItem") and order.get("discountRate") is None:
            order["discountRate"] = _rate_number(self.items[order["discountItem"]].get("rate"))
        self._price(order)

    def _write_lines(self, order: dict[str, Any], sublist: Any, replace: bool) -> None:
        if sublist is None:
            order["lines"] = []
            return
        if not isinstance(sublist, dict) or not isinstance(sublist.get("items", []), list):
            raise invalid_content()
        existing = {line["line"]: line for line in order["lines"]}
        kept = [] if replace else list(order["lines"])
        next_line = max(existing, default=0) + 1
        for index, incoming in enumerate(sublist.get("items", [])):
            path = f"item.items[{index}]"
            if not isinstance(incoming, dict):
                raise invalid_content()
            _check_fields(incoming, _LINE_FIELDS, {"links"}, path=path)
            number = incoming.get("line")
            if number is not None and int(number) in existing:
                line = existing[int(number)]
                if replace:
                    kept.append(line)
            else:
                if "item" not in incoming:
                    raise missing_value("Item", f"{path}.item")
                line = {"line": next_line}
                next_line += 1
                kept.append(line)
            self._write_line(line, incoming, path)
        order["lines"] = kept

    def _write_line(self, line: dict[str, Any], incoming: dict[str, Any], path: str) -> None:
        if "item" in incoming:
            item_id = self._ref_id(incoming["item"], self.items, "item", f"{path}.item")
            if item_id is None:
                raise missing_value("Item", f"{path}.item")
            if item_id != line.get("item"):
                line.update(item=item_id, rate=None, price=None, description=None)
        for field in ("quantity", "rate", "amount"):
            if field in incoming:
                line[field] = _number(incoming[field], f"{path}.{field}")
        if "description" in incoming:
            line["description"] = incoming["description"]
        if "price" in incoming:
            line["price"] = self._ref_id(incoming["price"], PRICE_LEVELS, "price", f"{path}.price")
        elif "rate" in incoming or "amount" in incoming:
            line["price"] = "-1"
        line["explicit_amount"] = "amount" in incoming and "rate" not in incoming

    def _price(self, order: dict[str, Any]) -> None:
        """Compute line amounts and header totals, as NetSuite does on save."""
        since_subtotal = 0.0
        above: float | None = None
        for line in order["lines"]:
            item = self.items[line["item"]]
            kind = item["itemType"]
            if line.get("description") is None:
                line["description"] = item.get("description")
            if kind == "Description":
                line.update(quantity=None, rate=None, amount=None, price=None)
                continue
            if kind == "Subtotal":
                line.update(quantity=None, rate=None, price=None, amount=_money(since_subtotal))
                since_subtotal = 0.0
            elif kind == "Discount":
                line["price"] = None
                line["amount"] = _discount_amount(line, item, above or 0.0)
                since_subtotal += line["amount"]
            else:
                _price_item_line(line, item)
                since_subtotal += line["amount"]
            above = line["amount"]
        amounts = [
            line["amount"]
            for line in order["lines"]
            if self.items[line["item"]]["itemType"] not in ("Subtotal", "Description")
        ]
        subtotal = _money(sum(amounts))
        discount = 0.0
        if order.get("discountItem"):
            rate = order.get("discountRate") or 0.0
            percent = _is_percent(self.items[order["discountItem"]].get("rate"))
            discount = _money(subtotal * rate / 100 if percent else rate)
        order["subtotal"] = subtotal
        order["discountTotal"] = discount
        order["total"] = _money(subtotal + discount)

    # -- reference fields -----------------------------------------------------------------

    def _ref_id(
        self, value: Any, table: dict[str, Any], field: str, path: str | None = None
    ) -> str | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise invalid_content(
                f"Invalid content in the request body. {field} must be an object."
            )
        if "id" not in value and "externalId" in value:
            for key, record in table.items():
                if isinstance(record, dict) and record.get("externalId") == value["externalId"]:
                    return str(key)
        key = str(value.get("id"))
        if key not in table:
            raise invalid_field_value(
                value.get("id", value.get("externalId")), field, path or field
            )
        return key

    def _status(self, value: Any) -> str:
        code = str(value.get("id")) if isinstance(value, dict) else None
        if code not in ORDER_STATUSES:
            raise invalid_field_value(code, "orderstatus", "orderStatus")
        return code

    def _discount_item(self, value: Any) -> str | None:
        item_id = self._ref_id(value, self.items, "discountitem", "discountItem")
        if item_id is not None and self.items[item_id]["itemType"] != "Discount":
            raise invalid_field_value(item_id, "discountitem", "discountItem")
        return item_id

    # -- reading back ----------------------------------------------------------------------

    def order_filter_values(self, order: dict[str, Any]) -> dict[str, Any]:
        values = {
            key.lower(): value
            for key, value in order.items()
            if key != "lines" and not isinstance(value, list)
        }
        values["status"] = ORDER_STATUSES[order["orderStatus"]]
        values["trandate"] = datetime.fromisoformat(order["tranDate"]).replace(tzinfo=UTC)
        return values

    @staticmethod
    def customer_filter_values(customer: dict[str, Any]) -> dict[str, Any]:
        return {k.lower(): v for k, v in customer.items() if not isinstance(v, list)}

    def item_type(self, item_id: str) -> str:
        return str(self.items[item_id]["itemType"])

    def ref_name(self, table: str, key: str) -> str:
        match table:
            case "customer":
                customer = self.customers.get(key, {})
                return str(customer.get("companyName") or customer.get("entityId") or key)
            case "employee":
                employee = self.employees.get(key, {})
                return str(employee.get("entityId") or key)
            case "item":
                return str(self.items.get(key, {}).get("itemId", key))
            case "currency":
                return self.currencies.get(key, key)
            case "subsidiary":
                return self.subsidiaries.get(key, key)
            case _:
                return PRICE_LEVELS.get(key, key)


def _check_external_id(
    table: dict[str, dict[str, Any]], record_id: str | None, body: dict[str, Any]
) -> None:
    """External ids are unique per record type."""
    wanted = body.get("externalId")
    if wanted is None:
        return
    if not isinstance(wanted, str) or not _EXTERNAL_ID.match(wanted):
        raise invalid_field_value(wanted, "externalid", "externalId")
    clash = Account.by_external_id(table, wanted)
    if clash is not None and clash["id"] != record_id:
        raise NetSuiteError(
            400,
            "USER_ERROR",
            "Error while accessing a resource. A record with this external ID already exists.",
            path="externalId",
        )


def _check_fields(
    body: dict[str, Any],
    allowed: set[str],
    read_only: set[str],
    *,
    custom: bool = False,
    path: str | None = None,
) -> None:
    for field in body:
        if field in allowed or field in read_only or (custom and field.startswith("custbody_")):
            continue
        where = f"{path}.{field}" if path else field
        raise NetSuiteError(
            400,
            "INVALID_CONTENT",
            f"Invalid content in the request body. The field '{field}' does not exist.",
            path=where,
        )


def _number(value: Any, path: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid_field_value(value, path.rsplit(".", 1)[-1], path)
    return float(value)


def _is_percent(rate: Any) -> bool:
    return isinstance(rate, str) and rate.strip().endswith("%")


def _rate_number(rate: Any) -> float | None:
    if rate is None:
        return None
    return float(str(rate).strip().rstrip("%"))


def _price_item_line(line: dict[str, Any], item: dict[str, Any]) -> None:
    quantity = line.get("quantity")
    if quantity is None:
        quantity = line["quantity"] = 1.0
    if line.get("explicit_amount") and line.get("amount") is not None:
        line["rate"] = _money(line["amount"] / quantity) if quantity else line["amount"]
    if line.get("rate") is None:
        line["rate"] = float(item.get("basePrice") or 0.0)
    if line.get("price") is None:
        line["price"] = "1"
    line["amount"] = _money(quantity * line["rate"])


def _discount_amount(line: dict[str, Any], item: dict[str, Any], above: float) -> float:
    """A percentage discount takes its share of the line above; a fixed one is its rate."""
    if line.get("rate") is None:
        line["rate"] = _rate_number(item.get("rate")) or 0.0
    line["quantity"] = None
    if _is_percent(item.get("rate")):
        return _money(above * line["rate"] / 100)
    return _money(line["rate"])


def _addressbook(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, dict) or not isinstance(value.get("items", []), list):
        raise invalid_content()
    book = []
    for number, entry in enumerate(value.get("items", []), start=1):
        address = dict(entry.get("addressbookaddress") or {})
        book.append(
            {
                "internalId": number,
                "label": entry.get("label") or address.get("addr1"),
                "defaultBilling": bool(entry.get("defaultBilling", number == 1)),
                "defaultShipping": bool(entry.get("defaultShipping", number == 1)),
                "addressbookaddress": address,
            }
        )
    return book


def address_text(address: dict[str, Any]) -> str:
    city_line = " ".join(
        part for part in (address.get("city"), address.get("state"), address.get("zip")) if part
    )
    parts = [address.get("addressee"), address.get("addr1"), city_line, address.get("country")]
    return "\n".join(str(p) for p in parts if p)


def _full_name(data: dict[str, Any]) -> str:
    return f"{data.get('firstName', '')} {data.get('lastName', '')}".strip()
