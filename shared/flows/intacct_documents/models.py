"""Sales documents as this flow sees them, on both sides (plain, frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class NewLine:
    item_id: str
    quantity: Decimal
    price: Decimal
    memo: str = ""


@dataclass(frozen=True)
class NewDocument:
    """What `create_sotransaction` receives."""

    transaction_type: str
    customer_id: str
    created: date
    reference: str  # referenceno: the control id, so a retry whose answer was lost finds it
    lines: tuple[NewLine, ...]


@dataclass(frozen=True)
class DocumentLine:
    key: str  # SODOCUMENTENTRY RECORDNO
    line_no: int
    item_id: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    extra: dict[str, str] = field(default_factory=dict)  # detail_map's Intacct fields


@dataclass(frozen=True)
class Payment:
    key: str  # ARPYMT RECORDNO
    paid_on: date | None
    amount: Decimal  # applied to this invoice
    method: str
    reference: str


@dataclass(frozen=True)
class IntacctDocument:
    """An SODOCUMENT header (and, when read so, its lines and payments)."""

    key: str  # DOCID, e.g. "Sales Order-SO0001"
    recordno: int
    transaction_type: str  # DOCPARID
    number: str  # DOCNO
    state: str
    customer_id: str
    created: date | None
    due: date | None
    modified: datetime
    total: Decimal
    total_paid: Decimal
    total_due: Decimal
    reference: str  # PONUMBER
    ar_recordno: int | None = None  # PRRECORDKEY: the AR invoice of a posted Sales Invoice
    extra: dict[str, str] = field(default_factory=dict)  # header_map's Intacct fields
    lines: tuple[DocumentLine, ...] | None = None  # None: not read
    payments: tuple[Payment, ...] | None = None


@dataclass(frozen=True)
class ProductLine:
    id: str
    product_name: str
    intacct_item_id: str | None
    quantity: Decimal
    unit_price: Decimal
    description: str = ""


@dataclass(frozen=True)
class OpportunityForDocument:
    """An opportunity with what a Create <Transaction> needs, read in one query."""

    id: str
    name: str
    account_id: str | None
    account_name: str
    intacct_customer_id: str | None
    close_date: date | None
    lines: tuple[ProductLine, ...]
    documents: tuple[tuple[str, str], ...]  # (Document_Type__c, Intacct_Key__c) already linked


@dataclass(frozen=True)
class SalesDocumentRecord:
    """An Intacct document as salesbridge's read-only Salesforce records (header + lines)."""

    key: str
    fields: dict[str, object]
    customer_id: str  # Account__r by Intacct_Customer_Id__c
    opportunity_id: str | None
    lines: tuple[tuple[str, dict[str, object]], ...] | None  # (Line_Key__c, fields); None: skip
    payments: tuple[tuple[str, dict[str, object]], ...] = ()
    account_open_balance: Decimal | None = None  # with payment details: the customer's due


@dataclass(frozen=True)
class Changes:
    """What changed in Intacct since the poll's watermarks, as read in ONE request."""

    documents: dict[str, list[IntacctDocument]]  # per To Salesforce type
    paid: list[tuple[str, int]] = field(default_factory=list)  # (detail version, AR recordno)
    deleted: list[tuple[int, datetime]] = field(default_factory=list)  # (RECORDNO, deleted at)
