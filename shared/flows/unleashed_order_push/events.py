"""What the Warehouse Selection page queues when the rep presses Send: the opportunity (an id
and the version the rep looked at) and the rep's choices. The worker reads the opportunity
itself; the choices are the rep's, so they travel."""

from __future__ import annotations

from datetime import UTC, date
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.envelope import VersionTimestamp

UNLEASHED_SEND_REQUESTED = "salesforce.opportunity.send_to_unleashed"

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


class SendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    FLOW: ClassVar[str] = "unleashed_order_push"
    SOURCE: ClassVar[str] = "salesforce"
    MESSAGE_TYPE: ClassVar[str] = UNLEASHED_SEND_REQUESTED

    opportunity_id: str = Field(pattern=r"^006[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$")
    # The opportunity's LastModifiedDate when the page was drawn: a double click or a second
    # tab is the same job; a send after a fix (the error written back moves it) is a new one.
    opportunity_version: VersionTimestamp
    requested_by: str = Field(pattern=r"^005[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$")
    customer_code: Code
    warehouse_code: Code
    tax_code: Code | None = None
    salesperson_guid: Annotated[str | None, Field(pattern=r"^[0-9a-fA-F-]{36}$")] = None
    sales_order_group: Annotated[str | None, StringConstraints(max_length=50)] = None
    delivery_method: Text | None = None
    delivery_name: Text | None = None
    delivery_street: Text | None = None
    delivery_city: Text | None = None
    delivery_region: Text | None = None
    delivery_postal_code: Annotated[str | None, StringConstraints(max_length=20)] = None
    delivery_country: Text | None = None
    required_date: date | None = None
    comments: Annotated[str | None, StringConstraints(max_length=2048)] = None

    @property
    def version(self) -> str:
        return self.opportunity_version.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def record_key(self) -> str:
        return f"unleashed-send:{self.opportunity_id}"

    @property
    def identity(self) -> str:
        return self.version

    @property
    def event_id(self) -> str | None:
        return None

    def job_detail(self) -> dict[str, str]:
        return {"opportunity_id": self.opportunity_id, "warehouse": self.warehouse_code}
