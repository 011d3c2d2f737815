"""EventBridge schedule -> queue won opportunities whose Closed Won callout never arrived."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import uuid4

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import wiring
from shared.deadline import invocation
from shared.flows.salesforce_orders_to_netsuite.backstop import run_export_backstop
from shared.observability import logger, metrics


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with invocation(context):
        report = run_export_backstop(
            salesforce=wiring.won_opportunities(),
            jobs=wiring.jobs(),
            received=wiring.jobs(),
            queue=wiring.salesforce_opportunity_queue(),
            cursors=wiring.cursors(),
            correlation_id=f"export-backstop-{uuid4()}",
        )
    metrics.add_metric(name="ExportBackstopQueued", unit="Count", value=report.queued)
    metrics.add_metric(name="ExportJobsResent", unit="Count", value=report.resent)
    logger.info("export backstop run", extra=asdict(report))
    return asdict(report)
