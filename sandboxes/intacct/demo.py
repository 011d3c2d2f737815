"""The demo company as Intacct knows it: customers "C-<code>", items by code, and history.

History is what Intacct owns and Salesforce only mirrors: two posted Sales Invoices, one
part-paid by an AR payment and one still open, so a demo run shows balances and payment
details flowing back to Salesforce.
"""

from __future__ import annotations

from typing import Any

from sandboxes.demo_company import CUSTOMERS, PRODUCTS


def customer_id(code: str) -> str:
    return f"C-{code}"


def demo_seed() -> dict[str, Any]:
    return {
        "customers": [
            {"CUSTOMERID": customer_id(str(c["code"])), "NAME": c["name"]} for c in CUSTOMERS
        ],
        "items": [
            {"ITEMID": p["code"], "NAME": p["name"], "BASEPRICE": p["price"]} for p in PRODUCTS
        ],
        "documents": [
            {
                "DOCPARID": "Sales Invoice",
                "CUSTVENDID": customer_id("ALPINE"),
                "WHENCREATED": "2026-10-05",
                "WHENDUE": "2026-11-04",
                "TERMNAME": "Net 30",
                "PONUMBER": "AT-PO-7781",
                "lines": [
                    {"ITEMID": "TENT-2P", "QUANTITY": 10, "PRICE": 249.00},
                    {"ITEMID": "BAG-20F", "QUANTITY": 12, "PRICE": 159.00},
                ],
            },
            {
                "DOCPARID": "Sales Invoice",
                "CUSTVENDID": customer_id("COASTAL"),
                "WHENCREATED": "2026-10-12",
                "WHENDUE": "2026-11-11",
                "TERMNAME": "Net 30",
                "PONUMBER": "CK-20261012",
                "lines": [
                    {"ITEMID": "KAYAK-SOLO", "QUANTITY": 2, "PRICE": 899.00},
                    {"ITEMID": "PADDLE-AL", "QUANTITY": 4, "PRICE": 79.00},
                ],
            },
        ],
        "payments": [
            {
                "invoice": "Sales Invoice-INV0001",
                "AMOUNT": 2000.00,
                "PAYMENTMETHOD": "EFT",
                "WHENPAID": "2026-10-20",
                "DOCNUMBER": "EFT-55120",
                "DESCRIPTION": "Partial payment from Alpine Trail Outfitters",
            }
        ],
    }
