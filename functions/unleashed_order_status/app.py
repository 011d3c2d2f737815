"""EventBridge schedule -> Unleashed order statuses onto their opportunities; held sends
released once the Unleashed quota is back (`shared.flows.unleashed_order_push.status_poll`)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import wiring
from shared.observability import logger, metrics


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    report = wiring.unleashed_status_poll().run()
    metrics.add_metric(name="UnleashedStatusesWritten", unit="Count", value=report.updated)
    metrics.add_metric(name="HeldJobsReleased", unit="Count", value=report.released)
    logger.info("unleashed status poll", extra=asdict(report))
    return asdict(report)
