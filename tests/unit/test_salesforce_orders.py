"""OpportunityWriter without a network: the graphs it builds, how it packs them, how it reads
answers and how it translates failures. A fake simple-salesforce client answers each call.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import requests
from simple_salesforce.api import Usage
from simple_salesforce.exceptions import (
    SalesforceError,
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceMoreThanOneRecord,
    SalesforceRefusedRequest,
)

from shared.adapters.salesforce.connection import SalesforceCredentials
from shared.adapters.salesforce.opportunity_writer import (
    Graph,
    OpportunityWriter,
    build_graph,
    pack,
)
from shared.errors import (
    BudgetExhausted,
    ConfigurationError,
    PermanentError,
    RetryableError,
)
from shared.flows.netsuite_orders_to_salesforce.ports import (
    LineWrite,
    OrderWrite,
    Upsert,
    WriteOutcomeUnknown,
)

V = "/services/data/v61.0"
HALTED = {
    "errorCode": "PROCESSING_HALTED",
    "message": "The transaction was rolled back since another operation in the same "
    "transaction failed.",
}
LIMIT_HALTED = {
    "errorCode": "PROCESSING_HALTED",
    "message": "Processing halted: the request reached its limit of 14 failed graphs.",
}


# -- fakes ------------------------------------------------------------------------------------


class FakeClient:
    """Stands in for simple_salesforce.Salesforce: each call takes the next scripted answer.

    An answer is a value, an exception to raise, or a function of the decoded request body.
    """

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, Any]] = []
        self.api_usage: dict[str, Usage] = {}

    def restful(self, path: str, method: str = "GET", **kwargs: Any) -> Any:
        assert (path, method) == ("composite/graph", "POST")
        assert kwargs["timeout"] > 0
        payload = json.loads(kwargs["data"])
        self.calls.append((path, payload))
        return self._answer(payload)

    def query(self, soql: str, **kwargs: Any) -> Any:
        self.calls.append(("query", soql))
        return self._answer(soql)

    def query_more(self, url: str, identifier_is_url: bool = False, **kwargs: Any) -> Any:
        assert identifier_is_url
        self.calls.append(("query_more", url))
        return self._answer(url)

    def _answer(self, request: Any) -> Any:
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        if callable(answer):
            answer = answer(request)
        self.api_usage = {"api-usage": Usage(len(self.calls) + 17, 5000)}
        return answer

    @property
    def graph_payloads(self) -> list[dict[str, Any]]:
        return [payload for path, payload in self.calls if path == "composite/graph"]


class FakeConnection:
    credentials = SalesforceCredentials(
        auth="client_credentials",
        login_url="https://acme.my.salesforce.com",
        consumer_key="key",
        consumer_secret="secret",
        api_version="61.0",
    )

    def __init__(self, client: FakeClient) -> None:
        self.client = client

    def call(self, operation: Callable[[Any], Any]) -> Any:
        return operation(self.client)


def store(*answers: Any) -> tuple[OpportunityWriter, FakeClient]:
    client = FakeClient(*answers)
    return OpportunityWriter(FakeConnection(client)), client


_ids = itertools.count(1)


def all_succeed(payload: dict[str, Any]) -> dict[str, Any]:
    """What Salesforce answers when every graph commits: upserts 201 with ids, others 204."""

    def node_answer(node: dict[str, Any]) -> dict[str, Any]:
        is_upsert = node["method"] == "PATCH" and node["url"].count("/") == 7
        body = {"id": f"ID{next(_ids):04d}", "success": True, "errors": [], "created": True}
        return {
            "body": body if is_upsert else None,
            "httpHeaders": {},
            "httpStatusCode": 201 if is_upsert else 204,
            "referenceId": node["referenceId"],
        }

    return {
        "graphs": [
            {
                "graphId": graph["graphId"],
                "graphResponse": {
                    "compositeResponse": [node_answer(n) for n in graph["compositeRequest"]]
                },
                "isSuccessful": True,
            }
            for graph in payload["graphs"]
        ]
    }


def failed_graph(graph_id: str, nodes: list[tuple[str, int, Any]]) -> dict[str, Any]:
    return {
        "graphId": graph_id,
        "graphResponse": {
            "compositeResponse": [
                {"body": body, "httpHeaders": {}, "httpStatusCode": status, "referenceId": ref}
                for ref, status, body in nodes
            ]
        },
        "isSuccessful": False,
    }


def order(
    number: int,
    lines: int = 10,
    *,
    new_account: bool = True,
    write_id: str | None = None,
) -> OrderWrite:
    return OrderWrite(
        write_id=write_id or f"ns{number}",
        opportunity=Upsert(
            "Opportunity",
            "NetSuite_Id__c",
            str(number),
            {
                "NetSuite_Id__c": str(number),
                "Name": f"SO{number}",
                "StageName": "Closed Won",
                "CloseDate": date(2026, 11, 20),
                "Amount": None,
            },
        ),
        account=Upsert(
            "Account", "NetSuite_Id__c", "C77", {"Name": "Acme", "NetSuite_Id__c": "C77"}
        )
        if new_account
        else None,
        account_id=None if new_account else "001KNOWN",
        lines=tuple(
            LineWrite(
                key=f"{number}/{i}",
                fields={
                    "Quantity": Decimal("2"),
                    "UnitPrice": Decimal("95.50"),
                    "Discount": Decimal("12.5"),
                },
                pricebook_entry_id="01uENTRY",
            )
            for i in range(lines)
        ),
    )


# -- graph shape ------------------------------------------------------------------------------


def test_a_new_account_opportunity_and_ten_lines_make_one_graph_of_twelve_nodes() -> None:
    orders, client = store(all_succeed)

    results = orders.write_orders([order(4711)])

    [payload] = client.graph_payloads
    [graph] = payload["graphs"]
    assert graph["graphId"] == "ns4711"
    nodes = graph["compositeRequest"]
    assert len(nodes) == 12
    assert nodes[0] == {
        "method": "PATCH",
        "url": f"{V}/sobjects/Account/NetSuite_Id__c/C77",
        "referenceId": "account",
        "body": {"Name": "Acme"},
    }
    assert nodes[1] == {
        "method": "PATCH",
        "url": f"{V}/sobjects/Opportunity/NetSuite_Id__c/4711",
        "referenceId": "opportunity",
        "body": {
            "Name": "SO4711",
            "StageName": "Closed Won",
            "CloseDate": "2026-11-20",
            "Amount": None,
            "AccountId": "@{account.id}",
        },
    }
    assert nodes[2] == {
        "method": "PATCH",
        "url": f"{V}/sobjects/OpportunityLineItem/NetSuite_Line_Key__c/4711%2F0",
        "referenceId": "line0",
        "body": {
            "Quantity": 2,
            "UnitPrice": 95.5,
            "Discount": 12.5,
            "OpportunityId": "@{opportunity.id}",
            "PricebookEntryId": "01uENTRY",
        },
    }
    assert [n["referenceId"] for n in nodes[2:]] == [f"line{i}" for i in range(10)]
    result = results["ns4711"]
    assert result.ok and result.failure is None
    assert result.account_id and result.opportunity_id
    assert sorted(result.line_ids) == sorted(f"4711/{i}" for i in range(10))
    assert len(set(result.line_ids.values())) == 10
    assert orders.api_calls == 1


def test_decimals_go_out_as_json_numbers_not_strings() -> None:
    orders, client = store(all_succeed)
    orders.write_orders([order(1, lines=1)])
    raw = json.dumps(client.graph_payloads[0])
    assert '"UnitPrice": 95.5' in raw and '"Quantity": 2,' in raw


def test_known_account_and_existing_opportunity_with_changed_new_and_deleted_lines() -> None:
    write = OrderWrite(
        write_id="ns4711",
        opportunity=Upsert("Opportunity", "NetSuite_Id__c", "4711", {"Name": "SO4711"}),
        account_id="001KNOWN",
        lines=(
            LineWrite(
                "4711/1",
                {"Quantity": 3, "OpportunityId": "006X", "PricebookEntryId": "01uX"},
                pricebook_entry_id="01uX",
                existing_id="00kEXISTING",
            ),
            LineWrite("4711/9", {"Quantity": 1, "UnitPrice": 5}, pricebook_entry_id="01uNEW"),
        ),
        deleted_line_ids=("00kGONE1", "00kGONE2"),
    )
    orders, client = store(all_succeed)

    result = orders.write_orders([write])["ns4711"]

    nodes = client.graph_payloads[0]["graphs"][0]["compositeRequest"]
    assert [(n["method"], n["url"].removeprefix(V), n["referenceId"]) for n in nodes] == [
        ("PATCH", "/sobjects/Opportunity/NetSuite_Id__c/4711", "opportunity"),
        ("PATCH", "/sobjects/OpportunityLineItem/00kEXISTING", "line0"),
        ("PATCH", "/sobjects/OpportunityLineItem/NetSuite_Line_Key__c/4711%2F9", "line1"),
        ("DELETE", "/sobjects/OpportunityLineItem/00kGONE1", "delete0"),
        ("DELETE", "/sobjects/OpportunityLineItem/00kGONE2", "delete1"),
    ]
    assert nodes[0]["body"] == {"Name": "SO4711", "AccountId": "001KNOWN"}
    assert nodes[1]["body"] == {"Quantity": 3}  # never OpportunityId / PricebookEntryId
    assert nodes[2]["body"] == {
        "Quantity": 1,
        "UnitPrice": 5,
        "OpportunityId": "@{opportunity.id}",
        "PricebookEntryId": "01uNEW",
    }
    assert "body" not in nodes[3]
    assert result.ok and result.account_id == "001KNOWN"
    assert result.line_ids["4711/1"] == "00kEXISTING"
    assert result.line_ids["4711/9"].startswith("ID")


def test_an_opportunity_without_account_information_keeps_its_account() -> None:
    write = OrderWrite("w1", Upsert("Opportunity", "NetSuite_Id__c", "9", {"Name": "SO9"}))
    graph = build_graph(write, "w1", V)
    assert graph.nodes[0]["body"] == {"Name": "SO9"}


# -- packing ----------------------------------------------------------------------------------


def test_ten_orders_of_ten_lines_cost_one_call() -> None:
    orders, client = store(all_succeed)
    results = orders.write_orders([order(n) for n in range(10)])
    assert orders.api_calls == 1 and len(client.graph_payloads[0]["graphs"]) == 10
    assert all(result.ok for result in results.values())


def test_more_than_75_graphs_are_split() -> None:
    orders, client = store(all_succeed, all_succeed)
    results = orders.write_orders([order(n, lines=0) for n in range(80)])
    assert [len(p["graphs"]) for p in client.graph_payloads] == [75, 5]
    assert list(results) == [f"ns{n}" for n in range(80)]  # the caller's order
    assert all(result.ok for result in results.values())


def test_more_than_500_nodes_are_split() -> None:
    orders, client = store(all_succeed, all_succeed)
    orders.write_orders([order(n, lines=98) for n in range(6)])  # 100 nodes each
    sizes = [sum(len(g["compositeRequest"]) for g in p["graphs"]) for p in client.graph_payloads]
    assert sizes == [500, 100]


def test_packing_is_first_fit() -> None:
    def graph(size: int) -> Graph:
        return Graph(str(size), order(size, lines=0), [{}] * size)

    payloads = pack([graph(300), graph(301), graph(200), graph(199)])
    assert [[g.graph_id for g in p] for p in payloads] == [["300", "200"], ["301", "199"]]


def test_an_order_too_big_for_any_call_fails_alone_without_a_call() -> None:
    orders, client = store(all_succeed)
    results = orders.write_orders([order(1, lines=600), order(2)])
    assert len(client.graph_payloads) == 1
    assert [g["graphId"] for g in client.graph_payloads[0]["graphs"]] == ["ns2"]
    failure = results["ns1"].failure
    assert failure is not None and failure.error_code == "LIMIT_EXCEEDED"
    assert not failure.retryable and results["ns2"].ok


def test_write_ids_unfit_for_a_graph_id_are_mapped_back() -> None:
    orders, client = store(all_succeed)
    results = orders.write_orders([order(1, write_id="ns.1-v2"), order(2)])
    assert [g["graphId"] for g in client.graph_payloads[0]["graphs"]] == ["g0", "ns2"]
    assert results["ns.1-v2"].ok and results["ns.1-v2"].write_id == "ns.1-v2"


def test_a_write_id_twice_in_one_batch_is_a_bug_of_the_caller() -> None:
    orders, _ = store()
    with pytest.raises(ValueError, match="twice"):
        orders.write_orders([order(1), order(1)])


def test_no_writes_no_call() -> None:
    orders, _ = store()
    assert orders.write_orders([]) == {} and orders.api_calls == 0


def test_an_api_version_without_graphs_is_a_configuration_error() -> None:
    connection = FakeConnection(FakeClient())
    connection.credentials = connection.credentials.model_copy(update={"api_version": "49.0"})
    with pytest.raises(ConfigurationError):
        OpportunityWriter(connection)


# -- results ----------------------------------------------------------------------------------


def one_failed(nodes: list[tuple[str, int, Any]]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """ns1 fails with `nodes`; every other graph succeeds."""

    def answer(payload: dict[str, Any]) -> dict[str, Any]:
        graphs = all_succeed(payload)["graphs"]
        return {
            "graphs": [failed_graph("ns1", nodes) if g["graphId"] == "ns1" else g for g in graphs]
        }

    return answer


def test_the_first_real_error_is_reported_not_the_halted_echoes() -> None:
    error = {
        "errorCode": "FIELD_INTEGRITY_EXCEPTION",
        "message": "field integrity exception: PricebookEntryId (pricebook entry is inactive)",
        "fields": ["PricebookEntryId"],
    }
    orders, _ = store(
        one_failed(
            [("account", 400, [HALTED]), ("opportunity", 400, [HALTED]), ("line0", 400, [error])]
        )
    )

    results = orders.write_orders([order(1, lines=1), order(2, lines=1)])

    failed = results["ns1"]
    assert not failed.ok and failed.failure is not None
    assert failed.failure.error_code == "FIELD_INTEGRITY_EXCEPTION"
    assert failed.failure.fields == ("PricebookEntryId",)
    assert failed.failure.message.startswith("line0: field integrity exception")
    assert not failed.failure.retryable
    assert results["ns2"].ok


@pytest.mark.parametrize(
    ("status", "code", "retryable"),
    [
        (400, "UNABLE_TO_LOCK_ROW", True),
        (503, "SERVER_UNAVAILABLE", True),
        (500, "UNKNOWN_EXCEPTION", True),
        (500, "SOMETHING_NEW", True),
        (400, "INVALID_CROSS_REFERENCE_KEY", False),
        (400, "FIELD_INTEGRITY_EXCEPTION", False),
        (400, "REQUIRED_FIELD_MISSING", False),
        (400, "INVALID_FIELD_FOR_INSERT_UPDATE", False),
        (400, "DUPLICATE_VALUE", False),
        (400, "STRING_TOO_LONG", False),
        (404, "ENTITY_IS_DELETED", False),
    ],
)
def test_node_errors_are_classified(status: int, code: str, retryable: bool) -> None:
    orders, _ = store(one_failed([("opportunity", status, [{"errorCode": code, "message": "x"}])]))
    failure = orders.write_orders([order(1, lines=0, new_account=False)])["ns1"].failure
    assert failure is not None and failure.error_code == code and failure.retryable is retryable


def test_several_records_with_one_external_id_is_a_permanent_failure() -> None:
    urls = [f"{V}/sobjects/Account/001A", f"{V}/sobjects/Account/001B"]
    orders, _ = store(one_failed([("account", 300, urls), ("opportunity", 400, [HALTED])]))
    failure = orders.write_orders([order(1, lines=0)])["ns1"].failure
    assert failure is not None and failure.error_code == "MULTIPLE_CHOICES"
    assert "001B" in failure.message and not failure.retryable


def test_graphs_halted_after_14_failures_are_sent_again() -> None:
    bad = {"errorCode": "REQUIRED_FIELD_MISSING", "message": "Required fields are missing"}

    def fourteen_fail_then_halt(payload: dict[str, Any]) -> dict[str, Any]:
        answers = []
        for index, graph in enumerate(payload["graphs"]):
            refs = [n["referenceId"] for n in graph["compositeRequest"]]
            error = [bad] if index < 14 else [LIMIT_HALTED]
            answers.append(failed_graph(graph["graphId"], [(r, 400, error) for r in refs]))
        return {"graphs": answers}

    orders, client = store(fourteen_fail_then_halt, all_succeed)
    results = orders.write_orders([order(n, lines=0) for n in range(20)])

    assert [len(p["graphs"]) for p in client.graph_payloads] == [20, 6]
    assert [r.ok for r in results.values()] == [False] * 14 + [True] * 6


def test_halted_graphs_that_never_make_progress_fail_retryable() -> None:
    def halt_all(payload: dict[str, Any]) -> dict[str, Any]:
        return {
            "graphs": [
                failed_graph(
                    g["graphId"],
                    [(n["referenceId"], 400, [LIMIT_HALTED]) for n in g["compositeRequest"]],
                )
                for g in payload["graphs"]
            ]
        }

    orders, _ = store(halt_all)
    failure = orders.write_orders([order(1, lines=0)])["ns1"].failure
    assert failure is not None and failure.error_code == "PROCESSING_HALTED" and failure.retryable


# -- whole-call failures ----------------------------------------------------------------------


def sf_error(cls: type[SalesforceError], status: int, content: Any) -> SalesforceError:
    return cls(
        f"https://acme.my.salesforce.com{V}/composite/graph", status, "composite/graph", content
    )


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            sf_error(
                SalesforceRefusedRequest,
                403,
                [
                    {
                        "errorCode": "REQUEST_LIMIT_EXCEEDED",
                        "message": "TotalRequests Limit exceeded.",
                    }
                ],
            ),
            BudgetExhausted,
        ),
        (
            sf_error(
                SalesforceRefusedRequest,
                403,
                [
                    {
                        "errorCode": "REQUEST_LIMIT_EXCEEDED",
                        "message": "ConcurrentPerOrgLongTxn Limit exceeded (concurrent requests).",
                    }
                ],
            ),
            RetryableError,
        ),
        (sf_error(SalesforceGeneralError, 503, b""), RetryableError),
        (sf_error(SalesforceGeneralError, 502, "<html>Bad gateway</html>"), RetryableError),
        (
            sf_error(
                SalesforceMalformedRequest,
                400,
                [
                    {
                        "errorCode": "UNABLE_TO_LOCK_ROW",
                        "message": "unable to obtain exclusive access",
                    }
                ],
            ),
            RetryableError,
        ),
        (
            sf_error(
                SalesforceMalformedRequest,
                400,
                [{"errorCode": "LIMIT_EXCEEDED", "message": "no more than 75 graphs"}],
            ),
            PermanentError,
        ),
        (
            sf_error(
                SalesforceMalformedRequest,
                400,
                [{"errorCode": "JSON_PARSER_ERROR", "message": "Unexpected character"}],
            ),
            PermanentError,
        ),
        (
            sf_error(
                SalesforceRefusedRequest,
                403,
                [{"errorCode": "API_DISABLED_FOR_ORG", "message": "no"}],
            ),
            PermanentError,
        ),
        (sf_error(SalesforceMoreThanOneRecord, 300, []), PermanentError),
        (
            sf_error(SalesforceExpiredSession, 401, [{"errorCode": "INVALID_SESSION_ID"}]),
            RetryableError,
        ),
        # sent, no answer: it may have committed (the caller reads before writing again)
        (requests.exceptions.ReadTimeout("read timed out"), WriteOutcomeUnknown),
        (requests.exceptions.ConnectionError("connection reset"), WriteOutcomeUnknown),
        (requests.exceptions.ConnectTimeout("never connected"), RetryableError),
        (requests.exceptions.SSLError("certificate verify failed"), ConfigurationError),
        (ValueError("Expecting value: line 1 column 1"), RetryableError),
    ],
)
def test_whole_call_failures_are_translated(error: Exception, expected: type[Exception]) -> None:
    orders, _ = store(error)
    with pytest.raises(expected) as raised:
        orders.write_orders([order(1)])
    assert type(raised.value) is expected  # BudgetExhausted only for the daily allocation
    assert not isinstance(raised.value, SalesforceError | requests.RequestException)


def test_a_failed_later_call_does_not_hide_the_orders_already_committed() -> None:
    budget_gone = sf_error(
        SalesforceRefusedRequest,
        403,
        [{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "TotalRequests Limit exceeded."}],
    )
    orders, _ = store(all_succeed, budget_gone)

    results = orders.write_orders([order(n, lines=0) for n in range(80)])

    assert all(results[f"ns{n}"].ok for n in range(75))
    failure = results["ns79"].failure
    assert failure is not None and failure.error_code == "REQUEST_LIMIT_EXCEEDED"
    assert failure.retryable


def test_a_graph_left_out_of_the_answer_fails_retryable_and_is_not_resent() -> None:
    def drop_ns1(payload: dict[str, Any]) -> dict[str, Any]:
        return {"graphs": [g for g in all_succeed(payload)["graphs"] if g["graphId"] != "ns1"]}

    orders, client = store(drop_ns1)
    results = orders.write_orders([order(1), order(2)])
    failure = results["ns1"].failure
    assert failure is not None and failure.error_code == "GRAPH_NOT_ANSWERED" and failure.retryable
    assert results["ns2"].ok and len(client.graph_payloads) == 1


def test_an_answer_without_graphs_is_permanent() -> None:
    orders, _ = store({"compositeResponse": []})
    with pytest.raises(PermanentError):
        orders.write_orders([order(1)])


def test_api_usage_comes_from_the_last_answer() -> None:
    orders, _ = store(all_succeed)
    orders.write_orders([order(1)])
    assert orders.api_usage == (18, 5000)


# -- queries ----------------------------------------------------------------------------------


def entry_row(
    entry_id: str, item: str, book: dict[str, Any], active: bool = True
) -> dict[str, Any]:
    return {
        "attributes": {"type": "PricebookEntry"},
        "Id": entry_id,
        "Pricebook2Id": book["Id"],
        "Pricebook2": {"Name": book["Name"], "IsStandard": book["IsStandard"], "IsActive": True},
        "Product2": {"NetSuite_Item_Id__c": item},
        "IsActive": active,
        "UnitPrice": 249.0,
    }


STANDARD = {"Id": "01sSTD", "Name": "Catalogue 2026", "IsStandard": True}  # renamed by the org
TRADE = {"Id": "01sTRADE", "Name": "Trade", "IsStandard": False}


def test_price_book_entries_in_one_query_with_the_standard_book_by_its_role() -> None:
    page = {
        "done": True,
        "totalSize": 3,
        "records": [
            entry_row("01u1", "501", STANDARD),
            entry_row("01u2", "501", TRADE),
            entry_row("01u3", "502", TRADE, active=False),
        ],
    }
    orders, client = store(page)

    entries = orders.pricebook_entries({"Standard Price Book", "Trade", "O'Brien"}, {"502", "501"})

    [(kind, soql)] = client.calls
    assert kind == "query"
    assert "Product2.NetSuite_Item_Id__c IN ('501','502')" in soql
    assert "(Pricebook2.IsStandard = true OR Pricebook2.Name IN ('O\\'Brien','Trade'))" in soql
    assert set(entries) == {("Standard Price Book", "501"), ("Trade", "501"), ("Trade", "502")}
    standard = entries[("Standard Price Book", "501")]
    assert (standard.id, standard.pricebook_id, standard.pricebook_name) == (
        "01u1",
        "01sSTD",
        "Standard Price Book",
    )
    assert standard.active and standard.unit_price == Decimal("249.0")
    assert not entries[("Trade", "502")].active


def test_price_book_entries_follow_next_records_url() -> None:
    first = {
        "done": False,
        "nextRecordsUrl": f"{V}/query/01gCURSOR-2000",
        "records": [entry_row("01u1", "501", TRADE)],
    }
    second = {"done": True, "records": [entry_row("01u2", "502", TRADE)]}
    orders, client = store(first, second)

    entries = orders.pricebook_entries({"Trade"}, {"501", "502"})

    assert client.calls[1] == ("query_more", f"{V}/query/01gCURSOR-2000")
    assert len(entries) == 2 and orders.api_calls == 2


def test_only_custom_books_are_asked_by_name() -> None:
    orders, client = store({"done": True, "records": []})
    orders.pricebook_entries({"Trade"}, {"501"})
    assert client.calls[0][1].endswith("AND (Pricebook2.Name IN ('Trade'))")


def test_nothing_asked_nothing_queried() -> None:
    orders, _ = store()
    assert orders.pricebook_entries(set(), {"1"}) == {} and orders.api_calls == 0


def test_opportunity_lines_by_key_ignoring_lines_added_by_hand() -> None:
    page = {
        "done": True,
        "records": [
            {"Id": "00k1", "NetSuite_Line_Key__c": "4711/1"},
            {"Id": "00k2", "NetSuite_Line_Key__c": None},
        ],
    }
    orders, client = store(page)
    assert orders.opportunity_lines("006X'") == {"4711/1": "00k1"}
    assert client.calls[0][1].endswith("WHERE OpportunityId = '006X\\''")


def test_query_failures_are_translated_too() -> None:
    orders, _ = store(sf_error(SalesforceGeneralError, 500, [{"errorCode": "UNKNOWN_EXCEPTION"}]))
    with pytest.raises(RetryableError):
        orders.opportunity_lines("006X")
