"""Composite and composite graph: many REST calls in one request, counted as ONE API call.

    POST /services/data/vXX.X/composite        handle_composite
    POST /services/data/vXX.X/composite/graph  handle_graph   (API 50.0+)
    ... /composite/sobjects                    see composite_collections (re-exported here)

Each subrequest goes through `app.subrequest`, the REST core's own routing and validation,
so a subrequest fails with exactly the error the plain REST call would give. This module only
adds what the composite layer owns: request validation and limits, references between
subrequests (composite_refs), transactions, and the response envelope.

Transactions: with `allOrNone` true (composite) or always (each graph), the subrequests run
inside `app.org.transaction()`; the first failure rolls everything back, the failed subrequest
keeps its own error and every other one answers 400 PROCESSING_HALTED "The transaction was
rolled back since another operation in the same transaction failed." With `allOrNone` false
each subrequest stands alone; one that quotes a failed subrequest is not run and answers 400
PROCESSING_HALTED "Invalid reference specified. No value for ...". A composite allOrNone also
overrides the allOrNone of sObject Collections subrequests (documented in "allOrNone
Parameters in Composite and Collections Requests").

Documented and reproduced here: at most 25 subrequests (26 answers 200 with one
LIMIT_EXCEEDED result, "The request can’t contain more than 25 operations."); at most 5 of them
queries or sObject Collections; reference ids of letters, digits and underscores starting with a
letter or digit (API 52.0+: otherwise the whole request fails 400 JSON_PARSER_ERROR); urls
starting /services/data/vXX.X/; Accept, Authorization and Content-Type refused in a
subrequest's httpHeaders (400 for the whole request); null values referenceable from 52.0.
Graph: at most 75 graphs, 500 nodes in the payload, depth 15, 15 distinct nodes (object x API
version), 14 failed graphs (the rest are halted), node urls only under /sobjects at v50.0+.

Where the documentation is silent:
- Subrequests run in the order given; `collateSubrequests` is accepted and ignored.
- Malformed composite requests (not JSON, no `compositeRequest`, a subrequest without
  method, url or referenceId, a duplicate referenceId) fail as a whole with 400
  JSON_PARSER_ERROR; a bad url prefix, method or forbidden header with 400 INVALID_INPUT. The
  same for graphs without `graphs`, without a graphId or with a duplicate graphId.
- The "Invalid reference specified" wording is also used for references to unknown or later
  subrequests (Salesforce documents it for missing fields and illegal reference ids).
- More than 5 queries/collections answers like the 25-operation limit, with the message
  "The request can’t contain more than 5 query or sObject Collections operations.".
- Graph payload limits (75 graphs, 500 nodes, 15 distinct nodes) fail the whole call with 400
  LIMIT_EXCEEDED; a node-level problem (bad url or method, illegal or duplicate referenceId,
  depth over 15) fails only its own graph: that node carries the error (as the composite
  would answer it) and the others PROCESSING_HALTED. A reference to another graph's node is
  an invalid reference.
- Graphs halted after the 14th failure answer isSuccessful false, every node 400
  PROCESSING_HALTED "Processing halted: the request reached its limit of 14 failed graphs.".
- Subrequest response headers kept: Location, ETag and Last-Modified; a 201 from an
  /sobjects url without a Location gets one naming the new record (the documented examples
  always show it).
- Subrequest httpHeaders other than the three forbidden ones are accepted but not passed on
  (`app.subrequest` takes none).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

from sandboxes.common.app import json_response
from sandboxes.salesforce.composite_collections import (
    handle_collections,
    handle_collections_by_field,
    handle_collections_retrieve,
)
from sandboxes.salesforce.composite_http import (
    api_handler,
    bad_request,
    json_payload,
    optional_transaction,
)
from sandboxes.salesforce.composite_refs import (
    InvalidReference,
    Resolved,
    is_valid_reference_id,
    referenced_ids,
    substitute_body,
    substitute_url,
)
from sandboxes.salesforce.errors import SalesforceApiError

__all__ = [
    "handle_collections",
    "handle_collections_by_field",
    "handle_collections_retrieve",
    "handle_composite",
    "handle_graph",
]

MAX_SUBREQUESTS = 25
MAX_QUERIES_AND_COLLECTIONS = 5
MAX_GRAPHS = 75
MAX_GRAPH_NODES = 500
MAX_GRAPH_DEPTH = 15
MAX_DISTINCT_GRAPH_NODES = 15
MAX_FAILED_GRAPHS = 14
GRAPH_SINCE = 50.0
STRICT_REFERENCE_IDS_SINCE = 52.0

COMPOSITE_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
GRAPH_METHODS = frozenset({"GET", "POST", "PATCH", "DELETE"})
FORBIDDEN_HEADERS = frozenset({"accept", "authorization", "content-type"})
KEPT_RESPONSE_HEADERS = ("Location", "ETag", "Last-Modified")

API_URL = re.compile(r"/services/data/v(\d+\.\d)/")
QUERY_OR_COLLECTIONS_URL = re.compile(
    r"/services/data/v\d+\.\d/(query|queryAll|composite/sobjects)(?=[/?]|$)"
)
SOBJECTS_URL = re.compile(r"/services/data/v(\d+\.\d)/sobjects/([^/?]+)")
ROLLED_BACK = (
    "The transaction was rolled back since another operation in the same transaction failed."
)
GRAPHS_HALTED = (
    f"Processing halted: the request reached its limit of {MAX_FAILED_GRAPHS} failed graphs."
)


# -- the pieces both resources share ----------------------------------------------------------


@dataclass
class Subrequest:
    method: str
    url: str
    reference_id: str
    body: Any = None
    http_headers: dict[str, str] = field(default_factory=dict)  # checked, not forwarded


@dataclass
class Outcome:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    failed: bool = False  # set when a 2xx still means failure (records of a collection)

    @property
    def ok(self) -> bool:
        return self.status < 400 and not self.failed

    def as_result(self, reference_id: str | None) -> dict[str, Any]:
        return {
            "body": self.body,
            "httpHeaders": self.headers,
            "httpStatusCode": self.status,
            "referenceId": reference_id,
        }


def halted(message: str = ROLLED_BACK) -> Outcome:
    return Outcome(400, [{"errorCode": "PROCESSING_HALTED", "message": message}])


def parse_subrequest(item: Any, methods: frozenset[str]) -> Subrequest:
    """One subrequest's shape; raises 400 for what makes the whole request malformed."""
    if not isinstance(item, dict):
        raise bad_request("JSON_PARSER_ERROR", "Each subrequest must be a JSON object.")
    for required in ("method", "url", "referenceId"):
        if not isinstance(item.get(required), str) or not item[required]:
            raise bad_request("JSON_PARSER_ERROR", f"Missing required field: {required}")
    if item["method"] not in methods:
        raise bad_request(
            "INVALID_INPUT", f"Invalid method '{item['method']}' for a composite subrequest."
        )
    if not API_URL.match(item["url"]):
        raise bad_request("INVALID_INPUT", "The URL must start with /services/data/vXX.X/.")
    headers = item.get("httpHeaders") or {}
    if not isinstance(headers, dict):
        raise bad_request("JSON_PARSER_ERROR", "httpHeaders must be a JSON object.")
    forbidden = sorted(name for name in headers if name.lower() in FORBIDDEN_HEADERS)
    if forbidden:
        raise bad_request(
            "INVALID_INPUT", f"The header {forbidden[0]} is not allowed in a subrequest."
        )
    return Subrequest(item["method"], item["url"], item["referenceId"], item.get("body"), headers)


def check_reference_ids(subrequests: list[Subrequest], version: float) -> None:
    seen: set[str] = set()
    for sub in subrequests:
        if version >= STRICT_REFERENCE_IDS_SINCE and not is_valid_reference_id(sub.reference_id):
            raise bad_request(
                "JSON_PARSER_ERROR",
                f"Provided referenceId ('{sub.reference_id}') must start with a letter or a "
                "number, and it can contain only letters, numbers and underscores ('_').",
            )
        if sub.reference_id in seen:
            raise bad_request(
                "JSON_PARSER_ERROR", f"Duplicate referenceId provided: {sub.reference_id}"
            )
        seen.add(sub.reference_id)


def run_subrequests(
    app: Any, session: Any, subrequests: list[Subrequest], *, all_or_none: bool, version: float
) -> list[Outcome]:
    """Run in order; with all_or_none the first failure rolls back and halts the others."""
    results: dict[str, Resolved] = {}
    outcomes: list[Outcome] = []
    with optional_transaction(app, all_or_none) as tx:
        for sub in subrequests:
            outcome = run_one(app, session, sub, results, all_or_none=all_or_none, version=version)
            outcomes.append(outcome)
            results[sub.reference_id] = Resolved(outcome.ok, outcome.body)
            if all_or_none and not outcome.ok:
                tx.rollback()
                failed_at = len(outcomes) - 1
                return [
                    outcome if index == failed_at else halted() for index in range(len(subrequests))
                ]
    return outcomes


def run_one(
    app: Any,
    session: Any,
    sub: Subrequest,
    results: dict[str, Resolved],
    *,
    all_or_none: bool,
    version: float,
) -> Outcome:
    try:
        url = substitute_url(sub.url, results, version)
        body = substitute_body(sub.body, results, version)
    except InvalidReference as error:
        return Outcome(400, [error.as_error()])
    forced = all_or_none and "/composite/sobjects" in url
    if forced:
        url, body = force_all_or_none(sub.method, url, body)
    status, headers, response_body = app.subrequest(sub.method, url, body, session=session)
    kept = kept_headers(headers) or created_location(status, url, response_body)
    # A collections subrequest answers 200 even when its records failed: under the
    # composite's allOrNone that still counts as a failure.
    failed = forced and any_record_failed(response_body)
    return Outcome(status, response_body, kept, failed=failed)


def kept_headers(headers: Any) -> dict[str, str]:
    """The headers a composite result repeats, spelled as Salesforce spells them."""
    wanted = {name.lower(): name for name in KEPT_RESPONSE_HEADERS}
    return {
        wanted[name.lower()]: str(value)
        for name, value in dict(headers or {}).items()
        if name.lower() in wanted
    }


def created_location(status: int, url: str, body: Any) -> dict[str, str]:
    """Composite results of a create name the new record in Location, as documented."""
    match = SOBJECTS_URL.match(url)
    if status != 201 or match is None or not isinstance(body, dict) or "id" not in body:
        return {}
    version, sobject = match.groups()
    return {"Location": f"/services/data/v{version}/sobjects/{sobject}/{body['id']}"}


def force_all_or_none(method: str, url: str, body: Any) -> tuple[str, Any]:
    """The composite's allOrNone true overrides a collections subrequest's own flag."""
    if method == "DELETE":
        base, _, query = url.partition("?")
        params = [p for p in query.split("&") if p and not p.lower().startswith("allornone=")]
        return f"{base}?{'&'.join([*params, 'allOrNone=true'])}", body
    if isinstance(body, dict) and "records" in body:
        return url, {**body, "allOrNone": True}
    return url, body


def any_record_failed(body: Any) -> bool:
    return isinstance(body, list) and any(
        isinstance(item, dict) and item.get("success") is False for item in body
    )


# -- composite ---------------------------------------------------------------------------------


@api_handler(since=0.0)
def handle_composite(app: Any, request: Request, version: float, session: Any) -> Response:
    payload = json_payload(request)
    items = payload.get("compositeRequest") if isinstance(payload, dict) else None
    if not isinstance(items, list) or not items:
        raise bad_request("JSON_PARSER_ERROR", "Missing required field: compositeRequest")
    if len(items) > MAX_SUBREQUESTS:
        return limit_exceeded(f"The request can’t contain more than {MAX_SUBREQUESTS} operations.")
    subrequests = [parse_subrequest(item, COMPOSITE_METHODS) for item in items]
    check_reference_ids(subrequests, version)
    heavy = sum(1 for sub in subrequests if QUERY_OR_COLLECTIONS_URL.match(sub.url))
    if heavy > MAX_QUERIES_AND_COLLECTIONS:
        return limit_exceeded(
            f"The request can’t contain more than {MAX_QUERIES_AND_COLLECTIONS} query or "
            "sObject Collections operations."
        )
    outcomes = run_subrequests(
        app, session, subrequests, all_or_none=payload.get("allOrNone") is True, version=version
    )
    return json_response(
        {
            "compositeResponse": [
                outcome.as_result(sub.reference_id)
                for sub, outcome in zip(subrequests, outcomes, strict=True)
            ]
        }
    )


def limit_exceeded(message: str) -> Response:
    """Composite reports its own limits inside a 200, as one result without a referenceId."""
    failure = Outcome(400, [{"errorCode": "LIMIT_EXCEEDED", "message": message}])
    return json_response({"compositeResponse": [failure.as_result(None)]})


# -- graph -------------------------------------------------------------------------------------


@api_handler(since=GRAPH_SINCE)
def handle_graph(app: Any, request: Request, version: float, session: Any) -> Response:
    graphs = parse_graphs(json_payload(request))
    responses: list[dict[str, Any]] = []
    failures = 0
    for graph in graphs:
        if failures >= MAX_FAILED_GRAPHS:
            responses.append(graph_response(graph, [halted(GRAPHS_HALTED) for _ in graph.nodes]))
            continue
        outcomes = run_graph(app, session, graph, version)
        failures += not all(outcome.ok for outcome in outcomes)
        responses.append(graph_response(graph, outcomes))
    return json_response({"graphs": responses})


@dataclass
class Graph:
    graph_id: str
    nodes: list[dict[str, Any]]


def parse_graphs(payload: Any) -> list[Graph]:
    raw = payload.get("graphs") if isinstance(payload, dict) else None
    if not isinstance(raw, list) or not raw:
        raise bad_request("JSON_PARSER_ERROR", "Missing required field: graphs")
    graphs: list[Graph] = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("graphId"), str):
            raise bad_request("JSON_PARSER_ERROR", "Each graph needs a graphId.")
        nodes = item.get("compositeRequest")
        if not isinstance(nodes, list) or not nodes:
            raise bad_request("JSON_PARSER_ERROR", "Missing required field: compositeRequest")
        if any(graph.graph_id == item["graphId"] for graph in graphs):
            raise bad_request("JSON_PARSER_ERROR", f"Duplicate graphId: {item['graphId']}")
        graphs.append(Graph(item["graphId"], nodes))
    check_graph_limits(graphs)
    return graphs


def check_graph_limits(graphs: list[Graph]) -> None:
    if len(graphs) > MAX_GRAPHS:
        raise bad_request(
            "LIMIT_EXCEEDED", f"The request can’t contain more than {MAX_GRAPHS} graphs."
        )
    nodes = [node for graph in graphs for node in graph.nodes]
    if len(nodes) > MAX_GRAPH_NODES:
        raise bad_request(
            "LIMIT_EXCEEDED", f"The request can’t contain more than {MAX_GRAPH_NODES} nodes."
        )
    distinct = {
        (match.group(1), match.group(2).lower())
        for node in nodes
        if isinstance(node, dict) and isinstance(node.get("url"), str)
        for match in [SOBJECTS_URL.match(node["url"])]
        if match
    }
    if len(distinct) > MAX_DISTINCT_GRAPH_NODES:
        raise bad_request(
            "LIMIT_EXCEEDED",
            f"The request can’t contain more than {MAX_DISTINCT_GRAPH_NODES} distinct nodes.",
        )


def run_graph(app: Any, session: Any, graph: Graph, version: float) -> list[Outcome]:
    """A graph is all-or-nothing in its own transaction; a bad node fails only its graph."""
    try:
        subrequests = parse_graph_nodes(graph.nodes, version)
    except _BadNode as bad:
        return [
            Outcome(400, [bad.error.as_error()]) if index == bad.index else halted()
            for index in range(len(graph.nodes))
        ]
    return run_subrequests(app, session, subrequests, all_or_none=True, version=version)


class _BadNode(Exception):
    def __init__(self, index: int, error: SalesforceApiError) -> None:
        super().__init__(error.message)
        self.index = index
        self.error = error


def parse_graph_nodes(nodes: list[Any], version: float) -> list[Subrequest]:
    subrequests: list[Subrequest] = []
    for index, node in enumerate(nodes):
        try:
            subrequests.append(parse_graph_node(node))
            check_reference_ids(subrequests, version)
        except SalesforceApiError as error:
            raise _BadNode(index, error) from None
    check_graph_depth(subrequests)
    return subrequests


def parse_graph_node(node: Any) -> Subrequest:
    sub = parse_subrequest(node, GRAPH_METHODS)
    match = SOBJECTS_URL.match(sub.url)
    if match is None or float(match.group(1)) < GRAPH_SINCE:
        raise bad_request(
            "INVALID_INPUT",
            "A graph node url must be /services/data/vXX.X/sobjects/... with XX.X 50.0 or later.",
        )
    return sub


def check_graph_depth(subrequests: list[Subrequest]) -> None:
    """Depth is the longest chain of references ending at a node (a lone node is 1)."""
    depth: dict[str, int] = {}
    for index, sub in enumerate(subrequests):
        parents = referenced_ids([sub.url, sub.body])
        depth[sub.reference_id] = 1 + max((depth.get(ref, 0) for ref in parents), default=0)
        if depth[sub.reference_id] > MAX_GRAPH_DEPTH:
            raise _BadNode(
                index,
                bad_request("INVALID_INPUT", f"The graph is deeper than {MAX_GRAPH_DEPTH} levels."),
            )


def graph_response(graph: Graph, outcomes: list[Outcome]) -> dict[str, Any]:
    return {
        "graphId": graph.graph_id,
        "graphResponse": {
            "compositeResponse": [
                outcome.as_result(node.get("referenceId") if isinstance(node, dict) else None)
                for node, outcome in zip(graph.nodes, outcomes, strict=True)
            ]
        },
        "isSuccessful": all(outcome.ok for outcome in outcomes),
    }
