"""POST /webhooks/salesforce/intacct-documents: a "Create <Transaction>" request signed with the
`salesforce` key; a type not "From Salesforce" gets 400 naming transactionType; else job, 202."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import wiring
from shared.api import install_error_handlers
from shared.flows.intacct_documents.events import CreateDocumentRequest
from shared.flows.intacct_documents.service import refuse_unless_from_salesforce
from shared.intake import accept_event
from shared.observability import logger, metrics
from shared.webhooks import receive, signed_by, unless_enabled

ROUTE = "/webhooks/salesforce/intacct-documents"

app = APIGatewayRestResolver()
install_error_handlers(app)


@app.post(ROUTE)
def receive_document_request() -> Response[Any]:
    def accept(event: CreateDocumentRequest, correlation_id: str) -> Any:
        refuse_unless_from_salesforce(event.transaction_type, wiring.settings().intacct_documents)
        return accept_event(
            event,
            correlation_id=correlation_id,
            jobs=wiring.jobs(),
            queue=wiring.intacct_document_queue(),
        )

    return receive(
        app.current_event,
        authenticate=signed_by("salesforce"),
        model=CreateDocumentRequest,
        switched_off=unless_enabled("intacct_documents", "Intacct sales documents are off"),
        accept=accept,
        what="Intacct document request",
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
