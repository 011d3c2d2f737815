"""POST /salespro/documents: the SalesPro app asks where to upload a document.

The caller is authenticated (the user's app credential) before the body is read; a valid
request gets a presigned S3 PUT URL, anything else a 400 naming the field, with nothing stored.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from shared import wiring
from shared.api import install_error_handlers, json_response, refuse_validation
from shared.errors import ValidationFailed
from shared.flows.salespro_documents.events import DocumentUploadRequest
from shared.observability import logger, metrics

ROUTE = "/salespro/documents"

app = APIGatewayRestResolver()
install_error_handlers(app)


@app.post(ROUTE)
def request_document_upload() -> Response[Any]:
    user = wiring.app_credentials().authenticate(app.current_event.headers.get("Authorization"))
    try:
        request = DocumentUploadRequest.model_validate_json(app.current_event.body or "")
    except ValidationError as exc:
        raise refuse_validation(exc) from exc
    except ValueError as exc:
        raise ValidationFailed(f"the body is not JSON: {exc}") from exc
    ticket = wiring.document_requests().request_upload(user, request)
    metrics.add_metric(name="DocumentUploadsRequested", unit="Count", value=1)
    return json_response(201, ticket)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
