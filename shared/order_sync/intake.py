"""Turning a NetSuite order event (webhook or backstop) into a queued job; no AWS or HTTP here."""

from __future__ import annotations

from shared.envelope import NETSUITE_ORDER_CHANGED, NetsuiteOrderEvent
from shared.intake import Accepted, JobRepository, accept_event
from shared.queues import QueueSender

SOURCE = "netsuite"
EVENT_ID = "event_id"


def record_key(event: NetsuiteOrderEvent) -> str:
    return f"{event.record_type}:{event.id}"


def accept_order_event(
    event: NetsuiteOrderEvent, *, correlation_id: str, jobs: JobRepository, queue: QueueSender
) -> Accepted:
    """One job per order version, and one more per extra save within the same second.

    The version is `lastModifiedDate`, which NetSuite keeps to the second, so two saves within
    one second share it. The script posts an `eventId` per save: the first save of a version
    gets the job `<order>:<version>` (as the backstop, which has no event id, would), and a
    different event id finding that job taken gets its own `<order>:<version>-<eventId>` job,
    message and FIFO deduplication id. The same event id again (a redelivery) or an event
    without one is the duplicate it always was.
    """
    # A delete is stamped with the time of deletion, which can equal the second of the last
    # save: it must never be taken for a duplicate of that save.
    identity = f"{event.version}-deleted" if event.event_type == "delete" else event.version
    accepted = _accept(event, identity, correlation_id, jobs, queue)
    first_event_id = accepted.job.detail.get(EVENT_ID)
    if accepted.duplicate and event.event_id and first_event_id != event.event_id:
        accepted = _accept(event, f"{identity}-{event.event_id}", correlation_id, jobs, queue)
    return accepted


def _accept(
    event: NetsuiteOrderEvent,
    identity: str,
    correlation_id: str,
    jobs: JobRepository,
    queue: QueueSender,
) -> Accepted:
    detail: dict[str, str] = {"event_type": event.event_type}
    if event.event_id:
        detail[EVENT_ID] = event.event_id
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
        detail=detail,
    )
