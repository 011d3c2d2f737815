"""Unleashed customers and contacts as the company sync sees them (the flow's
`UnleashedCustomers` port).

Calls: `save_customer` 1 (`POST /Customers/{guid}` with the code, the name and the changed
fields: Unleashed keeps what is not sent); `save_contact` 1 (`PUT
/Customers/{guid}/Contacts/{contactGuid}`); `customer` 1
(`GET /Customers/{guid}?includeAllContacts=true`, the contacts in the same answer);
`customers_modified_since` 1 per page of 1000 (`modifiedSince` in UTC, with
`includeAllContacts=true`).

Field map (apidocs Customers / Contacts):
    name CustomerName, phone PhoneNumber, website Website, account_manager SalesPerson.Email,
    address.* the default address (or the first): StreetAddress, City, Region, PostalCode, Country;
    contacts FirstName, LastName, EmailAddress, PhoneNumber, MobilePhone, FaxNumber.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from shared.adapters.unleashed.account import wire_date
from shared.adapters.unleashed.client import UnleashedClient
from shared.errors import PermanentError
from shared.flows.unleashed_companies.models import (
    UnleashedContact,
    UnleashedCustomer,
    Values,
    cleaned,
)
from shared.flows.unleashed_companies.ports import RefusedValue

CONTACT_WIRE = {
    "first_name": "FirstName",
    "last_name": "LastName",
    "email": "EmailAddress",
    "phone": "PhoneNumber",
    "mobile": "MobilePhone",
    "fax": "FaxNumber",
}
ADDRESS_WIRE = {
    "street": "StreetAddress",
    "city": "City",
    "region": "Region",
    "postal_code": "PostalCode",
    "country": "Country",
}
WITH_CONTACTS = {"includeAllContacts": "true"}
CUSTOMER_WIRE = {"name": "CustomerName", "phone": "PhoneNumber", "website": "Website"}
# Unleashed's 400 descriptions name the field they refuse ("Website '...' is not a valid URL.",
# "The specified SalesPerson does not exist or is obsolete."): which of ours each names.
REFUSED_FIELDS = {
    "Website": "website",
    "CustomerName": "name",
    "PhoneNumber": "phone",
    "SalesPerson": "account_manager",
    "EmailAddress": "email",
    "Email": "email",
    "FirstName": "first_name",
    "LastName": "last_name",
    "MobilePhone": "mobile",
    "FaxNumber": "fax",
}


class UnleashedCustomerBook:
    def __init__(self, client: UnleashedClient) -> None:
        self.client = client

    def customer(self, guid: str) -> UnleashedCustomer | None:
        item = self.client.get(f"/Customers/{guid}", WITH_CONTACTS)
        return None if item is None else parse_customer(item)

    def customers_modified_since(self, since: datetime) -> list[UnleashedCustomer]:
        moment = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        rows = self.client.items("Customers", {"modifiedSince": moment, **WITH_CONTACTS})
        return [parse_customer(row) for row in rows]

    def save_customer(self, customer: UnleashedCustomer, values: Values) -> datetime | None:
        body: dict[str, Any] = {
            "CustomerCode": customer.code,
            "CustomerName": values.get("name") or customer.values.get("name"),
        }
        for key, value in values.items():
            if key in CUSTOMER_WIRE:
                body[CUSTOMER_WIRE[key]] = value
            elif key == "account_manager":
                body["SalesPerson"] = {"Email": value} if value else None
        saved = _refusal_named(
            lambda: self.client.post(f"/Customers/{customer.guid}", body, keyed=True)
        )
        return wire_date(saved.get("LastModifiedOn"))

    def save_contact(self, customer_guid: str, contact_guid: str, values: Values) -> None:
        body = {CONTACT_WIRE[k]: v for k, v in values.items() if k in CONTACT_WIRE}
        path = f"/Customers/{customer_guid}/Contacts/{contact_guid}"
        _refusal_named(lambda: self.client.put(path, body))


_REFUSED = re.compile(r"\b(" + "|".join(sorted(REFUSED_FIELDS, key=len, reverse=True)) + r")\b")


def _refusal_named(call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A 400 whose description starts with a synced field's wire name is `RefusedValue`."""
    try:
        return call()
    except PermanentError as exc:
        described = exc.message.split(": ", 1)[-1]
        named = _REFUSED.search(described) if " 400 " in exc.message else None
        if named is not None:
            raise RefusedValue(REFUSED_FIELDS[named.group(1)], described) from exc
        raise


def parse_customer(item: dict[str, Any]) -> UnleashedCustomer:
    person = item.get("SalesPerson") or {}
    values: Values = {
        "name": cleaned(item.get("CustomerName")),
        "phone": cleaned(item.get("PhoneNumber")),
        "website": cleaned(item.get("Website")),
        "account_manager": (cleaned(person.get("Email")) or "").lower() or None,
    }
    address = _default_address(item.get("Addresses") or [])
    for name, wire in ADDRESS_WIRE.items():
        values[f"address.{name}"] = cleaned(address.get(wire))
    contacts = tuple(
        UnleashedContact(
            str(c["Guid"]).lower(),
            {name: cleaned(c.get(wire)) for name, wire in CONTACT_WIRE.items()},
        )
        for c in item.get("Contacts") or []
        if c.get("Guid")
    )
    return UnleashedCustomer(
        guid=str(item["Guid"]).lower(),
        code=str(item.get("CustomerCode") or ""),
        values=values,
        modified=wire_date(item.get("LastModifiedOn")),
        obsolete=bool(item.get("Obsolete")),
        contacts=contacts,
    )


def _default_address(addresses: list[dict[str, Any]]) -> dict[str, Any]:
    return next((a for a in addresses if a.get("IsDefault")), addresses[0] if addresses else {})
