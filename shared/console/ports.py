"""What the console needs from the outside, as protocols (adapters: shared.adapters.aws)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from shared.console.models import AuditEntry
from shared.jobs import Job, JobStatus


class FlowCounts(Protocol):
    """One flow's jobs per status: entered this hour, today, in the last 7 days (calendar, UTC),
    and in it now (None for the statuses that expire)."""

    def hour(self, status: JobStatus) -> int: ...
    def day(self, status: JobStatus) -> int: ...
    def week(self, status: JobStatus) -> int: ...
    def now(self, status: JobStatus) -> int | None: ...
    @property
    def last_done(self) -> str | None: ...


class JobCounts(Protocol):
    def read(self, flows: list[str], now: datetime) -> Mapping[str, FlowCounts]: ...


class JobIndex(Protocol):
    def oldest_time(self, flow: str, status: JobStatus) -> str | None: ...
    def by_flow_status(
        self, flow: str, status: JobStatus, before: str | None, limit: int
    ) -> list[Job]: ...
    def by_status(self, status: JobStatus, before: str | None, limit: int) -> list[Job]: ...
    def by_record(self, record_key: str, before: str | None, limit: int) -> list[Job]: ...


class AuditLog(Protocol):
    def record(self, entry: AuditEntry) -> None: ...
    def latest(self, limit: int = 50) -> list[AuditEntry]: ...


class DeadLetters(Protocol):
    def depth(self, queue: str) -> int | None: ...  # None: the queue is not known here
    def redrive(self, queue: str) -> list[str]: ...  # the bodies moved back
    def send(
        self, queue: str, body: str, *, group_id: str | None, dedup_id: str | None
    ) -> None: ...


class Hold(Protocol):
    def state(self) -> object | None: ...  # shared.adapters.aws.stores.hold.HoldState
    def lift(self) -> object | None: ...
