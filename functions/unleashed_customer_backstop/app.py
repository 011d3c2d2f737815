"""EventBridge schedule -> queue the Unleashed customers changed since the last run that
differ from what was last synced (their webhook was lost)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import wiring
from shared.deadline import invocation
from shared.flows.unleashed_companies.backstop import run_backstop
from shared.intake import accepts
from shared.observability import logger, metrics


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = wiring.settings().unleashed_companies
    if not settings.enabled:
        return {"read": 0, "queued": 0, "reason": "unleashed_companies.enabled is off"}
    with invocation(context):
        report = run_backstop(
            unleashed=wiring.unleashed_customers(),
            pending=wiring.customer_sync().pending,
            accept=accepts(
                f"unleashed-customer-backstop-{uuid4()}",
                jobs=wiring.jobs(),
                queue=wiring.unleashed_customer_queue(),
            ),
            cursors=wiring.cursors(),
            now=datetime.now(UTC),
            first_lookback=timedelta(minutes=settings.backstop_lookback_minutes),
        )
    metrics.add_metric(
        name="UnleashedCustomersQueuedByBackstop", unit="Count", value=report["queued"]
    )
    logger.info("unleashed customer backstop run", extra=report)
    return report
