"""POST /webhooks/salesforce/companies: the SalesbridgeCompanyCallout of a linked Account or
Contact (its synced values, signed like the Closed Won callout) -> a job on the company queue."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import wiring
from shared.api import install_error_handlers
from shared.flows.unleashed_companies.events import SalesforceCompanyEvent
from shared.intake import accept_event
from shared.observability import logger, metrics
from shared.webhooks import receive, signed_by, unless_enabled

ROUTE = "/webhooks/salesforce/companies"

app = APIGatewayRestResolver()
install_error_handlers(app)


@app.post(ROUTE)
def receive_company_change() -> Response[Any]:
    return receive(
        app.current_event,
        authenticate=signed_by("salesforce"),
        model=SalesforceCompanyEvent,
        switched_off=unless_enabled("unleashed_companies", "the Unleashed two-way sync is off"),
        accept=lambda event, correlation_id: accept_event(
            event,
            correlation_id=correlation_id,
            jobs=wiring.jobs(),
            queue=wiring.unleashed_customer_queue(),
        ),
        what="company change",
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
