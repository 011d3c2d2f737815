"""SQS (FIFO) -> Intacct -> Salesforce: each Create <Transaction> request becomes an Intacct
sales document, posted back as its read-only Salesforce record with lines; a record to
redeliver holds back the rest of its opportunity's group (so one-to-one sees the earlier one)."""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from shared import wiring
from shared.batch import fifo_worker
from shared.flows.intacct_documents.service import QueuedRequest


def handle(record: SQSRecord) -> None:
    wiring.document_creation().handle(QueuedRequest.from_record(record))


lambda_handler = fifo_worker(
    handle,
    handled_metric="IntacctDocumentRequestsHandled",
    jobs=wiring.jobs,
    max_receive_count=wiring.max_receive_count,
)
