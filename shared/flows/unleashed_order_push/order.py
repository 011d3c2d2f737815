"""The sales order an opportunity becomes, and the guards that refuse one before sending.

- The order's Guid is derived from the opportunity id (uuid5), so every retry, double click,
  second tab or redelivered message names the same order: Unleashed's `POST
  /SalesOrders/{guid}` can create it once only. The customer's Guid comes from the Account
  the same way.
- Lines: each product line (code, quantity, the line's sales price, which Salesforce fills
  with the Unleashed price book's price, the Unleashed default sell price, unless the rep
  overrode it; the discount as a fraction), then the line's description as a comment line
  right after it (seed 000: "the line description will be used as a comment line").
- Money as Unleashed computes it: LineTotal = qty x price x (1 - discount), LineTax =
  LineTotal x tax rate, each rounded half-up to cents; the header totals are their sums.
"""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shared.flows.unleashed_order_push.events import SendRequest
from shared.flows.unleashed_order_push.models import AccountForSend, OpportunityForSend

# Fixed forever: changing it would give every opportunity a second order Guid.
GUID_NAMESPACE = uuid.UUID("6f1c7d2e-5b8a-4c3e-9d41-0a7e2b9c5f13")
CENT = Decimal("0.01")


def order_guid(opportunity_id: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, f"salesforce:Opportunity:{opportunity_id[:15]}"))


def customer_guid(account_id: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, f"salesforce:Account:{account_id[:15]}"))


def refusals(opportunity: OpportunityForSend) -> list[str]:
    """Why this opportunity cannot be sent, in the rep's words (empty: it can)."""
    reasons = []
    if opportunity.unleashed_order_guid:
        number = opportunity.unleashed_order_number or opportunity.unleashed_order_guid
        reasons.append(f"It was already sent to Unleashed as sales order {number}.")
    if opportunity.is_closed and not opportunity.is_won:
        reasons.append("It is Closed Lost: reopen it before sending it to Unleashed.")
    if opportunity.account is None:
        reasons.append("It has no account: set the account first.")
    if not opportunity.lines:
        reasons.append("It has no products: add products from the Unleashed price book.")
    for line in opportunity.lines:
        if not line.product_code:
            reasons.append(
                f"Product {line.product_name} is not in Unleashed (no Unleashed product code): "
                "use a product of the Unleashed price book."
            )
    return reasons


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def sales_order_body(
    opportunity: OpportunityForSend,
    request: SendRequest,
    *,
    tax_rate: Decimal,
    status: str,
) -> dict[str, Any]:
    lines: list[dict[str, Any]] = []
    sub_total = tax_total = Decimal(0)
    for line in opportunity.lines:
        discount = (line.discount_percent or Decimal(0)) / 100
        line_total = money(line.quantity * line.unit_price * (1 - discount))
        line_tax = money(line_total * tax_rate)
        sub_total += line_total
        tax_total += line_tax
        lines.append(
            {
                "LineNumber": len(lines) + 1,
                "Product": {"ProductCode": line.product_code},
                "OrderQuantity": float(line.quantity),
                "UnitPrice": float(line.unit_price),
                "DiscountRate": float(discount),
                "LineTotal": float(line_total),
                "LineTax": float(line_tax),
            }
        )
        if line.description and line.description.strip():
            lines.append(
                {
                    "LineNumber": len(lines) + 1,
                    "LineType": "Comment",
                    "Comments": line.description.strip(),
                }
            )
    body: dict[str, Any] = {
        "Guid": order_guid(opportunity.id),
        "OrderStatus": status,
        "Customer": {"CustomerCode": request.customer_code},
        "Warehouse": {"WarehouseCode": request.warehouse_code},
        "CustomerRef": opportunity.name[:50],
        "SourceId": opportunity.id,
        "SalesOrderLines": lines,
        "SubTotal": float(sub_total),
        "TaxTotal": float(tax_total),
        "Total": float(sub_total + tax_total),
    }
    if request.tax_code:
        body["Tax"] = {"TaxCode": request.tax_code}
        body["TaxRate"] = float(tax_rate)
    if request.salesperson_guid:
        body["SalesPerson"] = {"Guid": request.salesperson_guid}
    optional = {
        "SalesOrderGroup": request.sales_order_group,
        "DeliveryMethod": request.delivery_method,
        "DeliveryName": request.delivery_name,
        "DeliveryStreetAddress": request.delivery_street,
        "DeliveryCity": request.delivery_city,
        "DeliveryRegion": request.delivery_region,
        "DeliveryPostCode": request.delivery_postal_code,
        "DeliveryCountry": request.delivery_country,
        "Comments": request.comments,
        "RequiredDate": request.required_date.isoformat() if request.required_date else None,
    }
    body.update({key: value for key, value in optional.items() if value})
    return body


def customer_body(
    account: AccountForSend, code: str, salesperson_guid: str | None
) -> dict[str, Any]:
    """A new Unleashed customer from the Account: name, phone, website, addresses."""
    body: dict[str, Any] = {"CustomerCode": code, "CustomerName": account.name}
    if account.phone:
        body["PhoneNumber"] = account.phone
    if account.website:
        body["Website"] = account.website
    if salesperson_guid:
        body["SalesPerson"] = {"Guid": salesperson_guid}
    addresses = []
    for kind, address in (("Postal", account.billing), ("Delivery", account.shipping)):
        if any((address.street, address.city, address.postal_code, address.country)):
            addresses.append(
                {
                    "AddressType": kind,
                    "StreetAddress": address.street,
                    "City": address.city,
                    "Region": address.region,
                    "PostalCode": address.postal_code,
                    "Country": address.country,
                }
            )
    if addresses:
        body["Addresses"] = addresses
    return body
