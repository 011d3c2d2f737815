"""The demo company as an Unleashed account: the seed `make demo` loads into the sandbox."""

from __future__ import annotations

from typing import Any

from sandboxes import demo_company as company


def demo_seed() -> dict[str, Any]:
    people: dict[str, dict[str, str]] = {p["key"]: p for p in company.SALESPEOPLE}
    return {
        "currency": company.COMPANY["currency"],
        "salespersons": [_salesperson(p) for p in company.SALESPEOPLE],
        "warehouses": [
            {"WarehouseCode": w["code"], "WarehouseName": w["name"], "IsDefault": index == 0}
            for index, w in enumerate(company.WAREHOUSES)
        ],
        "taxes": [
            {"TaxCode": t["code"], "Description": t["description"], "TaxRate": t["rate"]}
            for t in company.TAXES
        ],
        "sales_order_groups": list(company.SALES_ORDER_GROUPS),
        "delivery_methods": list(company.DELIVERY_METHODS),
        "products": [
            {
                "ProductCode": p["code"],
                "ProductDescription": p["name"],
                "DefaultSellPrice": p["price"],
            }
            for p in company.PRODUCTS
        ],
        "customers": [_customer(c, people[str(c["salesperson"])]) for c in company.CUSTOMERS],
        "stock": [
            {"ProductCode": product, "WarehouseCode": warehouse, "QtyOnHand": quantity}
            for (product, warehouse), quantity in company.STOCK.items()
        ],
    }


def _salesperson(person: dict[str, str]) -> dict[str, Any]:
    return {"FullName": f"{person['first']} {person['last']}", "Email": person["email"]}


def _customer(customer: dict[str, Any], salesperson: dict[str, str]) -> dict[str, Any]:
    address, contact = customer["address"], customer["contact"]
    return {
        "CustomerCode": customer["code"],
        "CustomerName": customer["name"],
        "PhoneNumber": customer["phone"],
        "Email": customer["email"],
        "Website": customer["website"],
        "SalesPerson": {"Email": salesperson["email"]},
        "Addresses": [
            {
                "AddressType": address_type,
                "AddressName": "Main",
                "StreetAddress": address["street"],
                "City": address["city"],
                "Region": address["region"],
                "PostalCode": address["postcode"],
                "Country": address["country"],
                "IsDefault": True,
            }
            for address_type in ("Postal", "Physical")
        ],
        "Contacts": [
            {
                "FirstName": contact["first"],
                "LastName": contact["last"],
                "EmailAddress": contact["email"],
                "PhoneNumber": contact["phone"],
                "MobilePhone": contact["mobile"],
                "IsDefault": True,
            }
        ],
    }
