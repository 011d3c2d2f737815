"""What this flow receives: Unleashed's customer webhook notifications (and the backstop's
stand-in for a lost one), carried on the queue to the worker. Ids, not data: the worker reads
the customer and its contacts from Unleashed, so an old or repeated notification can never
put old values into Salesforce."""

from __future__ import annotations

from datetime import UTC
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.envelope import EventId, VersionTimestamp

UNLEASHED_CUSTOMER_CHANGED = "unleashed.customer.changed"
GUID = r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$"


class CustomerRef(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)

    customer_guid: str = Field(alias="customerGuid", pattern=GUID)
    customer_code: str = Field("", alias="customerCode", max_length=500)


class UnleashedCustomerEvent(BaseModel):
    """`{eventNotificationId, subscriptionId, eventType, createdOn, data: {customerGuid,
    customerCode}}` (the payload third-party clients read; see sandboxes/unleashed/webhooks.py)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    FLOW: ClassVar[str] = "unleashed_companies"
    SOURCE: ClassVar[str] = "unleashed"
    MESSAGE_TYPE: ClassVar[str] = UNLEASHED_CUSTOMER_CHANGED

    event_notification_id: EventId | None = Field(None, alias="eventNotificationId")
    subscription_id: str | None = Field(None, alias="subscriptionId", max_length=64)
    event_type: Literal["customer.created", "customer.updated", "customer.deleted"] = Field(
        alias="eventType"
    )
    created_on: VersionTimestamp = Field(alias="createdOn")
    data: CustomerRef

    @property
    def guid(self) -> str:
        return self.data.customer_guid.lower()

    @property
    def version(self) -> str:
        return self.created_on.astimezone(UTC).isoformat(timespec="milliseconds")

    @property
    def record_key(self) -> str:
        # One FIFO group per customer: its notifications are worked one after the other.
        return f"customer:{self.guid}"

    @property
    def identity(self) -> str:
        return self.version

    @property
    def event_id(self) -> str | None:
        return self.event_notification_id

    def job_detail(self) -> dict[str, str]:
        return {"event": self.event_type, "customer_code": self.data.customer_code}


SALESFORCE_COMPANY_CHANGED = "salesforce.company.changed"
SALESFORCE_KEYS = frozenset(
    {"name", "phone", "website", "account_manager"}
    | {f"address.{k}" for k in ("street", "city", "region", "postal_code", "country")}
    | {"first_name", "last_name", "email", "mobile", "fax"}
)


class SalesforceCompanyEvent(BaseModel):
    """What SalesbridgeCompanyCallout posts when a linked Account or Contact changes: the
    synced values and the record's LastModifiedDate (so an echo is recognised without a call)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    FLOW: ClassVar[str] = "unleashed_companies"
    SOURCE: ClassVar[str] = "salesforce"
    MESSAGE_TYPE: ClassVar[str] = SALESFORCE_COMPANY_CHANGED

    object: Literal["Account", "Contact"]
    record_id: str = Field(alias="recordId", pattern=r"^00[13][A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$")
    last_modified_date: VersionTimestamp = Field(alias="lastModifiedDate")
    customer_guid: str = Field(alias="customerGuid", pattern=GUID)
    contact_guid: str | None = Field(None, alias="contactGuid", pattern=GUID)
    values: dict[str, str | None]

    @model_validator(mode="after")
    def _synced_fields_only(self) -> SalesforceCompanyEvent:
        unknown = sorted(set(self.values) - SALESFORCE_KEYS)
        if unknown:
            raise ValueError(f"values: unknown synced fields {', '.join(unknown)}")
        if self.object == "Contact" and not self.contact_guid:
            raise ValueError("contactGuid: a Contact must be linked to an Unleashed contact")
        return self

    @property
    def version(self) -> str:
        return self.last_modified_date.astimezone(UTC).isoformat(timespec="milliseconds")

    @property
    def record_key(self) -> str:
        return f"{self.object.lower()}:{self.record_id}"

    @property
    def identity(self) -> str:
        return self.version

    @property
    def event_id(self) -> str | None:
        return None

    def job_detail(self) -> dict[str, str]:
        return {"object": self.object, "record_id": self.record_id}
