"""The named facts that settings templates and criteria use, and rendering templates."""

from __future__ import annotations

import string
from decimal import Decimal
from typing import Any

from shared.flows.netsuite_orders_to_salesforce.settings import NetsuiteOrdersSettings
from shared.netsuite_records import (
    ORIGIN_FIELD,
    ORIGIN_SALESFORCE,
    SEND_TO_SALESFORCE_FIELD,
    Address,
    Customer,
    SalesOrder,
)


def origin(order: SalesOrder) -> str:
    return "Salesforce" if order.custom.get(ORIGIN_FIELD) == ORIGIN_SALESFORCE else "NetSuite"


def status_name(order: SalesOrder) -> str:
    if order.status is not None:
        return order.status.name or order.status.id
    if order.order_status is not None:
        return order.order_status.name or order.order_status.id
    return ""


def stage(order: SalesOrder, settings: NetsuiteOrdersSettings) -> str:
    return settings.stage_by_status.get(status_name(order), settings.default_stage)


def order_facts(order: SalesOrder, settings: NetsuiteOrdersSettings) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "id": order.id,
        "tran_id": order.tran_id,
        "tran_date": order.tran_date,
        "status": status_name(order),
        "order_status": order.order_status.id if order.order_status else None,
        "total": order.total,
        "subtotal": order.subtotal,
        "currency": order.currency.name if order.currency else None,
        "memo": order.memo,
        "other_ref_num": order.other_ref_num,
        "customer_id": order.entity.id,
        "customer_name": order.entity.name,
        "origin": origin(order),
        "send_to_salesforce": bool(order.custom.get(SEND_TO_SALESFORCE_FIELD)),
        "stage": stage(order, settings),
    }
    facts.update({key: value for key, value in order.custom.items()})
    return facts


def customer_facts(customer: Customer) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "id": customer.id,
        "entity_id": customer.entity_id,
        "company_name": customer.company_name or customer.entity_id,
        "email": customer.email,
        "phone": customer.phone,
        "url": customer.url,
    }
    for prefix, address in (
        ("billing", customer.billing_address),
        ("shipping", customer.shipping_address),
    ):
        facts.update(_address_facts(prefix, address))
    return facts


def _address_facts(prefix: str, address: Address | None) -> dict[str, Any]:
    if address is None:
        return {
            f"{prefix}_{part}": None for part in ("street", "city", "state", "postcode", "country")
        }
    street = "\n".join(part for part in (address.street, address.street2) if part)
    return {
        f"{prefix}_street": street or None,
        f"{prefix}_city": address.city,
        f"{prefix}_state": address.state,
        f"{prefix}_postcode": address.postcode,
        f"{prefix}_country": address.country,
    }


class _Blank(dict[str, Any]):
    """Facts for str.format_map: a missing or empty fact renders as nothing."""

    def __missing__(self, key: str) -> str:
        return ""


def render(template: str, facts: dict[str, Any]) -> str | None:
    """The template with facts filled in; None when nothing but blanks came out."""
    values = _Blank({k: _text(v) for k, v in facts.items()})
    rendered = string.Formatter().vformat(template, (), values).strip()
    return rendered or None


def render_all(mapping: dict[str, str], facts: dict[str, Any]) -> dict[str, str | None]:
    return {field: render(template, facts) for field, template in mapping.items()}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)
