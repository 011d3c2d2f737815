"""The opportunity as the export reads it, and what it writes back (no wire formats here)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class OpportunityLine:
    id: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal | None
    description: str | None
    product_name: str | None
    netsuite_item_id: str | None  # Product2.NetSuite_Item_Id__c
    line_key: str | None = None  # NetSuite_Line_Key__c, once salesbridge has set it


@dataclass(frozen=True)
class ExportableOpportunity:
    id: str  # always the 18-character form (as SOQL answers it)
    name: str
    is_won: bool
    skip_export: bool
    netsuite_id: str | None  # NetSuite_Id__c: set once the order exists (either direction)
    close_date: str | None  # YYYY-MM-DD
    description: str | None
    account_id: str | None
    account_name: str | None
    account_netsuite_id: str | None  # Account.NetSuite_Id__c: the NetSuite customer
    lines: tuple[OpportunityLine, ...] = ()


@dataclass(frozen=True)
class ExportRecord:
    """What Salesforce learns once the order exists: ONE write of the opportunity and lines."""

    opportunity_id: str
    netsuite_id: str
    order_number: str | None
    line_keys: dict[str, str]  # OpportunityLineItem id -> NetSuite_Line_Key__c
