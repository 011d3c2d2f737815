"""A local NetSuite account: REST Record API, Token-Based Authentication, account
concurrency governance, and the sales order user event script that salesbridge deploys.

Serves `/services/rest/record/v1/` for `salesOrder`, `customer` and the item types
(read-only), `/services/rest/system/v1/governanceLimits`, SuiteQL over the deletion log
(`POST /services/rest/query/v1/suiteql`, see `sandboxes.netsuite.suiteql`; a deleted
sales order is logged there, and seed data may hold `deletedRecords`), and admin actions
beside the common ones:

    POST /__admin/emit      {"id", "eventType"}: post an event without touching the record
    POST /__admin/edit      {"id", "fields", "replace"?}: a user saves the order in the UI ("edit"
                            event); "replace": ["item"] gives the item sublist whole
    POST /__admin/flush     wait until queued events are delivered; answers the deliveries
    GET  /__admin/deliveries
    POST /__admin/config    concurrency_limit, webhook_url, webhook_secret, webhook_verify,
                            webhook_timeout_seconds, events_enabled, patch_event_type,
                            timestamp_tolerance_seconds

Configuration survives `/__admin/reset`; records, nonces and deliveries do not.

Where the documentation is silent (choices made here):
- 429 body for the account concurrency limit: REST web services document no body, so it is
  NetSuite's usual error document with `SSS_REQUEST_LIMIT_EXCEEDED` and "Concurrent request
  limit exceeded. Request blocked." (the RESTlet code and the SOAP wording).
- Error `type` links use RFC 9110 sections (what current accounts send; older help pages show
  RFC 2616 links). Error responses are `application/vnd.oracle.resource+json; type=error`.
- TBA timestamps are accepted within 300 s of the server clock; a nonce may be used once per
  (consumer, token, timestamp). An `oauth_body_hash` sent by authlib is signed like any other
  header parameter and not checked against the body.
- `status` reads `{"id": "Pending Fulfillment", "refName": "Pending Fulfillment"}`;
  `orderStatus` carries the letter (`{"id": "B", ...}`) and is the field a client may set,
  to any of A-H (real accounts reach Closed/Cancelled through actions, not a field).
- A percentage discount line shows the percentage in `rate` (-10.0) and the money in `amount`.
- Unknown body fields are refused with 400 INVALID_CONTENT; read-only ones are ignored.
- A REST PATCH reaches the user event script as "xedit" (salesbridge's design; NetSuite's
  help names inline edits and mass updates xedit and does not say what REST PATCH gives, so
  `patch_event_type` can switch it to "edit"). An upsert (PUT eid:) of an existing order
  gives "edit".
- A PATCH that changes nothing still saves: lastModifiedDate moves and an event fires.
- lastModifiedDate has one-second precision and moves at least one second on every save,
  except that `POST /__admin/edit` with `"sameSecond": true` saves without moving it: two
  saves within one second, which real NetSuite allows (its timestamps are to the second).
- Each event carries its own `eventId` (the script draws a UUID per afterSubmit run).
- An unknown record type answers 404 NONEXISTENT_ID "Record type '<x>' does not exist.".
- governanceLimits field names are not documented verbatim; see `get_governance_limits`.
- Record keys are routed on the path as sent, one segment each, then percent-decoded: a
  `%2F` inside `eid:A%2FB` belongs to the key (RFC 3986 2.2) rather than splitting the path.
  Such a key is still not a valid external id ("letters, numbers, underscore (_), and
  hyphen (-)", Using External IDs): reads answer 404, upserts 400 INVALID_CONTENT.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import unquote_to_bytes

from werkzeug.routing import BaseConverter, Map, Rule
from werkzeug.wrappers import Request, Response

from sandboxes.common import SandboxApp, json_response
from sandboxes.netsuite.auth import Credentials, TokenAuthenticator, path_as_sent
from sandboxes.netsuite.errors import (
    ERROR_CONTENT_TYPE,
    NetSuiteError,
    invalid_content,
    not_found,
    problem,
)
from sandboxes.netsuite.events import EVENT_TYPES, EventEmitter, WebhookTarget
from sandboxes.netsuite.query import parse_query
from sandboxes.netsuite.records import ITEM_RECORD_TYPES, Account, iso
from sandboxes.netsuite.render import Renderer
from sandboxes.netsuite.suiteql import invalid_suiteql, parse_suiteql

RECORD = "/services/rest/record/v1"
SUITEQL = "/services/rest/query/v1/suiteql"
SINGULAR = "application/vnd.oracle.resource+json; type=singular"
COLLECTION = "application/vnd.oracle.resource+json; type=collection"
ITEM_TYPES = ",".join(ITEM_RECORD_TYPES.values())
MAX_PAGE = 1000

DEFAULT_CREDENTIALS = Credentials(
    account_id="1234567_SB1",
    consumer_key="sandbox-consumer-key",
    consumer_secret="sandbox-consumer-secret",
    token_id="sandbox-token-id",
    token_secret="sandbox-token-secret",
)


class RecordKeyConverter(BaseConverter):
    """A plain `<name>` segment: routed as sent (see `_serve`), then percent-decoded as UTF-8."""

    def to_python(self, value: str) -> str:
        return unquote_to_bytes(value.encode("latin-1")).decode("utf-8", "replace")


def _rules() -> list[Rule]:
    order = f"{RECORD}/salesOrder/<order_id>"
    customer = f"{RECORD}/customer/<customer_id>"
    return [
        Rule(f"{RECORD}/salesOrder", endpoint="list_sales_orders", methods=["GET"]),
        Rule(f"{RECORD}/salesOrder", endpoint="create_sales_order", methods=["POST"]),
        Rule(order, endpoint="get_sales_order", methods=["GET"]),
        Rule(order, endpoint="update_sales_order", methods=["PATCH"]),
        Rule(order, endpoint="delete_sales_order", methods=["DELETE"]),
        Rule(order, endpoint="upsert_sales_order", methods=["PUT"]),
        Rule(f"{order}/item", endpoint="get_sales_order_lines", methods=["GET"]),
        Rule(f"{order}/item/<int:line>", endpoint="get_sales_order_line", methods=["GET"]),
        Rule(f"{RECORD}/customer", endpoint="list_customers", methods=["GET"]),
        Rule(f"{RECORD}/customer", endpoint="create_customer", methods=["POST"]),
        Rule(customer, endpoint="get_customer", methods=["GET"]),
        Rule(customer, endpoint="update_customer", methods=["PATCH"]),
        Rule(customer, endpoint="delete_customer", methods=["DELETE"]),
        Rule(customer, endpoint="upsert_customer", methods=["PUT"]),
        Rule(f"{RECORD}/<any({ITEM_TYPES}):record_type>", endpoint="list_items", methods=["GET"]),
        Rule(
            f"{RECORD}/<any({ITEM_TYPES}):record_type>/<item_id>",
            endpoint="get_item",
            methods=["GET"],
        ),
        Rule(SUITEQL, endpoint="suiteql", methods=["POST"]),
        Rule(
            "/services/rest/system/v1/governanceLimits",
            endpoint="get_governance_limits",
            methods=["GET"],
        ),
        Rule(f"{RECORD}/<path:rest>", endpoint="unknown_record_type", methods=["GET", "POST"]),
    ]


class NetSuiteSandbox(SandboxApp):
    name: ClassVar[str] = "netsuite"
    rules: ClassVar[list[Rule]] = _rules()

    def __init__(
        self,
        credentials: Credentials = DEFAULT_CREDENTIALS,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.credentials = credentials
        # Late-bound: the base class makes `self.clock` from `clock`.
        self.authenticator = TokenAuthenticator(credentials, clock=lambda: self.clock.timestamp())
        self.events = EventEmitter(credentials.account_id, clock=lambda: self.clock.timestamp())
        self.concurrency_limit = 15
        self.patch_event_type = "xedit"
        self._in_flight = 0
        self._gate = threading.Lock()
        self._host_url = f"https://{credentials.account_id.lower().replace('_', '-')}"
        self._host_url += ".suitetalk.api.netsuite.com"
        super().__init__(clock)
        self._url_map = Map(
            [rule.empty() for rule in self.rules], converters={"default": RecordKeyConverter}
        )

    # -- SandboxApp ------------------------------------------------------------------------

    def reset(self) -> None:
        self.account = Account(self.credentials.account_id, self.clock)
        self.authenticator.reset()
        self.events.clear()

    def connection(self, base_url: str) -> dict[str, Any]:
        creds = self.credentials
        return {
            "account_id": creds.account_id,
            "realm": creds.account_id,
            "consumer_key": creds.consumer_key,
            "consumer_secret": creds.consumer_secret,
            "token_id": creds.token_id,
            "token_secret": creds.token_secret,
            "signature_method": "HMAC-SHA256",
            "rest_base_url": f"{base_url}/services/rest",
            "record_base_url": f"{base_url}{RECORD}",
        }

    def configure(self, options: dict[str, Any]) -> dict[str, Any]:
        if "concurrency_limit" in options:
            self.concurrency_limit = int(options["concurrency_limit"])
        if "timestamp_tolerance_seconds" in options:
            self.authenticator.tolerance_seconds = int(options["timestamp_tolerance_seconds"])
        if "patch_event_type" in options:
            self.patch_event_type = str(options["patch_event_type"])
        if "events_enabled" in options:
            self.events.enabled = bool(options["events_enabled"])
        if "webhook_url" in options:
            url = options["webhook_url"]
            self.events.target = url and WebhookTarget(
                url=url,
                secret=options.get("webhook_secret") or "",
                verify=options.get("webhook_verify", True),
                timeout_seconds=float(options.get("webhook_timeout_seconds", 45.0)),
            )
        return self.settings()

    def settings(self) -> dict[str, Any]:
        target = self.events.target
        return {
            "concurrency_limit": self.concurrency_limit,
            "timestamp_tolerance_seconds": self.authenticator.tolerance_seconds,
            "events_enabled": self.events.enabled,
            "patch_event_type": self.patch_event_type,
            "webhook_url": target.url if target else None,
            "webhook_timeout_seconds": target.timeout_seconds if target else None,
        }

    def seed(self, data: dict[str, Any]) -> dict[str, Any]:
        account = self.account
        if "company" in data:
            account.subsidiaries["1"] = data["company"].get("name", "Parent Company")
            account.currencies["1"] = data["company"].get("currency", "USD")
        created: dict[str, list[str]] = {"employees": [], "customers": [], "items": []}
        for employee in data.get("employees", []):
            created["employees"].append(account.add_employee(employee))
        for item in data.get("items", []):
            created["items"].append(account.add_item(item))
        for customer in data.get("customers", []):
            fields = {k: v for k, v in customer.items() if k != "id"}
            wanted = str(customer["id"]) if customer.get("id") else None
            created["customers"].append(account.create_customer(fields, wanted))
        created["salesOrders"] = [
            self._seed_order(order, emit=data.get("emit_events", True))
            for order in data.get("salesOrders", [])
        ]
        for entry in data.get("deletedRecords", []):
            account.log_deletion(entry)
        return created

    def _seed_order(self, order: dict[str, Any], emit: bool) -> str:
        fields = {k: v for k, v in order.items() if k != "id"}
        order_id = self.account.create_order(fields, str(order["id"]) if order.get("id") else None)
        if emit:
            self._emit(order_id, "create")
        return order_id

    def snapshot(self) -> dict[str, Any]:
        render = Renderer(self.account, self._host_url)
        return {
            "account_id": self.credentials.account_id,
            "config": self.settings(),
            "in_flight": self._in_flight,
            "customers": [render.customer(c, True) for c in self.account.customers.values()],
            "items": [render.item(i) for i in self.account.items.values()],
            "salesOrders": [render.sales_order(o, True) for o in self.account.orders.values()],
            "deletedRecords": [
                {**entry, "deleteddate": iso(entry["deleteddate"])}
                for entry in self.account.deleted_records
            ],
            "deliveries": self.events.history(),
            "auth_refusals": list(self.authenticator.refusals),
        }

    def error_body(self, status: int, message: str) -> Any:
        return problem(status, [{"detail": message, "o:errorCode": "INVALID_REQUEST"}])

    # -- the gate every REST call passes: concurrency, then TBA -------------------------------

    def _serve(self, request: Request, environ: dict[str, Any]) -> tuple[Response, str]:
        if not request.path.startswith("/services/rest/"):
            return super()._serve(request, environ)
        if not self._enter():
            return _too_many().response(), "(concurrency limit)"
        # Route on the path as sent, so that an escaped "/" stays inside its record key.
        routed = {**environ, "PATH_INFO": path_as_sent(environ), "SCRIPT_NAME": ""}
        try:
            self.authenticator.verify(request)
            with self.lock:
                self._host_url = request.host_url.rstrip("/")
            return super()._serve(request, routed)
        except NetSuiteError as error:
            return error.response(), self._endpoint_name(routed)
        finally:
            self._leave()

    def _enter(self) -> bool:
        with self._gate:
            if self._in_flight >= self.concurrency_limit:
                return False
            self._in_flight += 1
            return True

    def _leave(self) -> None:
        with self._gate:
            self._in_flight -= 1

    def _endpoint_name(self, environ: dict[str, Any]) -> str:
        try:
            endpoint, _ = self._url_map.bind_to_environ(environ).match()
        except Exception:
            return "(unrouted)"
        return str(endpoint)

    # -- sales orders ------------------------------------------------------------------------

    def list_sales_orders(self, request: Request) -> Response:
        with self.lock:
            orders = self.account.orders.values()
            ids = self._matching(request, orders, self.account.order_filter_values)
            return self._collection(request, "salesOrder", ids)

    def create_sales_order(self, request: Request) -> Response:
        body = _json_body(request)
        with self.lock:
            order_id = self.account.create_order(body)
            self._emit(order_id, "create")
        return _no_content(request, f"salesOrder/{order_id}")

    def get_sales_order(self, request: Request, order_id: str) -> Response:
        with self.lock:
            order = self.account.find(self.account.orders, order_id, request.path)
            return _singular(self._renderer(request).sales_order(order, _expand(request)))

    def update_sales_order(self, request: Request, order_id: str) -> Response:
        body = _json_body(request)
        with self.lock:
            order = self.account.find(self.account.orders, order_id, request.path)
            self.account.update_order(order, body, _replaced_sublists(request))
            self._emit(order["id"], self.patch_event_type)
        return _no_content(request, f"salesOrder/{order['id']}")

    def delete_sales_order(self, request: Request, order_id: str) -> Response:
        with self.lock:
            order = self.account.find(self.account.orders, order_id, request.path)
            deleted = self.account.delete_order(order, context="WEBSERVICES")
            # The delete event and the deletion log carry the same moment.
            self.events.emit(order["id"], "delete", iso(deleted["deleteddate"]))
        return Response(status=204)

    def upsert_sales_order(self, request: Request, order_id: str) -> Response:
        external_id = _external_id(order_id)
        body = {**_json_body(request), "externalId": external_id}
        with self.lock:
            existing = self.account.by_external_id(self.account.orders, external_id)
            if existing is None:
                new_id = self.account.create_order(body)
                self._emit(new_id, "create")
            else:
                new_id = existing["id"]
                # NetSuite documents ?replace= for POST and PATCH; honouring it on an upsert
                # too is our choice, so a repeated upsert with lines keeps one set of lines.
                self.account.update_order(existing, body, _replaced_sublists(request))
                self._emit(new_id, "edit")
        return _no_content(request, f"salesOrder/{new_id}")

    def get_sales_order_lines(self, request: Request, order_id: str) -> Response:
        with self.lock:
            order = self.account.find(self.account.orders, order_id, request.path)
            return _collection_response(self._renderer(request).order_lines(order, True))

    def get_sales_order_line(self, request: Request, order_id: str, line: int) -> Response:
        with self.lock:
            order = self.account.find(self.account.orders, order_id, request.path)
            for candidate in order["lines"]:
                if candidate["line"] == line:
                    return _singular(self._renderer(request).order_line(order, candidate))
        raise NetSuiteError(
            404, "NONEXISTENT_ID", "The sublist line does not exist.", url_path=request.path
        )

    # -- customers ---------------------------------------------------------------------------

    def list_customers(self, request: Request) -> Response:
        with self.lock:
            customers = self.account.customers.values()
            ids = self._matching(request, customers, self.account.customer_filter_values)
            return self._collection(request, "customer", ids)

    def create_customer(self, request: Request) -> Response:
        body = _json_body(request)
        with self.lock:
            customer_id = self.account.create_customer(body)
        return _no_content(request, f"customer/{customer_id}")

    def get_customer(self, request: Request, customer_id: str) -> Response:
        with self.lock:
            customer = self.account.find(self.account.customers, customer_id, request.path)
            return _singular(self._renderer(request).customer(customer, _expand(request)))

    def update_customer(self, request: Request, customer_id: str) -> Response:
        body = _json_body(request)
        with self.lock:
            customer = self.account.find(self.account.customers, customer_id, request.path)
            self.account.update_customer(customer, body)
        return _no_content(request, f"customer/{customer['id']}")

    def upsert_customer(self, request: Request, customer_id: str) -> Response:
        external_id = _external_id(customer_id)
        body = {**_json_body(request), "externalId": external_id}
        with self.lock:
            existing = self.account.by_external_id(self.account.customers, external_id)
            if existing is None:
                new_id = self.account.create_customer(body)
            else:
                new_id = existing["id"]
                self.account.update_customer(existing, body)
        return _no_content(request, f"customer/{new_id}")

    def delete_customer(self, request: Request, customer_id: str) -> Response:
        with self.lock:
            customer = self.account.find(self.account.customers, customer_id, request.path)
            if any(o["entity"] == customer["id"] for o in self.account.orders.values()):
                raise NetSuiteError(
                    400,
                    "USER_ERROR",
                    "This record cannot be deleted because it has dependent records.",
                )
            del self.account.customers[customer["id"]]
        return Response(status=204)

    # -- items and system ----------------------------------------------------------------

    def list_items(self, request: Request, record_type: str) -> Response:
        with self.lock:
            items = [
                i
                for i in self.account.items.values()
                if ITEM_RECORD_TYPES[i["itemType"]] == record_type
            ]
            ids = self._matching(request, items, self.account.customer_filter_values)
            return self._collection(request, record_type, ids)

    def get_item(self, request: Request, record_type: str, item_id: str) -> Response:
        with self.lock:
            item = self.account.find(self.account.items, item_id, request.path)
            if ITEM_RECORD_TYPES[item["itemType"]] != record_type:
                raise not_found(request.path)
            return _singular(self._renderer(request).item(item))

    def suiteql(self, request: Request) -> Response:
        """SuiteQL over the deletion log; see `sandboxes.netsuite.suiteql` for what it reads."""
        body = _json_body(request)
        text = body.get("q")
        if not isinstance(text, str) or not text.strip():
            raise invalid_suiteql("The query is empty.")
        limit = _int_param(request, "limit", MAX_PAGE, 1, MAX_PAGE)
        offset = _int_param(request, "offset", 0, 0, None)
        query = parse_suiteql(text)
        with self.lock:
            rows = query.run(self.account.deleted_records)
        page = rows[offset : offset + limit]
        return _collection_response(
            {
                "links": _suiteql_links(request.host_url.rstrip("/"), len(rows), limit, offset),
                "count": len(page),
                "hasMore": offset + limit < len(rows),
                "items": [{"links": [], **row} for row in page],
                "offset": offset,
                "totalResults": len(rows),
            }
        )

    def get_governance_limits(self, request: Request) -> Response:
        # Field names after the help page's three values; the exact JSON is UNCONFIRMED.
        return json_response(
            {
                "accountConcurrencyLimit": self.concurrency_limit,
                "accountUnallocatedConcurrencyLimit": self.concurrency_limit,
                "limitType": "accountLimit",
            }
        )

    def unknown_record_type(self, request: Request, rest: str) -> Response:
        record_type = rest.split("/", 1)[0]
        raise NetSuiteError(
            404,
            "NONEXISTENT_ID",
            f"Record type '{record_type}' does not exist.",
            url_path=request.path,
        )

    # -- shared pieces ---------------------------------------------------------------------

    def _renderer(self, request: Request) -> Renderer:
        return Renderer(self.account, request.host_url)

    def _matching(self, request: Request, records: Any, values_of: Any) -> list[str]:
        views = [(r["id"], values_of(r)) for r in records]
        query = request.args.get("q")
        if query:
            fields = set().union(*(v.keys() for _, v in views)) if views else set()
            fields |= {"lastmodifieddate", "id", "externalid"}
            matches = parse_query(query, fields)
            views = [(i, v) for i, v in views if matches(v)]
        return sorted((i for i, _ in views), key=lambda i: (len(i), i))

    def _collection(self, request: Request, record_type: str, ids: list[str]) -> Response:
        limit = _int_param(request, "limit", MAX_PAGE, 1, MAX_PAGE)
        offset = _int_param(request, "offset", 0, 0, None)
        page = Renderer(self.account, request.host_url).collection(
            record_type, ids, limit, offset, request.args.get("q")
        )
        return _collection_response(page)

    def _emit(self, order_id: str, event_type: str, deleted: bool = False) -> dict[str, Any] | None:
        order = self.account.orders.get(order_id)
        moment = self.clock() if deleted or order is None else order["lastModifiedDate"]
        stamp = iso(moment)
        return self.events.emit(order_id, event_type, stamp)

    # -- admin extras ------------------------------------------------------------------------

    def admin_action(self, method: str, action: str, body: Any) -> Response | None:
        match (method, action):
            case ("POST", "emit"):
                return self._admin_emit(body or {})
            case ("POST", "edit"):
                return self._admin_edit(body or {})
            case ("POST", "flush"):
                flushed = self.events.flush(float((body or {}).get("timeout", 10)))
                return json_response({"flushed": flushed, "deliveries": self.events.history()})
            case ("GET", "deliveries"):
                return json_response(self.events.history())
        return None

    def _admin_emit(self, body: dict[str, Any]) -> Response:
        event_type = body.get("eventType", "edit")
        if event_type not in EVENT_TYPES:
            return json_response({"error": f"eventType must be one of {EVENT_TYPES}"}, 400)
        with self.lock:
            event = self._emit(str(body.get("id")), event_type)
        return json_response({"event": event})

    def _admin_edit(self, body: dict[str, Any]) -> Response:
        same_second = body.get("sameSecond") is True
        with self.lock:
            try:
                order = self.account.find(self.account.orders, str(body.get("id")), "admin")
                # `replace` names sublists given whole, as `?replace=item` does on PATCH
                replace = {str(name) for name in body.get("replace", [])}
                before = order.get("lastModifiedDate")
                self.account.update_order(order, body.get("fields", {}), replace)
            except NetSuiteError as error:
                return error.response()
            if same_second and before is not None:
                order["lastModifiedDate"] = before  # a second save within the same second
            event = self._emit(order["id"], "edit")
        return json_response({"event": event})


# -- responses --------------------------------------------------------------------------------


def _suiteql_links(host: str, total: int, limit: int, offset: int) -> list[dict[str, str]]:
    """Paging links as the record collections give them (Collection Paging)."""

    def href(at: int) -> str:
        return f"{host}{SUITEQL}?limit={limit}&offset={at}"

    links = []
    if offset > 0:
        links.append({"rel": "first", "href": href(0)})
        links.append({"rel": "prev", "href": href(max(0, offset - limit))})
    if offset + limit < total:
        links.append({"rel": "next", "href": href(offset + limit)})
        links.append({"rel": "last", "href": href(max(0, (total - 1) // limit * limit))})
    links.append({"rel": "self", "href": href(offset)})
    return links


def _replaced_sublists(request: Request) -> set[str]:
    return {name.strip() for name in request.args.get("replace", "").split(",") if name}


def _too_many() -> NetSuiteError:
    return NetSuiteError(
        429,
        "SSS_REQUEST_LIMIT_EXCEEDED",
        "Concurrent request limit exceeded. Request blocked.",
    )


def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(request.get_data() or b"null")
    except ValueError as exc:
        raise invalid_content() from exc
    if not isinstance(body, dict):
        raise invalid_content()
    return body


def _external_id(key: str) -> str:
    """Upsert names its record by external id only (PUT .../eid:<externalId>)."""
    if not key.startswith("eid:") or not key[4:]:
        raise NetSuiteError(
            400,
            "INVALID_REQUEST",
            "The upsert operation is supported only with an external ID in the request URL.",
        )
    return key[4:]


def _expand(request: Request) -> bool:
    return request.args.get("expandSubResources", "false").lower() == "true"


def _int_param(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
        bounds = f"between {low} and {high}" if high else f"at least {low}"
        raise NetSuiteError(
            400,
            "INVALID_PARAMETER",
            f"Invalid query parameter value. The '{name}' parameter must be {bounds}.",
            query_param=name,
        )
    return int(raw)


def _singular(body: dict[str, Any]) -> Response:
    response = json_response(body)
    response.content_type = SINGULAR
    return response


def _collection_response(body: dict[str, Any]) -> Response:
    response = json_response(body)
    response.content_type = COLLECTION
    return response


def _no_content(request: Request, path: str) -> Response:
    return Response(
        status=204, headers={"Location": f"{request.host_url.rstrip('/')}{RECORD}/{path}"}
    )


__all__ = ["DEFAULT_CREDENTIALS", "ERROR_CONTENT_TYPE", "NetSuiteSandbox"]
