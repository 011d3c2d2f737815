"""POST /webhooks/netsuite/orders: verify, validate, record a job, enqueue, answer 202.

The body carries ids, not data (the worker reads the order from NetSuite), so it is small:
anything over the stack's limit is refused before the signature is even computed.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import wiring
from shared.api import install_error_handlers
from shared.flows.netsuite_orders_to_salesforce.events import NetsuiteOrderEvent
from shared.intake import accept_event
from shared.observability import logger, metrics
from shared.webhooks import receive, signed_by, unless_enabled

ROUTE = "/webhooks/netsuite/orders"

app = APIGatewayRestResolver()
install_error_handlers(app)


@app.post(ROUTE)
def receive_order_event() -> Response[Any]:
    return receive(
        app.current_event,
        authenticate=signed_by("netsuite"),
        model=NetsuiteOrderEvent,
        switched_off=unless_enabled("netsuite_orders_to_salesforce", "NetSuite order sync is off"),
        accept=lambda event, correlation_id: accept_event(
            event,
            correlation_id=correlation_id,
            jobs=wiring.jobs(),
            queue=wiring.netsuite_order_queue(),
        ),
        what="order event",
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
