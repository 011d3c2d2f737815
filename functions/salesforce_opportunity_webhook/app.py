"""POST /webhooks/salesforce/opportunities: verify, validate, record a job, enqueue, answer 202.

Salesforce calls this from the record-triggered flow `Salesbridge_Export_Closed_Won_Opportunity`
through the Apex action `SalesbridgeClosedWonCallout`, which signs each callout exactly as the
NetSuite script does (`shared.signing`: HMAC-SHA256 over "<timestamp>.<raw body>" with the
`salesforce` key, computed with `Crypto.generateMac`). The signature ties the key to this body
and the timestamp bounds a replay to the window, so a captured callout cannot queue an export
for another opportunity, nor be replayed later. The static `X-Salesbridge-Key` header of
earlier versions is no longer accepted.

The body carries ids, not data (the worker reads the opportunity from Salesforce).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.salesforce_opportunity_webhook.service import accept_opportunity_event
from shared import signing
from shared.api import install_error_handlers
from shared.config import resources
from shared.envelope import SalesforceOpportunityEvent
from shared.observability import logger, metrics
from shared.queues import SqsQueue
from shared.stores.jobs import JobStore
from shared.webhooks import caller_keys, receive

ROUTE = "/webhooks/salesforce/opportunities"

app = APIGatewayRestResolver()
install_error_handlers(app)


@cache
def job_store() -> JobStore:
    return JobStore(resources().require("jobs_table"))


@cache
def opportunity_queue() -> SqsQueue:
    return SqsQueue(resources().require("salesforce_opportunity_queue_url"))


def signing_keys() -> list[str]:
    return caller_keys("salesforce")


def verify_signature(event: APIGatewayProxyEvent, body: bytes, window_seconds: int) -> None:
    signing.verify(
        signing_keys(),
        event.headers.get(signing.TIMESTAMP_HEADER),
        event.headers.get(signing.SIGNATURE_HEADER),
        body,
        window_seconds=window_seconds,
    )


@app.post(ROUTE)
def receive_opportunity_event() -> Response:
    return receive(
        app.current_event,
        authenticate=verify_signature,
        model=SalesforceOpportunityEvent,
        switched_off=lambda settings: (
            None
            if settings.netsuite.export_won_opportunities
            else "Salesforce Originated orders are off (netsuite.export_won_opportunities)"
        ),
        accept=lambda event, correlation_id: accept_opportunity_event(
            event, correlation_id=correlation_id, jobs=job_store(), queue=opportunity_queue()
        ),
        what="opportunity event",
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
