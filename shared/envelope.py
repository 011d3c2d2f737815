"""The message every queue carries: a versioned envelope around a typed payload.

Receivers wrap what they accepted; workers parse it back with the same model, so a message
that does not match is refused at the edge of the worker instead of deep inside a sync.
`schema_version` lets a deployment drain old messages while a new worker understands both.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo

PayloadT = TypeVar("PayloadT", bound=BaseModel)

# A version from the future could stand forever as the newest version of its record (an older
# version never overwrites a newer one), so the receivers refuse one more than this ahead of
# their clock. Five minutes absorbs ordinary clock drift between NetSuite, Salesforce and AWS.
CLOCK_SKEW = timedelta(minutes=5)
# The oldest version the product accepts: neither NetSuite nor Salesforce existed before.
EARLIEST_VERSION = datetime(1990, 1, 1, tzinfo=UTC)
# RFC 3339 date-time with seconds and an explicit zone, as NetSuite's script and Apex's
# JSON.serialize write it (or +hhmm, as Salesforce's REST API does); no date-only values, no `_`
# separators, no zone-less times.
_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?(?:Z|[+-][0-9]{2}:?[0-9]{2})"
)
# Context key under which a receiver passes its clock to validation (`model_validate_json(...,
# context={NOW: datetime})`); without it (a worker re-reading its own message) no skew check.
NOW = "now"


def _rfc3339_text(value: Any) -> Any:
    if isinstance(value, str) and not _RFC3339.fullmatch(value):
        raise ValueError(
            "must be an RFC 3339 date-time with seconds and a zone, e.g. 2026-11-22T09:41:07Z"
        )
    return value


def _representable_utc(value: datetime, info: ValidationInfo) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must carry a timezone (Z or +hh:mm)")
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is outside the dates salesbridge can represent") from None
    if utc < EARLIEST_VERSION:
        raise ValueError(f"is before {EARLIEST_VERSION:%Y-%m-%d}: not a real version")
    now = (info.context or {}).get(NOW)
    if isinstance(now, datetime) and utc > now + CLOCK_SKEW:
        raise ValueError(f"is more than {int(CLOCK_SKEW.total_seconds())} seconds in the future")
    return utc


VersionTimestamp = Annotated[
    datetime, BeforeValidator(_rfc3339_text), AfterValidator(_representable_utc)
]
# Ids from outside systems (the script sends a uuid): characters an SQS deduplication id allows,
# and short enough that `shared.intake.fifo_dedup_id` stays within its 128 characters.
EventId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")]


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
    last_modified_date: VersionTimestamp = Field(alias="lastModifiedDate")

    @property
    def version(self) -> str:
        return self.last_modified_date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


SALESFORCE_OPPORTUNITY_WON = "salesforce.opportunity.closed_won"
