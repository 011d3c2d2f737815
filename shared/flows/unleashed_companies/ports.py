"""What the company sync needs of Unleashed and Salesforce (adapters implement these)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from shared.flows.unleashed_companies.models import (
    AccountWrite,
    UnleashedCustomer,
    Values,
    WriteResult,
)


class RefusedValue(Exception):
    """Unleashed refused one field's value (a 400 naming it); the other fields can be sent."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


class UnleashedCustomers(Protocol):
    def customer(self, guid: str) -> UnleashedCustomer | None:
        """The customer with its contacts (one call); None when Unleashed has no such Guid."""
        ...

    def customers_modified_since(self, since: datetime) -> list[UnleashedCustomer]:
        """Customers (with contacts) modified at or after `since`, one call per 1000."""
        ...

    def save_customer(self, customer: UnleashedCustomer, values: Values) -> datetime | None:
        """Write `values` on the customer (1 call); answers its new LastModifiedOn. A refused
        value raises `RefusedValue` naming the field."""
        ...

    def save_contact(self, customer_guid: str, contact_guid: str, values: Values) -> None:
        """Write `values` on one contact of the customer (1 call); `RefusedValue` as above."""
        ...


class SalesforceCompanies(Protocol):
    def user_ids_by_email(self, emails: set[str]) -> dict[str, str]:
        """Active users by lower-case e-mail (one query)."""
        ...

    def write(self, change: AccountWrite) -> WriteResult:
        """The Account and its contacts in ONE call; per-record refusals in the result."""
        ...

    def record_sync_state(self, sobject: str, record_id: str, error: str | None) -> None:
        """Set (or clear, None) `Unleashed_Sync_Error__c` on the record (1 call)."""
        ...

    def restore(self, sobject: str, record_id: str, values: Values) -> None:
        """Put synced values back on the record after a conflict it won (1 call)."""
        ...
