"""What both directions of the order sync agree on about order lines.

A NetSuite sales order line and its opportunity line are matched by a *line key*
(`<order id>-<line number>`, stored in `NetSuite_Line_Key__c`), and the link of an order
remembers each line key's OpportunityLineItem id as the attribute `line:<key>`. Lines that
are not products (subtotals, descriptions, discounts, markups, group ends) never become
opportunity lines, whichever way the order travels.
"""

from __future__ import annotations

# NetSuite item types that are not products.
NOT_PRODUCTS = frozenset({"Subtotal", "Description", "Discount", "Markup", "EndGroup"})
LINES_ATTRIBUTE_PREFIX = "line:"  # link attributes "line:<key>" -> OpportunityLineItem id


def line_key(order_id: str, line: int) -> str:
    return f"{order_id}-{line}"


def line_attributes(line_ids: dict[str, str]) -> dict[str, str]:
    """Link attributes for `line key -> OpportunityLineItem id`."""
    return {f"{LINES_ATTRIBUTE_PREFIX}{key}": line_id for key, line_id in line_ids.items()}


def lines_of(attributes: dict[str, str]) -> dict[str, str]:
    """`line key -> OpportunityLineItem id` from a link's attributes."""
    prefix = LINES_ATTRIBUTE_PREFIX
    return {k[len(prefix) :]: v for k, v in attributes.items() if k.startswith(prefix)}
