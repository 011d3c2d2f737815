"""From Intacct to Salesforce: documents of the "To Salesforce" types, on a schedule.

Each run:
1. reads, in ONE Intacct request (one readByQuery per type), the documents modified since the
   oldest watermark of those types minus the overlap (`poll_overlap_seconds`: a document saved
   while the previous run read is read again, never missed), then their further pages
   (readMore); the same request reads the payment details changed (with payment details on)
   and the sales documents deleted (Intacct's audit trail, AUDITHISTORY 'Deleted'), each
   since its own watermark minus the overlap: a run with nothing changed is ONE request;
1b. marks the records of deleted documents "Deleted in Intacct" (State__c; the record, its
   lines and payments stay, read-only, for the history), each deletion once;
2. with payment details on, adds the invoices that payments modified since the payments
   watermark were applied to (a payment does not move an invoice's WHENMODIFIED);
3. reads the lines of the types with "Include details" (one request per 200 documents), and
   with payment details the payments applied to the invoices (two requests) and the open
   balance (CUSTOMER.TOTALDUE) of their customers (one request), written on the Account;
4. posts every document as its read-only record with lines and payments, in composite graph
   calls of up to 75 documents (ONE Salesforce call per 75 documents);
5. records one job per posted document version (failed ones with Salesforce's reason), and
   moves each watermark to the newest modification it saw, unless one of its documents
   failed: then the watermark stays and the next run reads them again.

A document's state comes with it: one voided or closed in Intacct shows that state. Repeats
are harmless: every write is an upsert by Intacct key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from shared.clock import iso_millis, real_utc_now
from shared.cursors import Cursor, CursorRepository
from shared.flows.intacct_documents.models import IntacctDocument
from shared.flows.intacct_documents.ports import IntacctBooks, SalesforceDocuments
from shared.flows.intacct_documents.records import DELETED_STATE, sales_document_record
from shared.flows.intacct_documents.settings import IntacctDocumentsSettings, TransactionSync
from shared.jobs import Job, JobRepository, JobStatus

FIRST_RUN_SINCE = datetime(2000, 1, 1, tzinfo=UTC)  # a first run posts every document
PAYMENTS = "payments"
DELETIONS = "deletions"


def watermark_name(transaction_type: str) -> str:
    return f"intacct_documents:{transaction_type}"


@dataclass
class PollReport:
    read: int = 0
    posted: int = 0
    deleted: int = 0
    failed: int = 0
    failures: dict[str, str] = field(default_factory=dict)


class DocumentPoll:
    def __init__(
        self,
        *,
        intacct: IntacctBooks,
        salesforce: SalesforceDocuments,
        jobs: JobRepository,
        cursors: CursorRepository,
        settings: IntacctDocumentsSettings,
        correlation_id: str,
        clock: Callable[[], datetime] = real_utc_now,
    ) -> None:
        self.intacct = intacct
        self.salesforce = salesforce
        self.jobs = jobs
        self.cursors = cursors
        self.settings = settings
        self.correlation_id = correlation_id
        self.clock = clock

    def run(self) -> PollReport:
        report = PollReport()
        rows = {r.transaction_definition: r for r in self.settings.transactions if r.to_salesforce}
        if not self.settings.enabled or not rows:
            return report
        overlap = timedelta(seconds=self.settings.poll_overlap_seconds)
        cursors = {name: self._cursor(watermark_name(name)) for name in rows}
        since = {name: _since(cursor) - overlap for name, cursor in cursors.items()}
        payments_cursor = self._cursor(watermark_name(PAYMENTS))
        deletions_cursor = self._cursor(watermark_name(DELETIONS))
        changes = self.intacct.changes(
            {name: list(row.header_map) for name, row in rows.items()},
            min(since.values()),
            paid_since=(
                _since(payments_cursor) - overlap if self.settings.payment_details else None
            ),
            deleted_since=_since(deletions_cursor) - overlap,
        )
        documents = {
            d.key: d
            for name, found in changes.documents.items()
            for d in found
            if d.modified >= since[name] and not self._posted(d)  # the overlap: posted already
        }
        seen_payments: set[str] = set()
        if self.settings.payment_details:
            already = set(filter(None, payments_cursor.detail.get("seen", "").split(",")))
            seen_payments = {version for version, _ in changes.paid}
            invoices = sorted({ar for version, ar in changes.paid if version not in already})
            if invoices:
                header_fields = sorted({f for row in rows.values() for f in row.header_map})
                for document in self.intacct.documents_of_invoices(invoices, header_fields):
                    if document.transaction_type in rows and not self._posted(document):
                        documents.setdefault(document.key, document)  # a payment moved it
        if changes.deleted:
            self._mark_deleted(changes.deleted, deletions_cursor, report)
        report.read = len(documents)
        if documents:
            self._post(list(documents.values()), rows, report)
        for name, cursor in cursors.items():
            mine = [d for d in documents.values() if d.transaction_type == name]
            if mine and not any(d.key in report.failures for d in mine):
                newest = max(d.modified for d in mine)
                if newest > _since(cursor):
                    self.cursors.advance(cursor, iso_millis(newest))
        if self.settings.payment_details and not report.failures:
            # the payment details read (within the overlap) are not read for their invoices again
            seen = {"seen": ",".join(sorted(seen_payments))}
            self.cursors.advance(payments_cursor, iso_millis(self.clock()), seen)
        return report

    def _mark_deleted(
        self, deleted: list[tuple[int, datetime]], cursor: Cursor, report: PollReport
    ) -> None:
        """Documents deleted in Intacct stay in Salesforce, shown as deleted (their history,
        links and payments are kept); each deletion is read once."""
        already = set(filter(None, cursor.detail.get("seen", "").split(",")))
        new = sorted({recordno for recordno, _ in deleted if str(recordno) not in already})
        if new:
            for key in self.salesforce.mark_deleted(new, DELETED_STATE):
                report.deleted += 1
                self._record_deletion(key)
        newest = max(moment for _, moment in deleted)
        seen = {"seen": ",".join(sorted({str(recordno) for recordno, _ in deleted}))}
        self.cursors.advance(cursor, iso_millis(max(newest, _since(cursor))), seen)

    def _record_deletion(self, key: str) -> None:
        job = Job(
            job_id=Job.make_id("intacct", f"document:{key}", "deleted"),
            flow="intacct_documents",
            source="intacct",
            record_key=f"document:{key}",
            version="deleted",
            status=JobStatus.RECEIVED,
            correlation_id=self.correlation_id,
            detail={"state": DELETED_STATE},
        )
        stored, _ = self.jobs.create(job)
        if stored.status != JobStatus.DONE:
            self.jobs.transition(stored, JobStatus.DONE, attempted=True)

    def _post(
        self, documents: list[IntacctDocument], rows: dict[str, TransactionSync], report: PollReport
    ) -> None:
        detailed = [d for d in documents if rows[d.transaction_type].include_details]
        detail_fields = sorted({f for row in rows.values() for f in row.detail_map})
        lines = self.intacct.lines_of([d.key for d in detailed], detail_fields) if detailed else {}
        invoices = [d.ar_recordno for d in documents if d.ar_recordno is not None]
        payments = (
            self.intacct.payments_of(invoices) if self.settings.payment_details and invoices else {}
        )
        # the Account's open balance: read for the customers of posted invoices only (a quote or
        # an order does not move it), so a run without invoices costs nothing more
        balances = (
            self.intacct.customer_balances(
                sorted({d.customer_id for d in documents if d.ar_recordno})
            )
            if self.settings.payment_details and invoices
            else {}
        )
        records = []
        for document in documents:
            full = replace(
                document,
                lines=tuple(lines.get(document.key, ())) if document in detailed else None,
                payments=tuple(payments.get(document.ar_recordno or -1, ())),
            )
            records.append(
                sales_document_record(
                    full,
                    rows[document.transaction_type],
                    opportunity_id=None,
                    payment_details=self.settings.payment_details,
                    account_open_balance=balances.get(document.customer_id),
                )
            )
        outcome = self.salesforce.post_documents(records)
        for document in documents:
            failure = outcome.get(document.key)
            self._record_job(document, failure)
            if failure is None:
                report.posted += 1
            else:
                report.failed += 1
                report.failures[document.key] = failure

    def _posted(self, document: IntacctDocument) -> bool:
        """This version of the document, with this balance, is in Salesforce already (a
        payment changes the balance, not the version)."""
        job = self.jobs.get(_job_id(document))
        return (
            job is not None
            and job.status == JobStatus.DONE
            and job.detail.get("total_due") == str(document.total_due)
        )

    def _record_job(self, document: IntacctDocument, failure: str | None) -> None:
        job = Job(
            job_id=_job_id(document),
            flow="intacct_documents",
            source="intacct",
            record_key=f"document:{document.key}",
            version=iso_millis(document.modified),
            status=JobStatus.RECEIVED,
            correlation_id=self.correlation_id,
            detail={"transaction_type": document.transaction_type, "state": document.state},
        )
        stored, _ = self.jobs.create(job)
        status = JobStatus.FAILED if failure else JobStatus.DONE
        detail = {**stored.detail, "total_due": str(document.total_due)}
        self.jobs.transition(stored, status, error=failure, detail=detail, attempted=True)

    def _cursor(self, name: str) -> Cursor:
        return self.cursors.get(name) or Cursor(name=name, value="")


def _job_id(document: IntacctDocument) -> str:
    return Job.make_id("intacct", f"document:{document.key}", iso_millis(document.modified))


def _since(cursor: Cursor) -> datetime:
    if not cursor.value:
        return FIRST_RUN_SINCE
    moment = datetime.fromisoformat(cursor.value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
