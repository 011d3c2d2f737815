"""sObject Collections: create, update, upsert, delete and retrieve up to 200 records a call.

    POST   /composite/sobjects                        create (mixed types, in chunks)
    PATCH  /composite/sobjects                        update (each record with its id)
    DELETE /composite/sobjects?ids=a,b&allOrNone=     delete
    PATCH  /composite/sobjects/<SObject>/<ExtIdField> upsert (API 46.0+)
    GET    /composite/sobjects/<SObject>?ids=&fields= retrieve (POST with {"ids","fields"} too)

The whole call is ONE API request. Every record goes through `app.subrequest` as the plain
REST call would (POST /sobjects/X, PATCH /sobjects/X/id, PATCH /sobjects/X/Field/value,
DELETE /sobjects/X/id, GET /sobjects/X/id?fields=), so each record fails with the REST
API's own error code; this module turns those into SaveResults:
`{"id","success","errors":[{"statusCode","message","fields"}]}` (+ `"created"` for upsert),
in request order, inside a 200. A failed record carries no "id" (as in every documented
example).

`allOrNone` (default false): every record is still attempted, so each bad record reports its
own error; then, if any failed, the transaction is rolled back and the records that had
succeeded report ALL_OR_NONE_OPERATION_ROLLED_BACK (documented wording), with their id for
updates, deletes and upserts and without it for creates, as the documented examples show.

Documented and reproduced: more than 200 records or ids: 400 EXCEEDED_ID_LIMIT "record limit
reached. cannot submit more than 200 records into this call"; at most 10 chunks of
consecutive same-type records; MALFORMED_ID for ids of the wrong shape or the wrong object
("Contact ID: id value of incorrect type: ...", "malformed id ..."); retrieve answers null for
ids it cannot read; collections need API 42.0+, upsert 46.0+ (else 404 NOT_FOUND).

Where the documentation is silent:
- A body without `records`, a record without `attributes.type`, or an upsert record of another
  type than the URL's fails the whole call with 400 INVALID_INPUT.
- More than 10 chunks: 400 EXCEEDED_MAX_TYPES_LIMIT "Cannot have more than 10 chunks in a
  single operation. Please rearrange the data to reduce chunking." (the SOAP API's wording).
- Update without an id: MISSING_ARGUMENT "Id not specified in an update call" (SOAP wording);
  upsert without the external id value: MISSING_ARGUMENT "<Field> not specified"; upsert with an
  Id: INVALID_FIELD; the same external id twice in one call: DUPLICATE_EXTERNAL_ID "Duplicate
  external id specified: <value>" on each; several matching records (REST 300):
  DUPLICATE_EXTERNAL_ID "<Field>: more than one record found for external id field: [ids]".
- The external id field is left out of the upsert body (it travels in the URL).
- Retrieve without `ids` or `fields`: 400 MISSING_ARGUMENT; an invalid field (REST 400) fails the
  whole retrieve with that error; more than 2,000 ids in a POST retrieve: EXCEEDED_ID_LIMIT.
- GET /composite/sobjects without an object: 405 METHOD_NOT_ALLOWED.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Request, Response

from sandboxes.common.app import json_response
from sandboxes.salesforce.composite_http import (
    api_handler,
    bad_request,
    format_version,
    json_payload,
    not_found,
    optional_transaction,
)
from sandboxes.salesforce.errors import SalesforceApiError

MAX_RECORDS = 200
MAX_RETRIEVE_IDS = 2000
MAX_CHUNKS = 10
COLLECTIONS_SINCE = 42.0
UPSERT_SINCE = 46.0

ID_SHAPE = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")
ROLLED_BACK_ERROR = {
    "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "message": "Record rolled back because not all records were valid and the request was "
    "using AllOrNone header",
    "fields": [],
}


@dataclass
class RecordResult:
    """One SaveResult/UpsertResult/DeleteResult while the call is in progress."""

    id: str | None
    errors: list[dict[str, Any]]
    created: bool | None = None  # upserts only
    # The documented allOrNone examples keep the id of a rolled-back update, delete or upsert
    # but not of a rolled-back create.
    keeps_id_when_rolled_back: bool = False

    @property
    def success(self) -> bool:
        return not self.errors

    def as_json(self, rolled_back: bool = False) -> dict[str, Any]:
        if rolled_back and self.success:
            result: dict[str, Any] = {"success": False, "errors": [ROLLED_BACK_ERROR]}
            return {"id": self.id, **result} if self.keeps_id_when_rolled_back else result
        result = {"success": self.success, "errors": self.errors}
        if self.id is not None and self.success:
            result = {"id": self.id, **result}
        if self.created is not None and self.success:
            result["created"] = self.created
        return result


def failure(status_code: str, message: str, fields: list[str] | None = None) -> dict[str, Any]:
    return {"statusCode": status_code, "message": message, "fields": fields or []}


def errors_from_rest(body: Any) -> list[dict[str, Any]]:
    """The REST API's `[{message, errorCode, fields}]` as SaveResult errors."""
    items = body if isinstance(body, list) else [body]
    return [
        failure(
            str(item.get("errorCode", "UNKNOWN_EXCEPTION")),
            str(item.get("message", "")),
            list(item.get("fields") or []),
        )
        for item in items
        if isinstance(item, dict)
    ] or [failure("UNKNOWN_EXCEPTION", "The request failed.")]


def too_many(limit: int = MAX_RECORDS) -> SalesforceApiError:
    return bad_request(
        "EXCEEDED_ID_LIMIT",
        f"record limit reached. cannot submit more than {limit} records into this call",
    )


# -- the handlers the REST core routes here ---------------------------------------------------


@api_handler(COLLECTIONS_SINCE)
def handle_collections(app: Any, request: Request, version: float, session: Any) -> Response:
    api = format_version(version)
    if request.method == "POST":
        return _save(app, request, session, api, _create)
    if request.method == "PATCH":
        return _save(app, request, session, api, _update)
    if request.method == "DELETE":
        return _delete(app, request, session, api)
    error = SalesforceApiError(
        405,
        "METHOD_NOT_ALLOWED",
        f"HTTP Method '{request.method}' not allowed. Allowed are POST,PATCH,DELETE",
    )
    return json_response(error.body(), error.status)


@api_handler(COLLECTIONS_SINCE)
def handle_collections_retrieve(
    app: Any, request: Request, version: float, session: Any, sobject: str
) -> Response:
    if request.method == "POST":
        body = json_object(request)
        ids, fields = body.get("ids"), body.get("fields")
        if not isinstance(ids, list) or not isinstance(fields, list) or not ids or not fields:
            raise bad_request("MISSING_ARGUMENT", "ids and fields are required")
        if len(ids) > MAX_RETRIEVE_IDS:
            raise too_many(MAX_RETRIEVE_IDS)
        ids = [str(record_id) for record_id in ids]
    else:
        ids, fields = request.args.get("ids", ""), request.args.get("fields", "")
        if not ids or not fields:
            raise bad_request("MISSING_ARGUMENT", "ids and fields are required")
        ids, fields = ids.split(","), fields.split(",")
    return _retrieve(app, session, format_version(version), sobject, ids, fields)


@api_handler(COLLECTIONS_SINCE)
def handle_collections_by_field(
    app: Any, request: Request, version: float, session: Any, sobject: str, field: str
) -> Response:
    """PATCH: upsert by external id (46.0+). GET with one path segment more is a retrieve."""
    if request.method == "GET" or version < UPSERT_SINCE:
        raise not_found()
    body = json_object(request)
    records = _records(body)
    for record in records:
        if str(record["attributes"]["type"]).lower() != sobject.lower():
            raise bad_request(
                "INVALID_INPUT", f"Every record must be of the type named in the URL: {sobject}"
            )
    duplicates = _duplicate_values(records, field)
    upsert = functools.partial(_upsert, field=field, duplicates=duplicates)
    all_or_none = body.get("allOrNone") is True
    return _run_records(app, session, format_version(version), records, upsert, all_or_none)


# -- create / update / upsert ------------------------------------------------------------------

RecordWork = Callable[[Any, Any, str, dict[str, Any]], RecordResult]


def _save(app: Any, request: Request, session: Any, version: str, work: RecordWork) -> Response:
    body = json_object(request)
    records = _records(body)
    chunks = sum(1 for _ in groupby(records, key=lambda r: str(r["attributes"]["type"]).lower()))
    if chunks > MAX_CHUNKS:
        raise bad_request(
            "EXCEEDED_MAX_TYPES_LIMIT",
            f"Cannot have more than {MAX_CHUNKS} chunks in a single operation. Please rearrange "
            "the data to reduce chunking.",
        )
    return _run_records(app, session, version, records, work, body.get("allOrNone") is True)


def _run_records(
    app: Any,
    session: Any,
    version: str,
    records: list[dict[str, Any]],
    work: RecordWork,
    all_or_none: bool,
) -> Response:
    with optional_transaction(app, all_or_none) as tx:
        results = [work(app, session, version, record) for record in records]
        rolled_back = all_or_none and not all(result.success for result in results)
        if rolled_back:
            tx.rollback()
    return json_response([result.as_json(rolled_back) for result in results])


def _create(app: Any, session: Any, version: str, record: dict[str, Any]) -> RecordResult:
    sobject = record["attributes"]["type"]
    status, _, body = app.subrequest(
        "POST", f"/services/data/v{version}/sobjects/{sobject}", _fields(record), session=session
    )
    if status >= 400:
        return RecordResult(None, errors_from_rest(body))
    return RecordResult(body.get("id"), [])


def _update(app: Any, session: Any, version: str, record: dict[str, Any]) -> RecordResult:
    sobject = record["attributes"]["type"]
    record_id = next((value for key, value in record.items() if key.lower() == "id"), None)
    if not record_id:
        return RecordResult(
            None, [failure("MISSING_ARGUMENT", "Id not specified in an update call")]
        )
    record_id = str(record_id)
    wrong = _wrong_id(app, sobject, record_id)
    if wrong:
        return RecordResult(None, [wrong])
    fields = {key: value for key, value in _fields(record).items() if key.lower() != "id"}
    status, _, body = app.subrequest(
        "PATCH",
        f"/services/data/v{version}/sobjects/{sobject}/{record_id}",
        fields,
        session=session,
    )
    errors = errors_from_rest(body) if status >= 400 else []
    return RecordResult(record_id, errors, keeps_id_when_rolled_back=True)


def _upsert(
    app: Any,
    session: Any,
    version: str,
    record: dict[str, Any],
    *,
    field: str,
    duplicates: set[str],
) -> RecordResult:
    sobject = record["attributes"]["type"]
    fields = _fields(record)
    if any(key.lower() == "id" for key in fields):
        return RecordResult(
            None,
            [failure("INVALID_FIELD", "Id is not allowed in an upsert by external id", ["Id"])],
        )
    value = _value_of(fields, field)
    if value in (None, ""):
        return RecordResult(None, [failure("MISSING_ARGUMENT", f"{field} not specified")])
    if str(value) in duplicates:
        return RecordResult(
            None,
            [
                failure(
                    "DUPLICATE_EXTERNAL_ID", f"Duplicate external id specified: {value}", [field]
                )
            ],
        )
    url = f"/services/data/v{version}/sobjects/{sobject}/{field}/{quote(str(value), safe='')}"
    body = {key: item for key, item in fields.items() if key.lower() != field.lower()}
    status, _, response = app.subrequest("PATCH", url, body, session=session)
    if status == 300:
        ids = [str(location).rstrip("/").rsplit("/", 1)[-1] for location in response or []]
        message = f"{field}: more than one record found for external id field: [{', '.join(ids)}]"
        return RecordResult(None, [failure("DUPLICATE_EXTERNAL_ID", message, [field])])
    if status >= 400:
        return RecordResult(None, errors_from_rest(response))
    response = response if isinstance(response, dict) else {}
    created = status == 201 or response.get("created") is True
    return RecordResult(response.get("id"), [], created=created, keeps_id_when_rolled_back=True)


# -- delete and retrieve ------------------------------------------------------------------------


def _delete(app: Any, request: Request, session: Any, version: str) -> Response:
    ids = [record_id for record_id in request.args.get("ids", "").split(",") if record_id]
    if not ids:
        raise bad_request("MISSING_ARGUMENT", "ids is required")
    if len(ids) > MAX_RECORDS:
        raise too_many()
    all_or_none = request.args.get("allOrNone", "false").lower() == "true"
    with optional_transaction(app, all_or_none) as tx:
        results = [_delete_one(app, session, version, record_id) for record_id in ids]
        rolled_back = all_or_none and not all(result.success for result in results)
        if rolled_back:
            tx.rollback()
    return json_response([result.as_json(rolled_back) for result in results])


def _delete_one(app: Any, session: Any, version: str, record_id: str) -> RecordResult:
    sobject = _sobject_of(app, record_id)
    if sobject is None:
        return RecordResult(None, [failure("MALFORMED_ID", f"malformed id {record_id}")])
    status, _, body = app.subrequest(
        "DELETE", f"/services/data/v{version}/sobjects/{sobject}/{record_id}", None, session=session
    )
    errors = errors_from_rest(body) if status >= 400 else []
    return RecordResult(record_id, errors, keeps_id_when_rolled_back=True)


def _retrieve(
    app: Any, session: Any, version: str, sobject: str, ids: list[str], fields: list[Any]
) -> Response:
    wanted = ",".join(str(name).strip() for name in fields)
    records: list[Any] = []
    for record_id in (record_id.strip() for record_id in ids):
        if not ID_SHAPE.fullmatch(record_id):
            records.append(None)
            continue
        url = f"/services/data/v{version}/sobjects/{sobject}/{record_id}?fields={quote(wanted)}"
        status, _, body = app.subrequest("GET", url, None, session=session)
        if status == 400 and _error_code(body) not in ("MALFORMED_ID", "INVALID_ID_FIELD"):
            return json_response(body, 400)  # an invalid field fails the whole retrieve
        records.append(body if status == 200 else None)
    return json_response(records)


# -- helpers -------------------------------------------------------------------------------------


def json_object(request: Request) -> dict[str, Any]:
    body = json_payload(request)
    if not isinstance(body, dict):
        raise bad_request("JSON_PARSER_ERROR", "The request body must be a JSON object.")
    return body


def _records(body: dict[str, Any]) -> list[dict[str, Any]]:
    records = body.get("records")
    if not isinstance(records, list) or not records:
        raise bad_request("INVALID_INPUT", "records is required")
    if len(records) > MAX_RECORDS:
        raise too_many()
    for record in records:
        attributes = record.get("attributes") if isinstance(record, dict) else None
        if not isinstance(attributes, dict) or not attributes.get("type"):
            raise bad_request("INVALID_INPUT", "Each record needs attributes with a type.")
    return records


def _fields(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if key != "attributes"}


def _value_of(fields: dict[str, Any], name: str) -> Any:
    return next((value for key, value in fields.items() if key.lower() == name.lower()), None)


def _duplicate_values(records: list[dict[str, Any]], field: str) -> set[str]:
    values = [str(v) for r in records if (v := _value_of(_fields(r), field)) not in (None, "")]
    return {value for value in values if values.count(value) > 1}


def _error_code(body: Any) -> str | None:
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return body[0].get("errorCode")
    return None


def _schema(app: Any) -> Any:
    org = getattr(app, "org", None)
    return getattr(org, "schema", None) or getattr(app, "schema", None)


def _sobject_of(app: Any, record_id: str) -> str | None:
    schema = _schema(app)
    if schema is None or not ID_SHAPE.fullmatch(record_id):
        return None
    sobject = schema.by_key_prefix(record_id[:3])
    return sobject.name if sobject is not None else None


def _wrong_id(app: Any, sobject: str, record_id: str) -> dict[str, Any] | None:
    """MALFORMED_ID when the id cannot belong to this object (documented wording)."""
    schema = _schema(app)
    definition = schema.sobject(sobject) if schema is not None else None
    shaped = ID_SHAPE.fullmatch(record_id) is not None
    if shaped and (definition is None or record_id.startswith(definition.key_prefix)):
        return None
    label = definition.name if definition is not None else sobject
    return failure("MALFORMED_ID", f"{label} ID: id value of incorrect type: {record_id}", ["Id"])
