"""EventBridge schedule -> Intacct documents of the "To Salesforce" types changed since their
watermarks (with an overlap) become their read-only Salesforce records (lines, payments)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import uuid4

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import wiring
from shared.deadline import invocation
from shared.observability import logger, metrics


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with invocation(context):
        report = wiring.document_poll(correlation_id=f"intacct-poll-{uuid4()}").run()
    metrics.add_metric(name="IntacctDocumentsPosted", unit="Count", value=report.posted)
    metrics.add_metric(name="IntacctDocumentsFailed", unit="Count", value=report.failed)
    logger.info("intacct documents polled", extra=asdict(report))
    return asdict(report)
