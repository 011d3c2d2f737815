"""The one all-or-nothing Salesforce write for an order, from its lines and the settings.

The opportunity is keyed by `NetSuite_Id__c` and tagged as the seed lists (NetSuite Id,
Order Number, NetSuite Originated Order, NetSuite Order Record, Skip export to NetSuite);
lines are keyed by `NetSuite_Line_Key__c` = "<order id>-<line>", so a re-sync updates what
changed, creates what is new and deletes what NetSuite removed: no duplicate, no orphan.
Everything a person must fix (an unknown product, an inactive price, a customer without a
name) is collected into one `PermanentError` naming every offending line.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shared.errors import FieldProblem, PermanentError
from shared.flows.netsuite_orders_to_salesforce.facts import customer_facts, render_all, status_name
from shared.flows.netsuite_orders_to_salesforce.lines import OrderLines, SkippedLine, order_lines
from shared.flows.netsuite_orders_to_salesforce.ports import (
    LineWrite,
    OrderWrite,
    PricebookEntryRef,
    Upsert,
)
from shared.flows.netsuite_orders_to_salesforce.settings import NetsuiteOrdersSettings
from shared.links import Link
from shared.netsuite_records import Customer, SalesOrder
from shared.order_lines import line_key, lines_of

OPPORTUNITY_KEY = "NetSuite_Id__c"
ACCOUNT_KEY = "NetSuite_Id__c"
DESCRIPTION_LIMIT = 255
DELETED_STATUS = "Deleted in NetSuite"


@dataclass(frozen=True)
class Plan:
    write: OrderWrite
    fields_hash: str  # what the write says, to recognise an echo of it later
    skipped: tuple[SkippedLine, ...] = ()
    detail: dict[str, Any] | None = None


def synced_lines(link: Link | None) -> dict[str, str]:
    return {} if link is None else lines_of(link.attributes)


def price_book_for(lines: OrderLines, settings: NetsuiteOrdersSettings) -> str:
    """One book per opportunity: the mapped book of the lines' price levels, else the default."""
    books = {
        settings.price_level_price_books.get(p.price_level or "", settings.default_price_book)
        for p in lines.products
    }
    if len(books) > 1:
        raise PermanentError(
            "the order's price levels map to different price books "
            f"({', '.join(sorted(books))}); an opportunity has one price book"
        )
    return books.pop() if books else settings.default_price_book


def plan_sync(
    order: SalesOrder,
    facts: dict[str, Any],
    *,
    settings: NetsuiteOrdersSettings,
    link: Link | None,
    account_id: str | None,
    customer: Customer | None,
    entries: dict[tuple[str, str], PricebookEntryRef],
    record_url: str,
) -> Plan:
    lines = order_lines(order, sync_zero_quantity=settings.sync_zero_quantity_lines)
    book = price_book_for(lines, settings)
    existing = synced_lines(link)
    problems: list[FieldProblem] = []
    line_entries: dict[int, PricebookEntryRef] = {}
    for product in lines.products:
        if line_key(order.id, product.line) in existing:
            continue  # an existing line keeps its entry: Salesforce never changes it
        entry = entries.get((book, product.item_id))
        where = f"line {product.line} ({product.item_name}, NetSuite item {product.item_id})"
        if entry is None:
            problems.append(
                FieldProblem(
                    where,
                    f"no Salesforce product with NetSuite_Item_Id__c = {product.item_id} "
                    f"priced in '{book}'",
                )
            )
        elif not entry.active:
            problems.append(FieldProblem(where, f"its price book entry in '{book}' is inactive"))
        else:
            line_entries[product.line] = entry

    opportunity_fields = _opportunity_fields(order, facts, settings, record_url)
    missing = [f for f in ("Name", "CloseDate", "StageName") if not opportunity_fields.get(f)]
    problems += [
        FieldProblem(f, "renders empty from this order; Salesforce requires it") for f in missing
    ]
    account = None
    if account_id is None:
        account = _account_upsert(customer, order, settings, problems)
    if problems:
        raise PermanentError(
            f"sales order {order.tran_id or order.id} cannot sync: "
            + "; ".join(f"{p.field}: {p.reason}" for p in problems),
            problems=problems,
        )
    if link is None and line_entries:
        opportunity_fields["Pricebook2Id"] = next(iter(line_entries.values())).pricebook_id

    writes = []
    for product in lines.products:
        key = line_key(order.id, product.line)
        fields = {
            "Quantity": product.quantity,
            "UnitPrice": product.unit_price,
            "Discount": product.discount_percent,
            "Description": (product.description or "")[:DESCRIPTION_LIMIT] or None,
        }
        if key in existing:
            writes.append(LineWrite(key, fields, existing_id=existing[key]))
        else:
            writes.append(LineWrite(key, fields, line_entries[product.line].id))
    current = {w.key for w in writes}
    deleted = tuple(line_id for key, line_id in sorted(existing.items()) if key not in current)
    write = OrderWrite(
        write_id=f"ns{order.id}",
        opportunity=Upsert("Opportunity", OPPORTUNITY_KEY, order.id, opportunity_fields),
        account=account,
        account_id=account_id,
        lines=tuple(writes),
        deleted_line_ids=deleted,
    )
    detail = {
        "price_book": book,
        "lines": len(writes),
        "deleted_lines": len(deleted),
        "netsuite_total": str(lines.netsuite_net_total),
        "salesforce_total": str(lines.salesforce_total),
    }
    return Plan(write, fields_hash(opportunity_fields, writes), lines.skipped, detail)


def plan_close(order_id: str, settings: NetsuiteOrdersSettings, link: Link) -> Plan:
    """The order is gone from NetSuite: close the opportunity and say why on it."""
    fields = {"StageName": settings.deleted_order_stage, "NetSuite_Order_Status__c": DELETED_STATUS}
    write = OrderWrite(
        write_id=f"ns{order_id}",
        opportunity=Upsert("Opportunity", OPPORTUNITY_KEY, order_id, fields),
        account_id=None,
    )
    return Plan(write, fields_hash(fields, []), detail={"closed": True})


# Left out of the digest: the version changes every save, and the price book is set once.
UNHASHED_FIELDS = frozenset({"NetSuite_Version__c", "Pricebook2Id"})


def fields_hash(opportunity_fields: dict[str, Any], lines: list[LineWrite]) -> str:
    """A digest of what salesbridge writes: equal digests mean nothing changed."""
    content = {
        "opportunity": {k: v for k, v in opportunity_fields.items() if k not in UNHASHED_FIELDS},
        "lines": {w.key: w.fields for w in lines},
    }
    encoded = json.dumps(content, sort_keys=True, default=_json_default).encode()
    return hashlib.sha256(encoded).hexdigest()


def _opportunity_fields(
    order: SalesOrder, facts: dict[str, Any], settings: NetsuiteOrdersSettings, record_url: str
) -> dict[str, Any]:
    origin = facts["origin"]
    fields: dict[str, Any] = dict(render_all(settings.opportunity_fields, facts))
    fields.update(
        {
            "NetSuite_Order_Number__c": order.tran_id,
            "NetSuite_Originated_Order__c": origin == "NetSuite",
            "Salesforce_Originated_Order__c": origin == "Salesforce",
            # Orders born in NetSuite must never be exported back to it as new orders.
            "Skip_Export_to_NetSuite__c": origin == "NetSuite",
            "NetSuite_Order_Record__c": record_url,
            "NetSuite_Order_Status__c": status_name(order) or None,
            "NetSuite_Version__c": order.version,
        }
    )
    return fields


def _account_upsert(
    customer: Customer | None,
    order: SalesOrder,
    settings: NetsuiteOrdersSettings,
    problems: list[FieldProblem],
) -> Upsert | None:
    """The seed's "NetSuite Customer to Salesforce Account" flow, as part of the order's write."""
    if customer is None:
        problems.append(
            FieldProblem("customer", f"NetSuite customer {order.entity.id} could not be read")
        )
        return None
    fields = render_all(settings.account_fields, customer_facts(customer))
    if not fields.get("Name"):
        problems.append(
            FieldProblem(
                f"customer {customer.id}",
                "has no company name (or entity id): a Salesforce account needs a Name",
            )
        )
        return None
    return Upsert("Account", ACCOUNT_KEY, customer.id, dict(fields))


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value.normalize())
    raise TypeError(f"cannot encode {type(value).__name__}")
