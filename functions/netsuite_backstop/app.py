"""EventBridge schedule -> queue what NetSuite changed since the watermark; release held jobs."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import uuid4

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import wiring
from shared.flows.netsuite_orders_to_salesforce.backstop import run_backstop
from shared.intake import accepts
from shared.observability import logger, metrics


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    jobs, queue = wiring.jobs(), wiring.netsuite_order_queue()
    report = run_backstop(
        netsuite=wiring.netsuite(),
        jobs=jobs,
        held_jobs=jobs,
        queue=queue,
        cursors=wiring.cursors(),
        hold=wiring.budget_hold(),
        accept=accepts(f"backstop-{uuid4()}", jobs=jobs, queue=queue),
    )
    metrics.add_metric(name="BackstopQueued", unit="Count", value=report.queued)
    metrics.add_metric(name="HeldJobsReleased", unit="Count", value=report.released)
    logger.info("backstop run", extra=asdict(report))
    return asdict(report)
