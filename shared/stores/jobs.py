"""Jobs: one item per inbound record version, the operator's view of what happened to it.

The job id comes from the outside world (source, record, version), so a webhook delivered
three times finds the same job instead of creating three. Status moves
received -> queued -> done | skipped | failed | held. A failed job keeps its last error and
the message that would replay it; a held one waits for the target's API budget to return.
The `by_status` index lists jobs per status, newest first.
"""

from __future__ import annotations

import json
import time
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from shared.observability import redact
from shared.stores.dynamo import StaleWrite, is_condition_failure, table, utc_now, without_none

DONE_JOB_RETENTION_SECONDS = 30 * 24 * 3600


class JobStatus(StrEnum):
    RECEIVED = "received"  # accepted, not yet on its queue (enqueue may be retried)
    QUEUED = "queued"
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"
    HELD = "held"  # the target's API budget is gone; released when it returns


class Job(BaseModel):
    job_id: str
    source: str
    record_key: str
    version: str
    status: JobStatus
    correlation_id: str
    attempts: int = 0
    last_error: str | None = None
    message: str | None = Field(None, description="the queue message body, for replay")
    detail: dict[str, Any] = Field(default_factory=dict)
    created_at: str = Field(default_factory=utc_now)
    updated_at: str = Field(default_factory=utc_now)
    revision: int = 1
    expires_at: int | None = None

    @staticmethod
    def make_id(source: str, record_key: str, version: str) -> str:
        return f"{source}:{record_key}:{version}"


class JobStore:
    def __init__(self, table_name: str, dynamodb: Any | None = None) -> None:
        self._table = table(table_name, dynamodb)

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
    ) -> Job:
        """Move `job` to `status`, provided nobody changed it since it was read."""
        updated = job.model_copy(
            update={
                "status": status,
                "last_error": redact(error) if error is not None else job.last_error,
                "detail": {**job.detail, **(detail or {})},
                "attempts": job.attempts + (1 if attempted else 0),
                "updated_at": utc_now(),
                "revision": job.revision + 1,
                "expires_at": (
                    int(time.time()) + DONE_JOB_RETENTION_SECONDS
                    if status in (JobStatus.DONE, JobStatus.SKIPPED)
                    else None
                ),
            }
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


def _to_item(job: Job) -> dict[str, Any]:
    item = job.model_dump(mode="json")
    item["detail"] = json.dumps(item["detail"])  # free-form: keep DynamoDB types out of it
    return without_none(item)


def _from_item(item: dict[str, Any]) -> Job:
    data = dict(item)
    data["detail"] = json.loads(data.get("detail") or "{}")
    for key in ("attempts", "revision", "expires_at"):
        if key in data and data[key] is not None:
            data[key] = int(data[key])
    return Job.model_validate(data)
