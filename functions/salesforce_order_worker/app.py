"""SQS (FIFO) -> NetSuite: each Closed Won opportunity becomes a Salesforce Originated order.

A plain Powertools FIFO batch, one opportunity at a time (nothing to share across a batch);
`SqsFifoPartialProcessor` skips the rest of a group after a record to redeliver.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import wiring
from shared.batch import give_up_on_last_delivery
from shared.deadline import invocation
from shared.flows.salesforce_orders_to_netsuite.service import QueuedOpportunity
from shared.observability import logger, metrics

# One FIFO group per opportunity: a failure holds back that group only. A batch that must be
# retried whole is reported, not raised: a NetSuite outage shows as retries, not crashes.
processor = SqsFifoPartialProcessor(skip_group_on_error=True)
processor.raise_on_entire_batch_failure = False


def record_handler(record: SQSRecord) -> None:
    try:
        wiring.order_export().handle(QueuedOpportunity.from_record(record))
    except Exception as exc:
        # The service records the failures it knows; this is for the rest, so that a message
        # that reaches the DLQ never leaves its job `queued`.
        give_up_on_last_delivery(
            [record.raw_event],
            f"the worker crashed: {exc!r}",
            jobs=wiring.jobs,
            max_receive_count=wiring.max_receive_count,
        )
        raise
    metrics.add_metric(name="OpportunitiesHandled", unit="Count", value=1)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with invocation(context):  # no outside call may outlive the invocation (shared.deadline)
        response = process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    return dict(response)
