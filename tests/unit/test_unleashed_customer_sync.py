"""The Unleashed -> Salesforce customer sync over fakes of its ports."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.envelope import Envelope
from shared.flows.unleashed_companies.events import CustomerRef, UnleashedCustomerEvent
from shared.flows.unleashed_companies.models import (
    AccountWrite,
    UnleashedContact,
    UnleashedCustomer,
    WriteResult,
)
from shared.flows.unleashed_companies.service import CustomerSync, QueuedCustomer
from shared.flows.unleashed_companies.settings import UnleashedCompaniesSettings
from shared.jobs import JobStatus
from tests.unit.fakes import FakeJobs
from tests.unit.order_fakes import FakeLinks

GUID = "6f1c2b1e-1111-4222-8333-944455556666"
CONTACT = "7a1c2b1e-1111-4222-8333-944455556666"
REP = "sam@example.com"


def customer(
    phone: str = "09 1", contact_phone: str = "021 1", rep: str = REP
) -> UnleashedCustomer:
    return UnleashedCustomer(
        guid=GUID,
        code="KAURI",
        values={"name": "Kauri", "phone": phone, "website": None, "account_manager": rep},
        modified=datetime(2026, 11, 1, tzinfo=UTC),
        contacts=(
            UnleashedContact(
                CONTACT,
                {
                    "first_name": "Aroha",
                    "last_name": "Ngata",
                    "email": None,
                    "phone": contact_phone,
                    "mobile": None,
                    "fax": None,
                },
            ),
        ),
    )


class Unleashed:
    def __init__(self) -> None:
        self.current: UnleashedCustomer | None = customer()
        self.calls = 0

    def customer(self, guid: str) -> UnleashedCustomer | None:
        self.calls += 1
        return self.current

    def customers_modified_since(self, since: datetime) -> list[UnleashedCustomer]:
        return [self.current] if self.current else []


class Salesforce:
    def __init__(self, users: dict[str, str] | None = None) -> None:
        self.users = users if users is not None else {REP: "005000000000001AAA"}
        self.writes: list[AccountWrite] = []
        self.calls = 0
        self.refuse: dict[str, str] = {}

    def user_ids_by_email(self, emails: set[str]) -> dict[str, str]:
        self.calls += 1
        return {e: self.users[e] for e in emails if e in self.users}

    def write(self, change: AccountWrite) -> WriteResult:
        self.calls += 1
        self.writes.append(change)
        contacts = {
            c.guid: "003000000000001AAA" for c in change.contacts if c.guid not in self.refuse
        }
        return WriteResult("001000000000001AAA", contacts, dict(self.refuse))


def message(n: int = 0) -> QueuedCustomer:
    event = UnleashedCustomerEvent(
        event_type="customer.updated",
        created_on=datetime(2026, 11, 1, 0, 0, n, tzinfo=UTC),
        data=CustomerRef(customer_guid=GUID, customer_code="KAURI"),
    )
    envelope = Envelope[UnleashedCustomerEvent](
        message_type=event.MESSAGE_TYPE,
        job_id=f"unleashed:{event.record_key}:{event.version}",
        correlation_id="c",
        source="unleashed",
        record_key=event.record_key,
        version=event.version,
        payload=event,
    )
    return QueuedCustomer(f"m{n}", envelope)


def service(**settings: Any) -> tuple[CustomerSync, Unleashed, Salesforce, FakeJobs]:
    unleashed, salesforce, jobs = Unleashed(), Salesforce(), FakeJobs()
    sync = CustomerSync(
        unleashed=unleashed,
        salesforce=salesforce,
        jobs=jobs,
        links=FakeLinks(),
        settings=UnleashedCompaniesSettings(enabled=True, **settings),
        max_receive_count=3,
    )
    return sync, unleashed, salesforce, jobs


def test_a_new_customer_writes_the_account_with_its_owner_and_contacts_in_one_write() -> None:
    sync, _, salesforce, jobs = service(account_manager_sync=True)
    sync.handle(message())
    [write] = salesforce.writes
    assert write.values == {"name": "Kauri", "phone": "09 1", "website": None}
    assert write.owner_id == "005000000000001AAA"
    assert [c.guid for c in write.contacts] == [CONTACT]
    assert salesforce.calls == 2  # the owner lookup and the one write
    [job] = jobs.jobs.values()
    assert job.status is JobStatus.DONE


def test_an_echo_or_duplicate_costs_no_salesforce_call() -> None:
    sync, _, salesforce, jobs = service()
    sync.handle(message(0))
    calls = salesforce.calls
    sync.handle(message(1))
    assert salesforce.calls == calls
    assert jobs.jobs[message(1).envelope.job_id].status is JobStatus.SKIPPED


def test_only_what_changed_is_written() -> None:
    sync, unleashed, salesforce, _ = service()
    sync.handle(message(0))
    unleashed.current = customer(contact_phone="021 9")
    sync.handle(message(1))
    last = salesforce.writes[-1]
    assert last.values == {}
    assert [(c.guid, c.values) for c in last.contacts] == [(CONTACT, {"phone": "021 9"})]


def test_an_unknown_salesperson_leaves_the_owner_and_says_why() -> None:
    sync, _, salesforce, jobs = service(account_manager_sync=True)
    salesforce.users = {}
    sync.handle(message())
    assert salesforce.writes[0].owner_id is None
    job = jobs.jobs[message().envelope.job_id]
    assert "no active Salesforce user" in job.detail["account_manager"]


def test_a_refused_contact_is_retried_next_time_the_others_stand() -> None:
    sync, _, salesforce, jobs = service()
    salesforce.refuse = {CONTACT: "INVALID_EMAIL_ADDRESS: bad"}
    sync.handle(message(0))
    assert jobs.jobs[message(0).envelope.job_id].detail["refused"] == salesforce.refuse
    salesforce.refuse = {}
    sync.handle(message(1))
    assert [c.guid for c in salesforce.writes[-1].contacts] == [CONTACT]


def test_a_deleted_customer_is_skipped() -> None:
    sync, unleashed, salesforce, jobs = service()
    unleashed.current = None
    sync.handle(message())
    assert salesforce.calls == 0
    assert jobs.jobs[message().envelope.job_id].status is JobStatus.SKIPPED
