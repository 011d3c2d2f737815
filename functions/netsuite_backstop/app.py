"""EventBridge schedule -> queue what NetSuite changed since the watermark; release held jobs."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import uuid4

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.config import built_from_secret, resources
from shared.envelope import NetsuiteOrderEvent
from shared.netsuite.client import NetsuiteClient, client_from_secret
from shared.observability import logger, metrics
from shared.order_sync.backstop import run_backstop
from shared.order_sync.intake import accept_order_event
from shared.queues import SqsQueue
from shared.stores.cursors import CursorStore
from shared.stores.hold import BudgetHoldStore
from shared.stores.jobs import JobStore


def netsuite() -> NetsuiteClient:
    return built_from_secret(resources().require("netsuite_secret"), client_from_secret)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    env = resources()
    jobs = JobStore(env.require("jobs_table"))
    queue = SqsQueue(env.require("netsuite_order_queue_url"))
    cursors = CursorStore(env.require("cursors_table"))
    correlation_id = f"backstop-{uuid4()}"

    def accept(order_event: NetsuiteOrderEvent) -> bool:
        return accept_order_event(
            order_event, correlation_id=correlation_id, jobs=jobs, queue=queue
        ).duplicate

    report = run_backstop(
        netsuite=netsuite(),
        jobs=jobs,
        held_jobs=jobs,
        queue=queue,
        cursors=cursors,
        hold=BudgetHoldStore(cursors),
        accept=accept,
    )
    metrics.add_metric(name="BackstopQueued", unit="Count", value=report.queued)
    metrics.add_metric(name="HeldJobsReleased", unit="Count", value=report.released)
    logger.info("backstop run", extra=asdict(report))
    return asdict(report)
