"""What this flow needs of Intacct (the books) and of Salesforce (opportunities in, sales
document records out). Adapters implement them; unit tests use fakes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from shared.flows.intacct_documents.models import (
    Changes,
    DocumentLine,
    IntacctDocument,
    NewDocument,
    OpportunityForDocument,
    Payment,
    SalesDocumentRecord,
)


class IntacctBooks(Protocol):
    def has_customer(self, customer_id: str) -> bool: ...
    def create_customer(self, customer_id: str, name: str) -> None: ...
    def create_document(self, control_id: str, document: NewDocument) -> str:
        """The new document's key; a repeated control id answers the document it made."""
        ...

    def document(
        self, key: str, *, header_fields: Sequence[str], detail_fields: Sequence[str]
    ) -> IntacctDocument | None:
        """The header and its lines, in one read."""
        ...

    def changes(
        self,
        types: dict[str, Sequence[str]],
        since: datetime,
        *,
        paid_since: datetime | None = None,
        deleted_since: datetime | None = None,
    ) -> Changes:
        """In ONE request (then pages): per type (-> its extra header fields) the headers
        modified at or after `since`; the payment details changed since `paid_since`; the
        sales documents deleted since `deleted_since`."""
        ...

    def documents_of_invoices(
        self, ar_recordnos: Sequence[int], header_fields: Sequence[str]
    ) -> list[IntacctDocument]: ...

    def lines_of(
        self, keys: Sequence[str], detail_fields: Sequence[str]
    ) -> dict[str, list[DocumentLine]]:
        """Lines per document key, for many documents in one read (and its pages)."""
        ...

    def payments_of(self, ar_recordnos: Sequence[int]) -> dict[int, list[Payment]]:
        """Payments applied per AR invoice record number."""
        ...

    def customer_balances(self, customer_ids: Sequence[str]) -> dict[str, Decimal]:
        """Each customer's open AR balance (what its posted invoices still owe)."""
        ...


class SalesforceDocuments(Protocol):
    def opportunity_for_document(self, opportunity_id: str) -> OpportunityForDocument | None: ...
    def record_customer_id(self, account_id: str, customer_id: str) -> None: ...
    def post_documents(self, records: Sequence[SalesDocumentRecord]) -> dict[str, str | None]:
        """Upsert each document with its lines; per key, None when written or the reason."""
        ...

    def mark_deleted(self, recordnos: Sequence[int], state: str) -> list[str]:
        """Set `state` on the records of these Intacct documents (by RECORDNO) that do not have
        it yet; the Intacct keys of the records changed."""
        ...
