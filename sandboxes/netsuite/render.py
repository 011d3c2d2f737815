"""Records as the REST Record API shows them: HATEOAS links, references as
`{links, id, refName}`, empty fields left out, sublists as links unless
`expandSubResources=true` asks for their lines."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from sandboxes.netsuite.records import (
    ITEM_RECORD_TYPES,
    ORDER_STATUSES,
    Account,
    address_text,
    iso,
)

RECORD_PATH = "/services/rest/record/v1"
_INTERNAL_ORDER_KEYS = {"lines", "entity", "currency", "orderStatus", "discountItem"}


class Renderer:
    def __init__(self, account: Account, host_url: str) -> None:
        self.account = account
        self.base = host_url.rstrip("/") + RECORD_PATH

    def link(self, path: str, rel: str = "self") -> list[dict[str, str]]:
        return [{"rel": rel, "href": f"{self.base}/{path}"}]

    def ref(self, table: str, key: str | None, path: str | None = None) -> dict[str, Any] | None:
        if key is None:
            return None
        return {
            "links": self.link(path or f"{table}/{key}"),
            "id": key,
            "refName": self.account.ref_name(table, key),
        }

    def item_ref(self, item_id: str) -> dict[str, Any] | None:
        record_type = ITEM_RECORD_TYPES[self.account.item_type(item_id)]
        return self.ref("item", item_id, f"{record_type}/{item_id}")

    # -- sales orders ------------------------------------------------------------------------

    def sales_order(self, order: dict[str, Any], expand: bool) -> dict[str, Any]:
        order_id = order["id"]
        status = ORDER_STATUSES[order["orderStatus"]]
        body: dict[str, Any] = {"links": self.link(f"salesOrder/{order_id}")}
        for key, value in order.items():
            if key in _INTERNAL_ORDER_KEYS:
                continue
            body[key] = iso(value) if key in ("createdDate", "lastModifiedDate") else value
        body.update(
            entity=self.ref("customer", order["entity"]),
            currency=self.ref("currency", order["currency"]),
            orderStatus={"id": order["orderStatus"], "refName": status},
            status={"id": status, "refName": status},
            discountItem=order.get("discountItem") and self.item_ref(order["discountItem"]),
            item=self.order_lines(order, expand),
        )
        return _without_empty(body)

    def order_lines(self, order: dict[str, Any], expand: bool) -> dict[str, Any]:
        path = f"salesOrder/{order['id']}/item"
        if not expand:
            return {"links": self.link(path)}
        lines = [self.order_line(order, line) for line in order["lines"]]
        return {
            "links": self.link(path),
            "count": len(lines),
            "hasMore": False,
            "items": lines,
            "offset": 0,
            "totalResults": len(lines),
        }

    def order_line(self, order: dict[str, Any], line: dict[str, Any]) -> dict[str, Any]:
        item_type = self.account.item_type(line["item"])
        body = {
            "links": self.link(f"salesOrder/{order['id']}/item/{line['line']}"),
            "line": line["line"],
            "item": self.item_ref(line["item"]),
            "itemType": {"id": item_type, "refName": item_type},
            "quantity": line.get("quantity"),
            "rate": line.get("rate"),
            "amount": line.get("amount"),
            "description": line.get("description"),
            "price": line.get("price") and self.ref("priceLevel", line["price"]),
        }
        return _without_empty(body)

    # -- customers ---------------------------------------------------------------------------

    def customer(self, customer: dict[str, Any], expand: bool) -> dict[str, Any]:
        customer_id = customer["id"]
        body: dict[str, Any] = {"links": self.link(f"customer/{customer_id}")}
        for key, value in customer.items():
            if key in ("salesRep", "subsidiary", "addressbook"):
                continue
            body[key] = iso(value) if key in ("dateCreated", "lastModifiedDate") else value
        default = next((a for a in customer["addressbook"] if a["defaultBilling"]), None)
        body.update(
            salesRep=self.ref("employee", customer.get("salesRep")),
            subsidiary=self.ref("subsidiary", customer.get("subsidiary")),
            defaultAddress=default and address_text(default["addressbookaddress"]),
            addressbook=self.addressbook(customer, expand),
        )
        return _without_empty(body)

    def addressbook(self, customer: dict[str, Any], expand: bool) -> dict[str, Any]:
        path = f"customer/{customer['id']}/addressbook"
        if not expand:
            return {"links": self.link(path)}
        entries = [
            {
                "links": self.link(f"{path}/{entry['internalId']}"),
                **{k: v for k, v in entry.items() if k != "addressbookaddress"},
                "addressbookaddress": {
                    "links": self.link(f"{path}/{entry['internalId']}/addressbookaddress"),
                    **entry["addressbookaddress"],
                    "addrText": address_text(entry["addressbookaddress"]),
                },
            }
            for entry in customer["addressbook"]
        ]
        return {
            "links": self.link(path),
            "count": len(entries),
            "hasMore": False,
            "items": entries,
            "offset": 0,
            "totalResults": len(entries),
        }

    # -- items -----------------------------------------------------------------------------

    def item(self, item: dict[str, Any]) -> dict[str, Any]:
        record_type = ITEM_RECORD_TYPES[item["itemType"]]
        body = {
            "links": self.link(f"{record_type}/{item['id']}"),
            "id": item["id"],
            "itemId": item["itemId"],
            "displayName": item.get("displayName"),
            "itemType": {"id": item["itemType"], "refName": item["itemType"]},
            "basePrice": item.get("basePrice"),
            "rate": item.get("rate"),
            "salesDescription": item.get("description"),
            "isInactive": item["isInactive"],
            "lastModifiedDate": iso(item["lastModifiedDate"]),
        }
        return _without_empty(body)

    # -- collections ---------------------------------------------------------------------------

    def collection(
        self, record_type: str, ids: list[str], limit: int, offset: int, query: str | None
    ) -> dict[str, Any]:
        page = ids[offset : offset + limit]
        has_more = offset + limit < len(ids)
        return {
            "links": self._page_links(record_type, len(ids), limit, offset, query),
            "count": len(page),
            "hasMore": has_more,
            "items": [{"links": self.link(f"{record_type}/{i}"), "id": i} for i in page],
            "offset": offset,
            "totalResults": len(ids),
        }

    def _page_links(
        self, record_type: str, total: int, limit: int, offset: int, query: str | None
    ) -> list[dict[str, str]]:
        def href(at: int) -> str:
            params = {"limit": limit, "offset": at} | ({"q": query} if query else {})
            return f"{self.base}/{record_type}?{urlencode(params)}"

        last = max(0, (total - 1) // limit * limit)
        links = []
        if offset > 0:
            links.append({"rel": "first", "href": href(0)})
            links.append({"rel": "prev", "href": href(max(0, offset - limit))})
        if offset + limit < total:
            links.append({"rel": "next", "href": href(offset + limit)})
            links.append({"rel": "last", "href": href(last)})
        links.append({"rel": "self", "href": href(offset)})
        return links


def _without_empty(body: dict[str, Any]) -> dict[str, Any]:
    """NetSuite leaves out fields that hold no value."""
    return {key: value for key, value in body.items() if value is not None and value != ""}
