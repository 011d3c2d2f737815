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

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from shared.envelope import Envelope
from shared.errors import StaleWrite
from shared.jobs import Job, JobRepository, JobStatus

# The job detail key of the sender's per-save id (see `accept_event`).
EVENT_ID = "event_id"


class QueueSender(Protocol):
    def send(self, body: str, *, group_id: str | None, dedup_id: str | None) -> str:
        """Enqueue `body`; answer the message id."""
        ...


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


class IntakeEvent(Protocol):
    """What an inbound event declares so that `accept_event` needs no per-flow glue.

    `FLOW` (the flow's package name, `shared.flow.Flow.name`), `SOURCE` and `MESSAGE_TYPE`
    are class constants of the event model; `record_key` and
    `version` name the record version; `identity` is what makes two deliveries the same job
    (usually the version); `event_id`, when the sender numbers its saves, tells apart two
    saves that share a version; `job_detail` is what the job shows an operator.
    """

    FLOW: ClassVar[str]
    SOURCE: ClassVar[str]
    MESSAGE_TYPE: ClassVar[str]

    @property
    def record_key(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def identity(self) -> str: ...
    @property
    def event_id(self) -> str | None: ...
    def job_detail(self) -> dict[str, str]: ...
    def model_dump_json(self, *, by_alias: bool | None = None) -> str: ...


def accept_event(
    event: IntakeEvent, *, correlation_id: str, jobs: JobRepository, queue: QueueSender
) -> Accepted:
    """One job per record version, and one more per extra save within the same version.

    A version may be kept to the second (NetSuite's `lastModifiedDate`), so two saves within
    one second share it. A sender that posts an event id per save gets the job
    `<record>:<identity>` for the first save of a version (as a backstop, which has no event
    id, would), and a different event id finding that job taken gets its own
    `<record>:<identity>-<event id>` job, message and FIFO deduplication id. The same event id
    again (a redelivery) or an event without one is the duplicate it always was.
    """
    accepted = _accept_version(event, event.identity, correlation_id, jobs, queue)
    first_event_id = accepted.job.detail.get(EVENT_ID)
    if accepted.duplicate and event.event_id and first_event_id != event.event_id:
        identity = f"{event.identity}-{event.event_id}"
        accepted = _accept_version(event, identity, correlation_id, jobs, queue)
    return accepted


def accepts(
    correlation_id: str, *, jobs: JobRepository, queue: QueueSender
) -> Callable[[IntakeEvent], bool]:
    """`accept_event` for a backstop: answers whether the event was a duplicate."""
    return lambda event: (
        accept_event(event, correlation_id=correlation_id, jobs=jobs, queue=queue).duplicate
    )


def _accept_version(
    event: IntakeEvent,
    identity: str,
    correlation_id: str,
    jobs: JobRepository,
    queue: QueueSender,
) -> Accepted:
    """Wrap `event` in its envelope and job, then `accept` it on its record's FIFO group."""
    source, record_key, version = event.SOURCE, event.record_key, event.version
    job_id = Job.make_id(source, record_key, identity)
    message = Envelope[Any](
        flow=event.FLOW,
        message_type=event.MESSAGE_TYPE,
        job_id=job_id,
        correlation_id=correlation_id,
        source=source,
        record_key=record_key,
        version=version,
        payload=event,
    )
    detail = event.job_detail()
    if event.event_id:
        detail[EVENT_ID] = event.event_id
    job = Job(
        job_id=job_id,
        flow=event.FLOW,
        source=source,
        record_key=record_key,
        version=version,
        status=JobStatus.RECEIVED,
        correlation_id=correlation_id,
        message=message.model_dump_json(by_alias=True),
        detail=detail,
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
            flow=envelope.flow,
            source=envelope.source,
            record_key=envelope.record_key,
            version=envelope.version,
            status=JobStatus.QUEUED,
            correlation_id=envelope.correlation_id,
            message=envelope.model_dump_json(by_alias=True),
        )
    )
    return created
