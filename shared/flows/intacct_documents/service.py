"""Create <Transaction>: an Intacct sales document from an opportunity (classic workflow).

For each queued request (opportunity id, transaction type, the opportunity's version):
1. refuse it for good when the sync table does not make the type "From Salesforce";
2. read the opportunity with its account, product lines and linked documents (1 query);
3. refuse it when one-to-one is on and the opportunity already has a document of the type,
   when it has no lines, or when a product has no Intacct item id (every one is named);
4. use the account's Intacct customer id, or create the customer in Intacct (1 request) and
   write its id on the account (1 call);
5. create the document with a control id derived from the opportunity and the type (and,
   one-to-many, the opportunity's version) and `uniqueid=true`: a double click or a retry
   makes ONE document (1 request; a repeat is refused by Intacct and found by reference);
6. read it back with its lines (1 request) and post it to Salesforce as its read-only record
   with lines, linked to the opportunity and the account, in ONE composite graph call;
7. finish the job with the document's key and number.

Costs per created document: Intacct 2 requests (+1 getAPISession per container, +1 when the
customer is new); Salesforce 2 calls (the query, the graph).

Failures follow `shared.batch`: Intacct's refusals (a bad item, a closed period) fail the job
with Intacct's own description and correction; timeouts and gateway errors are retried, and
the retry's create is recognised as a repeat.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from shared.batch import handle_record
from shared.clock import real_utc_now
from shared.envelope import Envelope
from shared.errors import FieldProblem, PermanentError, RetryableError, ValidationFailed
from shared.flows.intacct_documents.events import CreateDocumentRequest
from shared.flows.intacct_documents.models import (
    NewDocument,
    NewLine,
    OpportunityForDocument,
)
from shared.flows.intacct_documents.ports import IntacctBooks, SalesforceDocuments
from shared.flows.intacct_documents.records import control_id, sales_document_record
from shared.flows.intacct_documents.settings import IntacctDocumentsSettings, TransactionSync
from shared.intake import job_for
from shared.jobs import Job, JobRepository, JobStatus
from shared.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

MADE_KEY = "intacct_key"  # the job detail naming the document this job created


@dataclass(frozen=True)
class QueuedRequest:
    message_id: str
    envelope: Envelope[CreateDocumentRequest]
    receive_count: int = 1

    @classmethod
    def from_record(cls, record: SQSRecord) -> QueuedRequest:
        envelope = Envelope[CreateDocumentRequest].model_validate_json(record.body)
        receive_count = int(record.attributes.approximate_receive_count or "1")
        return cls(record.message_id, envelope, receive_count)


class Refused(PermanentError):
    """The request cannot be carried out as asked; the reason is for the user."""


def refuse_unless_from_salesforce(
    transaction_type: str, settings: IntacctDocumentsSettings
) -> TransactionSync:
    """The sync table's row of a type users may create; else a refusal naming the field."""
    row = settings.row(transaction_type)
    if row is None or not row.from_salesforce:
        allowed = ", ".join(settings.from_salesforce_types) or "none"
        reason = (
            f"{transaction_type!r} is not a From Salesforce type in the sales transaction "
            f"sync table (From Salesforce: {allowed})"
        )
        raise ValidationFailed(reason, problems=[FieldProblem("transactionType", reason)])
    return row


def customer_id_for(account_id: str) -> str:
    """An Intacct CUSTOMERID (20 characters at most) for an account without one."""
    return f"SF-{account_id[:15]}"


class DocumentCreation:
    def __init__(
        self,
        *,
        salesforce: SalesforceDocuments,
        intacct: IntacctBooks,
        jobs: JobRepository,
        settings: IntacctDocumentsSettings,
        max_receive_count: int,
        clock: Callable[[], datetime] = real_utc_now,
    ) -> None:
        self.salesforce = salesforce
        self.intacct = intacct
        self.jobs = jobs
        self.settings = settings
        self.max_receive_count = max_receive_count
        self.clock = clock

    def handle(self, message: QueuedRequest) -> None:
        job = job_for(message.envelope, self.jobs)
        if job.status in (JobStatus.DONE, JobStatus.SKIPPED):
            return

        def fail(reason: str) -> None:
            current = self.jobs.get(job.job_id) or job
            self.jobs.transition(current, JobStatus.FAILED, error=reason, attempted=True)
            logger.warning("intacct document not created", extra={"reason": reason})

        def create() -> None:
            try:
                self._create(job, message.envelope.payload)
            except RetryableError as exc:
                self._note(job, error=exc.message)
                raise

        handle_record(
            create,
            receive_count=message.receive_count,
            max_receive_count=self.max_receive_count,
            on_permanent_failure=fail,
        )

    def _create(self, job: Job, request: CreateDocumentRequest) -> None:
        row = self._row(request.transaction_type)
        opportunity = self.salesforce.opportunity_for_document(request.opportunity_id)
        if opportunity is None:
            self._finish(job, JobStatus.SKIPPED, {"reason": "the opportunity no longer exists"})
            return
        made = (self.jobs.get(job.job_id) or job).detail.get(MADE_KEY)
        self._check_one_to_one(opportunity, row.transaction_definition, made)
        lines = self._lines(opportunity)
        customer_id = self._customer(opportunity)
        control = control_id(
            opportunity.id, row.transaction_definition,
            None if self.settings.one_to_one else request.version,
        )  # fmt: skip
        document = NewDocument(
            transaction_type=row.transaction_definition,
            customer_id=customer_id,
            created=self._today(),
            reference=control,
            lines=lines,
        )
        key = self.intacct.create_document(control, document)
        self._note(job, detail={**job.detail, MADE_KEY: key})
        read = self.intacct.document(
            key, header_fields=list(row.header_map), detail_fields=list(row.detail_map)
        )
        if read is None:
            raise RetryableError(f"Intacct made {key} but cannot read it yet")
        record = sales_document_record(
            read,
            row,
            opportunity_id=opportunity.id,
            payment_details=self.settings.payment_details,
        )
        failure = self.salesforce.post_documents([record]).get(read.key)
        if failure is not None:
            raise RetryableError(f"{key} was created; posting it to Salesforce failed: {failure}")
        self._finish(
            job,
            JobStatus.DONE,
            {
                MADE_KEY: key,
                "document_number": read.number,
                "lines": len(read.lines or ()),
                "opportunity_id": opportunity.id,
                "control_id": control,
            },
        )
        logger.info("intacct document created", extra={"key": key, "opportunity": opportunity.id})

    # -- decisions ---------------------------------------------------------------------------

    def _row(self, transaction_type: str) -> TransactionSync:
        # refused at the receiver already; the settings may have changed since
        try:
            return refuse_unless_from_salesforce(transaction_type, self.settings)
        except ValidationFailed as refused:
            raise Refused(refused.message) from refused

    def _check_one_to_one(
        self, opportunity: OpportunityForDocument, transaction_type: str, made: Any
    ) -> None:
        if not self.settings.one_to_one:
            return
        for document_type, key in opportunity.documents:
            if document_type.casefold() == transaction_type.casefold() and key != made:
                raise Refused(
                    f"one-to-one relationship: the opportunity already has {transaction_type} "
                    f"{key}; no other {transaction_type} can be created for it"
                )

    def _lines(self, opportunity: OpportunityForDocument) -> tuple[NewLine, ...]:
        if not opportunity.lines:
            raise Refused("the opportunity has no product lines to send to Intacct")
        missing = sorted(
            {line.product_name for line in opportunity.lines if not line.intacct_item_id}
        )
        if missing:
            raise Refused(f"products without an Intacct item id: {', '.join(missing)}")
        return tuple(
            NewLine(
                item_id=str(line.intacct_item_id),
                quantity=line.quantity,
                price=line.unit_price,
                memo=line.description,
            )
            for line in opportunity.lines
        )

    def _customer(self, opportunity: OpportunityForDocument) -> str:
        if opportunity.intacct_customer_id:
            return opportunity.intacct_customer_id
        if not opportunity.account_id:
            raise Refused("the opportunity has no account to bill in Intacct")
        customer_id = customer_id_for(opportunity.account_id)
        if not self.intacct.has_customer(customer_id):
            self.intacct.create_customer(customer_id, opportunity.account_name or customer_id)
        self.salesforce.record_customer_id(opportunity.account_id, customer_id)
        return customer_id

    def _today(self) -> date:
        return self.clock().astimezone(UTC).date()

    # -- jobs --------------------------------------------------------------------------------

    def _note(
        self, job: Job, *, error: str | None = None, detail: dict[str, Any] | None = None
    ) -> None:
        current = self.jobs.get(job.job_id) or job
        if current.status in (JobStatus.DONE, JobStatus.SKIPPED, JobStatus.FAILED):
            return
        with contextlib.suppress(Exception):
            # a retry note is an attempt (its error shows on the job); a detail note is not
            self.jobs.transition(
                current, current.status, error=error, detail=detail, attempted=error is not None
            )

    def _finish(self, job: Job, status: JobStatus, detail: dict[str, Any]) -> None:
        current = self.jobs.get(job.job_id) or job
        self.jobs.transition(current, status, detail=detail, attempted=True)
