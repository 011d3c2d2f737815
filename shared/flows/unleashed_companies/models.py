"""The records this flow syncs, in its own words, and the values compared to spot a change.

A company and a contact are each a flat map of synced field -> text (None when empty), the
same names on both sides; `shared.links` keeps the values last synced, so a change is a field
whose value differs from that memory, and an echo (what salesbridge itself wrote coming back)
is a record whose values all equal it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

COMPANY_FIELDS = ("name", "phone", "website")
ACCOUNT_MANAGER = "account_manager"  # the salesperson's / owner's e-mail, lower case
ADDRESS_FIELDS = ("street", "city", "region", "postal_code", "country")
CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "mobile", "fax")

Values = dict[str, str | None]

# Link attributes besides the synced values (never compared as fields): when salesbridge last
# wrote each side (to recognise a change it overwrote, and its own Unleashed notification) and
# the refusal shown on the record.
SF_WRITTEN_AT = "~salesforce_written_at"
SF_WRITTEN_FIELDS = "~salesforce_written_fields"
UNLEASHED_WRITTEN_AT = "~unleashed_written_at"
SYNC_ERROR = "~sync_error"


def cleaned(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


@dataclass(frozen=True)
class UnleashedContact:
    guid: str
    values: Values


@dataclass(frozen=True)
class UnleashedCustomer:
    guid: str
    code: str
    values: Values  # COMPANY_FIELDS, ACCOUNT_MANAGER, "address.<field>"
    modified: datetime | None
    obsolete: bool = False
    contacts: tuple[UnleashedContact, ...] = ()


@dataclass(frozen=True)
class ContactWrite:
    guid: str
    values: Values  # only the fields to write


@dataclass(frozen=True)
class AccountWrite:
    """One Salesforce write for one customer: the Account upserted by its Unleashed Guid and
    the contacts upserted by theirs, under that Account (never a default company)."""

    customer_guid: str
    customer_code: str
    values: Values  # COMPANY_FIELDS and address fields to write
    owner_id: str | None = None
    contacts: tuple[ContactWrite, ...] = ()
    address: str = "billing"  # which Account address the "address.*" values go to


@dataclass(frozen=True)
class WriteResult:
    account_id: str | None
    contact_ids: dict[str, str] = field(default_factory=dict)  # contact guid -> Contact Id
    errors: dict[str, str] = field(default_factory=dict)  # "account" or contact guid -> reason
