"""Exporting one Closed Won opportunity as a Salesforce Originated NetSuite sales order.

For each queued event (the flow's callout, ids only):
1. read the opportunity with its lines, products and account in ONE Salesforce query;
2. skip it (job skipped, with the reason) when it is not won, is marked "Skip Export to
   NetSuite", or already has a NetSuite order (`NetSuite_Id__c`: exported before, or born in
   NetSuite); fail it for good when a person must act first (an account without a NetSuite
   customer, a product without a NetSuite item: every offending line is named);
3. create the order in NetSuite by external id `sf-<opportunity id>` (1 call: repeating it
   cannot make a second order), then read it back (1 call) for its number, line numbers and
   version;
4. remember the link `netsuite:salesorder:<id>` -> the opportunity, with the line keys and the
   order's version as `synced_version`: the NetSuite user event fired by our own create (the
   echo) then carries a version that is not newer, and the other flow's
   `decide` skips it;
   later edits are newer and, with "Sync Salesforce Originated Orders" on, update the same
   opportunity lines by key instead of adding new ones;
5. write back to Salesforce in ONE call: `NetSuite_Id__c` and `NetSuite_Order_Number__c` on the
   opportunity and `NetSuite_Line_Key__c` on each line (the keys both directions share);
6. finish the job.

Costs per exported opportunity: Salesforce 2 calls (query, write-back), NetSuite 2 calls
(upsert, read back). A skipped one costs the single query.

Failures follow `shared.batch`: permanent ones fail the job with the reason and consume the
message; retryable ones (429, 5xx, timeouts, lock contention, an exhausted API budget) return
it to the queue, and the last attempt marks the job failed as the message goes to the DLQ.
A retry after step 3 upserts the same order again (same external id) and carries on.

A write whose answer is lost converges on the retry: the order PUT carries every line with
`?replace=item`, so NetSuite's lines become exactly the opportunity's again, even if someone
changed them in between, and the line keys written back are read from that order. A write-back
that committed unseen leaves `NetSuite_Id__c` set: the retry recognises its own export by the
link saved in step 4 and finishes the job done (later NetSuite edits flow back by that link);
a newer callout for an exported opportunity is still skipped with its reason.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shared.batch import handle_record
from shared.envelope import Envelope
from shared.errors import RetryableError
from shared.flows.salesforce_orders_to_netsuite.events import SalesforceOpportunityEvent
from shared.flows.salesforce_orders_to_netsuite.models import ExportableOpportunity, ExportRecord
from shared.flows.salesforce_orders_to_netsuite.order import (
    external_id,
    line_keys,
    sales_order_body,
    skip_reason,
)
from shared.flows.salesforce_orders_to_netsuite.ports import OpportunitySource, OrderTarget
from shared.intake import job_for
from shared.jobs import Job, JobRepository, JobStatus
from shared.links import SALESFORCE_OPPORTUNITY, Link, LinkKey, LinkRepository
from shared.netsuite_records import SalesOrder
from shared.observability import logger
from shared.order_lines import line_attributes

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord


@dataclass(frozen=True)
class QueuedOpportunity:
    message_id: str
    envelope: Envelope[SalesforceOpportunityEvent]
    receive_count: int = 1

    @classmethod
    def from_record(cls, record: SQSRecord) -> QueuedOpportunity:
        """An SQS record of this flow's queue (a malformed body raises ValidationError)."""
        envelope = Envelope[SalesforceOpportunityEvent].model_validate_json(record.body)
        receive_count = int(record.attributes.approximate_receive_count or "1")
        return cls(record.message_id, envelope, receive_count)


class OrderExport:
    def __init__(
        self,
        *,
        salesforce: OpportunitySource,
        netsuite: OrderTarget,
        jobs: JobRepository,
        links: LinkRepository,
        max_receive_count: int,
    ) -> None:
        self.salesforce = salesforce
        self.netsuite = netsuite
        self.jobs = jobs
        self.links = links
        self.max_receive_count = max_receive_count

    def handle(self, message: QueuedOpportunity) -> None:
        """Export one queued opportunity; raises only what SQS should deliver again."""
        job = self._job(message)
        if job.status in (JobStatus.DONE, JobStatus.SKIPPED):
            return  # a duplicate delivery of a finished job costs nothing

        def fail(reason: str) -> None:
            current = self.jobs.get(job.job_id) or job  # a retry note may have moved it on
            self._transition(current, JobStatus.FAILED, error=reason)
            logger.warning(
                "opportunity export failed",
                extra={"opportunity_id": message.envelope.payload.opportunity_id, "reason": reason},
            )

        def export() -> None:
            try:
                self._export(
                    job, message.envelope.payload.opportunity_id, retry=message.receive_count > 1
                )
            except RetryableError as exc:
                self._note_retry(job, exc.message)
                raise

        handle_record(
            export,
            receive_count=message.receive_count,
            max_receive_count=self.max_receive_count,
            on_permanent_failure=fail,
        )

    # -- the steps -------------------------------------------------------------------------------

    def _export(self, job: Job, opportunity_id: str, *, retry: bool = False) -> None:
        opportunity = self.salesforce.opportunity_for_export(opportunity_id)
        if opportunity is None:
            self._skip(job, opportunity_id, "the opportunity no longer exists in Salesforce")
            return
        if retry and self._exported_before(opportunity):
            done: dict[str, Any] = {
                "netsuite_order_id": opportunity.netsuite_id,
                "opportunity_id": opportunity.id,
                "reason": "exported by an earlier attempt whose answer was lost",
            }
            self._transition(job, JobStatus.DONE, detail=done)
            return
        reason = skip_reason(opportunity)
        if reason is not None:
            self._skip(job, opportunity.id, reason)
            return
        body = sales_order_body(opportunity)
        order_id = self.netsuite.upsert_sales_order(external_id(opportunity.id), body)
        order = self.netsuite.sales_order(order_id)
        if order is None:
            raise RetryableError(f"NetSuite order {order_id} was created but cannot be read yet")
        keys = line_keys(order, opportunity)
        self._remember(order, opportunity.id, keys)
        self.salesforce.record_export(
            ExportRecord(
                opportunity_id=opportunity.id,
                netsuite_id=order.id,
                order_number=order.tran_id,
                line_keys=keys,
            )
        )
        detail = {
            "netsuite_order_id": order.id,
            "order_number": order.tran_id,
            "lines": len(keys),
            "opportunity_id": opportunity.id,
        }
        self._transition(job, JobStatus.DONE, detail=detail)
        logger.info("opportunity exported", extra=detail)

    def _exported_before(self, opportunity: ExportableOpportunity) -> bool:
        """Its NetSuite id is the order salesbridge exported it as (not born in NetSuite)."""
        if not opportunity.netsuite_id or opportunity.skip_export or not opportunity.is_won:
            return False
        link = self.links.get(
            LinkKey.netsuite_order(opportunity.netsuite_id), SALESFORCE_OPPORTUNITY
        )
        return link is not None and link.target_id == opportunity.id

    def _remember(self, order: SalesOrder, opportunity_id: str, keys: dict[str, str]) -> None:
        """The link the NetSuite -> Salesforce flow reads, saved before the write-back
        narrows the echo race."""
        source_key = LinkKey.netsuite_order(order.id)
        existing = self.links.get(source_key, SALESFORCE_OPPORTUNITY)
        base = existing or Link(
            source_key=source_key, target=SALESFORCE_OPPORTUNITY, target_id=opportunity_id
        )
        self.links.save(
            base.model_copy(
                update={
                    "target_id": opportunity_id,
                    "synced_version": order.version,
                    "fields_hash": None,  # never equal to a plan: the next newer edit syncs
                    "attributes": line_attributes({key: line_id for line_id, key in keys.items()}),
                }
            )
        )

    # -- jobs ------------------------------------------------------------------------------------

    def _job(self, message: QueuedOpportunity) -> Job:
        return job_for(message.envelope, self.jobs)

    def _note_retry(self, job: Job, reason: str) -> None:
        """Say on the job why it is retried (e.g. a write whose answer was lost); bookkeeping
        only, it never blocks the retry."""
        current = self.jobs.get(job.job_id) or job
        if current.status in (JobStatus.DONE, JobStatus.SKIPPED, JobStatus.FAILED):
            return
        with contextlib.suppress(Exception):
            self.jobs.transition(current, current.status, error=reason, attempted=True)

    def _skip(self, job: Job, opportunity_id: str, reason: str) -> None:
        self._transition(job, JobStatus.SKIPPED, detail={"reason": reason})
        logger.info(
            "opportunity not exported", extra={"opportunity_id": opportunity_id, "reason": reason}
        )

    def _transition(
        self,
        job: Job,
        status: JobStatus,
        *,
        error: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        self.jobs.transition(job, status, error=error, detail=detail, attempted=True)
