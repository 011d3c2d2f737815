"""GET /salespro/appointments: the calling SalesPro user's appointments from Salesforce.

The caller is authenticated (the user's app credential) before anything is read; the
configured query runs with the user's values bound, the mapping shapes the answer.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from shared import wiring
from shared.api import install_error_handlers, json_response, refuse_validation
from shared.flows.salespro_appointments.events import AppointmentsRequest
from shared.observability import logger, metrics

ROUTE = "/salespro/appointments"

app = APIGatewayRestResolver()
install_error_handlers(app)


@app.get(ROUTE)
def list_appointments() -> Response[Any]:
    user = wiring.app_credentials().authenticate(app.current_event.headers.get("Authorization"))
    try:
        AppointmentsRequest.model_validate(app.current_event.query_string_parameters or {})
    except ValidationError as exc:
        raise refuse_validation(exc) from exc
    answer = wiring.appointments().for_user(user)
    metrics.add_metric(name="AppointmentsServed", unit="Count", value=answer["count"])
    return json_response(200, answer)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
