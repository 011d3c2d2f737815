"""SQS (FIFO) -> Salesforce: each Unleashed customer notification makes the customer's
Account and contacts current (`shared.flows.unleashed_companies.service`)."""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from shared import wiring
from shared.batch import fifo_worker
from shared.flows.unleashed_companies.service import QueuedCustomer


def handle(record: SQSRecord) -> None:
    wiring.customer_sync().handle(QueuedCustomer.from_record(record))


lambda_handler = fifo_worker(
    handle,
    handled_metric="UnleashedCustomersHandled",
    jobs=wiring.jobs,
    max_receive_count=wiring.max_receive_count,
)
