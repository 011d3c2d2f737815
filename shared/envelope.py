"""The message every queue carries: a versioned envelope around a typed payload.

Receivers wrap what they accepted; workers parse it back with the same model, so a message
that does not match is refused at the edge of the worker instead of deep inside a sync.
`schema_version` lets a deployment drain old messages while a new worker understands both.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

PayloadT = TypeVar("PayloadT", bound=BaseModel)


class Envelope(BaseModel, Generic[PayloadT]):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = 1
    message_type: str = Field(description="what the payload is, e.g. netsuite.salesorder.changed")
    job_id: str = Field(description="the job this message advances")
    correlation_id: str = Field(description="follows the record through every log line")
    source: str = Field(description="the system the record comes from")
    record_key: str = Field(description="the record's identity in its source")
    version: str = Field(description="the source's version of the record (e.g. lastModifiedDate)")
    enqueued_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    payload: PayloadT


class NetsuiteOrderEvent(BaseModel):
    """What the SuiteScript user event posts after a sales order is saved (ids, not data)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    record_type: Literal["salesorder"] = Field(alias="recordType")
    id: str = Field(alias="id", pattern=r"^[0-9]{1,18}$", description="internal id")
    event_type: Literal["create", "edit", "xedit", "delete", "approve", "cancel"] = Field(
        alias="eventType"
    )
    last_modified_date: datetime = Field(alias="lastModifiedDate")
    account_id: str | None = Field(None, alias="accountId", max_length=64)
    event_id: str | None = Field(None, alias="eventId", max_length=64)

    @property
    def version(self) -> str:
        return self.last_modified_date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


NETSUITE_ORDER_CHANGED = "netsuite.salesorder.changed"


class SalesforceOpportunityEvent(BaseModel):
    """What the Salesforce flow posts when an opportunity becomes Closed Won (ids, not data)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    # 006 is the Opportunity key prefix; 15-character ids are accepted as Salesforce sends
    # them from some formula contexts, and the worker reads the 18-character form back.
    opportunity_id: str = Field(
        alias="opportunityId", pattern=r"^006[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$"
    )
    event: Literal["closed_won"] = Field("closed_won", alias="event")
    last_modified_date: datetime = Field(alias="lastModifiedDate")

    @property
    def version(self) -> str:
        return self.last_modified_date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


SALESFORCE_OPPORTUNITY_WON = "salesforce.opportunity.closed_won"
