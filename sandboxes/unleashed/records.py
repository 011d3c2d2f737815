"""The account's records and how each one is written on the wire.

Records are kept as plain dicts in the JSON shape Unleashed answers, except dates, which are
kept as `datetime` and turned into "/Date(ms)/" only when a record leaves the sandbox
(`wire_record`). Lookups by code are case-insensitive, as they are in Unleashed.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandboxes.unleashed.wire import GUID_PATTERN, bad_request, to_wire_date

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_WEBSITE = re.compile(r"^(https?://)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d+)?(/\S*)?$")

CUSTOMER_TEXT_FIELDS = (
    "CustomerName",
    "PhoneNumber",
    "MobileNumber",
    "FaxNumber",
    "DDINumber",
    "TollFreeNumber",
    "Email",
    "EmailCC",
    "Website",
    "Notes",
    "GSTVATNumber",
    "CustomerType",
    "ContactFirstName",
    "ContactLastName",
    "TaxCode",
)
ADDRESS_FIELDS = (
    "AddressType",
    "AddressName",
    "StreetAddress",
    "StreetAddress2",
    "Suburb",
    "City",
    "Region",
    "Country",
    "PostalCode",
    "DeliveryInstruction",
)
CONTACT_TEXT_FIELDS = (
    "FirstName",
    "LastName",
    "EmailAddress",
    "PhoneNumber",
    "MobilePhone",
    "FaxNumber",
    "OfficePhone",
    "DDINumber",
    "Website",
    "Notes",
)


@dataclass
class Account:
    """Everything one Unleashed account holds."""

    currency: str = "USD"
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    contacts: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    salespersons: dict[str, dict[str, Any]] = field(default_factory=dict)
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    warehouses: dict[str, dict[str, Any]] = field(default_factory=dict)
    taxes: dict[str, dict[str, Any]] = field(default_factory=dict)
    sales_order_groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    delivery_methods: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (product guid, warehouse code) -> {"QtyOnHand": float, "LastModifiedOn": datetime}
    stock: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    sales_orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    last_order_number: int = 0

    # -- lookups -----------------------------------------------------------------------------

    def customer_by_code(self, code: str) -> dict[str, Any] | None:
        return by_text(self.customers.values(), "CustomerCode", code)

    def product_by_code(self, code: str) -> dict[str, Any] | None:
        return by_text(self.products.values(), "ProductCode", code)

    def warehouse_by_code(self, code: str) -> dict[str, Any] | None:
        return by_text(self.warehouses.values(), "WarehouseCode", code)

    def default_warehouse(self) -> dict[str, Any] | None:
        defaults = [w for w in self.warehouses.values() if w["IsDefault"]]
        return defaults[0] if defaults else next(iter(self.warehouses.values()), None)

    def tax_by_code(self, code: str) -> dict[str, Any] | None:
        return by_text(self.taxes.values(), "TaxCode", code)

    def salesperson_matching(self, reference: dict[str, Any]) -> dict[str, Any] | None:
        """A salesperson named by Guid, Email or FullName (first one given wins)."""
        if reference.get("Guid"):
            return self.salespersons.get(str(reference["Guid"]).lower())
        for key in ("Email", "FullName"):
            if reference.get(key):
                return by_text(self.salespersons.values(), key, str(reference[key]))
        return None


def by_text(records: Any, key: str, value: str) -> dict[str, Any] | None:
    wanted = value.strip().lower()
    return next((r for r in records if str(r.get(key) or "").lower() == wanted), None)


def new_guid() -> str:
    return str(uuid.uuid4())


def checked_guid(value: str, what: str) -> str:
    if not GUID_PATTERN.match(value):
        raise bad_request(f"The {what} identifier '{value}' is not a valid GUID.")
    return value.lower()


def wire_record(record: dict[str, Any]) -> dict[str, Any]:
    """A copy of a record as it goes on the wire: datetimes as "/Date(ms)/"."""
    return {key: _wire_value(value) for key, value in record.items()}


def _wire_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_wire_date(value)
    if isinstance(value, dict):
        return wire_record(value)
    if isinstance(value, list):
        return [_wire_value(item) for item in value]
    return value


def salesperson_summary(person: dict[str, Any] | None) -> dict[str, Any] | None:
    if person is None:
        return None
    keys = ("FullName", "Email", "Obsolete", "Guid")
    return {key: person[key] for key in keys}


def currency_object(code: str) -> dict[str, Any]:
    return {"CurrencyCode": code, "Description": code, "Guid": _stable_guid("currency", code)}


def _stable_guid(kind: str, name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"unleashed-sandbox:{kind}:{name.lower()}"))


# -- reference data ------------------------------------------------------------------------------


def salesperson(data: dict[str, Any], now: datetime) -> dict[str, Any]:
    if not data.get("FullName") or not data.get("Email"):
        raise bad_request("A salesperson needs a FullName and an Email.")
    return {
        "FullName": data["FullName"],
        "Email": data["Email"],
        "Obsolete": bool(data.get("Obsolete", False)),
        "Guid": str(data.get("Guid") or new_guid()).lower(),
        "LastModifiedOn": now,
    }


def warehouse(data: dict[str, Any], now: datetime) -> dict[str, Any]:
    if not data.get("WarehouseCode") or not data.get("WarehouseName"):
        raise bad_request("A warehouse needs a WarehouseCode and a WarehouseName.")
    return {
        "WarehouseCode": data["WarehouseCode"],
        "WarehouseName": data["WarehouseName"],
        "IsDefault": bool(data.get("IsDefault", False)),
        "StreetNo": data.get("StreetNo"),
        "AddressLine1": data.get("AddressLine1"),
        "City": data.get("City"),
        "Region": data.get("Region"),
        "Country": data.get("Country"),
        "PostCode": data.get("PostCode"),
        "Obsolete": bool(data.get("Obsolete", False)),
        "Guid": str(data.get("Guid") or new_guid()).lower(),
        "LastModifiedOn": now,
    }


def tax(data: dict[str, Any]) -> dict[str, Any]:
    if not data.get("TaxCode") or data.get("TaxRate") is None:
        raise bad_request("A tax needs a TaxCode and a TaxRate.")
    return {
        "TaxCode": data["TaxCode"],
        "Description": data.get("Description") or data["TaxCode"],
        "TaxRate": float(data["TaxRate"]),
        "CanApplyToExpenses": True,
        "CanApplyToRevenue": True,
        "Obsolete": False,
        "Guid": str(data.get("Guid") or new_guid()).lower(),
    }


def product(data: dict[str, Any], now: datetime) -> dict[str, Any]:
    if not data.get("ProductCode") or not data.get("ProductDescription"):
        raise bad_request("A product needs a ProductCode and a ProductDescription.")
    price = float(data.get("DefaultSellPrice") or 0)
    return {
        "ProductCode": data["ProductCode"],
        "ProductDescription": data["ProductDescription"],
        "DefaultSellPrice": price,
        "SellPriceTier1": {"Name": "Sell Price Tier 1", "Value": f"{price:.2f}"},
        "UnitOfMeasure": {"Name": data.get("UnitOfMeasure") or "EA"},
        "IsSellable": True,
        "IsComponent": False,
        "NeverDiminishing": False,
        "Obsolete": bool(data.get("Obsolete", False)),
        "Guid": str(data.get("Guid") or new_guid()).lower(),
        "CreatedOn": now,
        "LastModifiedOn": now,
    }


def named_entry(name: str, key: str) -> dict[str, Any]:
    return {key: name, "Obsolete": False, "Guid": _stable_guid(key, name)}


# -- customers -------------------------------------------------------------------------------


def merged_customer(
    account: Account,
    guid: str,
    existing: dict[str, Any] | None,
    data: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """The customer after applying `data` (create when `existing` is None), or a 400."""
    customer = dict(existing) if existing else _blank_customer(guid, account.currency, now)
    if "CustomerCode" in data or existing is None:
        customer["CustomerCode"] = _customer_code(account, guid, data.get("CustomerCode"))
    for key in CUSTOMER_TEXT_FIELDS:
        if key in data:
            customer[key] = data[key]
    if not customer.get("CustomerName"):
        raise bad_request("Customer Name is required.")
    _check_email(customer.get("Email"), "Email")
    _check_website(customer.get("Website"))
    if "Obsolete" in data:
        customer["Obsolete"] = bool(data["Obsolete"])
    if "SalesPerson" in data:
        customer["SalesPerson"] = _customer_salesperson(account, data["SalesPerson"])
    if "Addresses" in data:
        customer["Addresses"] = [_address(entry) for entry in data["Addresses"] or []]
    if data.get("Currency"):
        code = data["Currency"].get("CurrencyCode") if isinstance(data["Currency"], dict) else None
        customer["Currency"] = currency_object(str(code or data["Currency"]))
    customer["LastModifiedOn"] = now
    return customer


def _blank_customer(guid: str, currency: str, now: datetime) -> dict[str, Any]:
    customer: dict[str, Any] = {"Guid": guid, "CustomerCode": None}
    customer.update(dict.fromkeys(CUSTOMER_TEXT_FIELDS))
    customer.update(
        {
            "Addresses": [],
            "SalesPerson": None,
            "Currency": currency_object(currency),
            "Obsolete": False,
            "StopCredit": False,
            "CreatedOn": now,
            "CreatedBy": "api",
            "LastModifiedOn": now,
        }
    )
    return customer


def _customer_code(account: Account, guid: str, code: Any) -> str:
    if not code or not str(code).strip():
        raise bad_request("Customer Code is required.")
    code = str(code).strip()
    holder = account.customer_by_code(code)
    if holder is not None and holder["Guid"] != guid:
        raise bad_request(f"Customer Code '{code}' is already used by another customer.")
    return code


def _customer_salesperson(account: Account, reference: Any) -> dict[str, Any] | None:
    if not reference:
        return None
    if not isinstance(reference, dict):
        raise bad_request("SalesPerson must be an object with a Guid, Email or FullName.")
    person = account.salesperson_matching(reference)
    if person is None or person["Obsolete"]:
        raise bad_request("The specified SalesPerson does not exist or is obsolete.")
    return salesperson_summary(person)


def _address(entry: dict[str, Any]) -> dict[str, Any]:
    address: dict[str, Any] = {key: entry.get(key) for key in ADDRESS_FIELDS}
    if address["AddressType"] not in (None, "Postal", "Physical", "Delivery"):
        raise bad_request(f"AddressType '{address['AddressType']}' is not valid.")
    address["IsDefault"] = bool(entry.get("IsDefault", False))
    return address


def _check_email(value: Any, field_name: str) -> None:
    if value and not _EMAIL.match(str(value)):
        raise bad_request(f"{field_name} '{value}' is not a valid email address.")


def _check_website(value: Any) -> None:
    if value and not _WEBSITE.match(str(value)):
        raise bad_request(f"Website '{value}' is not a valid URL.")


# -- contacts ----------------------------------------------------------------------------------


def merged_contact(
    siblings: dict[str, dict[str, Any]],
    guid: str,
    existing: dict[str, Any] | None,
    data: dict[str, Any],
) -> dict[str, Any]:
    """The contact after applying `data`.

    As the API change log (4 Dec 2023) words it for primary contacts: at least one of first
    name, last name or email must be present, and the three together are unique per customer.
    """
    contact = dict(existing) if existing else {"Guid": guid, **dict.fromkeys(CONTACT_TEXT_FIELDS)}
    for key in CONTACT_TEXT_FIELDS:
        if key in data:
            contact[key] = data[key]
    if not any(contact.get(key) for key in ("FirstName", "LastName", "EmailAddress")):
        raise bad_request("At least one of FirstName, LastName or EmailAddress is required.")
    _check_email(contact.get("EmailAddress"), "EmailAddress")
    for other in siblings.values():
        if other["Guid"] != guid and _identity(other) == _identity(contact):
            raise bad_request(
                "The combination of FirstName, LastName and EmailAddress must be unique "
                "within a Customer."
            )
    contact["IsDefault"] = bool(data.get("IsDefault", contact.get("IsDefault", False)))
    if not any(other["IsDefault"] for other in siblings.values() if other["Guid"] != guid):
        contact["IsDefault"] = True  # the only (or first) contact is the primary one
    return contact


def _identity(contact: dict[str, Any]) -> tuple[str, ...]:
    keys = ("FirstName", "LastName", "EmailAddress")
    return tuple(str(contact.get(key) or "").strip().lower() for key in keys)
