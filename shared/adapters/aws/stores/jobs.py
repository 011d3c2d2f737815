"""Jobs in DynamoDB: conditional writes on the revision read; the `by_status` index lists jobs
per status, newest first. The model and its rules are `shared.jobs`."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from shared.adapters.aws.stores.dynamo import is_condition_failure, table, without_none
from shared.adapters.aws.stores.job_counts import counter_updates
from shared.clock import real_utc_now
from shared.errors import StaleWrite
from shared.jobs import DONE_JOB_RETENTION_SECONDS, Job, JobStatus
from shared.observability import redact

__all__ = ["DONE_JOB_RETENTION_SECONDS", "JobStore"]


class JobStore:
    def __init__(
        self,
        table_name: str,
        dynamodb: Any | None = None,
        clock: Callable[[], datetime] = real_utc_now,
        counts_table: str | None = None,
    ) -> None:
        self._table = table(table_name, dynamodb)
        self._clock = clock  # dates each change and the retention (TTL) of finished jobs
        # where the console's counters live (job_counts); None: not counted (older stacks)
        self._counts_table = counts_table

    def create(self, job: Job) -> tuple[Job, bool]:
        """Store a new job, or return the one already stored under its id (and False)."""
        try:
            self._write(
                job,
                None,
                {"ConditionExpression": "attribute_not_exists(job_id)"},
                self._clock(),
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
        now = self._clock()
        updated = job.moved_to(
            status,
            error=None if error is None else redact(error),
            detail=detail,
            attempted=attempted,
            outcome=outcome,
            held_until=held_until,
            now=now,
        )
        try:
            self._write(
                updated,
                job.status,
                {
                    "ConditionExpression": "revision = :read",
                    "ExpressionAttributeValues": {":read": job.revision},
                },
                now,
            )
        except Exception as exc:
            if is_condition_failure(exc):
                raise StaleWrite(f"job {job.job_id} changed since revision {job.revision}") from exc
            raise
        return updated

    def _write(
        self, job: Job, old: JobStatus | None, condition: dict[str, Any], now: datetime
    ) -> None:
        """Put `job` on `condition`; when its status changed, count it in the same transaction
        (a refused condition cancels both, so the counts never drift from the jobs)."""
        counted = (
            counter_updates(self._counts_table, job.flow, old, job.status, now, job.updated_at)
            if self._counts_table and job.flow
            else []
        )
        if not counted:
            self._table.put_item(Item=_to_item(job), **condition)
            return
        put = {"TableName": self._table.name, "Item": _to_item(job), **condition}
        self._table.meta.client.transact_write_items(
            TransactItems=[{"Put": put}, *({"Update": update} for update in counted)]
        )

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
    if job.flow:  # the key of the console's `by_flow_status` index (counts per flow and status)
        item["flow_status"] = flow_status_key(job.flow, job.status)
    return without_none(item)


def flow_status_key(flow: str, status: JobStatus) -> str:
    return f"{flow}#{status.value}"


def _from_item(item: dict[str, Any]) -> Job:
    data = dict(item)
    data.pop("flow_status", None)
    data["detail"] = json.loads(data.get("detail") or "{}")
    data["outcome"] = json.loads(data.get("outcome") or "{}")
    if not isinstance(data.get("attempts", []), list):  # stored before the history existed
        data["attempt_count"] = data.pop("attempts")
    for key in ("attempt_count", "revision", "expires_at"):
        if key in data and data[key] is not None:
            data[key] = int(data[key])
    return Job.model_validate(data)
