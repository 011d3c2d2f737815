"""OpportunityWriter against the local Salesforce org, over TLS, through simple-salesforce.

Each test writes through the adapter, then reads the org back with SOQL (and the sandbox's
request log for call counts), so a graph that only looks right on the wire still fails.
"""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from simple_salesforce import Salesforce

from sandboxes.common import LocalCA, SandboxAdmin, SandboxServer
from sandboxes.salesforce import SalesforceSandbox
from shared.adapters.salesforce.connection import connection_from_secret
from shared.adapters.salesforce.opportunity_writer import OpportunityWriter
from shared.errors import BudgetExhausted, PermanentError, RetryableError
from shared.flows.netsuite_orders_to_salesforce.ports import (
    LineWrite,
    OrderWrite,
    PricebookEntryRef,
    Upsert,
)

GRAPH = "POST composite_graph"
ITEMS = [str(5000 + n) for n in range(12)]  # NetSuite item ids
STANDARD = "Standard Price Book"


SANDBOX = SalesforceSandbox  # started once for this module (tests/integration/conftest.py)


@pytest.fixture
def app(app: SalesforceSandbox) -> SalesforceSandbox:
    """The module's org, reset for each test."""
    sandbox = app
    with sandbox.lock:
        sandbox.clear_faults()
        sandbox.configure({"daily_api_limit": 100_000, "reset_api_usage": True})
        sandbox.reset()
    return sandbox


@pytest.fixture
def admin(admin: SandboxAdmin) -> SandboxAdmin:
    """The module's admin client, with the request log cleared after the other fixtures' calls."""
    admin.clear_requests()
    return admin


@pytest.fixture
def catalogue(app: SalesforceSandbox) -> dict[str, Any]:
    """Twelve products with standard prices; a Trade book with three of them, one inactive."""
    seeded = app.seed(
        {
            "products": [
                {
                    "Name": f"Product {item}",
                    "ProductCode": f"P{item}",
                    "NetSuite_Item_Id__c": item,
                    "price": 100 + n,
                }
                for n, item in enumerate(ITEMS)
            ],
            "pricebooks": [
                {
                    "Name": "Trade",
                    "entries": [
                        {"product": "P5000", "price": 80},
                        {"product": "P5001", "price": 81},
                        {"product": "P5002", "price": 82, "active": False},
                    ],
                }
            ],
        }
    )
    return seeded


@pytest.fixture
def orders(server: SandboxServer, app: SalesforceSandbox, ca: LocalCA) -> OpportunityWriter:
    connection = connection_from_secret(app.connection(server.base_url), str(ca.bundle_path))
    return OpportunityWriter(connection, timeout=10)


@pytest.fixture
def sf(orders: OpportunityWriter) -> Salesforce:
    """A plain client on the same connection, for reading the org back."""
    return orders.connection.call(lambda client: client)


def soql(sf: Salesforce, query: str) -> list[dict[str, Any]]:
    return list(sf.query_all(query)["records"])


def count(sf: Salesforce, sobject: str) -> int:
    return len(soql(sf, f"SELECT Id FROM {sobject}"))


def standard_entries(orders: OpportunityWriter) -> dict[str, PricebookEntryRef]:
    entries = orders.pricebook_entries({STANDARD}, set(ITEMS))
    return {item: ref for (_, item), ref in entries.items()}


def order_write(
    number: int,
    entries: dict[str, PricebookEntryRef],
    *,
    lines: int = 10,
    account: bool = True,
) -> OrderWrite:
    return OrderWrite(
        write_id=f"ns{number}",
        account=Upsert(
            "Account",
            "NetSuite_Id__c",
            f"C{number}",
            {"NetSuite_Id__c": f"C{number}", "Name": f"Customer {number}", "Phone": None},
        )
        if account
        else None,
        opportunity=Upsert(
            "Opportunity",
            "NetSuite_Id__c",
            str(number),
            {
                "Name": f"SO{number}",
                "StageName": "Closed Won",
                "CloseDate": date(2026, 11, 20),
                "NetSuite_Order_Number__c": f"SO{number}",
                "NetSuite_Originated_Order__c": True,
                "Skip_Export_to_NetSuite__c": True,
                "NetSuite_Version__c": "3",
                "Description": None,
            },
        ),
        lines=tuple(
            LineWrite(
                key=f"{number}/{n}",
                fields={
                    "Quantity": Decimal(n + 1),
                    "UnitPrice": Decimal("95.50"),
                    "Discount": Decimal("12.5"),
                    "Description": f"line {n}",
                },
                pricebook_entry_id=entries[ITEMS[n]].id,
            )
            for n in range(lines)
        ),
    )


# -- one order ----------------------------------------------------------------------------------


def test_one_order_creates_account_opportunity_and_ten_lines_in_one_call(
    orders: OpportunityWriter, sf: Salesforce, catalogue: dict[str, Any], admin: SandboxAdmin
) -> None:
    entries = standard_entries(orders)
    admin.clear_requests()

    result = orders.write_orders([order_write(4711, entries)])["ns4711"]

    assert result.ok, result.failure
    assert admin.count(GRAPH) == 1 and admin.count() == 1
    [account] = soql(sf, "SELECT Id, Name, NetSuite_Id__c FROM Account")
    assert (account["Id"], account["Name"], account["NetSuite_Id__c"]) == (
        result.account_id,
        "Customer 4711",
        "C4711",
    )
    [opportunity] = soql(
        sf,
        "SELECT Id, AccountId, Name, StageName, CloseDate, Amount, Pricebook2Id, "
        "NetSuite_Id__c, NetSuite_Order_Number__c, NetSuite_Originated_Order__c, "
        "Skip_Export_to_NetSuite__c, NetSuite_Version__c FROM Opportunity",
    )
    assert opportunity["Id"] == result.opportunity_id
    assert opportunity["AccountId"] == result.account_id
    assert opportunity["NetSuite_Id__c"] == "4711" and opportunity["CloseDate"] == "2026-11-20"
    assert opportunity["NetSuite_Originated_Order__c"] is True
    assert opportunity["Skip_Export_to_NetSuite__c"] is True
    assert opportunity["NetSuite_Version__c"] == "3"
    assert opportunity["Pricebook2Id"] == catalogue["standard_pricebook_id"]
    lines = soql(
        sf,
        "SELECT Id, NetSuite_Line_Key__c, Quantity, UnitPrice, Discount, TotalPrice, "
        "PricebookEntryId FROM OpportunityLineItem ORDER BY Quantity",
    )
    assert [line["NetSuite_Line_Key__c"] for line in lines] == [f"4711/{n}" for n in range(10)]
    assert {line["NetSuite_Line_Key__c"]: line["Id"] for line in lines} == result.line_ids
    assert [line["Quantity"] for line in lines] == [float(n + 1) for n in range(10)]
    assert {(line["UnitPrice"], line["Discount"]) for line in lines} == {(95.5, 12.5)}
    assert lines[1]["TotalPrice"] == pytest.approx(2 * 95.5 * 0.875, abs=0.01)  # rounded to cents
    assert lines[0]["PricebookEntryId"] == entries[ITEMS[0]].id
    assert opportunity["Amount"] == pytest.approx(sum(line["TotalPrice"] for line in lines))


def test_rewriting_an_order_changes_adds_and_deletes_exactly_the_given_lines(
    orders: OpportunityWriter, sf: Salesforce, catalogue: dict[str, Any]
) -> None:
    entries = standard_entries(orders)
    first = orders.write_orders([order_write(4711, entries)])["ns4711"]
    assert first.ok and first.opportunity_id and first.account_id
    changed = LineWrite(
        key="4711/0",
        fields={"Quantity": Decimal(7), "UnitPrice": Decimal("90"), "Discount": Decimal(0)},
        existing_id=first.line_ids["4711/0"],
        pricebook_entry_id=entries[ITEMS[0]].id,
    )
    added = LineWrite(
        key="4711/10",
        fields={"Quantity": Decimal(1), "UnitPrice": Decimal("10.25")},
        pricebook_entry_id=entries[ITEMS[10]].id,
    )
    second_write = OrderWrite(
        write_id="ns4711-v2",
        opportunity=Upsert("Opportunity", "NetSuite_Id__c", "4711", {"NetSuite_Version__c": "4"}),
        account_id=first.account_id,
        lines=(changed, added),
        deleted_line_ids=(first.line_ids["4711/9"],),
    )

    second = orders.write_orders([second_write])["ns4711-v2"]

    assert second.ok, second.failure
    assert second.opportunity_id == first.opportunity_id
    assert second.line_ids["4711/0"] == first.line_ids["4711/0"]
    current = orders.opportunity_lines(first.opportunity_id)
    assert sorted(current) == sorted([f"4711/{n}" for n in range(9)] + ["4711/10"])
    assert current["4711/10"] == second.line_ids["4711/10"]
    assert count(sf, "OpportunityLineItem") == 10  # no duplicates, no orphans
    assert (count(sf, "Opportunity"), count(sf, "Account")) == (1, 1)
    [line] = soql(
        sf,
        "SELECT Quantity, UnitPrice, Discount FROM OpportunityLineItem "
        "WHERE NetSuite_Line_Key__c = '4711/0'",
    )
    assert (line["Quantity"], line["UnitPrice"], line["Discount"]) == (7.0, 90.0, 0.0)
    [opportunity] = soql(sf, "SELECT NetSuite_Version__c, Name FROM Opportunity")
    assert opportunity == {**opportunity, "NetSuite_Version__c": "4", "Name": "SO4711"}


# -- many orders --------------------------------------------------------------------------------


def test_ten_orders_of_ten_lines_are_one_api_call(
    orders: OpportunityWriter, sf: Salesforce, catalogue: dict[str, Any], admin: SandboxAdmin
) -> None:
    entries = standard_entries(orders)
    used_before = orders.api_usage
    admin.clear_requests()

    results = orders.write_orders([order_write(n, entries) for n in range(1, 11)])

    assert all(result.ok for result in results.values())
    assert admin.requests()["by_endpoint"] == {GRAPH: 1}
    assert used_before is not None and orders.api_usage == (used_before[0] + 1, 100_000)
    assert count(sf, "OpportunityLineItem") == 100 and count(sf, "Opportunity") == 10


def test_a_failing_order_fails_alone_while_the_others_commit(
    orders: OpportunityWriter, sf: Salesforce, catalogue: dict[str, Any]
) -> None:
    entries = standard_entries(orders)
    trade = orders.pricebook_entries({"Trade"}, {"5002"})[("Trade", "5002")]
    assert not trade.active
    bad = order_write(2, entries, lines=2)
    bad = OrderWrite(
        write_id=bad.write_id,
        account=bad.account,
        opportunity=bad.opportunity,
        lines=(*bad.lines, LineWrite("2/x", {"Quantity": 1}, pricebook_entry_id=trade.id)),
    )

    results = orders.write_orders([order_write(1, entries), bad, order_write(3, entries)])

    assert results["ns1"].ok and results["ns3"].ok
    failure = results["ns2"].failure
    assert failure is not None and failure.error_code == "FIELD_INTEGRITY_EXCEPTION"
    assert failure.fields == ("PricebookEntryId",) and not failure.retryable
    assert "inactive" in failure.message
    names = {row["Name"] for row in soql(sf, "SELECT Name FROM Opportunity")}
    assert names == {"SO1", "SO3"}  # SO2's account, opportunity and lines rolled back
    assert count(sf, "Account") == 2 and count(sf, "OpportunityLineItem") == 20


def test_graphs_halted_after_fourteen_failures_are_sent_again(
    orders: OpportunityWriter, sf: Salesforce, catalogue: dict[str, Any], admin: SandboxAdmin
) -> None:
    entries = standard_entries(orders)
    # An opportunity without StageName cannot be created: REQUIRED_FIELD_MISSING.
    broken = [
        OrderWrite(f"bad{n}", Upsert("Opportunity", "NetSuite_Id__c", f"B{n}", {"Name": "x"}))
        for n in range(15)
    ]
    good = [order_write(n, entries, lines=1) for n in range(1, 4)]
    admin.clear_requests()

    results = orders.write_orders([*broken, *good])

    assert admin.count(GRAPH) == 2  # the 15th failure and the good ones went again
    assert all(results[w.write_id].ok for w in good)
    codes = {results[w.write_id].failure.error_code for w in broken}  # type: ignore[union-attr]
    assert codes == {"REQUIRED_FIELD_MISSING"}
    assert count(sf, "Opportunity") == 3


# -- whole-call failures ------------------------------------------------------------------------


def test_an_exhausted_daily_budget_raises_budget_exhausted(
    orders: OpportunityWriter, sf: Salesforce, catalogue: dict[str, Any], admin: SandboxAdmin
) -> None:
    entries = standard_entries(orders)
    assert orders.api_usage is not None
    admin.configure(daily_api_limit=orders.api_usage[0])

    with pytest.raises(BudgetExhausted, match="REQUEST_LIMIT_EXCEEDED"):
        orders.write_orders([order_write(1, entries)])
    admin.configure(daily_api_limit=100_000)
    assert count(sf, "Opportunity") == 0


def test_a_503_on_the_graph_endpoint_is_retryable(
    orders: OpportunityWriter, sf: Salesforce, catalogue: dict[str, Any], admin: SandboxAdmin
) -> None:
    entries = standard_entries(orders)
    admin.inject_fault("composite_graph", status=503, times=1)

    with pytest.raises(RetryableError) as raised:
        orders.write_orders([order_write(1, entries)])
    assert not isinstance(raised.value, BudgetExhausted)
    assert count(sf, "Opportunity") == 0
    assert orders.write_orders([order_write(1, entries)])["ns1"].ok  # the retry goes through


def test_lock_contention_for_the_whole_call_is_retryable(
    orders: OpportunityWriter, catalogue: dict[str, Any], admin: SandboxAdmin
) -> None:
    entries = standard_entries(orders)
    lock = [{"errorCode": "UNABLE_TO_LOCK_ROW", "message": "unable to obtain exclusive access"}]
    admin.inject_fault("composite_graph", status=400, body=lock, times=1)

    with pytest.raises(RetryableError, match="UNABLE_TO_LOCK_ROW"):
        orders.write_orders([order_write(1, entries)])


def test_a_payload_salesforce_refuses_is_permanent(
    orders: OpportunityWriter, catalogue: dict[str, Any], admin: SandboxAdmin
) -> None:
    entries = standard_entries(orders)
    parser = [{"errorCode": "JSON_PARSER_ERROR", "message": "Unexpected character"}]
    admin.inject_fault("composite_graph", status=400, body=parser, times=1)

    with pytest.raises(PermanentError) as raised:
        orders.write_orders([order_write(1, entries)])
    assert not isinstance(raised.value, RetryableError)


# -- price books --------------------------------------------------------------------------------


def test_price_book_entries_standard_custom_and_inactive_in_one_query(
    orders: OpportunityWriter, sf: Salesforce, catalogue: dict[str, Any], admin: SandboxAdmin
) -> None:
    # Real orgs rename the standard book; it is still asked for as "Standard Price Book".
    standard_id = catalogue["standard_pricebook_id"]
    sf.restful(f"sobjects/Pricebook2/{standard_id}", method="PATCH", json={"Name": "Catalogue"})
    admin.clear_requests()

    entries = orders.pricebook_entries({STANDARD, "Trade", "Missing"}, {"5000", "5002", "9999"})

    assert admin.requests()["by_endpoint"] == {"GET query": 1}
    assert set(entries) == {
        (STANDARD, "5000"),
        (STANDARD, "5002"),
        ("Trade", "5000"),
        ("Trade", "5002"),
    }
    standard = entries[(STANDARD, "5000")]
    assert standard.id == catalogue["pricebook_entries"]["P5000"]
    assert (standard.pricebook_id, standard.pricebook_name) == (standard_id, STANDARD)
    assert standard.active and standard.unit_price == Decimal("100")
    trade = catalogue["pricebooks"]["Trade"]
    inactive = entries[("Trade", "5002")]
    assert (inactive.id, inactive.pricebook_id, inactive.active) == (
        trade["entries"]["P5002"],
        trade["id"],
        False,
    )
    assert inactive.unit_price == Decimal("82") and inactive.item_id == "5002"
    assert entries[("Trade", "5000")].active


def test_an_expired_session_is_refreshed_once_and_the_write_goes_through(
    orders: OpportunityWriter, catalogue: dict[str, Any], admin: SandboxAdmin
) -> None:
    entries = standard_entries(orders)
    admin.configure(expire_sessions=True)
    admin.clear_requests()

    assert orders.write_orders([order_write(1, entries)])["ns1"].ok

    by_endpoint = admin.requests()["by_endpoint"]
    assert by_endpoint == {GRAPH: 2, "POST oauth_token": 1}  # 401, new token, the write
    assert count(orders.connection.call(lambda client: client), "Opportunity") == 1


def test_a_timeout_is_retryable(
    server: SandboxServer,
    app: SalesforceSandbox,
    ca: LocalCA,
    catalogue: dict[str, Any],
    admin: SandboxAdmin,
) -> None:
    connection = connection_from_secret(app.connection(server.base_url), str(ca.bundle_path))
    impatient = OpportunityWriter(connection, timeout=0.3)
    entries = standard_entries(impatient)
    admin.inject_fault("composite_graph", kind="latency", delay_ms=600, times=1)

    admin.clear_requests()

    with pytest.raises(RetryableError, match="unreachable"):
        impatient.write_orders([order_write(1, entries)])

    # The org still works through the slow request: a timeout leaves the outcome unknown,
    # which is why the caller must be ready to repair (see the module docstring).
    deadline = time.monotonic() + 5
    while admin.count(GRAPH) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert admin.count(GRAPH) == 1
    reader = connection.call(lambda client: client)
    assert count(reader, "Opportunity") == 1
