"""WonOpportunities against the local Salesforce org, over TLS, through simple-salesforce.

The export's two Salesforce calls: the one query that reads a won opportunity with its lines,
products and account, and the one collection update that writes the NetSuite ids back. Each
test checks the org's own answer (SOQL, the request log), not only what the adapter returns.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

import pytest
from simple_salesforce import Salesforce, SFType

from sandboxes.common import LocalCA, SandboxAdmin, SandboxServer
from sandboxes.salesforce import SalesforceSandbox
from shared.adapters.salesforce.connection import connection_from_secret
from shared.adapters.salesforce.won_opportunities import WonOpportunities
from shared.errors import PermanentError, RetryableError
from shared.flows.salesforce_orders_to_netsuite.models import ExportRecord

QUERY = "GET query"
COLLECTIONS = "PATCH composite_collections"


def sobject(sf: Salesforce, name: str) -> SFType:
    """`sf.<name>` typed (simple-salesforce's __getattr__ is typed as a union)."""
    return cast(SFType, getattr(sf, name))


SANDBOX = SalesforceSandbox  # started once for this module (tests/integration/conftest.py)


@pytest.fixture
def app(app: SalesforceSandbox) -> SalesforceSandbox:
    """The module's org, reset for each test."""
    sandbox = app
    with sandbox.lock:
        sandbox.clear_faults()
        sandbox.reset()
    return sandbox


@pytest.fixture
def adapter(server: SandboxServer, app: SalesforceSandbox, ca: LocalCA) -> WonOpportunities:
    connection = connection_from_secret(app.connection(server.base_url), str(ca.bundle_path))
    return WonOpportunities(connection, timeout=10)


@pytest.fixture
def sf(adapter: WonOpportunities) -> Salesforce:
    return adapter.connection.call(lambda client: client)


@pytest.fixture
def won(app: SalesforceSandbox, sf: Salesforce) -> dict[str, Any]:
    """A Closed Won opportunity of a linked account with three lines, one of them discounted
    and one whose product has no NetSuite item."""
    seeded = app.seed(
        {
            "accounts": [{"Name": "Alpine Trail Outfitters", "NetSuite_Id__c": "101"}],
            "products": [
                {
                    "Name": "Trail Tent",
                    "ProductCode": "TENT",
                    "NetSuite_Item_Id__c": "501",
                    "price": 249,
                },
                {
                    "Name": "Camp Stove",
                    "ProductCode": "STOVE",
                    "NetSuite_Item_Id__c": "502",
                    "price": 80,
                },
                {"Name": "Gift Card", "ProductCode": "GIFT", "price": 50},
            ],
        }
    )
    opportunity = sobject(sf, "Opportunity").create(
        {
            "Name": "Alpine - spring restock",
            "AccountId": seeded["accounts"]["Alpine Trail Outfitters"],
            "StageName": "Closed Won",
            "CloseDate": "2026-11-20",
            "Pricebook2Id": seeded["standard_pricebook_id"],
            "Description": "Ship before March",
        }
    )["id"]
    lines = []
    for code, quantity, discount in (("TENT", 2, None), ("STOVE", 4, 12.5), ("GIFT", 1, None)):
        fields: dict[str, Any] = {
            "OpportunityId": opportunity,
            "PricebookEntryId": seeded["pricebook_entries"][code],
            "Quantity": quantity,
            "UnitPrice": 249 if code == "TENT" else 80 if code == "STOVE" else 50,
            "Description": f"{code} line",
        }
        if discount is not None:
            fields["Discount"] = discount
        lines.append(sobject(sf, "OpportunityLineItem").create(fields)["id"])
    return {"id": opportunity, "lines": lines, "seeded": seeded}


def test_one_query_reads_the_opportunity_its_account_and_lines(
    adapter: WonOpportunities, won: dict[str, Any], admin: SandboxAdmin
) -> None:
    admin.clear_requests()
    record = adapter.opportunity_for_export(won["id"])

    assert admin.count(QUERY) == 1 and admin.count() == 1 and adapter.api_calls == 1
    assert record is not None
    assert len(record.id) == 18 and record.id == won["id"]
    assert (record.is_won, record.skip_export, record.netsuite_id) == (True, False, None)
    assert (record.close_date, record.description) == ("2026-11-20", "Ship before March")
    assert (record.account_name, record.account_netsuite_id) == ("Alpine Trail Outfitters", "101")
    by_id = {line.id: line for line in record.lines}
    assert set(by_id) == set(won["lines"])
    tent, stove, gift = (by_id[line_id] for line_id in won["lines"])
    assert (tent.netsuite_item_id, tent.quantity, tent.unit_price) == ("501", 2, 249)
    assert tent.discount_percent is None and tent.product_name == "Trail Tent"
    assert (stove.netsuite_item_id, stove.discount_percent) == ("502", Decimal("12.5"))
    assert gift.netsuite_item_id is None and gift.product_name == "Gift Card"
    assert stove.description == "STOVE line"


def test_a_15_character_id_finds_the_same_opportunity(
    adapter: WonOpportunities, won: dict[str, Any]
) -> None:
    record = adapter.opportunity_for_export(won["id"][:15])
    assert record is not None and record.id == won["id"]


def test_an_unknown_opportunity_is_none(adapter: WonOpportunities, won: dict[str, Any]) -> None:
    assert adapter.opportunity_for_export("006000000000000AAA") is None


def test_the_write_back_is_one_call_for_the_opportunity_and_its_lines(
    adapter: WonOpportunities, sf: Salesforce, won: dict[str, Any], admin: SandboxAdmin
) -> None:
    keys = {line_id: f"9001-{n}" for n, line_id in enumerate(won["lines"], start=1)}
    admin.clear_requests()
    adapter.record_export(ExportRecord(won["id"], "9001", "SO9001", keys))

    assert admin.count(COLLECTIONS) == 1 and admin.count() == 1
    opportunity = sf.query(
        f"SELECT NetSuite_Id__c, NetSuite_Order_Number__c FROM Opportunity WHERE Id = '{won['id']}'"
    )["records"][0]
    assert (opportunity["NetSuite_Id__c"], opportunity["NetSuite_Order_Number__c"]) == (
        "9001",
        "SO9001",
    )
    lines = sf.query("SELECT Id, NetSuite_Line_Key__c FROM OpportunityLineItem")["records"]
    assert {line["Id"]: line["NetSuite_Line_Key__c"] for line in lines} == keys
    exported = adapter.opportunity_for_export(won["id"])
    assert exported is not None and exported.netsuite_id == "9001"
    assert {line.id: line.line_key for line in exported.lines} == keys


def test_a_refused_write_back_changes_nothing_and_is_permanent(
    adapter: WonOpportunities, sf: Salesforce, won: dict[str, Any]
) -> None:
    keys = {won["lines"][0]: "9001-1", "00k000000000000AAA": "9001-2"}  # a line that is gone
    with pytest.raises(PermanentError, match="write-back"):
        adapter.record_export(ExportRecord(won["id"], "9001", "SO9001", keys))
    opportunity = sf.query(f"SELECT NetSuite_Id__c FROM Opportunity WHERE Id = '{won['id']}'")
    assert opportunity["records"][0]["NetSuite_Id__c"] is None  # allOrNone rolled it back


def test_salesforce_unavailable_is_retryable(
    adapter: WonOpportunities, won: dict[str, Any], admin: SandboxAdmin
) -> None:
    admin.inject_fault("query", status=503, times=1)
    with pytest.raises(RetryableError):
        adapter.opportunity_for_export(won["id"])
    assert adapter.opportunity_for_export(won["id"]) is not None
