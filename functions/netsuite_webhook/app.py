"""POST /webhooks/netsuite/orders: verify, validate, record a job, enqueue, answer 202.

The body carries ids, not data (the worker reads the order from NetSuite), so it is small:
anything over the configured limit is refused before the signature is even computed.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import signing
from shared.api import install_error_handlers, json_response
from shared.config import load_settings, resources
from shared.envelope import NetsuiteOrderEvent
from shared.observability import logger, metrics
from shared.order_sync.intake import accept_order_event
from shared.queues import SqsQueue
from shared.stores.jobs import JobStore
from shared.webhooks import accepted_response, caller_keys, parse_body, raw_body

ROUTE = "/webhooks/netsuite/orders"

app = APIGatewayRestResolver()
install_error_handlers(app)


@cache
def job_store() -> JobStore:
    return JobStore(resources().require("jobs_table"))


@cache
def order_queue() -> SqsQueue:
    return SqsQueue(resources().require("netsuite_order_queue_url"))


def signing_keys() -> list[str]:
    return caller_keys("netsuite")


@app.post(ROUTE)
def receive_order_event() -> Response:
    settings = load_settings()
    body = raw_body(app.current_event, settings.webhooks.max_body_bytes)
    headers = app.current_event.headers
    signing.verify(
        signing_keys(),
        headers.get(signing.TIMESTAMP_HEADER),
        headers.get(signing.SIGNATURE_HEADER),
        body,
        window_seconds=settings.webhooks.replay_window_seconds,
    )
    order_event = parse_body(NetsuiteOrderEvent, body)
    if not settings.netsuite.enabled:
        return json_response(202, {"status": "ignored", "reason": "NetSuite sync is disabled"})
    accepted = accept_order_event(
        order_event,
        correlation_id=logger.get_correlation_id() or app.current_event.request_context.request_id,
        jobs=job_store(),
        queue=order_queue(),
    )
    return accepted_response(accepted, "order event")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
