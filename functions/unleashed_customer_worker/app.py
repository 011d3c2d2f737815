"""SQS (FIFO) -> Salesforce: each Unleashed customer notification makes the customer's
Account and contacts current (`shared.flows.unleashed_companies.service`)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import wiring
from shared.batch import give_up_on_last_delivery
from shared.deadline import invocation
from shared.flows.unleashed_companies.service import QueuedCustomer
from shared.observability import logger, metrics

processor = SqsFifoPartialProcessor(skip_group_on_error=True)
processor.raise_on_entire_batch_failure = False


def record_handler(record: SQSRecord) -> None:
    try:
        wiring.customer_sync().handle(QueuedCustomer.from_record(record))
    except Exception as exc:
        give_up_on_last_delivery(
            [record.raw_event],
            f"the worker crashed: {exc!r}",
            jobs=wiring.jobs,
            max_receive_count=wiring.max_receive_count,
        )
        raise
    metrics.add_metric(name="UnleashedCustomersHandled", unit="Count", value=1)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with invocation(context):
        response = process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    return dict(response)
