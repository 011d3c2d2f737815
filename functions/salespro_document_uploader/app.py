"""SQS (the documents bucket's ObjectCreated notifications) -> Salesforce Files or e-mail.

A standard queue (S3 cannot notify a FIFO one): uploads are independent, and the service is
idempotent by object key + ETag. One document per message, one message at a time per
invocation (BatchSize 1): a 36 MB stream needs the whole invocation's memory and time.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import wiring
from shared.deadline import invocation
from shared.flows.salespro_documents.events import UploadedObject
from shared.observability import logger, metrics

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def record_handler(record: SQSRecord) -> None:
    # A retryable failure (Salesforce or SES unavailable) raises: SQS redelivers, then the DLQ;
    # on the last delivery the service marks the job failed first.
    body = record.json_body
    for uploaded in UploadedObject.from_notification(body):
        wiring.document_uploader().handle(
            uploaded,
            delivery_id=record.message_id,
            receive_count=int(record.attributes.approximate_receive_count),
            max_receive_count=wiring.max_receive_count(),
            replayed="job_id" in body,  # only our replay message carries it, never S3's
        )
        metrics.add_metric(name="DocumentsHandled", unit="Count", value=1)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with invocation(context):  # no outside call may outlive the invocation (shared.deadline)
        response = process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    return dict(response)
