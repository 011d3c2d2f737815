"""Accepting a Closed Won opportunity for export: the one intake of the callout and the backstop.

Both go through `accept_opportunity_event`, so a version already accepted is a duplicate job
and nothing is queued twice (no Salesforce or NetSuite call is spent on it).
"""

from __future__ import annotations

from shared.envelope import SALESFORCE_OPPORTUNITY_WON, SalesforceOpportunityEvent
from shared.intake import Accepted, JobRepository, accept_event
from shared.queues import QueueSender

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
    # One FIFO group per opportunity; the id + version deduplicates a flow that fires twice.
    return accept_event(
        event,
        source=SOURCE,
        record_key=record_key(event),
        version=event.version,
        message_type=SALESFORCE_OPPORTUNITY_WON,
        correlation_id=correlation_id,
        jobs=jobs,
        queue=queue,
        detail={"event": event.event},
    )
