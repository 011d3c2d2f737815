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

from shared import wiring
from shared.flows.netsuite_orders_to_salesforce.events import ReconcileRequest
from shared.flows.netsuite_orders_to_salesforce.reconcile import run_reconciler
from shared.intake import accepts
from shared.observability import logger, metrics


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = ReconcileRequest.from_event(event)
    jobs, queue = wiring.jobs(), wiring.netsuite_order_queue()
    report = run_reconciler(
        netsuite=wiring.netsuite(),
        links=wiring.links(),
        cursors=wiring.cursors(),
        settings=wiring.settings().netsuite_orders_to_salesforce,
        accept=accepts(f"reconciler-{uuid4()}", jobs=jobs, queue=queue),
        since=request.since,
    )
    metrics.add_metric(name="DeletedOrdersClosed", unit="Count", value=report.queued)
    metrics.add_metric(name="DeletedOrdersUnconfirmed", unit="Count", value=report.unconfirmed)
    if report.problems:
        logger.warning("reconciler left deletions unconfirmed", extra=asdict(report))
    else:
        logger.info("reconciler run", extra=asdict(report))
    return asdict(report)
