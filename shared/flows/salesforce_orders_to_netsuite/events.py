"""What this flow receives: the Closed Won callout of the Salesforce flow (and the export
backstop's stand-in for a lost one), and the queue message that carries it to the worker."""

from __future__ import annotations

from datetime import UTC
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.envelope import VersionTimestamp

SALESFORCE_OPPORTUNITY_WON = "salesforce.opportunity.closed_won"


class SalesforceOpportunityEvent(BaseModel):
    """What the Salesforce flow posts when an opportunity becomes Closed Won (ids, not data)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    FLOW: ClassVar[str] = "salesforce_orders_to_netsuite"
    SOURCE: ClassVar[str] = "salesforce"
    MESSAGE_TYPE: ClassVar[str] = SALESFORCE_OPPORTUNITY_WON

    # 006 is the Opportunity key prefix; 15-character ids are accepted as Salesforce sends
    # them from some formula contexts, and the worker reads the 18-character form back.
    opportunity_id: str = Field(
        alias="opportunityId", pattern=r"^006[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$"
    )
    event: Literal["closed_won"] = Field("closed_won", alias="event")
    last_modified_date: VersionTimestamp = Field(alias="lastModifiedDate")

    @property
    def version(self) -> str:
        return self.last_modified_date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def record_key(self) -> str:
        # One FIFO group per opportunity; the id + version deduplicates a flow that fires twice.
        return f"opportunity:{self.opportunity_id}"

    @property
    def identity(self) -> str:
        return self.version

    @property
    def event_id(self) -> str | None:
        return None  # the flow fires once per version; nothing tells two saves apart

    def job_detail(self) -> dict[str, str]:
        return {"event": self.event}
