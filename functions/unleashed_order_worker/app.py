"""SQS (FIFO) -> Unleashed: each Send becomes one sales order, written back onto the
opportunity (`shared.flows.unleashed_order_push.service`)."""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from shared import wiring
from shared.batch import fifo_worker
from shared.flows.unleashed_order_push.service import QueuedSend


def handle(record: SQSRecord) -> None:
    wiring.order_push().handle(QueuedSend.from_record(record))


lambda_handler = fifo_worker(
    handle,
    handled_metric="UnleashedOrdersHandled",
    jobs=wiring.jobs,
    max_receive_count=wiring.max_receive_count,
)
