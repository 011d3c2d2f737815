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
from typing import Any

from pydantic import BaseModel

from shared.envelope import Envelope
from shared.queues import QueueSender
from shared.stores.dynamo import StaleWrite
from shared.stores.jobs import Job, JobStatus
from shared.stores.ports import JobRepository


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


def accept_event(
    payload: BaseModel,
    *,
    source: str,
    record_key: str,
    version: str,
    message_type: str,
    correlation_id: str,
    jobs: JobRepository,
    queue: QueueSender,
    identity: str | None = None,
    detail: dict[str, Any] | None = None,
) -> Accepted:
    """Wrap `payload` in its envelope and job, then `accept` it on its record's FIFO group.

    `identity` (default: the version) is what makes two deliveries the same job.
    """
    identity = identity or version
    job_id = Job.make_id(source, record_key, identity)
    message = Envelope[Any](
        message_type=message_type,
        job_id=job_id,
        correlation_id=correlation_id,
        source=source,
        record_key=record_key,
        version=version,
        payload=payload,
    )
    job = Job(
        job_id=job_id,
        source=source,
        record_key=record_key,
        version=version,
        status=JobStatus.RECEIVED,
        correlation_id=correlation_id,
        message=message.model_dump_json(by_alias=True),
        detail=detail or {},
    )
    return accept(
        job,
        jobs=jobs,
        queue=queue,
        group_id=fifo_group_id(source, record_key),
        dedup_id=fifo_dedup_id(source, record_key, identity),
    )


def job_for(envelope: Envelope[Any], jobs: JobRepository) -> Job:
    """The job a queued message advances; recreated when a replayed message outlived it."""
    job = jobs.get(envelope.job_id)
    if job is not None:
        return job
    created, _ = jobs.create(
        Job(
            job_id=envelope.job_id,
            source=envelope.source,
            record_key=envelope.record_key,
            version=envelope.version,
            status=JobStatus.QUEUED,
            correlation_id=envelope.correlation_id,
            message=envelope.model_dump_json(by_alias=True),
        )
    )
    return created
