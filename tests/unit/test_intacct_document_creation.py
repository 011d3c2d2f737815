"""Create <Transaction> over fakes of its ports: the decisions and what each costs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from shared.envelope import Envelope
from shared.errors import RetryableError
from shared.flows.intacct_documents.events import CREATE_INTACCT_DOCUMENT, CreateDocumentRequest
from shared.flows.intacct_documents.models import (
    IntacctDocument,
    NewDocument,
    OpportunityForDocument,
    ProductLine,
    SalesDocumentRecord,
)
from shared.flows.intacct_documents.records import control_id
from shared.flows.intacct_documents.service import DocumentCreation, QueuedRequest
from shared.flows.intacct_documents.settings import IntacctDocumentsSettings
from shared.jobs import Job, JobStatus
from tests.unit.fakes import FakeJobs

OPPORTUNITY = "006000000000001AAA"
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


class FakeBooks:
    def __init__(self) -> None:
        self.customers = {"C-ALPINE"}
        self.created: dict[str, NewDocument] = {}
        self.requests = 0
        self.fail_read = 0

    def has_customer(self, customer_id: str) -> bool:
        self.requests += 1
        return customer_id in self.customers

    def create_customer(self, customer_id: str, name: str) -> None:
        self.requests += 1
        self.customers.add(customer_id)

    def create_document(self, control: str, document: NewDocument) -> str:
        self.requests += 1
        self.created.setdefault(control, document)  # uniqueid: one document per control id
        return f"{document.transaction_type}-{list(self.created).index(control) + 1}"

    def document(
        self, key: str, *, header_fields: Sequence[str], detail_fields: Sequence[str]
    ) -> IntacctDocument | None:
        self.requests += 1
        if self.fail_read:
            self.fail_read -= 1
            raise RetryableError("Intacct's gateway timed out")
        return IntacctDocument(
            key=key, recordno=1, transaction_type=key.split("-")[0], number="1", state="Pending",
            customer_id="C-ALPINE", created=date(2026, 12, 1), due=None, modified=NOW,
            total=Decimal(10), total_paid=Decimal(0), total_due=Decimal(10), reference="", lines=(),
        )  # fmt: skip


class FakeSalesforce:
    def __init__(self, opportunity: OpportunityForDocument) -> None:
        self.opportunity = opportunity
        self.posted: list[SalesDocumentRecord] = []
        self.customer_ids: dict[str, str] = {}

    def opportunity_for_document(self, opportunity_id: str) -> OpportunityForDocument | None:
        return self.opportunity

    def record_customer_id(self, account_id: str, customer_id: str) -> None:
        self.customer_ids[account_id] = customer_id

    def post_documents(self, records: Sequence[SalesDocumentRecord]) -> dict[str, str | None]:
        self.posted += records
        return {r.key: None for r in records}


def opportunity(**changes: Any) -> OpportunityForDocument:
    values: dict[str, Any] = {
        "id": OPPORTUNITY, "name": "Alpine tents", "account_id": "001000000000001AAA",
        "account_name": "Alpine", "intacct_customer_id": "C-ALPINE", "close_date": None,
        "lines": (ProductLine("00k1", "Tent", "TENT-2P", Decimal(3), Decimal(249)),),
        "documents": (),
    }  # fmt: skip
    values.update(changes)
    return OpportunityForDocument(**values)


def settings(**changes: Any) -> IntacctDocumentsSettings:
    return IntacctDocumentsSettings.model_validate(
        {
            "transactions": [
                {"transaction_definition": "Sales Quote", "from_salesforce": True},
                {"transaction_definition": "Sales Invoice", "to_salesforce": True},
            ],
            **changes,
        }
    )


def message(
    kind: str = "Sales Quote", modified: str = "2026-12-01T09:00:00Z", count: int = 1
) -> QueuedRequest:
    event = CreateDocumentRequest.model_validate(
        {"opportunityId": OPPORTUNITY, "transactionType": kind, "lastModifiedDate": modified}
    )
    envelope = Envelope[CreateDocumentRequest](
        message_type=CREATE_INTACCT_DOCUMENT,
        job_id=Job.make_id("salesforce", event.record_key, event.identity),
        correlation_id="c-1",
        source="salesforce",
        record_key=event.record_key,
        version=event.version,
        payload=event,
    )
    return QueuedRequest("m-1", envelope, count)


def world(
    found: OpportunityForDocument, **changes: Any
) -> tuple[DocumentCreation, FakeBooks, FakeSalesforce, FakeJobs]:
    books, salesforce, jobs = FakeBooks(), FakeSalesforce(found), FakeJobs()
    service = DocumentCreation(
        salesforce=salesforce, intacct=books, jobs=jobs, settings=settings(**changes),
        max_receive_count=5, clock=lambda: NOW,
    )  # fmt: skip
    return service, books, salesforce, jobs


def only_job(jobs: FakeJobs) -> Job:
    [job] = jobs.jobs.values()
    return job


def test_a_quote_is_created_once_and_posted_back_for_its_opportunity() -> None:
    service, books, salesforce, jobs = world(opportunity())
    service.handle(message())
    [document] = books.created.values()
    assert document.customer_id == "C-ALPINE" and document.created == date(2026, 12, 1)
    assert [(line.item_id, line.quantity, line.price) for line in document.lines] == [
        ("TENT-2P", Decimal(3), Decimal(249))
    ]
    assert books.requests == 2  # the create and the read back
    [record] = salesforce.posted
    assert record.opportunity_id == OPPORTUNITY
    assert only_job(jobs).status == JobStatus.DONE


def test_the_control_id_is_the_opportunity_and_type_and_with_one_to_many_its_version() -> None:
    assert control_id(OPPORTUNITY, "Sales Quote", None) == f"sf-{OPPORTUNITY}-SalesQuote"
    assert control_id(OPPORTUNITY, "Sales Quote", "2026-12-01T09:00:00Z").endswith(
        "-20261201T090000"
    )


def test_a_retry_after_a_timeout_finds_the_same_document() -> None:
    service, books, salesforce, jobs = world(opportunity())
    books.fail_read = 1
    with pytest.raises(RetryableError):
        service.handle(message())
    service.handle(message(count=2))
    assert len(books.created) == 1 and len(salesforce.posted) == 1
    assert only_job(jobs).status == JobStatus.DONE


@pytest.mark.parametrize(
    ("found", "kind", "changes", "reason"),
    [
        (opportunity(), "Sales Invoice", {}, "not a From Salesforce type"),
        (
            opportunity(documents=(("Sales Quote", "Sales Quote-7"),)),
            "Sales Quote",
            {"one_to_one": True},
            "one-to-one relationship: the opportunity already has",
        ),
        (opportunity(lines=()), "Sales Quote", {}, "no product lines"),
        (
            opportunity(lines=(ProductLine("00k1", "Ghost", None, Decimal(1), Decimal(1)),)),
            "Sales Quote",
            {},
            "products without an Intacct item id: Ghost",
        ),
    ],
)
def test_a_refused_request_fails_its_job_with_the_reason_and_creates_nothing(
    found: OpportunityForDocument, kind: str, changes: dict[str, Any], reason: str
) -> None:
    service, books, salesforce, jobs = world(found, **changes)
    service.handle(message(kind))
    job = only_job(jobs)
    assert job.status == JobStatus.FAILED and reason in (job.last_error or "")
    assert books.created == {} and salesforce.posted == []


def test_one_to_many_allows_a_second_document_of_a_type() -> None:
    service, books, _, _ = world(opportunity(documents=(("Sales Quote", "Sales Quote-7"),)))
    service.handle(message())
    assert len(books.created) == 1


def test_an_account_without_intacct_customer_gets_one_created_and_recorded() -> None:
    service, books, salesforce, _ = world(opportunity(intacct_customer_id=None))
    service.handle(message())
    assert "SF-001000000000001" in books.customers
    assert salesforce.customer_ids == {"001000000000001AAA": "SF-001000000000001"}
    [document] = books.created.values()
    assert document.customer_id == "SF-001000000000001"
