"""What the company sync needs of Unleashed and Salesforce (adapters implement these)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from shared.flows.unleashed_companies.models import AccountWrite, UnleashedCustomer, WriteResult


class UnleashedCustomers(Protocol):
    def customer(self, guid: str) -> UnleashedCustomer | None:
        """The customer with its contacts (one call); None when Unleashed has no such Guid."""
        ...

    def customers_modified_since(self, since: datetime) -> list[UnleashedCustomer]:
        """Customers (with contacts) modified at or after `since`, one call per 1000."""
        ...


class SalesforceCompanies(Protocol):
    def user_ids_by_email(self, emails: set[str]) -> dict[str, str]:
        """Active users by lower-case e-mail (one query)."""
        ...

    def write(self, change: AccountWrite) -> WriteResult:
        """The Account and its contacts in ONE call; per-record refusals in the result."""
        ...
