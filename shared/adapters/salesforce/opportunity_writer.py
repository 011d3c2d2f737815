"""NetSuite orders as Salesforce opportunities: the `OpportunityStore` port over the REST API.

Each `OrderWrite` becomes ONE composite graph (all-or-nothing), and as many graphs travel in
one `POST /composite/graph` as Salesforce allows, which the org counts as ONE API request:
ten orders of ten lines cost one call. The nodes of a graph, in order:

    account      PATCH /sobjects/Account/NetSuite_Id__c/<id>         (only with `account`)
    opportunity  PATCH /sobjects/Opportunity/NetSuite_Id__c/<id>     AccountId @{account.id}
    line<i>      PATCH /sobjects/OpportunityLineItem/NetSuite_Line_Key__c/<key>   (new line:
                 + OpportunityId @{opportunity.id} + PricebookEntryId)
                 PATCH /sobjects/OpportunityLineItem/<existing id>    (existing line: fields only)
    delete<i>    DELETE /sobjects/OpportunityLineItem/<id>

Upserts by external id answer the record id on create (201) and, from API 46.0, on update
(200), so `@{account.id}` and `@{opportunity.id}` work whether the record is new or not.

Limits handled (REST API Developer Guide, "Composite Graph Limits"): at most 75 graphs and 500
nodes per payload (graphs are packed first-fit, in the order given); a single order of more
than 500 nodes cannot be sent and fails on its own as LIMIT_EXCEEDED; depth is 3 and at most
4 distinct nodes (object x method) are used, far below 15 and 15. After 14 failed graphs
Salesforce halts the rest of the payload (every node PROCESSING_HALTED): those graphs were
not tried, so they are sent again in a further call.

Errors: a failed graph gives its order a `WriteFailure` from the first node that really
failed (the others only echo PROCESSING_HALTED). A failure of the whole call raises
`BudgetExhausted` (REQUEST_LIMIT_EXCEEDED, the org's daily allocation), `RetryableError`
(5xx, 429, lock contention, timeouts, connection errors) or `PermanentError` (a payload
Salesforce refuses: a bug here). No simple-salesforce or requests exception leaves this module.

Replaying a write that already committed (a timeout after Salesforce wrote it, a redelivered
message) is not a no-op: a new line's upsert now meets an existing line and is refused
(INVALID_FIELD_FOR_INSERT_UPDATE: OpportunityId cannot change) and a deleted line answers
ENTITY_IS_DELETED. Both are permanent failures of that order; the caller repairs its line
state with `opportunity_states` and writes again. A graph call whose answer is lost (a read
timeout, a connection dropped after the request went out) raises `WriteOutcomeUnknown`: it
may have committed, and the caller must learn Salesforce's state before writing again.

Where the documentation is silent (choices made here):
- graphId is the write id when it is letters, digits and underscores, under 40 characters
  (the guide: unique, starting alphanumeric, under 40 characters, no period); any other write
  id travels as a positional "g<n>" and is mapped back.
- When a batch needs several calls and a later call fails as a whole, raising would hide the
  orders already committed; instead every order not yet written gets a `WriteFailure` with
  the Salesforce error code (e.g. REQUEST_LIMIT_EXCEEDED) and the error's retryability. Only
  a failure before anything was committed raises.
- REQUEST_LIMIT_EXCEEDED mentioning "concurrent" (too many long-running requests) is
  retryable soon, not an exhausted daily budget.
- UNKNOWN_EXCEPTION, SERVER_UNAVAILABLE, UNABLE_TO_LOCK_ROW, REQUEST_RUNNING_TOO_LONG and
  QUERY_TIMEOUT, and any node answering 5xx, are retryable; every other record error is not.
- A node answering 300 (several records share the external id) fails with the code
  MULTIPLE_CHOICES, which is not a Salesforce errorCode (Salesforce sends only record urls).
- Decimals go out as JSON numbers through float: exact for up to 15 significant digits,
  which covers currency amounts; dates as YYYY-MM-DD; naive datetimes are taken as UTC.
- A graph missing from the answer fails retryable as GRAPH_NOT_ANSWERED (not resent: it may
  have committed).
- Price book entries are asked for in one query per 300 item ids (a query travels in the url).
- A price book entry is `active` only when the entry and its price book are both active
  (Salesforce refuses a line for either); the product's own flag is not consulted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import quote

from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceError
from simple_salesforce.format import format_soql

from shared.adapters.salesforce.connection import Connection, all_rows, next_page
from shared.adapters.salesforce.errors import (
    RETRYABLE_CODES,
    answer_lost,
    call_translated,
    errors_in,
    first_error,
)
from shared.deadline import call_timeout
from shared.errors import (
    ConfigurationError,
    PermanentError,
    RetryableError,
    SalesbridgeError,
)
from shared.flows.netsuite_orders_to_salesforce.ports import (
    LineWrite,
    OpportunityState,
    OrderWrite,
    PricebookEntryRef,
    Upsert,
    WriteFailure,
    WriteOutcomeUnknown,
    WriteResult,
)
from shared.observability import shape_of, vendor_message

T = TypeVar("T")

STANDARD_PRICE_BOOK = "Standard Price Book"
MAX_GRAPHS_PER_CALL = 75
MAX_NODES_PER_CALL = 500
GRAPH_SINCE_VERSION = 50.0
DEFAULT_TIMEOUT_SECONDS = 60.0
# A query travels in the url (GET ?q=): past ~16 KB Salesforce answers 414, so item ids
# are asked for in slices of this many (one query for any realistic batch).
MAX_ITEMS_PER_QUERY = 300

ACCOUNT_REF = "account"
OPPORTUNITY_REF = "opportunity"
HALTED = "PROCESSING_HALTED"
MULTIPLE_CHOICES = "MULTIPLE_CHOICES"
LINE_KEY_FIELD = "NetSuite_Line_Key__c"
CREATE_ONLY_LINE_FIELDS = frozenset({"OpportunityId", "PricebookEntryId"})
SAFE_GRAPH_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_]{0,38}")


# -- graphs: what one order sends ---------------------------------------------------------------


@dataclass(frozen=True)
class Graph:
    graph_id: str
    write: OrderWrite
    nodes: list[dict[str, Any]]


def build_graph(write: OrderWrite, graph_id: str, api_path: str) -> Graph:
    """The nodes of one order; `api_path` is "/services/data/vXX.X"."""
    nodes: list[dict[str, Any]] = []
    account_ref = write.account_id
    if write.account is not None:
        nodes.append(upsert_node(api_path, ACCOUNT_REF, write.account))
        account_ref = f"@{{{ACCOUNT_REF}.id}}"
    extra = {"AccountId": account_ref} if account_ref else {}
    nodes.append(upsert_node(api_path, OPPORTUNITY_REF, write.opportunity, extra))
    nodes.extend(line_node(api_path, index, line) for index, line in enumerate(write.lines))
    nodes.extend(
        {
            "method": "DELETE",
            "url": f"{api_path}/sobjects/OpportunityLineItem/{quote(line_id, safe='')}",
            "referenceId": f"delete{index}",
        }
        for index, line_id in enumerate(write.deleted_line_ids)
    )
    return Graph(graph_id, write, nodes)


def upsert_node(
    api_path: str, reference_id: str, upsert: Upsert, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    # The external id is in the url; Salesforce wants it out of the body.
    body = {k: v for k, v in upsert.fields.items() if k != upsert.external_id_field}
    return {
        "method": "PATCH",
        "url": (
            f"{api_path}/sobjects/{upsert.sobject}/{upsert.external_id_field}/"
            f"{quote(upsert.external_id, safe='')}"
        ),
        "referenceId": reference_id,
        "body": {**body, **(extra or {})},
    }


def line_node(api_path: str, index: int, line: LineWrite) -> dict[str, Any]:
    base = f"{api_path}/sobjects/OpportunityLineItem"
    if line.existing_id is not None:
        # OpportunityId and PricebookEntryId cannot change on an existing line.
        body = {k: v for k, v in line.fields.items() if k not in CREATE_ONLY_LINE_FIELDS}
        url = f"{base}/{quote(line.existing_id, safe='')}"
    else:
        # The key is in the url, as for every upsert by external id.
        body = {k: v for k, v in line.fields.items() if k != LINE_KEY_FIELD}
        body["OpportunityId"] = f"@{{{OPPORTUNITY_REF}.id}}"
        if line.pricebook_entry_id is not None:
            body["PricebookEntryId"] = line.pricebook_entry_id
        url = f"{base}/{LINE_KEY_FIELD}/{quote(line.key, safe='')}"
    return {"method": "PATCH", "url": url, "referenceId": f"line{index}", "body": body}


def graph_ids(writes: Sequence[OrderWrite]) -> list[str]:
    seen: set[str] = set()
    for write in writes:
        if write.write_id in seen:
            raise ValueError(f"write_id {write.write_id!r} appears twice in one batch")
        seen.add(write.write_id)
    return [
        write.write_id if SAFE_GRAPH_ID.fullmatch(write.write_id) else f"g{index}"
        for index, write in enumerate(writes)
    ]


def pack(graphs: Iterable[Graph]) -> list[list[Graph]]:
    """First-fit into payloads of at most 75 graphs and 500 nodes (no graph may exceed 500)."""
    payloads: list[list[Graph]] = []
    sizes: list[int] = []
    for graph in graphs:
        for index, payload in enumerate(payloads):
            fits = sizes[index] + len(graph.nodes) <= MAX_NODES_PER_CALL
            if fits and len(payload) < MAX_GRAPHS_PER_CALL:
                payload.append(graph)
                sizes[index] += len(graph.nodes)
                break
        else:
            payloads.append([graph])
            sizes.append(len(graph.nodes))
    return payloads


def graph_payload(graphs: Sequence[Graph]) -> str:
    body = {"graphs": [{"graphId": g.graph_id, "compositeRequest": g.nodes} for g in graphs]}
    return json.dumps(body, default=wire_value)


def wire_value(value: Any) -> Any:
    """JSON for what `json` cannot encode itself (the `default` hook)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be sent to Salesforce")


# -- results: what one graph answered ---------------------------------------------------------


def graph_result(graph: Graph, answer: dict[str, Any]) -> WriteResult | None:
    """The order's result; None when Salesforce halted the graph without trying it."""
    nodes = answer.get("graphResponse", {}).get("compositeResponse", [])
    write = graph.write
    if answer.get("isSuccessful") is True:
        by_ref = {node.get("referenceId"): node for node in nodes}
        return WriteResult(
            write_id=write.write_id,
            ok=True,
            opportunity_id=record_id(by_ref.get(OPPORTUNITY_REF)),
            account_id=record_id(by_ref.get(ACCOUNT_REF)) or write.account_id,
            line_ids={
                line.key: record_id(by_ref.get(f"line{index}")) or line.existing_id or ""
                for index, line in enumerate(write.lines)
            },
        )
    failure = first_real_failure(nodes)
    if failure is None:
        return None
    return WriteResult(write_id=write.write_id, ok=False, failure=failure)


def record_id(node: dict[str, Any] | None) -> str | None:
    body = node.get("body") if node else None
    return str(body["id"]) if isinstance(body, dict) and body.get("id") else None


def first_real_failure(nodes: list[dict[str, Any]]) -> WriteFailure | None:
    for node in nodes:
        status = int(node.get("httpStatusCode") or 0)
        if status < 300:
            continue
        if status == 300:
            # The body lists the matching records; only their ids go into the message.
            return WriteFailure(
                MULTIPLE_CHOICES,
                f"{node.get('referenceId')}: several records share this external id: "
                f"{', '.join(record_ids_in(node.get('body'))) or 'ids not given'}",
            )
        for error in errors_in(node.get("body")):
            code = str(error.get("errorCode") or f"HTTP_{status}")
            if code == HALTED:
                continue
            return WriteFailure(
                error_code=code,
                message=f"{node.get('referenceId')}: {said(error)}",
                fields=tuple(str(f) for f in error.get("fields") or ()),
                retryable=code in RETRYABLE_CODES or status >= 500,
            )
    return None


def said(error: dict[str, Any]) -> str:
    return vendor_message(str(error.get("message", "")))


def record_ids_in(body: Any) -> list[str]:
    """The record ids in a 300 answer: a list of record URLs (or records with attributes)."""
    items = body if isinstance(body, list) else [body]
    ids = []
    for item in items:
        url = item.get("attributes", {}).get("url") if isinstance(item, dict) else item
        if isinstance(item, dict) and item.get("Id"):
            ids.append(str(item["Id"]))
        elif isinstance(url, str) and SALESFORCE_ID.fullmatch(url.rsplit("/", 1)[-1]):
            ids.append(url.rsplit("/", 1)[-1])
    return [i for i in ids if SALESFORCE_ID.fullmatch(i)]


SALESFORCE_ID = re.compile(r"[a-zA-Z0-9]{1,18}")  # record ids are letters and digits only


# -- whole-call errors --------------------------------------------------------------------------


def failure_of(error: SalesbridgeError) -> WriteFailure:
    """A whole-call error as the failure of each order it kept from being written."""
    cause = error.__cause__
    code = first_error(cause.content)[0] if isinstance(cause, SalesforceError) else None
    return WriteFailure(
        error_code=code or error.code,
        message=error.message,
        retryable=isinstance(error, RetryableError),
    )


# -- the adapter -------------------------------------------------------------------------------


class OpportunityWriter:
    """`OpportunityStore` over one Salesforce org (see the module docstring).

    `api_calls` counts the HTTP requests made (benchmarks read it); `api_usage` is the org's
    (used, allowed) daily count from the last Sforce-Limit-Info header seen.
    """

    def __init__(self, connection: Connection, *, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        version = connection.credentials.api_version
        if float(version) < GRAPH_SINCE_VERSION:
            raise ConfigurationError(
                f"Salesforce API {version} has no composite graph; use {GRAPH_SINCE_VERSION}+"
            )
        self.connection = connection
        self.timeout = timeout
        self.api_path = f"/services/data/v{version}"
        self.api_calls = 0
        self.api_usage: tuple[int, int] | None = None

    # -- OpportunityStore -----------------------------------------------------------------------

    def pricebook_entries(
        self, pricebook_names: set[str], item_ids: set[str]
    ) -> dict[tuple[str, str], PricebookEntryRef]:
        if not pricebook_names or not item_ids:
            return {}
        ordered = sorted(item_ids)
        rows = [
            row
            for start in range(0, len(ordered), MAX_ITEMS_PER_QUERY)
            for row in self._query(
                pricebook_entry_soql(pricebook_names, ordered[start : start + MAX_ITEMS_PER_QUERY])
            )
        ]
        entries: dict[tuple[str, str], PricebookEntryRef] = {}
        for row in rows:
            book = row.get("Pricebook2") or {}
            for name in book_names(book, pricebook_names):
                ref = pricebook_entry_ref(row, name)
                entries[(name, ref.item_id)] = ref
        return entries

    def write_orders(self, writes: list[OrderWrite]) -> dict[str, WriteResult]:
        ids = graph_ids(writes)
        graphs = [build_graph(w, gid, self.api_path) for w, gid in zip(writes, ids, strict=True)]
        results: dict[str, WriteResult] = {}
        sendable: list[Graph] = []
        for graph in graphs:
            if len(graph.nodes) > MAX_NODES_PER_CALL:
                results[graph.write.write_id] = too_big(graph)
            else:
                sendable.append(graph)
        committed = False
        while sendable:
            halted = self._send_all(pack(sendable), results, committed=committed)
            committed = True
            if len(halted) == len(sendable):  # no progress: never loop
                for graph in halted:
                    results[graph.write.write_id] = not_tried(graph)
                break
            sendable = halted
        return {write.write_id: results[write.write_id] for write in writes}

    def opportunity_states(self, netsuite_order_ids: set[str]) -> dict[str, OpportunityState]:
        if not netsuite_order_ids:
            return {}
        soql = format_soql(
            "SELECT Id, NetSuite_Id__c, "
            "(SELECT Id, NetSuite_Line_Key__c FROM OpportunityLineItems) "
            "FROM Opportunity WHERE NetSuite_Id__c IN {}",
            sorted(netsuite_order_ids),
        )
        states: dict[str, OpportunityState] = {}
        for row in self._query(soql):
            lines = {
                child["NetSuite_Line_Key__c"]: child["Id"]
                for child in self._child_rows(row.get("OpportunityLineItems"))
                if child.get("NetSuite_Line_Key__c")  # lines added by hand are not ours
            }
            states[str(row["NetSuite_Id__c"])] = OpportunityState(str(row["Id"]), lines)
        return states

    def _child_rows(self, child: dict[str, Any] | None) -> list[dict[str, Any]]:
        return all_rows(
            child,
            lambda url: self._request(
                next_page(url, call_timeout(self.timeout, "a Salesforce query"))
            ),
        )

    def opportunity_lines(self, opportunity_id: str) -> dict[str, str]:
        return self._keyed_lines(
            format_soql(
                "SELECT Id, NetSuite_Line_Key__c FROM OpportunityLineItem WHERE OpportunityId = {}",
                opportunity_id,
            )
        )

    def order_lines(self, netsuite_order_id: str) -> dict[str, str]:
        return self._keyed_lines(
            format_soql(
                "SELECT Id, NetSuite_Line_Key__c FROM OpportunityLineItem "
                "WHERE Opportunity.NetSuite_Id__c = {}",
                netsuite_order_id,
            )
        )

    def _keyed_lines(self, soql: str) -> dict[str, str]:
        """Lines by key; lines without one were added by hand and are not salesbridge's."""
        return {
            row["NetSuite_Line_Key__c"]: row["Id"]
            for row in self._query(soql)
            if row.get("NetSuite_Line_Key__c")
        }

    # -- calls ----------------------------------------------------------------------------------

    def _send_all(
        self, payloads: list[list[Graph]], results: dict[str, WriteResult], *, committed: bool
    ) -> list[Graph]:
        """Send each payload; fill `results`; answer the graphs Salesforce halted untried."""
        halted: list[Graph] = []
        for position, payload in enumerate(payloads):
            try:
                answer = self._post_graphs(payload)
            except SalesbridgeError as error:
                if not committed:
                    raise  # nothing written yet: the whole batch can simply be retried
                failure = failure_of(error)
                for graph in (g for rest in payloads[position:] for g in rest):
                    results[graph.write.write_id] = WriteResult(
                        graph.write.write_id, ok=False, failure=failure
                    )
                return []
            committed = True
            for graph in payload:
                if graph.graph_id not in answer:
                    results[graph.write.write_id] = not_answered(graph)
                    continue
                result = graph_result(graph, answer[graph.graph_id])
                if result is None:
                    halted.append(graph)
                else:
                    results[graph.write.write_id] = result
        return halted

    def _post_graphs(self, payload: list[Graph]) -> dict[str, dict[str, Any]]:
        data = graph_payload(payload)
        # Bounded by the invocation: Lambda must never kill the worker while the graph call
        # may be committing (see shared.deadline); too little time left and it is not sent.
        timeout = call_timeout(self.timeout, "the Salesforce graph call")
        try:
            body = self._request(
                lambda sf: sf.restful("composite/graph", method="POST", data=data, timeout=timeout)
            )
        except RetryableError as error:
            if answer_lost(error):
                raise WriteOutcomeUnknown(
                    f"the outcome of the graph call is unknown (it may have committed): "
                    f"{error.message}"
                ) from error.__cause__
            raise
        graphs = body.get("graphs") if isinstance(body, dict) else None
        if not isinstance(graphs, list):
            raise PermanentError(
                f"Salesforce answered a graph call without graphs: {shape_of(body)}"
            )
        return {str(g.get("graphId")): g for g in graphs if isinstance(g, dict)}

    def _query(self, soql: str) -> list[dict[str, Any]]:
        """Every row, following nextRecordsUrl; each page is one counted call."""
        timeout = call_timeout(self.timeout, "a Salesforce query")
        page = self._request(lambda sf: sf.query(soql, timeout=timeout))
        records = list(page["records"])
        while not page.get("done", True):
            timeout = call_timeout(self.timeout, "a Salesforce query")
            page = self._request(next_page(page["nextRecordsUrl"], timeout))
            records.extend(page["records"])
        return records

    def _request(self, operation: Callable[[Salesforce], T]) -> T:
        """One HTTP call through the connection, counted, with every failure translated."""

        def counted(sf: Salesforce) -> T:
            self.api_calls += 1
            try:
                return operation(sf)
            finally:
                self._note_usage(sf)

        return call_translated(self.connection, counted)

    def _note_usage(self, sf: Salesforce) -> None:
        usage = getattr(sf, "api_usage", {}).get("api-usage")
        if usage is not None:
            self.api_usage = (int(usage.used), int(usage.total))


def pricebook_entry_soql(pricebook_names: set[str], item_ids: Sequence[str]) -> str:
    named = sorted(pricebook_names - {STANDARD_PRICE_BOOK})
    books = []
    if STANDARD_PRICE_BOOK in pricebook_names:
        # Real orgs rename the standard book; IsStandard finds it whatever its name.
        books.append("Pricebook2.IsStandard = true")
    if named:
        books.append(format_soql("Pricebook2.Name IN {}", named))
    # Values are quoted by format_soql; the book clause is built from quoted parts above.
    return format_soql(
        "SELECT Id, Pricebook2Id, Pricebook2.Name, Pricebook2.IsStandard, Pricebook2.IsActive, "
        "Product2.NetSuite_Item_Id__c, IsActive, UnitPrice FROM PricebookEntry "
        "WHERE Product2.NetSuite_Item_Id__c IN {} AND ({:literal})",
        list(item_ids),
        " OR ".join(books),
    )


def book_names(book: dict[str, Any], wanted: set[str]) -> list[str]:
    """The requested names a price book answers to (the standard one also by its role)."""
    names = []
    if book.get("IsStandard") and STANDARD_PRICE_BOOK in wanted:
        names.append(STANDARD_PRICE_BOOK)
    if book.get("Name") in wanted and book.get("Name") != STANDARD_PRICE_BOOK:
        names.append(str(book["Name"]))
    return names


def pricebook_entry_ref(row: dict[str, Any], name: str) -> PricebookEntryRef:
    book = row.get("Pricebook2") or {}
    price = row.get("UnitPrice")
    return PricebookEntryRef(
        id=str(row["Id"]),
        pricebook_id=str(row["Pricebook2Id"]),
        pricebook_name=name,
        item_id=str((row.get("Product2") or {}).get("NetSuite_Item_Id__c")),
        active=bool(row.get("IsActive")) and book.get("IsActive") is not False,
        unit_price=None if price is None else Decimal(str(price)),
    )


def too_big(graph: Graph) -> WriteResult:
    return WriteResult(
        graph.write.write_id,
        ok=False,
        failure=WriteFailure(
            "LIMIT_EXCEEDED",
            f"the order needs {len(graph.nodes)} graph nodes; Salesforce takes at most "
            f"{MAX_NODES_PER_CALL} in one call",
        ),
    )


def not_tried(graph: Graph) -> WriteResult:
    return WriteResult(
        graph.write.write_id,
        ok=False,
        failure=WriteFailure(
            HALTED, "Salesforce halted the graph without trying it", retryable=True
        ),
    )


def not_answered(graph: Graph) -> WriteResult:
    """Salesforce left the graph out of its answer: whether it committed is unknown."""
    return WriteResult(
        graph.write.write_id,
        ok=False,
        failure=WriteFailure(
            "GRAPH_NOT_ANSWERED", "Salesforce answered nothing for this graph", retryable=True
        ),
    )
