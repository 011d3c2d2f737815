"""Turning a NetSuite order event (webhook or backstop) into a queued job; no AWS or HTTP here."""

from __future__ import annotations

from shared.envelope import NETSUITE_ORDER_CHANGED, Envelope, NetsuiteOrderEvent
from shared.intake import Accepted, JobRepository, accept, fifo_dedup_id, fifo_group_id
from shared.queues import QueueSender
from shared.stores.jobs import Job, JobStatus

SOURCE = "netsuite"


def record_key(event: NetsuiteOrderEvent) -> str:
    return f"{event.record_type}:{event.id}"


def accept_order_event(
    event: NetsuiteOrderEvent, *, correlation_id: str, jobs: JobRepository, queue: QueueSender
) -> Accepted:
    key = record_key(event)
    # A delete is stamped with the time of deletion, which can equal the second of the last
    # save: it must never be taken for a duplicate of that save.
    identity = f"{event.version}-deleted" if event.event_type == "delete" else event.version
    job_id = Job.make_id(SOURCE, key, identity)
    message = Envelope[NetsuiteOrderEvent](
        message_type=NETSUITE_ORDER_CHANGED,
        job_id=job_id,
        correlation_id=correlation_id,
        source=SOURCE,
        record_key=key,
        version=event.version,
        payload=event,
    )
    job = Job(
        job_id=job_id,
        source=SOURCE,
        record_key=key,
        version=event.version,
        status=JobStatus.RECEIVED,
        correlation_id=correlation_id,
        message=message.model_dump_json(by_alias=True),
        detail={"event_type": event.event_type},
    )
    # One FIFO group per order keeps its versions in order; the id + version deduplicates.
    return accept(
        job,
        jobs=jobs,
        queue=queue,
        group_id=fifo_group_id(SOURCE, key),
        dedup_id=fifo_dedup_id(SOURCE, key, identity),
    )
