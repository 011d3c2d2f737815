"""What this flow needs of the outside world: NetSuite orders (`OrderSource`), Salesforce
opportunities (`OpportunityStore`, with the write plan and its results) and the shared hold on
Salesforce's API budget (`BudgetHold`). Adapters implement them; unit tests use fakes.

The write plan:

The domain decides *what* to write (`OrderWrite`: one all-or-nothing unit per order); the
Salesforce adapter (`shared.adapters.salesforce.opportunity_writer`) decides *how*: one
composite graph per order,
as many graphs per API call as the limits allow (75 graphs, 500 nodes), so ten orders cost
one call. Nothing here knows URLs, JSON shapes or API versions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from shared.errors import RetryableError
from shared.netsuite_records import Customer, SalesOrder


@dataclass(frozen=True)
class Upsert:
    """Create-or-update one record keyed by an external id (never matched by name)."""

    sobject: str
    external_id_field: str
    external_id: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class LineWrite:
    """One OpportunityLineItem keyed by `NetSuite_Line_Key__c`.

    A new line (`existing_id` None) is created with its price book entry; an existing one is
    updated without OpportunityId / PricebookEntryId, which Salesforce refuses to change.
    """

    key: str
    fields: dict[str, Any]
    pricebook_entry_id: str | None = None
    existing_id: str | None = None


@dataclass(frozen=True)
class OrderWrite:
    """Everything one order changes in Salesforce; applied all-or-nothing."""

    write_id: str  # unique in a batch, e.g. "ns4711"
    opportunity: Upsert
    account: Upsert | None = None  # set when the account must be created from the customer
    account_id: str | None = None  # the known account otherwise
    lines: tuple[LineWrite, ...] = ()
    deleted_line_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class WriteFailure:
    error_code: str  # Salesforce's errorCode, e.g. UNABLE_TO_LOCK_ROW
    message: str
    fields: tuple[str, ...] = ()
    retryable: bool = False


@dataclass(frozen=True)
class WriteResult:
    write_id: str
    ok: bool
    opportunity_id: str | None = None
    account_id: str | None = None
    line_ids: dict[str, str] = field(default_factory=dict)  # line key -> OpportunityLineItem id
    failure: WriteFailure | None = None


class WriteOutcomeUnknown(RetryableError):
    """The write was sent but its answer never arrived (a timeout, a dropped connection):
    Salesforce may have committed it. The next attempt must learn what Salesforce holds."""

    code = "OUTCOME_UNKNOWN"


@dataclass(frozen=True)
class OpportunityState:
    """What Salesforce holds for one NetSuite order: the opportunity and its keyed lines."""

    opportunity_id: str
    lines: dict[str, str]  # NetSuite_Line_Key__c -> OpportunityLineItem id


@dataclass(frozen=True)
class PricebookEntryRef:
    id: str
    pricebook_id: str
    pricebook_name: str
    item_id: str  # the product's NetSuite item id
    active: bool
    unit_price: Decimal | None = None


class OpportunityStore(Protocol):
    """The port the NetSuite order worker writes Salesforce through."""

    def pricebook_entries(
        self, pricebook_names: set[str], item_ids: set[str]
    ) -> dict[tuple[str, str], PricebookEntryRef]:
        """Entries keyed by (price book name, NetSuite item id); one query for all."""
        ...

    def write_orders(self, writes: list[OrderWrite]) -> dict[str, WriteResult]:
        """Apply every write (each all-or-nothing) in as few API calls as the limits allow."""
        ...

    def opportunity_states(self, netsuite_order_ids: set[str]) -> dict[str, OpportunityState]:
        """The opportunities of these NetSuite orders with their keyed lines, in ONE query;
        an order with no opportunity is absent. Used when the outcome of an earlier write
        is unknown, so the plan starts from what Salesforce really holds."""
        ...

    def opportunity_lines(self, opportunity_id: str) -> dict[str, str]:
        """The opportunity's current lines, line key -> id (to repair a stale line state)."""
        ...

    def order_lines(self, netsuite_order_id: str) -> dict[str, str]:
        """Lines of the opportunity keyed by this NetSuite order id, line key -> id.

        Works even when salesbridge lost track of the opportunity itself (an attempt whose
        answer never arrived), which `opportunity_lines` cannot.
        """
        ...


class OrderSource(Protocol):
    def sales_order(self, order_id: str) -> SalesOrder | None: ...
    def customer(self, customer_id: str) -> Customer | None: ...
    def update_sales_order(self, order_id: str, fields: dict[str, Any]) -> None: ...
    def record_url(self, order_id: str) -> str: ...


class BudgetHold(Protocol):
    """Remembers that Salesforce's daily API budget is exhausted, so nobody calls it."""

    def active(self) -> bool: ...
    def held_until(self) -> str | None: ...
    def hold(self, reason: str) -> str: ...
