"""What this flow receives: the NetSuite user event script's post (also what the backstop and
the reconciler accept, the same model), and the reconciler's on-demand request."""

from __future__ import annotations

from datetime import UTC
from typing import Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.envelope import EventId, VersionTimestamp

NETSUITE_ORDER_CHANGED = "netsuite.salesorder.changed"


class NetsuiteOrderEvent(BaseModel):
    """What the SuiteScript user event posts after a sales order is saved (ids, not data)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    FLOW: ClassVar[str] = "netsuite_orders_to_salesforce"
    SOURCE: ClassVar[str] = "netsuite"
    MESSAGE_TYPE: ClassVar[str] = NETSUITE_ORDER_CHANGED

    record_type: Literal["salesorder"] = Field(alias="recordType")
    # Canonical digits only: "0042" would be a second spelling of record 42.
    id: str = Field(alias="id", pattern=r"^[1-9][0-9]{0,17}$", description="internal id")
    event_type: Literal["create", "edit", "xedit", "delete", "approve", "cancel"] = Field(
        alias="eventType"
    )
    last_modified_date: VersionTimestamp = Field(alias="lastModifiedDate")
    account_id: str | None = Field(None, alias="accountId", max_length=64)
    # One per save (the script's uuid): two saves within one second share `lastModifiedDate`.
    event_id: EventId | None = Field(None, alias="eventId")

    @property
    def version(self) -> str:
        return self.last_modified_date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def record_key(self) -> str:
        return f"{self.record_type}:{self.id}"

    @property
    def identity(self) -> str:
        # A delete is stamped with the time of deletion, which can equal the second of the
        # last save: it must never be taken for a duplicate of that save.
        return f"{self.version}-deleted" if self.event_type == "delete" else self.version

    def job_detail(self) -> dict[str, str]:
        return {"event_type": self.event_type}


class ReconcileRequest(BaseModel):
    """The reconciler's event: EventBridge's "Scheduled Event", or `{"since": "<ISO 8601 with
    offset>"}` (at the top level or in `detail`) to re-scan a window."""

    model_config = ConfigDict(extra="ignore")

    since: AwareDatetime | None = None

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> ReconcileRequest:
        detail = event.get("detail")
        source = detail if isinstance(detail, dict) and "since" in detail else event
        return cls.model_validate(source)
