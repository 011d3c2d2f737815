"""POST /webhooks/salesforce/opportunities: verify, validate, record a job, enqueue, answer 202.

The Closed Won callout (Apex `SalesbridgeClosedWonCallout`), signed as the NetSuite script signs
(`shared.signing`, the `salesforce` key). Ids, not data: the worker reads the opportunity."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import wiring
from shared.api import install_error_handlers
from shared.flows.salesforce_orders_to_netsuite.events import SalesforceOpportunityEvent
from shared.intake import accept_event
from shared.observability import logger, metrics
from shared.webhooks import receive, signed_by, unless_enabled

ROUTE = "/webhooks/salesforce/opportunities"

app = APIGatewayRestResolver()
install_error_handlers(app)


@app.post(ROUTE)
def receive_opportunity_event() -> Response[Any]:
    return receive(
        app.current_event,
        authenticate=signed_by("salesforce"),
        model=SalesforceOpportunityEvent,
        switched_off=unless_enabled(
            "salesforce_orders_to_netsuite", "Salesforce Originated orders are off"
        ),
        accept=lambda event, correlation_id: accept_event(
            event,
            correlation_id=correlation_id,
            jobs=wiring.jobs(),
            queue=wiring.salesforce_opportunity_queue(),
        ),
        what="opportunity event",
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
