"""The worker: one queued Send becomes one Unleashed sales order, written back at once.

For each message (the rep's choices and the opportunity id):
1. read the opportunity with its account and lines (ONE Salesforce query);
2. an opportunity already carrying its Unleashed order is done (a replay, a second job);
   a guard that now refuses it (lines removed, Closed Lost, a product not in Unleashed)
   fails the job and writes the reason onto the opportunity;
3. the customer: the code the rep confirmed must be the Account's customer in Unleashed. An
   unknown code is created from the Account (Guid derived from the Account id, so a retry
   updates rather than duplicates); a code that belongs to a customer of another name is
   refused ("customer code ACME is taken by another customer");
4. create the order with `POST /SalesOrders/{guid}`, the Guid derived from the opportunity
   (one order, whatever repeats);
5. write the order number, Guid and status (and the new customer's code onto the Account)
   back in ONE Salesforce call; remember the link order Guid -> opportunity for the status
   poll; finish the job.

Errors (`shared.batch`): permanent ones fail the job, and their reason is written onto the
opportunity for the rep; retryable ones return the message to the queue; the monthly
Unleashed quota spent holds the job until it resets (`held_until`), released by the status
poll, never counted toward the DLQ.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from shared.batch import handle_record
from shared.clock import iso_millis, real_utc_now
from shared.envelope import Envelope
from shared.errors import BudgetExhausted, PermanentError, RetryableError
from shared.flows.unleashed_order_push.events import SendRequest
from shared.flows.unleashed_order_push.models import Customer, OpportunityForSend, SendResult
from shared.flows.unleashed_order_push.order import (
    customer_body,
    customer_guid,
    order_guid,
    refusals,
    sales_order_body,
)
from shared.flows.unleashed_order_push.ports import OpportunityStore, UnleashedAccount
from shared.flows.unleashed_order_push.settings import UnleashedOrderPushSettings
from shared.intake import job_for
from shared.jobs import Job, JobRepository, JobStatus
from shared.links import SALESFORCE_OPPORTUNITY, Link, LinkKey, LinkRepository
from shared.observability import logger

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord


@dataclass(frozen=True)
class QueuedSend:
    message_id: str
    envelope: Envelope[SendRequest]
    receive_count: int = 1

    @classmethod
    def from_record(cls, record: SQSRecord) -> QueuedSend:
        envelope = Envelope[SendRequest].model_validate_json(record.body)
        return cls(
            record.message_id, envelope, int(record.attributes.approximate_receive_count or "1")
        )


class OrderPush:
    def __init__(
        self,
        *,
        salesforce: OpportunityStore,
        unleashed: UnleashedAccount,
        jobs: JobRepository,
        links: LinkRepository,
        settings: UnleashedOrderPushSettings,
        max_receive_count: int,
        clock: Callable[[], datetime] = real_utc_now,
    ) -> None:
        self.salesforce = salesforce
        self.unleashed = unleashed
        self.jobs = jobs
        self.links = links
        self.settings = settings
        self.max_receive_count = max_receive_count
        self.clock = clock

    def handle(self, message: QueuedSend) -> None:
        job = job_for(message.envelope, self.jobs)
        if job.status in (JobStatus.DONE, JobStatus.SKIPPED):
            return
        request = message.envelope.payload

        def fail(reason: str) -> None:
            current = self.jobs.get(job.job_id) or job
            self.jobs.transition(current, JobStatus.FAILED, error=reason, attempted=True)
            with contextlib.suppress(Exception):  # the job says it; the opportunity should too
                self.salesforce.record_send(SendResult(request.opportunity_id, error=reason))

        def send() -> None:
            try:
                self._send(job, request)
            except BudgetExhausted as exc:
                self._hold(job, exc)
            except RetryableError as exc:
                current = self.jobs.get(job.job_id) or job
                with contextlib.suppress(Exception):
                    self.jobs.transition(current, current.status, error=exc.message, attempted=True)
                raise

        handle_record(
            send,
            receive_count=message.receive_count,
            max_receive_count=self.max_receive_count,
            on_permanent_failure=fail,
        )

    def _send(self, job: Job, request: SendRequest) -> None:
        opportunity = self.salesforce.opportunity_for_send(request.opportunity_id)
        if opportunity is None:
            raise PermanentError("The opportunity no longer exists in Salesforce.")
        if opportunity.unleashed_order_guid == order_guid(opportunity.id):
            self._done(
                job, opportunity.unleashed_order_number, "already sent by an earlier attempt"
            )
            return
        reasons = refusals(opportunity)
        if reasons:
            raise PermanentError(" ".join(reasons))
        customer, created = self._customer(opportunity, request)
        tax_rate = self._tax_rate(request.tax_code)
        body = sales_order_body(
            opportunity, request, tax_rate=tax_rate, status=self.settings.order_status
        )
        order = self.unleashed.create_sales_order(order_guid(opportunity.id), body)
        self.links.save(
            Link(
                source_key=LinkKey.unleashed_sales_order(order.guid),
                target=SALESFORCE_OPPORTUNITY,
                target_id=opportunity.id,
                synced_version=order.status,
            )
        )
        account = opportunity.account
        self.salesforce.record_send(
            SendResult(
                opportunity.id,
                order=order,
                account_id=account.id if account and created else None,
                customer=customer if created else None,
            )
        )
        self._done(job, order.number, None, guid=order.guid, status=order.status)

    def _customer(
        self, opportunity: OpportunityForSend, request: SendRequest
    ) -> tuple[Customer, bool]:
        account = opportunity.account
        assert account is not None  # refusals() refuses an opportunity without one
        found = self.unleashed.customer_by_code(request.customer_code)
        if found is not None:
            ours = (
                account.unleashed_customer_guid
                and found.guid == account.unleashed_customer_guid.lower()
            )
            same_name = found.name.strip().lower() == account.name.strip().lower()
            if not (ours or same_name):
                raise PermanentError(
                    f"Customer code {request.customer_code} is taken by another customer in "
                    f"Unleashed ({found.name}): choose another code on the page."
                )
            return found, found.code != account.unleashed_customer_code
        body = customer_body(account, request.customer_code, request.salesperson_guid)
        return self.unleashed.save_customer(customer_guid(account.id), body), True

    def _tax_rate(self, tax_code: str | None) -> Decimal:
        if not tax_code:
            return Decimal(0)
        for tax in self.unleashed.taxes():
            if tax.code.lower() == tax_code.lower():
                return tax.rate
        raise PermanentError(f"Tax code {tax_code} does not exist in Unleashed: pick another tax.")

    def _hold(self, job: Job, exc: BudgetExhausted) -> None:
        until = self.clock() + timedelta(seconds=exc.retry_after or 3600)
        current = self.jobs.get(job.job_id) or job
        self.jobs.transition(
            current,
            JobStatus.HELD,
            error=exc.message,
            attempted=True,
            held_until=iso_millis(until.astimezone(UTC)),
        )
        logger.warning("send held until the Unleashed quota resets", extra={"job_id": job.job_id})

    def _done(self, job: Job, number: str | None, reason: str | None, **more: str) -> None:
        outcome = {"order_number": number, **more}
        if reason:
            outcome["reason"] = reason
        current = self.jobs.get(job.job_id) or job
        self.jobs.transition(current, JobStatus.DONE, attempted=True, outcome=outcome)
