"""Composite, graph and collections semantics against a tiny in-memory fake of the REST core.

The fake implements only the interface the composite layer relies on (authenticate,
count_api_call, subrequest, org.transaction, lock), so these tests pin the composite rules
(validation, references, rollback, result shapes) without sockets or the real record store.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import threading
from contextlib import contextmanager
from typing import Any

import pytest
from werkzeug.test import EnvironBuilder

from sandboxes.salesforce.composite import handle_composite, handle_graph
from sandboxes.salesforce.composite_collections import (
    handle_collections,
    handle_collections_by_field,
    handle_collections_retrieve,
)
from sandboxes.salesforce.errors import SalesforceApiError

V = "/services/data/v59.0"
PREFIX = {"Account": "001", "Contact": "003", "Opportunity": "006"}
REQUIRED = {"Account": "Name", "Contact": "LastName", "Opportunity": "Name"}


class FakeTx:
    def __init__(self, org: FakeOrg) -> None:
        self.org = org
        self.saved = copy.deepcopy(org.rows)

    def rollback(self) -> None:
        self.org.rows = copy.deepcopy(self.saved)


class FakeOrg:
    schema = None

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self.counter = itertools.count(1)

    @contextmanager
    def transaction(self):
        tx = FakeTx(self)
        try:
            yield tx
        except BaseException:
            tx.rollback()
            raise

    def new_id(self, sobject: str) -> str:
        return f"{PREFIX[sobject]}{next(self.counter):012d}AAA"


class FakeApp:
    def __init__(self) -> None:
        self.org = FakeOrg()
        self.lock = threading.RLock()
        self.api_calls = 0

    def authenticate(self, request):
        if request.headers.get("Authorization") != "Bearer good":
            raise SalesforceApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")
        return "session"

    def count_api_call(self, session) -> None:
        self.api_calls += 1

    def subrequest(self, method, url, body, *, session):
        path = url.partition("?")[0]
        parts = path.removeprefix(V).strip("/").split("/")
        if parts[:2] == ["composite", "sobjects"]:
            return self._via_handler(method, url, body)
        if parts[0] == "query":
            return 200, {}, {"totalSize": 0, "done": True, "records": self._all()}
        sobject, rest = parts[1], parts[2:]
        match (method, rest):
            case ("POST", []):
                return self._create(sobject, body)
            case ("GET", [record_id]):
                row = self.org.rows.get(record_id)
                if row is None:
                    return 404, {}, [{"errorCode": "NOT_FOUND", "message": "x", "fields": []}]
                return 200, {}, {"attributes": {"type": sobject}, **row}
            case ("PATCH", [record_id]):
                if record_id not in self.org.rows:
                    return 404, {}, [{"errorCode": "NOT_FOUND", "message": "x", "fields": []}]
                self.org.rows[record_id] = {**self.org.rows[record_id], **body}
                return 204, {}, None
            case ("DELETE", [record_id]):
                self.org.rows.pop(record_id)
                return 204, {}, None
            case ("PATCH", [field, value]):
                return self._upsert(sobject, field, value, body)
        raise AssertionError(f"unexpected {method} {url}")

    def _create(self, sobject, body):
        if not body.get(REQUIRED[sobject]):
            error = {"message": "Required fields are missing: [Name]", "fields": ["Name"]}
            return 400, {}, [{**error, "errorCode": "REQUIRED_FIELD_MISSING"}]
        record_id = self.org.new_id(sobject)
        self.org.rows[record_id] = {"Id": record_id, "type": sobject, **body}
        location = f"{V}/sobjects/{sobject}/{record_id}"
        return 201, {"Location": location}, {"id": record_id, "success": True, "errors": []}

    def _upsert(self, sobject, field, value, body):
        matches = [r for r in self.org.rows.values() if r.get(field) == value]
        if len(matches) > 1:
            return 300, {}, [f"{V}/sobjects/{sobject}/{r['Id']}" for r in matches]
        if matches:
            matches[0].update(body)
            return (
                200,
                {},
                {"id": matches[0]["Id"], "success": True, "errors": [], "created": False},
            )
        status, headers, result = self._create(sobject, {**body, field: value})
        return status, headers, {**result, "created": True} if status == 201 else result

    def _all(self):
        return list(self.org.rows.values())

    def _via_handler(self, method, url, body):
        request = build(method, url, body)
        parts = url.partition("?")[0].removeprefix(f"{V}/composite/sobjects").strip("/").split("/")
        if parts == [""]:
            response = handle_collections(self, request, "59.0")
        elif len(parts) == 1:
            response = handle_collections_retrieve(self, request, "59.0", parts[0])
        else:
            response = handle_collections_by_field(self, request, "59.0", *parts)
        return response.status_code, dict(response.headers), response.get_json()


def build(method: str, url: str, body: Any = None, token: str = "good"):
    path, _, query = url.partition("?")
    builder = EnvironBuilder(
        method=method,
        path=path,
        query_string=query,
        data=None if body is None else json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    return builder.get_request()


@pytest.fixture
def app() -> FakeApp:
    return FakeApp()


def composite(app, payload, version="59.0"):
    response = handle_composite(app, build("POST", f"{V}/composite", payload), version)
    return response.status_code, response.get_json()


def sub(ref, method="POST", url=f"{V}/sobjects/Account", body=None):
    item = {"method": method, "url": url, "referenceId": ref}
    return item if body is None else {**item, "body": body}


# -- composite -------------------------------------------------------------------------------


def test_documented_account_then_contact_example(app):
    status, body = composite(
        app,
        {
            "compositeRequest": [
                sub("refAccount", body={"Name": "Sample Account"}),
                sub(
                    "refContact",
                    url=f"{V}/sobjects/Contact",
                    body={"LastName": "Sample Contact", "AccountId": "@{refAccount.id}"},
                ),
            ]
        },
    )
    assert status == 200
    account, contact = body["compositeResponse"]
    assert account["httpStatusCode"] == 201
    assert account["referenceId"] == "refAccount"
    assert account["httpHeaders"] == {"Location": f"{V}/sobjects/Account/{account['body']['id']}"}
    assert app.org.rows[contact["body"]["id"]]["AccountId"] == account["body"]["id"]
    assert app.api_calls == 1


def test_all_or_none_failure_rolls_back_and_halts_every_other_subrequest(app):
    status, body = composite(
        app,
        {
            "allOrNone": True,
            "compositeRequest": [
                sub("a1", body={"Name": "One"}),
                sub("bad", body={}),
                sub("a3", body={"Name": "Three"}),
            ],
        },
    )
    assert status == 200
    first, failed, third = body["compositeResponse"]
    halted = [
        {
            "errorCode": "PROCESSING_HALTED",
            "message": "The transaction was rolled back since another operation in the same "
            "transaction failed.",
        }
    ]
    assert first == {"body": halted, "httpHeaders": {}, "httpStatusCode": 400, "referenceId": "a1"}
    assert third["body"] == halted and third["httpStatusCode"] == 400
    assert failed["body"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert app.org.rows == {}


def test_without_all_or_none_dependents_fail_and_independents_proceed(app):
    _, body = composite(
        app,
        {
            "compositeRequest": [
                sub("bad", body={}),
                sub(
                    "child",
                    url=f"{V}/sobjects/Contact",
                    body={"LastName": "x", "AccountId": "@{bad.id}"},
                ),
                sub("other", body={"Name": "Independent"}),
            ]
        },
    )
    failed, child, other = body["compositeResponse"]
    assert failed["httpStatusCode"] == 400
    assert child["httpStatusCode"] == 400
    assert child["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert child["body"][0]["message"].startswith(
        "Invalid reference specified. No value for bad.id found in bad."
    )
    assert other["httpStatusCode"] == 201
    assert [row["Name"] for row in app.org.rows.values()] == ["Independent"]


def test_query_records_reference_feeds_a_later_url(app):
    composite(app, {"compositeRequest": [sub("acc", body={"Name": "Acme"})]})
    _, body = composite(
        app,
        {
            "compositeRequest": [
                sub("q", "GET", f"{V}/query?q=SELECT+Id+FROM+Account"),
                sub("read", "GET", f"{V}/sobjects/Account/@{{q.records[0].Id}}"),
            ]
        },
    )
    assert body["compositeResponse"][1]["httpStatusCode"] == 200
    assert body["compositeResponse"][1]["body"]["Name"] == "Acme"


def test_twenty_six_subrequests_answer_the_documented_limit_error(app):
    _, body = composite(
        app, {"compositeRequest": [sub(f"r{i}", body={"Name": str(i)}) for i in range(26)]}
    )
    assert body == {
        "compositeResponse": [
            {
                "body": [
                    {
                        "errorCode": "LIMIT_EXCEEDED",
                        "message": "The request can’t contain more than 25 operations.",
                    }
                ],
                "httpHeaders": {},
                "httpStatusCode": 400,
                "referenceId": None,
            }
        ]
    }
    assert app.org.rows == {}


def test_six_queries_exceed_the_five_query_limit(app):
    queries = [sub(f"q{i}", "GET", f"{V}/query?q=SELECT+Id+FROM+Account") for i in range(6)]
    _, body = composite(app, {"compositeRequest": queries})
    assert body["compositeResponse"][0]["body"][0]["errorCode"] == "LIMIT_EXCEEDED"


def test_illegal_reference_id_fails_the_whole_request_from_v52(app):
    status, body = composite(
        app, {"compositeRequest": [sub("refNewAccount[1]", body={"Name": "x"})]}
    )
    assert status == 400
    assert body == [
        {
            "message": "Provided referenceId ('refNewAccount[1]') must start with a letter or a "
            "number, and it can contain only letters, numbers and underscores ('_').",
            "errorCode": "JSON_PARSER_ERROR",
            "fields": [],
        }
    ]


@pytest.mark.parametrize(
    "item",
    [
        {"method": "POST", "url": "/sobjects/Account", "referenceId": "a"},
        {"method": "post", "url": f"{V}/sobjects/Account", "referenceId": "a"},
        {"method": "POST", "referenceId": "a"},
        {"method": "GET", "url": f"{V}/limits", "referenceId": "a", "httpHeaders": {"Accept": "x"}},
    ],
)
def test_malformed_subrequests_fail_the_whole_request(app, item):
    status, body = composite(app, {"compositeRequest": [item]})
    assert status == 400
    assert body[0]["errorCode"] in ("INVALID_INPUT", "JSON_PARSER_ERROR")


def test_duplicate_reference_ids_fail_the_whole_request(app):
    status, _ = composite(app, {"compositeRequest": [sub("a", body={"Name": "1"})] * 2})
    assert status == 400


def test_bad_session_is_401_and_not_counted(app):
    response = handle_composite(app, build("POST", f"{V}/composite", {}, token="bad"), "59.0")
    assert response.status_code == 401
    assert app.api_calls == 0


def test_outer_all_or_none_overrides_a_collection_subrequests_flag(app):
    collection = {
        "allOrNone": False,
        "records": [
            {"attributes": {"type": "Account"}, "Name": "Good"},
            {"attributes": {"type": "Account"}},
        ],
    }
    _, body = composite(
        app,
        {
            "allOrNone": True,
            "compositeRequest": [
                sub("first", body={"Name": "Before"}),
                sub("coll", url=f"{V}/composite/sobjects", body=collection),
            ],
        },
    )
    first, coll = body["compositeResponse"]
    assert first["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert coll["httpStatusCode"] == 200
    assert coll["body"][0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert app.org.rows == {}


# -- graph -------------------------------------------------------------------------------------


def graph(app, payload, version="59.0"):
    response = handle_graph(app, build("POST", f"{V}/composite/graph", payload), version)
    return response.status_code, response.get_json()


def test_a_failed_graph_rolls_back_only_itself(app):
    status, body = graph(
        app,
        {
            "graphs": [
                {"graphId": "1", "compositeRequest": [sub("a", body={"Name": "Kept"})]},
                {
                    "graphId": "2",
                    "compositeRequest": [sub("b", body={"Name": "Gone"}), sub("c", body={})],
                },
            ]
        },
    )
    assert status == 200
    ok, failed = body["graphs"]
    assert ok["isSuccessful"] is True and ok["graphId"] == "1"
    assert failed["isSuccessful"] is False
    node_b, node_c = failed["graphResponse"]["compositeResponse"]
    assert node_b["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert node_c["body"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert [row["Name"] for row in app.org.rows.values()] == ["Kept"]
    assert app.api_calls == 1


def test_graph_limits(app):
    one = {"compositeRequest": [sub("a", body={"Name": "x"})]}
    status, body = graph(app, {"graphs": [{"graphId": str(i), **one} for i in range(76)]})
    assert (status, body[0]["errorCode"]) == (400, "LIMIT_EXCEEDED")
    nodes = [sub(f"n{i}", body={"Name": "x"}) for i in range(501)]
    status, body = graph(app, {"graphs": [{"graphId": "big", "compositeRequest": nodes}]})
    assert (status, body[0]["errorCode"]) == (400, "LIMIT_EXCEEDED")
    assert app.org.rows == {}


def test_graph_deeper_than_fifteen_fails_that_graph(app):
    chain = [sub("n0", body={"Name": "root"})] + [
        sub(f"n{i}", body={"Name": f"@{{n{i - 1}.id}}"}) for i in range(1, 16)
    ]
    _, body = graph(app, {"graphs": [{"graphId": "deep", "compositeRequest": chain}]})
    result = body["graphs"][0]
    assert result["isSuccessful"] is False
    assert (
        result["graphResponse"]["compositeResponse"][15]["body"][0]["errorCode"] == "INVALID_INPUT"
    )
    assert app.org.rows == {}


def test_graph_needs_v50_and_sobject_urls(app):
    status, _ = graph(app, {"graphs": []}, version="49.0")
    assert status == 404
    _, body = graph(
        app,
        {"graphs": [{"graphId": "q", "compositeRequest": [sub("q", "GET", f"{V}/query?q=x")]}]},
    )
    assert body["graphs"][0]["isSuccessful"] is False


def test_after_fourteen_failed_graphs_the_rest_are_halted(app):
    bad = {"compositeRequest": [sub("a", body={})]}
    good = {"compositeRequest": [sub("a", body={"Name": "late"})]}
    graphs = [{"graphId": f"bad{i}", **bad} for i in range(14)] + [{"graphId": "good", **good}]
    _, body = graph(app, {"graphs": graphs})
    last = body["graphs"][-1]
    assert last["isSuccessful"] is False
    assert (
        last["graphResponse"]["compositeResponse"][0]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    )
    assert app.org.rows == {}


# -- collections -------------------------------------------------------------------------------


def collections(app, method, payload=None, query=""):
    url = f"{V}/composite/sobjects" + (f"?{query}" if query else "")
    response = handle_collections(app, build(method, url, payload), "59.0")
    return response.status_code, response.get_json()


def account(name=None, **extra):
    record = {"attributes": {"type": "Account"}, **extra}
    return record if name is None else {**record, "Name": name}


def test_create_partial_success_by_default(app):
    status, body = collections(app, "POST", {"records": [account(), account("Ok")]})
    assert status == 200
    assert body[0] == {
        "success": False,
        "errors": [
            {
                "statusCode": "REQUIRED_FIELD_MISSING",
                "message": "Required fields are missing: [Name]",
                "fields": ["Name"],
            }
        ],
    }
    assert body[1]["success"] is True and re.fullmatch(r"001\w{15}", body[1]["id"])
    assert app.api_calls == 1


def test_create_all_or_none_rolls_back_with_the_documented_error(app):
    _, body = collections(app, "POST", {"allOrNone": True, "records": [account(), account("Ok")]})
    assert body[1] == {
        "success": False,
        "errors": [
            {
                "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                "message": "Record rolled back because not all records were valid and the "
                "request was using AllOrNone header",
                "fields": [],
            }
        ],
    }
    assert app.org.rows == {}


def test_more_than_200_records_is_exceeded_id_limit(app):
    status, body = collections(app, "POST", {"records": [account(str(i)) for i in range(201)]})
    assert status == 400
    assert body[0]["errorCode"] == "EXCEEDED_ID_LIMIT"
    assert app.org.rows == {}


def test_more_than_ten_chunks_is_refused(app):
    mixed = [
        {"attributes": {"type": "Account" if i % 2 else "Contact"}, "Name": "x", "LastName": "y"}
        for i in range(11)
    ]
    status, body = collections(app, "POST", {"records": mixed})
    assert (status, body[0]["errorCode"]) == (400, "EXCEEDED_MAX_TYPES_LIMIT")


def test_update_and_delete(app):
    _, created = collections(app, "POST", {"records": [account("A"), account("B")]})
    ids = [item["id"] for item in created]
    _, updated = collections(
        app,
        "PATCH",
        {"records": [account(id=ids[0], Phone="1"), account(Phone="2")]},
    )
    assert updated[0] == {"id": ids[0], "success": True, "errors": []}
    assert updated[1]["errors"][0]["statusCode"] == "MISSING_ARGUMENT"
    assert app.org.rows[ids[0]]["Phone"] == "1"
    _, deleted = collections(app, "DELETE", query=f"ids={ids[0]},{ids[1]}")
    assert [item["success"] for item in deleted] == [False, False]  # FakeOrg has no schema
    assert deleted[0]["errors"][0]["statusCode"] == "MALFORMED_ID"


def test_upsert_by_external_id(app):
    def upsert(records, all_or_none=False):
        url = f"{V}/composite/sobjects/Account/Ext__c"
        payload = {"allOrNone": all_or_none, "records": records}
        response = handle_collections_by_field(
            app, build("PATCH", url, payload), "59.0", "Account", "Ext__c"
        )
        return response.status_code, response.get_json()

    _, first = upsert([account("A", Ext__c="1"), account("B", Ext__c="2")])
    assert [item["created"] for item in first] == [True, True]
    _, second = upsert([account("A2", Ext__c="1"), account("C", Ext__c="3"), account("D")])
    assert second[0] == {"id": first[0]["id"], "success": True, "errors": [], "created": False}
    assert second[1]["created"] is True
    assert second[2]["errors"][0]["statusCode"] == "MISSING_ARGUMENT"
    _, dup = upsert([account("X", Ext__c="9"), account("Y", Ext__c="9")])
    assert [item["errors"][0]["statusCode"] for item in dup] == ["DUPLICATE_EXTERNAL_ID"] * 2
    status, _ = upsert([{"attributes": {"type": "Contact"}, "Ext__c": "1"}])
    assert status == 400
    old = handle_collections_by_field(
        app,
        build("PATCH", f"{V}/composite/sobjects/Account/Ext__c", {"records": []}),
        "45.0",
        "Account",
        "Ext__c",
    )
    assert old.status_code == 404


def test_retrieve_answers_null_for_unknown_ids(app):
    _, created = collections(app, "POST", {"records": [account("A")]})
    record_id = created[0]["id"]
    url = f"{V}/composite/sobjects/Account?ids={record_id},001000000000999AAA,junk&fields=Id,Name"
    response = handle_collections_retrieve(app, build("GET", url), "59.0", "Account")
    body = response.get_json()
    assert response.status_code == 200
    assert body[0]["Name"] == "A" and body[1:] == [None, None]
