"""Jobs: one item per inbound record version, the operator's view of what happened to it.

The job id comes from the outside world (source, record, version), so a webhook delivered
three times finds the same job instead of creating three. Status moves
received -> queued -> done | skipped | failed | held. A failed job keeps its last error and
the message that would replay it; a held one waits for the target's API budget to return and
says until when (`held_until`). A finished job shows its `outcome` (what was written) and no
error: the errors of earlier attempts stay in `attempts`, a bounded history.
The `by_status` index lists jobs per status, newest first.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from shared.observability import redact
from shared.stores.dynamo import (
    StaleWrite,
    is_condition_failure,
    iso_millis,
    real_utc_now,
    table,
    utc_now,
    without_none,
)

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


class JobStore:
    def __init__(
        self,
        table_name: str,
        dynamodb: Any | None = None,
        clock: Callable[[], datetime] = real_utc_now,
    ) -> None:
        self._table = table(table_name, dynamodb)
        self._clock = clock  # dates each change and the retention (TTL) of finished jobs

    def create(self, job: Job) -> tuple[Job, bool]:
        """Store a new job, or return the one already stored under its id (and False)."""
        try:
            self._table.put_item(
                Item=_to_item(job), ConditionExpression="attribute_not_exists(job_id)"
            )
            return job, True
        except Exception as exc:
            if not is_condition_failure(exc):
                raise
        existing = self.get(job.job_id)
        if existing is None:  # deleted between the two calls: vanishingly rare, try again
            raise StaleWrite(f"job {job.job_id} changed while being created")
        return existing, False

    def get(self, job_id: str) -> Job | None:
        item = self._table.get_item(Key={"job_id": job_id}, ConsistentRead=True).get("Item")
        return None if item is None else _from_item(item)

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
    ) -> Job:
        """Move `job` to `status`, provided nobody changed it since it was read."""
        updated = job.moved_to(
            status,
            error=None if error is None else redact(error),
            detail=detail,
            attempted=attempted,
            outcome=outcome,
            held_until=held_until,
            now=self._clock(),
        )
        try:
            self._table.put_item(
                Item=_to_item(updated),
                ConditionExpression="revision = :read",
                ExpressionAttributeValues={":read": job.revision},
            )
        except Exception as exc:
            if is_condition_failure(exc):
                raise StaleWrite(f"job {job.job_id} changed since revision {job.revision}") from exc
            raise
        return updated

    def list_by_status(self, status: JobStatus, limit: int = 50) -> list[Job]:
        response = self._table.query(
            IndexName="by_status",
            KeyConditionExpression="#s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": status.value},
            ScanIndexForward=False,
            Limit=limit,
        )
        return [_from_item(item) for item in response.get("Items", [])]

    def count_by_status(self, status: JobStatus) -> int:
        """How many jobs have `status` (a COUNT query on the index: no items are read out)."""
        total, start = 0, None
        while True:
            kwargs: dict[str, Any] = {"ExclusiveStartKey": start} if start else {}
            response = self._table.query(
                IndexName="by_status",
                KeyConditionExpression="#s = :s",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":s": status.value},
                Select="COUNT",
                **kwargs,
            )
            total += int(response.get("Count", 0))
            start = response.get("LastEvaluatedKey")
            if not start:
                return total

    def recent(self, limit: int = 20) -> list[Job]:
        """The most recently updated jobs of any status, newest first (one query per status)."""
        found = [job for status in JobStatus for job in self.list_by_status(status, limit)]
        return sorted(found, key=lambda job: job.updated_at, reverse=True)[:limit]


def _to_item(job: Job) -> dict[str, Any]:
    item = job.model_dump(mode="json")
    # free-form: keep DynamoDB types (Decimal, no floats) out of them
    item["detail"] = json.dumps(item["detail"])
    item["outcome"] = json.dumps(item["outcome"])
    item["attempts"] = [without_none(attempt) for attempt in item["attempts"]]
    return without_none(item)


def _from_item(item: dict[str, Any]) -> Job:
    data = dict(item)
    data["detail"] = json.loads(data.get("detail") or "{}")
    data["outcome"] = json.loads(data.get("outcome") or "{}")
    if not isinstance(data.get("attempts", []), list):  # stored before the history existed
        data["attempt_count"] = data.pop("attempts")
    for key in ("attempt_count", "revision", "expires_at"):
        if key in data and data[key] is not None:
            data[key] = int(data[key])
    return Job.model_validate(data)
