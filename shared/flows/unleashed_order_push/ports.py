"""What Send to Unleashed needs of Salesforce and Unleashed (adapters implement them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from shared.flows.unleashed_order_push.models import (
    CreatedOrder,
    Customer,
    OpportunityForSend,
    OrderStatus,
    Pickers,
    PriceBookResult,
    SendResult,
    StockLevel,
    Tax,
    UnleashedProduct,
)


class OpportunityStore(Protocol):
    def opportunity_for_send(self, opportunity_id: str) -> OpportunityForSend | None:
        """The opportunity, its account and its lines in ONE query (None: no such record)."""
        ...

    def record_send(self, result: SendResult) -> None:
        """Order number, Guid and status, or the rep's error, written back in ONE call."""
        ...

    def record_statuses(self, statuses: dict[str, str]) -> None:
        """Opportunity id -> Unleashed status, 200 a call."""
        ...


class UnleashedAccount(Protocol):
    def pickers(self) -> Pickers: ...
    def taxes(self) -> list[Tax]: ...
    def stock_in(self, warehouse_code: str) -> dict[str, StockLevel]:
        """Product code (lower case) -> stock in one warehouse, read in one request a page."""
        ...

    def customer_by_code(self, code: str) -> Customer | None: ...
    def save_customer(self, guid: str, body: dict[str, Any]) -> Customer: ...
    def create_sales_order(self, guid: str, body: dict[str, Any]) -> CreatedOrder: ...
    def sales_orders_modified_since(self, since: datetime) -> list[OrderStatus]: ...


class SalesOrderFeed(Protocol):
    """What the status poll reads of Unleashed."""

    def sales_orders_modified_since(self, since: datetime) -> list[OrderStatus]:
        """Every order modified at or after `since` (Unleashed's clock), one request a page."""
        ...


class StatusWriter(Protocol):
    """What the status poll writes to Salesforce."""

    def record_statuses(self, statuses: dict[str, str]) -> None:
        """Opportunity id -> Unleashed status, 200 a call."""
        ...


class ProductFeed(Protocol):
    """What the price book sync reads of Unleashed."""

    def products_modified_since(self, since: datetime | None) -> list[UnleashedProduct]:
        """Every product (obsolete ones included) modified at or after `since`; None: all."""
        ...


class PriceBook(Protocol):
    """The "Unleashed" price book in Salesforce."""

    def write(self, products: list[UnleashedProduct]) -> PriceBookResult:
        """Upsert the products (by Unleashed Guid) and their entries: the standard entry
        first (Salesforce requires it), then the Unleashed book's; obsolete ones inactive."""
        ...
