"""The demo company as a NetSuite account: Harbour & Pine's customers, salespeople and
products under their NetSuite ids, the discount / subtotal / description items orders use,
and three sales orders, two of them flagged to go to Salesforce as Opportunities."""

from __future__ import annotations

from typing import Any

from sandboxes.demo_company import COMPANY, CUSTOMERS, PRODUCTS, SALESPEOPLE

EMPLOYEE_IDS = {"maya": "7", "luis": "8", "priya": "9"}
LOYALTY_DISCOUNT_ID = "601"
SUBTOTAL_ID = "602"
NOTE_ID = "603"


def demo_seed() -> dict[str, Any]:
    return {
        "company": {"name": COMPANY["name"], "currency": COMPANY["currency"]},
        "employees": [_employee(person) for person in SALESPEOPLE],
        "items": [*(_product(p) for p in PRODUCTS), *_special_items()],
        "customers": [_customer(c) for c in CUSTOMERS],
        "salesOrders": _orders(),
    }


def _employee(person: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": EMPLOYEE_IDS[person["key"]],
        "firstName": person["first"],
        "lastName": person["last"],
        "email": person["email"],
    }


def _product(product: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": product["netsuite_id"],
        "itemId": product["code"],
        "displayName": product["name"],
        "itemType": "InvtPart",
        "basePrice": product["price"],
        "description": product["name"],
    }


def _special_items() -> list[dict[str, Any]]:
    return [
        {
            "id": LOYALTY_DISCOUNT_ID,
            "itemId": "Loyalty Discount",
            "itemType": "Discount",
            "rate": "-10%",
            "description": "Loyalty discount for returning retailers",
        },
        {"id": SUBTOTAL_ID, "itemId": "Subtotal", "itemType": "Subtotal"},
        {"id": NOTE_ID, "itemId": "Note", "itemType": "Description"},
    ]


def _customer(customer: dict[str, Any]) -> dict[str, Any]:
    address = customer["address"]
    return {
        "id": customer["netsuite_id"],
        "entityId": customer["code"],
        "companyName": customer["name"],
        "email": customer["email"],
        "phone": customer["phone"],
        "url": customer["website"],
        "salesRep": {"id": EMPLOYEE_IDS[customer["salesperson"]]},
        "addressbook": {
            "items": [
                {
                    "defaultBilling": True,
                    "defaultShipping": True,
                    "addressbookaddress": {
                        "addressee": customer["name"],
                        "addr1": address["street"],
                        "city": address["city"],
                        "state": address["region"],
                        "zip": address["postcode"],
                        "country": address["country"],
                    },
                }
            ]
        },
    }


def _product_id(code: str) -> str:
    return next(str(p["netsuite_id"]) for p in PRODUCTS if p["code"] == code)


def _line(code: str, quantity: float) -> dict[str, Any]:
    return {"item": {"id": _product_id(code)}, "quantity": quantity}


def _orders() -> list[dict[str, Any]]:
    alpine, coastal, redwood = (c["netsuite_id"] for c in CUSTOMERS[:3])
    return [
        {
            "entity": {"id": alpine},
            "memo": "Spring restock",
            "custbody_sb_send_to_salesforce": True,
            "custbody_sb_origin": "NetSuite",
            "item": {
                "items": [
                    _line("TENT-2P", 6),
                    _line("BAG-20F", 10),
                    {"item": {"id": SUBTOTAL_ID}},
                    {"item": {"id": LOYALTY_DISCOUNT_ID}},
                    {"item": {"id": NOTE_ID}, "description": "Deliver to the Bend store"},
                ]
            },
        },
        {
            "entity": {"id": coastal},
            "memo": "Kayak season order",
            "otherRefNum": "PO-CK-2231",
            "custbody_sb_send_to_salesforce": True,
            "custbody_sb_origin": "NetSuite",
            "item": {
                "items": [
                    _line("KAYAK-SOLO", 2),
                    _line("PADDLE-AL", 4),
                    {"item": {"id": NOTE_ID}, "description": "Paddles ship separately"},
                ]
            },
            "discountItem": {"id": LOYALTY_DISCOUNT_ID},
        },
        {
            "entity": {"id": redwood},
            "memo": "Phone order",
            "custbody_sb_origin": "NetSuite",
            "item": {"items": [_line("STOVE-1", 12), _line("LAMP-LED", 20)]},
        },
    ]
