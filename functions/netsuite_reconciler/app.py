"""EventBridge schedule (or a direct invocation) -> queue a delete job per sales order that
NetSuite's deletion log and a second read show gone while its opportunity is still open.

The event is EventBridge's "Scheduled Event", or `{"since": "<ISO 8601 with offset>"}` (at
the top level or in `detail`) to re-scan a window without moving the watermark.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import uuid4

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import AwareDatetime, BaseModel, ConfigDict

from shared.config import built_from_secret, load_settings, resources
from shared.envelope import NetsuiteOrderEvent
from shared.netsuite.client import NetsuiteClient, client_from_secret
from shared.observability import logger, metrics
from shared.order_sync.intake import accept_order_event
from shared.order_sync.reconcile import run_reconciler
from shared.queues import SqsQueue
from shared.stores.cursors import CursorStore
from shared.stores.jobs import JobStore
from shared.stores.links import LinkStore


class ReconcileRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    since: AwareDatetime | None = None


def netsuite() -> NetsuiteClient:
    return built_from_secret(resources().require("netsuite_secret"), client_from_secret)


def requested(event: dict[str, Any]) -> ReconcileRequest:
    detail = event.get("detail")
    source = detail if isinstance(detail, dict) and "since" in detail else event
    return ReconcileRequest.model_validate(source)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = requested(event)
    env = resources()
    jobs = JobStore(env.require("jobs_table"))
    queue = SqsQueue(env.require("netsuite_order_queue_url"))
    correlation_id = f"reconciler-{uuid4()}"

    def accept(order_event: NetsuiteOrderEvent) -> bool:
        return accept_order_event(
            order_event, correlation_id=correlation_id, jobs=jobs, queue=queue
        ).duplicate

    report = run_reconciler(
        netsuite=netsuite(),
        links=LinkStore(env.require("links_table")),
        cursors=CursorStore(env.require("cursors_table")),
        settings=load_settings().netsuite,
        accept=accept,
        since=request.since,
    )
    metrics.add_metric(name="DeletedOrdersClosed", unit="Count", value=report.queued)
    metrics.add_metric(name="DeletedOrdersUnconfirmed", unit="Count", value=report.unconfirmed)
    if report.problems:
        logger.warning("reconciler left deletions unconfirmed", extra=asdict(report))
    else:
        logger.info("reconciler run", extra=asdict(report))
    return asdict(report)
