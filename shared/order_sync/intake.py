"""Turning a NetSuite order event (webhook or backstop) into a queued job; no AWS or HTTP here."""

from __future__ import annotations

from shared.envelope import NETSUITE_ORDER_CHANGED, NetsuiteOrderEvent
from shared.intake import Accepted, JobRepository, accept_event
from shared.queues import QueueSender

SOURCE = "netsuite"


def record_key(event: NetsuiteOrderEvent) -> str:
    return f"{event.record_type}:{event.id}"


def accept_order_event(
    event: NetsuiteOrderEvent, *, correlation_id: str, jobs: JobRepository, queue: QueueSender
) -> Accepted:
    # A delete is stamped with the time of deletion, which can equal the second of the last
    # save: it must never be taken for a duplicate of that save.
    identity = f"{event.version}-deleted" if event.event_type == "delete" else event.version
    return accept_event(
        event,
        source=SOURCE,
        record_key=record_key(event),
        version=event.version,
        identity=identity,
        message_type=NETSUITE_ORDER_CHANGED,
        correlation_id=correlation_id,
        jobs=jobs,
        queue=queue,
        detail={"event_type": event.event_type},
    )
