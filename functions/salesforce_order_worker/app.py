"""SQS (FIFO) -> NetSuite: each Closed Won opportunity becomes a Salesforce Originated order,
one opportunity at a time (nothing to share across a batch)."""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from shared import wiring
from shared.batch import fifo_worker
from shared.flows.salesforce_orders_to_netsuite.service import QueuedOpportunity


def handle(record: SQSRecord) -> None:
    wiring.order_export().handle(QueuedOpportunity.from_record(record))


lambda_handler = fifo_worker(
    handle,
    handled_metric="OpportunitiesHandled",
    jobs=wiring.jobs,
    max_receive_count=wiring.max_receive_count,
)
