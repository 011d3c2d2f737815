"""Jobs: one item per inbound record version, the operator's view of what happened to it.

The job id comes from the outside world (source, record, version), so a webhook delivered
three times finds the same job instead of creating three. Status moves
received -> queued -> done | skipped | failed | held. A failed job keeps its last error and
the message that would replay it; a held one waits for the target's API budget to return and
says until when (`held_until`). A finished job shows its `outcome` (what was written) and no
error: the errors of earlier attempts stay in `attempts`, a bounded history.
Stored by `shared.adapters.aws.stores.jobs` (DynamoDB, conditional writes); services see the
`JobRepository` port, tests a fake of it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, Field

from shared.clock import iso_millis, real_utc_now, utc_now

DONE_JOB_RETENTION_SECONDS = 30 * 24 * 3600
# The history of a job is for a person reading it, not an audit log: the last few attempts
# tell the story and keep the item far below DynamoDB's 400 KB.
ATTEMPTS_KEPT = 10
FINISHED = frozenset({"done", "skipped"})


class JobStatus(StrEnum):
    RECEIVED = "received"  # accepted, not yet on its queue (enqueue may be retried)
    QUEUED = "queued"
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"
    HELD = "held"  # the target's API budget is gone; released when it returns


class Attempt(BaseModel):
    """One step of a job's history: when, where it left the job, and what went wrong."""

    at: str
    status: JobStatus
    error: str | None = None  # None: this attempt worked


class Job(BaseModel):
    job_id: str
    flow: str | None = Field(None, description="the flow that owns it (shared.flow.Flow.name)")
    source: str
    record_key: str
    version: str
    status: JobStatus
    correlation_id: str
    attempt_count: int = Field(0, description="deliveries worked on, all of them")
    attempts: list[Attempt] = Field(
        default_factory=list, description=f"the last {ATTEMPTS_KEPT} attempts, oldest first"
    )
    last_error: str | None = Field(None, description="why the latest attempt did not finish")
    outcome: dict[str, Any] = Field(
        default_factory=dict, description="what a done job wrote: ids, totals, lines"
    )
    held_until: str | None = Field(None, description="a held job is retried after this")
    message: str | None = Field(None, description="the queue message body, for replay")
    detail: dict[str, Any] = Field(default_factory=dict)
    created_at: str = Field(default_factory=utc_now)
    updated_at: str = Field(default_factory=utc_now)
    revision: int = 1
    expires_at: int | None = None

    @staticmethod
    def make_id(source: str, record_key: str, version: str) -> str:
        return f"{source}:{record_key}:{version}"

    def moved_to(
        self,
        status: JobStatus,
        *,
        error: str | None = None,
        detail: dict[str, Any] | None = None,
        attempted: bool = False,
        outcome: dict[str, Any] | None = None,
        held_until: str | None = None,
        now: datetime | None = None,
    ) -> Job:
        """This job after a transition (the store writes it; fakes share the same rules).

        A finished job carries no error (the history keeps them); an attempt or an error
        adds a history entry; `held_until` only means something while held. `now` dates the
        change and the retention of a finished job (the store's injected clock)."""
        moment = now or real_utc_now()
        at = iso_millis(moment)
        finished = status.value in FINISHED
        attempts = list(self.attempts)
        if attempted or error is not None:
            attempts.append(Attempt(at=at, status=status, error=None if finished else error))
        return self.model_copy(
            update={
                "status": status,
                "last_error": None if finished else (error or self.last_error),
                "detail": {**self.detail, **(detail or {})},
                "attempt_count": self.attempt_count + (1 if attempted else 0),
                "attempts": attempts[-ATTEMPTS_KEPT:],
                "outcome": outcome if outcome is not None else self.outcome,
                "held_until": (held_until or self.held_until) if status is JobStatus.HELD else None,
                "updated_at": at,
                "revision": self.revision + 1,
                "expires_at": (
                    int(moment.timestamp()) + DONE_JOB_RETENTION_SECONDS if finished else None
                ),
            }
        )


class JobRepository(Protocol):
    def create(self, job: Job) -> tuple[Job, bool]: ...
    def get(self, job_id: str) -> Job | None: ...
    def transition(
        self,
        job: Job,
        status: JobStatus,
        *,
        error: str | None = None,
        detail: dict[str, Any] | None = None,
        attempted: bool = False,
        outcome: dict[str, Any] | None = None,
        held_until: str | None = None,
    ) -> Job: ...


class StatusListing(Protocol):
    """Jobs by status, newest first (what the backstops re-send or release)."""

    def list_by_status(self, status: JobStatus, limit: int = 50) -> list[Job]: ...
