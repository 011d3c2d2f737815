"""What this flow receives: Unleashed's customer webhook notifications (and the backstop's
stand-in for a lost one), carried on the queue to the worker. Ids, not data: the worker reads
the customer and its contacts from Unleashed, so an old or repeated notification can never
put old values into Salesforce."""

from __future__ import annotations

from datetime import UTC
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

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
