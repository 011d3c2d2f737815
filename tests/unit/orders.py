"""NetSuite sales orders for domain tests, in the REST Record API's JSON shape."""

from __future__ import annotations

from typing import Any

from shared.netsuite_records import Customer, SalesOrder


def line(
    n: int,
    item: str,
    qty: float | None,
    rate: float | None,
    kind: str = "InvtPart",
    amount: float | None = None,
    **extra: Any,
) -> dict[str, Any]:
    if amount is None and qty is not None and rate is not None:
        amount = qty * rate
    return {
        "line": n,
        "item": {"id": item, "refName": f"Item {item}"},
        "itemType": {"id": kind, "refName": kind},
        "quantity": qty,
        "rate": rate,
        "amount": amount,
        **extra,
    }


def order(lines: list[dict[str, Any]] | None = None, **fields: Any) -> SalesOrder:
    body: dict[str, Any] = {
        "id": "4711",
        "tranId": "SO1042",
        "entity": {"id": "101", "refName": "Alpine Trail Outfitters"},
        "tranDate": "2026-11-20",
        "status": {"id": "Pending Fulfillment", "refName": "Pending Fulfillment"},
        "orderStatus": {"id": "B", "refName": "Pending Fulfillment"},
        "currency": {"id": "1", "refName": "USD"},
        "memo": "Spring restock",
        "lastModifiedDate": "2026-11-22T09:41:07Z",
        "item": {"items": lines if lines is not None else [line(1, "501", 2, 249.0)]},
        "custbody_sb_send_to_salesforce": True,
    }
    body.update(fields)
    return parse_order(body)


def parse_order(body: dict[str, Any]) -> SalesOrder:
    data = dict(body)
    data["lines"] = [
        {
            **item,
            "itemType": item["itemType"]["id"]
            if isinstance(item["itemType"], dict)
            else item["itemType"],
        }
        for item in data.pop("item", {}).get("items", [])
    ]
    data["custom"] = {k: v for k, v in body.items() if k.startswith("custbody_")}
    return SalesOrder.model_validate(data)


def customer(**fields: Any) -> Customer:
    body: dict[str, Any] = {
        "id": "101",
        "entityId": "ALPINE",
        "companyName": "Alpine Trail Outfitters",
        "phone": "+1 503 555 0101",
        "url": "https://alpinetrail.example",
        "billing_address": {
            "addr1": "12 Ridge Road",
            "city": "Bend",
            "state": "OR",
            "zip": "97701",
            "country": "US",
        },
    }
    body.update(fields)
    return Customer.model_validate(body)
