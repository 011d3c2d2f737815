"""POST /unleashed/send: the Warehouse Selection page, opened in Salesforce as a Canvas app.

Authenticated by the Canvas signed request on every POST (`shared.canvas`); the page's work
is `shared.flows.unleashed_order_push.canvas_page`.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import wiring
from shared.api import install_error_handlers
from shared.config import resources
from shared.flows.unleashed_order_push.canvas_page import answer_post
from shared.observability import logger, metrics
from shared.webhooks import raw_body

app = APIGatewayRestResolver()
install_error_handlers(app)


@app.post("/unleashed/send")
def send_page() -> Response[Any]:
    event = app.current_event
    answer = answer_post(
        raw_body(event, resources().webhook_max_body_bytes),
        consumer_secrets=wiring.unleashed_canvas_secrets,
        page=wiring.unleashed_send_page,
        correlation_id=logger.get_correlation_id() or event.request_context.request_id,
    )
    # The page lives in Salesforce's frame: only Salesforce may frame it (set per org).
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    return Response(answer.status, answer.content_type, answer.body, headers)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
