"""The flow's own words for what it reads and what the rep chooses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class Address:
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class AccountForSend:
    id: str
    name: str
    phone: str | None = None
    website: str | None = None
    shipping: Address = field(default_factory=Address)
    billing: Address = field(default_factory=Address)
    unleashed_customer_code: str | None = None
    unleashed_customer_guid: str | None = None


@dataclass(frozen=True)
class SendLine:
    id: str
    product_name: str
    product_code: str | None  # the Unleashed product code; None: not an Unleashed product
    quantity: Decimal
    unit_price: Decimal  # the sales price on the line (the rep may have overridden it)
    list_price: Decimal | None  # the Unleashed price book's price (Unleashed default sell price)
    discount_percent: Decimal | None
    description: str | None

    @property
    def price_overridden(self) -> bool:
        return self.list_price is not None and self.unit_price != self.list_price


@dataclass(frozen=True)
class OpportunityForSend:
    id: str
    name: str
    stage: str
    is_closed: bool
    is_won: bool
    last_modified: datetime
    account: AccountForSend | None
    lines: tuple[SendLine, ...]
    unleashed_order_guid: str | None = None
    unleashed_order_number: str | None = None
    unleashed_order_status: str | None = None


@dataclass(frozen=True)
class Warehouse:
    code: str
    name: str
    is_default: bool = False


@dataclass(frozen=True)
class StockLevel:
    on_hand: Decimal
    allocated: Decimal
    available: Decimal


@dataclass(frozen=True)
class Tax:
    code: str
    description: str
    rate: Decimal


@dataclass(frozen=True)
class Salesperson:
    guid: str
    name: str
    email: str | None


@dataclass(frozen=True)
class Customer:
    guid: str
    code: str
    name: str


@dataclass(frozen=True)
class Pickers:
    warehouses: tuple[Warehouse, ...]
    taxes: tuple[Tax, ...]
    salespersons: tuple[Salesperson, ...]
    sales_order_groups: tuple[str, ...]
    delivery_methods: tuple[str, ...]


@dataclass(frozen=True)
class CreatedOrder:
    guid: str
    number: str
    status: str


@dataclass(frozen=True)
class OrderStatus:
    guid: str
    number: str
    status: str
    modified: datetime


@dataclass(frozen=True)
class SendResult:
    """What is written back onto the Opportunity (and its Account) in one call."""

    opportunity_id: str
    order: CreatedOrder | None = None
    error: str | None = None
    account_id: str | None = None
    customer: Customer | None = None  # a customer created for the Account


@dataclass(frozen=True)
class ChosenDelivery:
    name: str | None
    address: Address
    method: str | None
    required: date | None


@dataclass(frozen=True)
class UnleashedProduct:
    """An Unleashed product as the "Unleashed" price book carries it."""

    guid: str
    code: str
    name: str
    default_sell_price: Decimal
    obsolete: bool
    modified: datetime | None = None


@dataclass
class PriceBookResult:
    """What one price book write did (counts), and the products it could not write."""

    products: int = 0
    products_created: int = 0
    entries_created: int = 0
    entries_updated: int = 0
    deactivated: int = 0
    failed: list[str] = field(default_factory=list)  # "<code>: <reason>"
