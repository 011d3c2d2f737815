"""POST /webhooks/salesforce/opportunities: authenticate, validate, record a job, enqueue, 202.

Salesforce calls this from the record-triggered flow `Salesbridge_Export_Closed_Won_Opportunity`
through a Named Credential. A Named Credential can add a static secret header to every callout
(a custom header of its External Credential), but it cannot compute an HMAC over the body, so
the caller authenticates with `X-Salesbridge-Key: <the "salesforce" key of the webhook-keys
secret>`, compared in constant time. A caller able to sign (Apex, a middleware) may send the
HMAC headers of `shared.signing` instead; when they are present they are verified and must
hold. A static key has no replay window: replaying a captured request can only re-queue an
export that salesbridge makes idempotent (one job per opportunity version, one NetSuite
order per opportunity), which is why a static key is acceptable here.

The body carries ids, not data (the worker reads the opportunity from Salesforce).
"""

from __future__ import annotations

import hmac
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
from shared.errors import Unauthorized
from shared.observability import logger, metrics
from shared.queues import SqsQueue
from shared.stores.jobs import JobStore
from shared.webhooks import caller_keys, receive

ROUTE = "/webhooks/salesforce/opportunities"
KEY_HEADER = "X-Salesbridge-Key"

app = APIGatewayRestResolver()
install_error_handlers(app)


@cache
def job_store() -> JobStore:
    return JobStore(resources().require("jobs_table"))


@cache
def opportunity_queue() -> SqsQueue:
    return SqsQueue(resources().require("salesforce_opportunity_queue_url"))


def authenticate(event: APIGatewayProxyEvent, body: bytes, window_seconds: int) -> None:
    headers = event.headers
    keys = caller_keys("salesforce")
    if headers.get(signing.SIGNATURE_HEADER):
        signing.verify(
            keys,
            headers.get(signing.TIMESTAMP_HEADER),
            headers.get(signing.SIGNATURE_HEADER),
            body,
            window_seconds=window_seconds,
        )
        return
    offered = headers.get(KEY_HEADER)
    if not offered:
        raise Unauthorized(f"missing {KEY_HEADER} header")
    # Compare against every key, even after a match, so timing says nothing about which.
    matches = [hmac.compare_digest(offered.encode(), key.encode()) for key in keys]
    if not any(matches):
        raise Unauthorized(f"{KEY_HEADER} is not a key salesbridge issued")


@app.post(ROUTE)
def receive_opportunity_event() -> Response:
    return receive(
        app.current_event,
        authenticate=authenticate,
        model=SalesforceOpportunityEvent,
        accept=lambda event, correlation_id: accept_opportunity_event(
            event, correlation_id=correlation_id, jobs=job_store(), queue=opportunity_queue()
        ),
        what="opportunity event",
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
