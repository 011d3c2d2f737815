"""What the console needs from the outside, as protocols (adapters: shared.adapters.aws)."""

from __future__ import annotations

from typing import Protocol

from shared.console.models import AuditEntry
from shared.jobs import Job, JobStatus


class JobIndex(Protocol):
    def updated_times(
        self, flow: str, status: JobStatus, since: str | None = None, *, newest_first: bool = False
    ) -> list[str]: ...
    def latest_time(self, flow: str, status: JobStatus) -> str | None: ...
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
