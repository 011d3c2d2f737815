"""EventBridge schedule (or an operator's run now) -> Unleashed products and default sell
prices into the "Unleashed" price book (`shared.flows.unleashed_order_push.pricebook`)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import wiring
from shared.observability import logger, metrics


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    report = wiring.unleashed_pricebook_sync().run()
    written = report.written
    metrics.add_metric(name="UnleashedProductsWritten", unit="Count", value=written.products)
    metrics.add_metric(name="UnleashedProductsFailed", unit="Count", value=len(written.failed))
    if written.failed:  # read again next run; the operator sees why in the log
        logger.warning("products Salesforce refused", extra={"failed": written.failed[:50]})
    logger.info("unleashed price book sync", extra={"read": report.read, **report.as_dict()})
    return report.as_dict()
