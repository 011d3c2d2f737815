"""In-memory stand-ins for our own ports (never for outside systems)."""

from __future__ import annotations

from typing import Any

from shared.errors import StaleWrite
from shared.jobs import Job, JobStatus


class FakeJobs:
    def __init__(self) -> None:
        self.jobs: dict[str, Job] = {}

    def create(self, job: Job) -> tuple[Job, bool]:
        if job.job_id in self.jobs:
            return self.jobs[job.job_id], False
        self.jobs[job.job_id] = job
        return job, True

    def get(self, job_id: str) -> Job | None:
        return self.jobs.get(job_id)

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
        if self.jobs[job.job_id].revision != job.revision:
            raise StaleWrite("changed")
        updated = job.moved_to(
            status,
            error=error,
            detail=detail,
            attempted=attempted,
            outcome=outcome,
            held_until=held_until,
        )
        self.jobs[job.job_id] = updated
        return updated


class FakeQueue:
    def __init__(self, fail_times: int = 0) -> None:
        self.sent: list[dict[str, str | None]] = []
        self.delays: list[tuple[str, int]] = []  # (receipt handle, seconds)
        self.fail_times = fail_times

    def send(self, body: str, *, group_id: str | None, dedup_id: str | None) -> str:
        from shared.errors import RetryableError

        if self.fail_times:
            self.fail_times -= 1
            raise RetryableError("queue unavailable")
        self.sent.append({"body": body, "group_id": group_id, "dedup_id": dedup_id})
        return f"m-{len(self.sent)}"

    def delay(self, receipt_handle: str, seconds: int) -> None:
        self.delays.append((receipt_handle, seconds))
