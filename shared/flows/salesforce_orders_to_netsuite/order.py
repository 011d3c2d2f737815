"""From a won opportunity to the NetSuite sales order body, and back to line keys.

The order is created by external id `sf-<opportunity id>` (a PUT to `salesOrder/eid:...`), so
however often an export is repeated there is one order per opportunity. It is labelled the
way the NetSuite -> Salesforce direction recognises it
(`shared.flows.netsuite_orders_to_salesforce.facts.origin`):
`custbody_sb_origin = "Salesforce"`, with the opportunity id in
`custbody_sb_sf_opportunity_id` and `custbody_sb_send_to_salesforce` ticked.

Discounts: an opportunity line's `Discount` (a percentage) is sent as a reduced line rate,
`rate = UnitPrice x (100 - Discount) / 100`, exact (two decimals of a price times two of a
percentage never need more than four). A separate NetSuite Discount line per product would
keep the percentage visible in NetSuite, but needs a discount item configured per account;
the reduced rate needs nothing and keeps the line total exact. When NetSuite changes then flow
back, such a line comes back as UnitPrice = the net rate, Discount = 0 (same total).

Line keys: NetSuite numbers the lines of the saved order; the n-th item line of the order
read back is the n-th opportunity line sent (the upsert replaces the item sublist), so each
opportunity line gets `NetSuite_Line_Key__c = "<order id>-<line>"`, the key
`shared.order_lines` defines, and the two directions update the same lines.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shared.errors import FieldProblem, PermanentError
from shared.flows.salesforce_orders_to_netsuite.models import ExportableOpportunity, OpportunityLine
from shared.netsuite_records import (
    OPPORTUNITY_ID_FIELD,
    ORIGIN_FIELD,
    ORIGIN_SALESFORCE,
    SEND_TO_SALESFORCE_FIELD,
    SalesOrder,
)
from shared.order_lines import NOT_PRODUCTS, line_key

HUNDRED = Decimal(100)
MEMO_LIMIT = 999  # NetSuite's memo is a free-form text field of up to 999 characters


def external_id(opportunity_id: str) -> str:
    return f"sf-{opportunity_id}"


def skip_reason(opportunity: ExportableOpportunity) -> str | None:
    """Why this opportunity is not exported now (None: export it)."""
    if not opportunity.is_won:
        return "the opportunity is not Closed Won"
    if opportunity.skip_export:
        return "'Skip Export to NetSuite' is ticked on the opportunity"
    if opportunity.netsuite_id:
        return (
            f"the opportunity already has NetSuite order {opportunity.netsuite_id} "
            "(exported before, or NetSuite originated)"
        )
    return None


def sales_order_body(opportunity: ExportableOpportunity) -> dict[str, Any]:
    """The order to create; a PermanentError names everything a person must fix first."""
    problems: list[FieldProblem] = []
    if not opportunity.account_netsuite_id:
        problems.append(
            FieldProblem(
                "Account.NetSuite_Id__c",
                f"account {opportunity.account_name or opportunity.account_id or '(none)'} "
                "has no NetSuite customer: create or link the customer first",
            )
        )
    if not opportunity.lines:
        problems.append(FieldProblem("OpportunityLineItems", "the opportunity has no products"))
    unmapped = [line for line in opportunity.lines if not line.netsuite_item_id]
    if unmapped:
        names = ", ".join(f"{line.product_name or '?'} (line {line.id})" for line in unmapped)
        problems.append(
            FieldProblem(
                "Product2.NetSuite_Item_Id__c",
                f"these lines' products have no NetSuite item: {names}",
            )
        )
    if not opportunity.close_date:
        problems.append(FieldProblem("CloseDate", "is empty; the order needs a date"))
    if problems:
        raise PermanentError(
            f"opportunity {opportunity.name} ({opportunity.id}) cannot become a NetSuite order: "
            + "; ".join(f"{p.field}: {p.reason}" for p in problems),
            problems=problems,
        )
    body: dict[str, Any] = {
        "entity": {"id": opportunity.account_netsuite_id},
        "tranDate": opportunity.close_date,
        ORIGIN_FIELD: ORIGIN_SALESFORCE,
        OPPORTUNITY_ID_FIELD: opportunity.id,
        SEND_TO_SALESFORCE_FIELD: True,
        "item": {"items": [_item_line(line) for line in opportunity.lines]},
    }
    if opportunity.description:
        body["memo"] = opportunity.description[:MEMO_LIMIT]
    return body


def net_rate(line: OpportunityLine) -> Decimal:
    discount = line.discount_percent or Decimal(0)
    return line.unit_price * (HUNDRED - discount) / HUNDRED


def _item_line(line: OpportunityLine) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "item": {"id": line.netsuite_item_id},
        "quantity": line.quantity,
        "rate": net_rate(line),
    }
    if line.description:
        fields["description"] = line.description
    return fields


def line_keys(order: SalesOrder, opportunity: ExportableOpportunity) -> dict[str, str]:
    """Opportunity line id -> "<order id>-<line>", pairing lines in the order they were sent."""
    item_lines = [line for line in order.lines if line.item_type not in NOT_PRODUCTS]
    if len(item_lines) != len(opportunity.lines):
        raise PermanentError(
            f"NetSuite order {order.id} has {len(item_lines)} item lines where "
            f"{len(opportunity.lines)} were sent; the lines cannot be paired"
        )
    return {
        sent.id: line_key(order.id, saved.line)
        for sent, saved in zip(opportunity.lines, item_lines, strict=True)
    }
