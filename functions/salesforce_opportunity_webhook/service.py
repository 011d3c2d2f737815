"""Turning an authenticated Closed Won callout into a queued job (no AWS or HTTP in here)."""

from __future__ import annotations

from shared.envelope import SALESFORCE_OPPORTUNITY_WON, Envelope, SalesforceOpportunityEvent
from shared.intake import Accepted, JobRepository, accept, fifo_dedup_id, fifo_group_id
from shared.queues import QueueSender
from shared.stores.jobs import Job, JobStatus

SOURCE = "salesforce"


def record_key(event: SalesforceOpportunityEvent) -> str:
    return f"opportunity:{event.opportunity_id}"


def accept_opportunity_event(
    event: SalesforceOpportunityEvent,
    *,
    correlation_id: str,
    jobs: JobRepository,
    queue: QueueSender,
) -> Accepted:
    key = record_key(event)
    job_id = Job.make_id(SOURCE, key, event.version)
    message = Envelope[SalesforceOpportunityEvent](
        message_type=SALESFORCE_OPPORTUNITY_WON,
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
        detail={"event": event.event},
    )
    # One FIFO group per opportunity; the id + version deduplicates a flow that fires twice.
    return accept(
        job,
        jobs=jobs,
        queue=queue,
        group_id=fifo_group_id(SOURCE, key),
        dedup_id=fifo_dedup_id(SOURCE, key, event.version),
    )
