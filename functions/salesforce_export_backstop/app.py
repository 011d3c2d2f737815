"""EventBridge schedule -> queue won opportunities whose Closed Won callout never arrived."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import uuid4

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.config import built_from_secret, resources
from shared.deadline import invocation
from shared.http import ca_bundle
from shared.observability import logger, metrics
from shared.order_export.backstop import run_export_backstop
from shared.queues import SqsQueue
from shared.salesforce import connection_from_secret
from shared.salesforce_opportunities import SalesforceOpportunities
from shared.stores.cursors import CursorStore
from shared.stores.jobs import JobStore


def salesforce() -> SalesforceOpportunities:
    return built_from_secret(
        resources().require("salesforce_secret"),
        lambda secret: SalesforceOpportunities(connection_from_secret(secret, ca_bundle())),
    )


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    env = resources()
    jobs = JobStore(env.require("jobs_table"))
    with invocation(context):
        report = run_export_backstop(
            salesforce=salesforce(),
            jobs=jobs,
            received=jobs,
            queue=SqsQueue(env.require("salesforce_opportunity_queue_url")),
            cursors=CursorStore(env.require("cursors_table")),
            correlation_id=f"export-backstop-{uuid4()}",
        )
    metrics.add_metric(name="ExportBackstopQueued", unit="Count", value=report.queued)
    metrics.add_metric(name="ExportJobsResent", unit="Count", value=report.resent)
    logger.info("export backstop run", extra=asdict(report))
    return asdict(report)
