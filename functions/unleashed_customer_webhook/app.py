"""POST /webhooks/unleashed/customers: verify Unleashed's signature, validate, record a job,
enqueue (one FIFO group per customer), answer 202. The worker reads the customer itself."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import wiring
from shared.adapters.unleashed import webhooks as unleashed_signature
from shared.api import install_error_handlers
from shared.flows.unleashed_companies.events import UnleashedCustomerEvent
from shared.intake import accept_event
from shared.observability import logger, metrics
from shared.webhooks import receive, unless_enabled

ROUTE = "/webhooks/unleashed/customers"

app = APIGatewayRestResolver()
install_error_handlers(app)


@app.post(ROUTE)
def receive_customer_event() -> Response[Any]:
    return receive(
        app.current_event,
        authenticate=unleashed_signature.verify_request,
        model=UnleashedCustomerEvent,
        switched_off=unless_enabled("unleashed_companies", "the Unleashed two-way sync is off"),
        accept=lambda event, correlation_id: accept_event(
            event,
            correlation_id=correlation_id,
            jobs=wiring.jobs(),
            queue=wiring.unleashed_customer_queue(),
        ),
        what="customer event",
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
