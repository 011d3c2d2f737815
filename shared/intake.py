"""Accepting an inbound record: one job per record version, one message on its queue.

The order of writes makes every step safe to repeat:
1. create the job as `received` (conditional: a second delivery finds the first job);
2. send the message (FIFO deduplication by record + version absorbs a concurrent twin);
3. mark the job `queued`.
If step 2 fails the caller gets a retryable error and the job stays `received`, so the next
delivery (or the backstop) sends it again; a job already `queued` or further is a duplicate
and is answered without sending anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from shared.queues import QueueSender
from shared.stores.dynamo import StaleWrite
from shared.stores.jobs import Job, JobStatus


class JobRepository(Protocol):
    def create(self, job: Job) -> tuple[Job, bool]: ...
    def get(self, job_id: str) -> Job | None: ...
    def transition(self, job: Job, status: JobStatus) -> Job: ...


def fifo_group_id(source: str, record_key: str) -> str:
    """One FIFO group per record: its versions are delivered in order, records in parallel."""
    return f"{source}-{record_key}".replace(":", "-")


def fifo_dedup_id(source: str, record_key: str, version: str, suffix: str = "") -> str:
    """SQS drops a second message with this id for five minutes: one message per version."""
    return f"{fifo_group_id(source, record_key)}-{version}{suffix}".replace(":", "")


@dataclass(frozen=True)
class Accepted:
    job: Job
    duplicate: bool


def accept(
    job: Job, *, jobs: JobRepository, queue: QueueSender, group_id: str | None, dedup_id: str
) -> Accepted:
    stored, created = jobs.create(job)
    if stored.status is not JobStatus.RECEIVED:
        return Accepted(stored, duplicate=True)
    queue.send(stored.message or "", group_id=group_id, dedup_id=dedup_id)
    try:
        return Accepted(jobs.transition(stored, JobStatus.QUEUED), duplicate=not created)
    except StaleWrite:
        # A concurrent delivery of the same version queued it first; FIFO dedup kept one.
        latest = jobs.get(stored.job_id)
        return Accepted(latest or stored, duplicate=True)
