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
    # Optional, so that messages queued before flows declared themselves still parse.
    flow: str | None = Field(None, description="the flow that owns the job (shared.flow)")
    message_type: str = Field(description="what the payload is, e.g. netsuite.salesorder.changed")
    job_id: str = Field(description="the job this message advances")
    correlation_id: str = Field(description="follows the record through every log line")
    source: str = Field(description="the system the record comes from")
    record_key: str = Field(description="the record's identity in its source")
    version: str = Field(description="the source's version of the record (e.g. lastModifiedDate)")
    enqueued_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    payload: PayloadT
