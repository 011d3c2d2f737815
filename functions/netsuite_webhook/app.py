"""POST /webhooks/netsuite/orders: verify, validate, record a job, enqueue, answer 202.

The body carries ids, not data (the worker reads the order from NetSuite), so it is small:
anything over the stack's limit is refused before the signature is even computed.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import signing
from shared.api import install_error_handlers
from shared.config import resources
from shared.envelope import NetsuiteOrderEvent
from shared.observability import logger, metrics
from shared.order_sync.intake import accept_order_event
from shared.queues import SqsQueue
from shared.stores.jobs import JobStore
from shared.webhooks import caller_keys, receive

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


def verify_signature(event: APIGatewayProxyEvent, body: bytes, window_seconds: int) -> None:
    signing.verify(
        signing_keys(),
        event.headers.get(signing.TIMESTAMP_HEADER),
        event.headers.get(signing.SIGNATURE_HEADER),
        body,
        window_seconds=window_seconds,
    )


@app.post(ROUTE)
def receive_order_event() -> Response:
    return receive(
        app.current_event,
        authenticate=verify_signature,
        model=NetsuiteOrderEvent,
        switched_off=lambda settings: (
            None if settings.netsuite.enabled else "NetSuite order sync is off (netsuite.enabled)"
        ),
        accept=lambda order_event, correlation_id: accept_order_event(
            order_event, correlation_id=correlation_id, jobs=job_store(), queue=order_queue()
        ),
        what="order event",
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
