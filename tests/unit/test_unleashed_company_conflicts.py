"""Salesforce -> Unleashed over fakes: echoes, refusals and the conflict rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.flows.unleashed_companies.events import SalesforceCompanyEvent
from shared.flows.unleashed_companies.models import (
    SF_WRITTEN_AT,
    SF_WRITTEN_FIELDS,
    AccountWrite,
    UnleashedCustomer,
    Values,
    WriteResult,
)
from shared.flows.unleashed_companies.outbound import SalesforceChanges
from shared.flows.unleashed_companies.ports import RefusedValue
from shared.flows.unleashed_companies.settings import UnleashedCompaniesSettings
from shared.links import SALESFORCE_ACCOUNT, Link, LinkKey
from tests.unit.order_fakes import FakeLinks

GUID = "6f1c2b1e-1111-4222-8333-944455556666"
ACCOUNT = "001000000000001AAA"
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
LAST = {"name": "Kauri", "phone": "09 1", "website": None}


class Unleashed:
    def __init__(self, values: Values, modified: datetime) -> None:
        self.current = UnleashedCustomer(GUID, "KAURI", dict(values), modified)
        self.saved: list[Values] = []
        self.refuse: dict[str, str] = {}

    def customer(self, guid: str) -> UnleashedCustomer | None:
        return self.current

    def customers_modified_since(self, since: datetime) -> list[UnleashedCustomer]:
        return []

    def save_customer(self, customer: UnleashedCustomer, values: Values) -> datetime | None:
        for field, reason in self.refuse.items():
            if field in values:
                raise RefusedValue(field, reason)
        self.saved.append(dict(values))
        return T0 + timedelta(hours=1)

    def save_contact(self, customer_guid: str, contact_guid: str, values: Values) -> None:
        self.saved.append(dict(values))


class Salesforce:
    def __init__(self) -> None:
        self.errors: list[str | None] = []
        self.restored: list[Values] = []

    def user_ids_by_email(self, emails: set[str]) -> dict[str, str]:
        return {}

    def write(self, change: AccountWrite) -> WriteResult:
        return WriteResult(ACCOUNT)

    def record_sync_state(self, sobject: str, record_id: str, error: str | None) -> None:
        self.errors.append(error)

    def restore(self, sobject: str, record_id: str, values: Values) -> None:
        self.restored.append(dict(values))


def event(at: datetime, **values: Any) -> SalesforceCompanyEvent:
    return SalesforceCompanyEvent(
        object="Account",
        record_id=ACCOUNT,
        last_modified_date=at,
        customer_guid=GUID,
        values={**LAST, **values},
    )


def setup(
    unleashed_values: Values,
    unleashed_at: datetime,
    attributes: dict[str, str] | None = None,
    **settings: Any,
) -> tuple[SalesforceChanges, Unleashed, Salesforce]:
    links = FakeLinks()
    stored = {k: v or "" for k, v in LAST.items()} | (attributes or {})
    links.save(
        Link(
            source_key=LinkKey.unleashed_customer(GUID),
            target=SALESFORCE_ACCOUNT,
            target_id=ACCOUNT,
            attributes=stored,
        )
    )
    unleashed, salesforce = Unleashed(unleashed_values, unleashed_at), Salesforce()
    changes = SalesforceChanges(
        unleashed=unleashed,
        salesforce=salesforce,
        links=links,
        settings=UnleashedCompaniesSettings(enabled=True, **settings),
    )
    return changes, unleashed, salesforce


def test_an_echo_is_skipped_without_reading_unleashed() -> None:
    changes, unleashed, _ = setup(LAST, T0)
    unleashed.current = None  # type: ignore[assignment] - reading it would fail the test
    assert changes.apply(event(T0)) is None


def test_a_plain_change_is_sent_alone() -> None:
    changes, unleashed, salesforce = setup(LAST, T0)
    detail = changes.apply(event(T0 + timedelta(minutes=1), phone="09 2"))
    assert unleashed.saved == [{"phone": "09 2"}]
    assert detail == {"object": "Account", "sent": ["phone"]}
    assert salesforce.errors == []


@pytest.mark.parametrize(
    ("salesforce_at", "system_of_record", "won"),
    [
        (T0 + timedelta(minutes=5), "unleashed", "salesforce"),  # Salesforce's is later
        (T0 - timedelta(minutes=5), "salesforce", "unleashed"),  # Unleashed's is later
        (T0, "unleashed", "unleashed"),  # a tie: the system of record
        (T0, "salesforce", "salesforce"),
    ],
)
def test_a_field_changed_on_both_sides_goes_to_the_later_change(
    salesforce_at: datetime, system_of_record: str, won: str
) -> None:
    changes, unleashed, _ = setup({**LAST, "phone": "09 U"}, T0, system_of_record=system_of_record)
    detail = changes.apply(event(salesforce_at, phone="09 S"))
    assert detail is not None
    [conflict] = detail["conflicts"]
    assert conflict == {
        "field": "phone",
        "salesforce": {"value": "09 S", "at": salesforce_at.isoformat()},
        "unleashed": {"value": "09 U", "at": T0.isoformat()},
        "winner": won,
    }
    assert unleashed.saved == ([{"phone": "09 S"}] if won == "salesforce" else [])


def test_a_salesforce_change_overwritten_by_salesbridge_but_later_is_restored() -> None:
    """Unleashed's change (09 U at T0) was synced into Salesforce at T0+10 min, over a
    Salesforce edit made at T0+5 min whose callout arrives now: Salesforce's is later."""
    written = {SF_WRITTEN_AT: (T0 + timedelta(minutes=10)).isoformat(), SF_WRITTEN_FIELDS: "phone"}
    changes, unleashed, salesforce = setup({**LAST, "phone": "09 1"}, T0, written)
    detail = changes.apply(event(T0 + timedelta(minutes=5), phone="09 S"))
    assert detail is not None and detail["conflicts"][0]["winner"] == "salesforce"
    assert unleashed.saved == [{"phone": "09 S"}]
    assert salesforce.restored == [{"phone": "09 S"}]


def test_a_refused_website_leaves_its_reason_and_the_rest_syncs() -> None:
    changes, unleashed, salesforce = setup(LAST, T0)
    detail = changes.apply(event(T0 + timedelta(minutes=1), website="not a url", name="Kauri Ltd"))
    assert unleashed.saved == [{"name": "Kauri Ltd"}]
    assert detail is not None and "website" in detail["refused"]
    assert salesforce.errors and "not a URL" in str(salesforce.errors[0])
    # The next clean change clears the error on the record.
    changes.apply(event(T0 + timedelta(minutes=2), website="kauri.example", name="Kauri Ltd"))
    assert salesforce.errors[-1] is None


def test_a_value_unleashed_itself_refuses_is_dropped_and_the_rest_sent_again() -> None:
    changes, unleashed, _ = setup(LAST, T0)
    unleashed.refuse = {"phone": "PhoneNumber is too long"}
    detail = changes.apply(event(T0 + timedelta(minutes=1), phone="9" * 99, name="Kauri Ltd"))
    assert unleashed.saved == [{"name": "Kauri Ltd"}]
    assert detail is not None and detail["refused"] == {"phone": "PhoneNumber is too long"}
