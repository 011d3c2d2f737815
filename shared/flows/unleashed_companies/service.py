"""Unleashed -> Salesforce: one customer (and its contacts) made current in Salesforce.

For each queued notification (ids only):
1. read the customer with all its contacts from Unleashed (1 call): the current state, so a
   repeated or out-of-order notification can only ever write what Unleashed has now;
2. compare each synced field with the value last synced (the links `unleashed:customer:<guid>`
   and `unleashed:contact:<guid>`, attributes = field -> value): an echo of salesbridge's own
   write, or a duplicate, changes nothing and costs no Salesforce call (job skipped);
3. with account-manager sync on and the salesperson changed, find the Salesforce user with the
   salesperson's e-mail (1 query);
4. write the changed fields in ONE Salesforce call: the Account upserted by
   `Unleashed_Customer_Guid__c`, each changed contact upserted by `Unleashed_Contact_Guid__c`
   under that Account (contacts created in Unleashed are created here, under their own
   customer's Account);
5. remember the values written (the links), then finish the job with what changed.

Costs per changed customer or contact: Unleashed 1, Salesforce 1 (+1 when the account manager
changed). Per echo: Unleashed 1, Salesforce 0. The backstop compares without queueing
anything unchanged, so an echo it sees costs nothing more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared.batch import handle_record
from shared.envelope import Envelope
from shared.errors import PermanentError
from shared.flows.unleashed_companies.compare import changed, remembered, synced_keys
from shared.flows.unleashed_companies.events import (
    SalesforceCompanyEvent,
    UnleashedCustomerEvent,
)
from shared.flows.unleashed_companies.models import (
    ACCOUNT_MANAGER,
    SF_WRITTEN_AT,
    SF_WRITTEN_FIELDS,
    UNLEASHED_WRITTEN_AT,
    AccountWrite,
    ContactWrite,
    UnleashedContact,
    UnleashedCustomer,
    Values,
)
from shared.flows.unleashed_companies.outbound import SalesforceChanges
from shared.flows.unleashed_companies.ports import SalesforceCompanies, UnleashedCustomers
from shared.flows.unleashed_companies.settings import UnleashedCompaniesSettings
from shared.intake import job_for
from shared.jobs import Job, JobRepository, JobStatus
from shared.links import SALESFORCE_ACCOUNT, SALESFORCE_CONTACT, Link, LinkKey, LinkRepository
from shared.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord


# Unleashed dates its notification a moment after the save it reports.
ECHO_WINDOW = timedelta(seconds=5)


@dataclass(frozen=True)
class QueuedCustomer:
    message_id: str
    envelope: Envelope[UnleashedCustomerEvent | SalesforceCompanyEvent]
    receive_count: int = 1

    @classmethod
    def from_record(cls, record: SQSRecord) -> QueuedCustomer:
        envelope = Envelope[UnleashedCustomerEvent | SalesforceCompanyEvent].model_validate_json(
            record.body
        )
        receive_count = int(record.attributes.approximate_receive_count or "1")
        return cls(record.message_id, envelope, receive_count)


class CustomerSync:
    def __init__(
        self,
        *,
        unleashed: UnleashedCustomers,
        salesforce: SalesforceCompanies,
        jobs: JobRepository,
        links: LinkRepository,
        settings: UnleashedCompaniesSettings,
        max_receive_count: int,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.now = now
        self.outbound = SalesforceChanges(
            unleashed=unleashed, salesforce=salesforce, links=links, settings=settings
        )
        self.unleashed = unleashed
        self.salesforce = salesforce
        self.jobs = jobs
        self.links = links
        self.settings = settings
        self.max_receive_count = max_receive_count

    def handle(self, message: QueuedCustomer) -> None:
        """Sync one queued customer; raises only what SQS should deliver again."""
        job = job_for(message.envelope, self.jobs)
        if job.status in (JobStatus.DONE, JobStatus.SKIPPED):
            return

        def fail(reason: str) -> None:
            current = self.jobs.get(job.job_id) or job
            self.jobs.transition(current, JobStatus.FAILED, error=reason, attempted=True)
            logger.warning("customer sync failed", extra={"job_id": job.job_id, "reason": reason})

        event = message.envelope.payload

        def work() -> None:
            if isinstance(event, SalesforceCompanyEvent):
                self._from_salesforce(job, event)
            else:
                self._sync(job, event)

        handle_record(
            work,
            receive_count=message.receive_count,
            max_receive_count=self.max_receive_count,
            on_permanent_failure=fail,
        )

    def _from_salesforce(self, job: Job, event: SalesforceCompanyEvent) -> None:
        if not self.settings.enabled:
            self._finish(job, JobStatus.SKIPPED, {"reason": "unleashed_companies.enabled is off"})
            return
        detail = self.outbound.apply(event)
        if detail is None:
            reason = "the values are those last synced (salesbridge's own write coming back)"
            self._finish(job, JobStatus.SKIPPED, {"reason": reason})
            return
        status = JobStatus.DONE if detail["sent"] or not detail.get("refused") else JobStatus.FAILED
        error = "; ".join(detail.get("refused", {}).values()) or None
        self.jobs.transition(job, status, detail=detail, error=error, attempted=True)

    def _sync(self, job: Job, event: UnleashedCustomerEvent) -> None:
        if self._own_notification(event):
            reason = "Unleashed's notification of salesbridge's own write"
            self._finish(job, JobStatus.SKIPPED, {"reason": reason})
            return
        customer = self.unleashed.customer(event.guid)
        if customer is None:
            self._finish(job, JobStatus.SKIPPED, {"reason": "Unleashed has no such customer"})
            return
        detail = self.apply(customer)
        if detail is None:
            reason = "nothing changed since the last sync (an echo or a duplicate)"
            self._finish(job, JobStatus.SKIPPED, {"reason": reason})
        else:
            self._finish(job, JobStatus.DONE, detail)

    def _own_notification(self, event: UnleashedCustomerEvent) -> bool:
        """A notification dated within ECHO_WINDOW after salesbridge's own write to this
        customer is that write's echo: skipped without reading Unleashed. A person's edit in
        the same seconds is not lost: the backstop compares values and brings it."""
        link = self.links.get(LinkKey.unleashed_customer(event.guid), SALESFORCE_ACCOUNT)
        written = link.attributes.get(UNLEASHED_WRITTEN_AT) if link is not None else None
        if not written:
            return False
        delay = event.created_on - datetime.fromisoformat(written)
        return timedelta(0) <= delay <= ECHO_WINDOW

    def pending(self, customer: UnleashedCustomer) -> bool:
        """Whether `customer` differs from what was last synced (the backstop's test)."""
        company, contacts = self._changes(customer)
        return bool(company or contacts)

    def apply(self, customer: UnleashedCustomer) -> dict[str, Any] | None:
        """Write what changed; None when nothing did."""
        company, contacts = self._changes(customer)
        if not company and not contacts:
            return None
        detail: dict[str, Any] = {"customer_code": customer.code}
        owner_id = None
        manager = company.pop(ACCOUNT_MANAGER, None) if ACCOUNT_MANAGER in company else None
        if manager:
            owner_id = self.salesforce.user_ids_by_email({manager}).get(manager)
            if owner_id is None:
                detail["account_manager"] = f"no active Salesforce user has the e-mail {manager}"
        result = self.salesforce.write(
            AccountWrite(
                customer.guid,
                customer.code,
                company,
                owner_id,
                tuple(contacts),
                self.settings.address,
            )
        )
        if "account" in result.errors or result.account_id is None:
            raise PermanentError(
                f"Salesforce refused the Account: {result.errors.get('account', 'no id')}"
            )
        self._remember_account(
            customer,
            result.account_id,
            manager_synced=owner_id is not None,
            written=set(company) | ({ACCOUNT_MANAGER} if owner_id else set()),
        )
        written = []
        for write in contacts:
            contact_id = result.contact_ids.get(write.guid)
            if contact_id is None:
                continue
            self._remember_contact(write.guid, contact_id, customer, set(write.values))
            written.append(write.guid)
        detail.update(
            {
                "account_id": result.account_id,
                "fields": sorted(company) + ([ACCOUNT_MANAGER] if owner_id else []),
                "contacts": written,
            }
        )
        if result.errors:
            detail["refused"] = dict(result.errors)
        return detail

    # -- comparing with the last synced values ---------------------------------------------------

    def _changes(self, customer: UnleashedCustomer) -> tuple[Values, list[ContactWrite]]:
        link = self.links.get(LinkKey.unleashed_customer(customer.guid), SALESFORCE_ACCOUNT)
        company = changed(customer.values, link, synced_keys(self.settings))
        contacts = []
        for contact in customer.contacts:
            fields = self._contact_changes(contact)
            if fields:
                contacts.append(ContactWrite(contact.guid, fields))
        return company, contacts

    def _contact_changes(self, contact: UnleashedContact) -> Values:
        link = self.links.get(LinkKey.unleashed_contact(contact.guid), SALESFORCE_CONTACT)
        return changed(contact.values, link, tuple(contact.values))

    def _remember_account(
        self,
        customer: UnleashedCustomer,
        account_id: str,
        *,
        manager_synced: bool,
        written: set[str],
    ) -> None:
        key = LinkKey.unleashed_customer(customer.guid)
        link = self.links.get(key, SALESFORCE_ACCOUNT) or Link(
            source_key=key, target=SALESFORCE_ACCOUNT, target_id=account_id
        )
        keys = [k for k in synced_keys(self.settings) if k != ACCOUNT_MANAGER or manager_synced]
        values = {k: customer.values.get(k) for k in keys}
        version = customer.modified.isoformat() if customer.modified else None
        self.links.save(
            remembered(link.model_copy(update={"target_id": account_id}), values, version)
        )

    def _remember_contact(
        self, guid: str, contact_id: str, customer: UnleashedCustomer, written: set[str]
    ) -> None:
        contact = next(c for c in customer.contacts if c.guid == guid)
        key = LinkKey.unleashed_contact(guid)
        link = self.links.get(key, SALESFORCE_CONTACT) or Link(
            source_key=key, target=SALESFORCE_CONTACT, target_id=contact_id
        )
        link = link.model_copy(
            update={
                "target_id": contact_id,
                "attributes": {**link.attributes, "customer": customer.guid},
            }
        )
        self.links.save(remembered(link, contact.values, None))

    def _written(self, link: Link, fields: set[str]) -> Link:
        """Note when salesbridge wrote which fields into Salesforce (see outbound._decide)."""
        attributes = {
            **link.attributes,
            SF_WRITTEN_AT: self.now().isoformat(),
            SF_WRITTEN_FIELDS: ",".join(sorted(fields)),
        }
        return link.model_copy(update={"attributes": attributes})

    def _finish(self, job: Job, status: JobStatus, detail: dict[str, Any]) -> None:
        self.jobs.transition(job, status, detail=detail, attempted=True)
        logger.info("customer synced", extra={"job_id": job.job_id, "status": status.value})
