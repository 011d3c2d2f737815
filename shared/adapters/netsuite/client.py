"""The NetSuite adapter: REST Record API over Token-Based Authentication, answering typed records.

Every wire detail lives here: URLs, signing (`shared.adapters.netsuite.oauth`), paging, the
`q` filter syntax, JSON shapes, and what each failure means for the caller:

| NetSuite answers (after the transport's own retries)  | the adapter raises                 |
|-------------------------------------------------------|------------------------------------|
| 429 SSS_REQUEST_LIMIT_EXCEEDED (concurrency), 5xx,     | RetryableError (retry_after from   |
| timeouts, connection failures                          | a Retry-After header, if any)      |
| 401 INVALID_LOGIN                                      | ConfigurationError (the secret)    |
| 403                                                    | ConfigurationError (the role)      |
| 404 on a read                                          | nothing: the method answers None   |
| 404 on a write                                         | NotFound                           |
| 400 and any other 4xx                                  | PermanentError with o:errorCode,   |
|                                                        | detail and o:errorPath             |
| a TLS certificate we do not trust                      | ConfigurationError                 |

Reads are GETs, which the transport retries; PATCH and PUT are marked `idempotent()` (a PATCH
sets fields to values, a PUT by external id creates-or-updates), so they are retried too.
Each attempt is signed afresh (see `shared.adapters.netsuite.oauth`): NetSuite refuses a
reused nonce.
Secrets never reach a message or a log line: errors quote NetSuite's detail, not the request.

Call costs: `sales_order`, `customer`, `update_sales_order`, `upsert_sales_order` are one
request each; `sales_orders_modified_since` is one request per page of ids;
`sales_orders_deleted_since` is one SuiteQL request per page of up to 1,000 deletions.

SuiteQL (`POST /services/rest/query/v1/suiteql`, `Prefer: transient`, `{"q": ...}`, paged
by `limit`/`offset` in the URL; NetSuite help "Executing SuiteQL Queries Through REST Web
Services" and "Collection Paging") reads the `DeletedRecord` table: the deletion log behind
SOAP's getDeleted, which the REST Record API has no collection for. The role needs the
"Deleted Records" permission. The POST only reads, so the transport retries it like a GET.

Where the documentation is silent (choices made here):
- The collection endpoint answers ids and links only ("Record query only returns record IDs
  and HATEOAS links"), so `sales_orders_modified_since` yields ids; the caller reads each order.
- `q` dates go through N/query, which reads them in the integration user's date/time format
  and time zone preferences rather than ISO 8601. NetSuite's defaults are M/D/YYYY and h:mm a;
  both, and the time zone, are settings of the secret (`query_datetime_format`,
  `query_time_zone`). The moment is floored to the minute, so ON_OR_AFTER never misses a change
  within the minute (the caller sees a few orders twice and skips them by version).
- Pages step by `limit` (offset = n * limit) until `hasMore` is false.
- An upsert whose body carries `item` lines asks `?replace=item`, so repeating it replaces the
  lines rather than appending them again (NetSuite documents `replace` for POST and PATCH; its
  effect on PUT is UNCONFIRMED).
- SuiteQL date-times: a selected date-time reads in the user's date format, so the query
  selects `TO_CHAR(deleteddate, 'YYYY-MM-DD HH24:MI:SS')`, and compares with
  `TO_TIMESTAMP(...)`, both in `query_time_zone`. The `type` of a deleted sales order is
  taken to be `salesorder` (SuiteScript's record type id; UNCONFIRMED, see
  `DELETED_SALES_ORDER_TYPE`). Rows come ordered by deletion date and id, as paged
  SuiteQL needs an unambiguous order to neither skip nor repeat rows.
- Addresses: NetSuite may send `country` as `{"id": "US", "refName": ...}` or as a code; both
  become the code.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from shared.adapters.netsuite.oauth import SigningTransport, TokenSigner
from shared.errors import (
    ConfigurationError,
    FieldProblem,
    NotFound,
    PermanentError,
    RetryableError,
    SalesbridgeError,
)
from shared.http import (
    RetryPolicy,
    idempotent,
    is_tls_verification_failure,
    make_client,
    retry_after_seconds,
    tls_verification_failed,
)
from shared.netsuite_records import Address, Customer, DeletedRecord, SalesOrder
from shared.observability import vendor_message

RECORD_PATH = "/record/v1"
SUITEQL_PATH = "/query/v1/suiteql"
SUITEQL_PAGE = 1000  # the most NetSuite returns in one page
SUITEQL_MOMENT = "%Y-%m-%d %H:%M:%S"  # TO_CHAR / TO_TIMESTAMP 'YYYY-MM-DD HH24:MI:SS'
# How DeletedRecord.type names a sales order: UNCONFIRMED (NetSuite does not list the
# values); SuiteScript's `record.Type.SALES_ORDER` and the user event's recordType use it.
DELETED_SALES_ORDER_TYPE = "salesorder"
DEFAULT_TIMEOUT_SECONDS = 20.0
JSON_HEADERS = {"Content-Type": "application/json"}


class NetsuiteCredentials(BaseModel):
    """The NetSuite connection secret (JSON in Secrets Manager); unknown keys are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    account_id: str = Field(description="e.g. 1234567 or 1234567_SB1 for a sandbox account")
    consumer_key: str
    consumer_secret: str = Field(repr=False)
    token_id: str
    token_secret: str = Field(repr=False)
    rest_base_url: str | None = Field(
        None, description="default https://<account-host>.suitetalk.api.netsuite.com/services/rest"
    )
    ui_base_url: str | None = Field(
        None, description="default https://<account-host>.app.netsuite.com"
    )
    query_datetime_format: str = Field(
        "%m/%d/%Y %I:%M %p", description="the integration user's date and time format (strftime)"
    )
    query_time_zone: str = Field("UTC", description="the integration user's time zone (IANA)")

    @field_validator("query_time_zone")
    @classmethod
    def _known_time_zone(cls, name: str) -> str:
        if name.upper() != "UTC":
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"unknown time zone {name!r}") from exc
        return name

    @property
    def query_zone(self) -> tzinfo:
        return UTC if self.query_time_zone.upper() == "UTC" else ZoneInfo(self.query_time_zone)

    @property
    def realm(self) -> str:
        """The account id as TBA wants it: upper case, sandbox suffix after an underscore."""
        return self.account_id.strip().upper().replace("-", "_")

    @property
    def account_host(self) -> str:
        """The account id as host names spell it: lower case with a hyphen (1234567-sb1)."""
        return self.account_id.strip().lower().replace("_", "-")

    @property
    def services_base_url(self) -> str:
        rest = self.rest_base_url or f"https://{self.account_host}.suitetalk.api.netsuite.com"
        rest = rest.rstrip("/")
        if not rest.endswith("/services/rest"):
            rest += "/services/rest"
        return rest

    @property
    def record_base_url(self) -> str:
        return self.services_base_url + RECORD_PATH

    @property
    def suiteql_url(self) -> str:
        return self.services_base_url + SUITEQL_PATH

    @property
    def app_base_url(self) -> str:
        return (self.ui_base_url or f"https://{self.account_host}.app.netsuite.com").rstrip("/")

    def signer(self) -> TokenSigner:
        return TokenSigner(
            realm=self.realm,
            consumer_key=self.consumer_key,
            consumer_secret=self.consumer_secret,
            token_id=self.token_id,
            token_secret=self.token_secret,
        )


def netsuite_http(
    credentials: NetsuiteCredentials,
    *,
    network: httpx.BaseTransport | None = None,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> httpx.Client:
    """An httpx client rooted at the record API: retries above signing above the network.

    Each attempt is signed afresh, since NetSuite refuses a repeated nonce.
    """
    signer = credentials.signer()
    return make_client(
        credentials.record_base_url,
        timeout=timeout,
        policy=policy,
        sleep=sleep,
        network=network,
        per_attempt=lambda transport: SigningTransport(transport, signer),
    )


def client_from_secret(secret: dict[str, Any], **http_options: Any) -> NetsuiteClient:
    """The adapter for a connection secret (as stored in Secrets Manager or the sandbox's
    `connection()`); `http_options` go to `netsuite_http` (policy, sleep, timeout)."""
    try:
        credentials = NetsuiteCredentials.model_validate(secret)
    except ValidationError as exc:
        missing = ", ".join(".".join(map(str, e["loc"])) for e in exc.errors())
        # `from None`: pydantic's message quotes the input, which holds the secrets.
        raise ConfigurationError(
            f"the NetSuite secret is incomplete or invalid: {missing}"
        ) from None
    return NetsuiteClient(credentials, netsuite_http(credentials, **http_options))


class NetsuiteClient:
    """Sales orders and customers of one NetSuite account, as typed records.

    `http` must sign its requests (build it with `netsuite_http`); by default one is built
    from the credentials. One client per container: it keeps its connections open.
    """

    def __init__(self, credentials: NetsuiteCredentials, http: httpx.Client | None = None) -> None:
        self.credentials = credentials
        self._http = http or netsuite_http(credentials)

    # -- reads ---------------------------------------------------------------------------------

    def sales_order(self, order_id: str) -> SalesOrder | None:
        body = self._read(f"salesOrder/{_segment(order_id)}")
        return None if body is None else _parsed(parse_sales_order, body, f"sales order {order_id}")

    def customer(self, customer_id: str) -> Customer | None:
        body = self._read(f"customer/{_segment(customer_id)}")
        return None if body is None else _parsed(parse_customer, body, f"customer {customer_id}")

    def sales_orders_modified_since(
        self, since: datetime, *, page_size: int = 100
    ) -> Iterator[str]:
        """Ids of the sales orders changed at or after `since` (to the minute), page by page."""
        condition = f'lastModifiedDate ON_OR_AFTER "{self._query_moment(since)}"'
        offset = 0
        while True:
            query = f"q={quote(condition, safe='')}&limit={page_size}&offset={offset}"
            page = self._send("GET", f"salesOrder?{query}", action="list sales orders").json()
            for entry in page.get("items", []):
                yield str(entry["id"])
            if not page.get("hasMore"):
                return
            offset += page_size

    def sales_orders_deleted_since(
        self, since: datetime, *, page_size: int = SUITEQL_PAGE
    ) -> Iterator[DeletedRecord]:
        """Sales orders deleted at or after `since` (to the second), oldest first."""
        moment = self._suiteql_moment(since)
        # Built from constants and a formatted date only: nothing from outside reaches it.
        query = (
            "SELECT recordid, TO_CHAR(deleteddate, 'YYYY-MM-DD HH24:MI:SS') AS deleteddate "  # noqa: S608
            "FROM DeletedRecord "
            f"WHERE type = '{DELETED_SALES_ORDER_TYPE}' "
            f"AND deleteddate >= TO_TIMESTAMP('{moment}', 'YYYY-MM-DD HH24:MI:SS') "
            "ORDER BY deleteddate, recordid"
        )
        for row in self.suiteql(query, page_size=page_size):
            try:
                local = datetime.strptime(str(row["deleteddate"]), SUITEQL_MOMENT)
                yield DeletedRecord(
                    record_id=str(row["recordid"]),
                    deleted_at=local.replace(tzinfo=self.credentials.query_zone).astimezone(UTC),
                )
            except (KeyError, ValueError) as exc:
                raise PermanentError(
                    f"NetSuite's deletion log has a row that does not read as expected: {row}"
                ) from exc

    def suiteql(self, query: str, *, page_size: int = SUITEQL_PAGE) -> Iterator[dict[str, Any]]:
        """The rows of a SuiteQL query (trusted text: callers build it from constants and
        formatted dates, never from outside input), page by page."""
        offset = 0
        while True:
            page = self._send(
                "POST",
                f"{self.credentials.suiteql_url}?limit={page_size}&offset={offset}",
                body={"q": query},
                headers={"Prefer": "transient"},
                retry_safe=True,
                action="run a SuiteQL query",
            ).json()
            for row in page.get("items", []):
                yield {key: value for key, value in row.items() if key != "links"}
            if not page.get("hasMore"):
                return
            offset += page_size

    # -- writes --------------------------------------------------------------------------------

    def update_sales_order(self, order_id: str, fields: dict[str, Any]) -> None:
        """Set the given fields (null clears one); the others stay as they are."""
        self._send(
            "PATCH",
            f"salesOrder/{_segment(order_id)}",
            body=fields,
            action=f"update sales order {order_id}",
        )

    def upsert_sales_order(self, external_id: str, body: dict[str, Any]) -> str:
        """Create or update the order known by `external_id`; answer its internal id."""
        path = f"salesOrder/eid:{_segment(external_id)}"
        if "item" in body:
            path += "?replace=item"
        response = self._send(
            "PUT", path, body=body, action=f"upsert sales order eid:{external_id}"
        )
        location = response.headers.get("Location", "")
        record_id = location.rstrip("/").rsplit("/", 1)[-1]
        if not record_id or record_id.startswith("eid:"):
            raise PermanentError(f"NetSuite answered the upsert of eid:{external_id} without an id")
        return str(record_id)

    # -- links and lifecycle ---------------------------------------------------------------

    def record_url(self, order_id: str) -> str:
        """The order in NetSuite's UI (for the Opportunity's "NetSuite Order Record" field)."""
        return (
            f"{self.credentials.app_base_url}/app/accounting/transactions/salesord.nl"
            f"?id={quote(order_id, safe='')}"
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> NetsuiteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the wire --------------------------------------------------------------------------

    def _read(self, path: str) -> dict[str, Any] | None:
        """One record with its sublists expanded, or None when NetSuite has no such record."""
        try:
            response = self._send("GET", f"{path}?expandSubResources=true", action=f"read {path}")
        except NotFound:
            return None
        body = response.json()
        if not isinstance(body, dict):
            raise PermanentError(f"NetSuite answered {path} with something other than a record")
        return body

    def _send(
        self,
        method: str,
        url: str,
        *,
        action: str,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        retry_safe: bool = False,
    ) -> httpx.Response:
        """`retry_safe`: a POST that only reads (SuiteQL) may be retried like a GET."""
        extensions = idempotent() if retry_safe or method in ("PATCH", "PUT") else None
        content = None if body is None else _json(body)
        headers = {**(JSON_HEADERS if body is not None else {}), **(headers or {})} or None
        try:
            response = self._http.request(
                method, url, content=content, headers=headers, extensions=extensions
            )
        except httpx.TimeoutException as exc:
            raise RetryableError(f"NetSuite did not answer in time ({action})") from exc
        except httpx.TransportError as exc:
            if is_tls_verification_failure(exc):
                raise tls_verification_failed(exc.request.url, exc) from exc
            raise RetryableError(f"NetSuite unreachable ({action}): {exc}") from exc
        if response.is_success:
            return response
        raise translate_error(response, action)

    def _suiteql_moment(self, since: datetime) -> str:
        aware = since if since.tzinfo else since.replace(tzinfo=UTC)
        return aware.astimezone(self.credentials.query_zone).strftime(SUITEQL_MOMENT)

    def _query_moment(self, since: datetime) -> str:
        aware = since if since.tzinfo else since.replace(tzinfo=UTC)
        local = aware.astimezone(self.credentials.query_zone).replace(second=0, microsecond=0)
        return local.strftime(self.credentials.query_datetime_format)


# -- errors ------------------------------------------------------------------------------------


def translate_error(response: httpx.Response, action: str) -> SalesbridgeError:
    """What a refusal means for the caller (see the table in the module docstring)."""
    status = response.status_code
    details = _error_details(response)
    text = "; ".join(_describe(d) for d in details) or f"HTTP {status}"
    if status == 401:
        return ConfigurationError(f"NetSuite refused the token-based login: {text}")
    if status == 403:
        return ConfigurationError(
            f"NetSuite refused to {action}: the integration role lacks permission: {text}"
        )
    if status == 404:
        return NotFound(f"NetSuite could not {action}: {text}")
    if status == 429 or status >= 500:
        return RetryableError(
            f"NetSuite answered {status} to {action}: {text}",
            retry_after=retry_after_seconds(response),
        )
    problems = [
        FieldProblem(d["o:errorPath"], vendor_message(str(d.get("detail", ""))))
        for d in details
        if d.get("o:errorPath")
    ]
    return PermanentError(f"NetSuite refused to {action}: {text}", problems=problems)


def _error_details(response: httpx.Response) -> list[dict[str, Any]]:
    try:
        body = response.json()
    except ValueError:
        return []
    details = body.get("o:errorDetails") if isinstance(body, dict) else None
    return [d for d in details or [] if isinstance(d, dict)]


def _describe(detail: dict[str, Any]) -> str:
    said = vendor_message(str(detail.get("detail", "")))
    text = f"{detail.get('o:errorCode', 'ERROR')}: {said}".strip()
    if detail.get("o:errorPath"):
        text += f" (at {detail['o:errorPath']})"
    return text


# -- parsing -----------------------------------------------------------------------------------


def parse_sales_order(body: dict[str, Any]) -> SalesOrder:
    """REST JSON (with `expandSubResources=true`) -> SalesOrder; lines from item.items."""
    sublist = body.get("item")
    raw_lines = sublist.get("items", []) if isinstance(sublist, dict) else []
    lines = [{**line, "itemType": _ref_id(line.get("itemType"))} for line in raw_lines]
    custom = {key: value for key, value in body.items() if key.startswith("custbody_")}
    return SalesOrder.model_validate({**body, "lines": lines, "custom": custom})


def parse_customer(body: dict[str, Any]) -> Customer:
    """REST JSON -> Customer; addresses are the addressbook's default billing / shipping."""
    book = body.get("addressbook")
    entries = book.get("items", []) if isinstance(book, dict) else []
    return Customer.model_validate(
        {
            **body,
            "billing_address": _default_address(entries, "defaultBilling"),
            "shipping_address": _default_address(entries, "defaultShipping"),
        }
    )


def _default_address(entries: list[dict[str, Any]], flag: str) -> Address | None:
    entry = next((e for e in entries if e.get(flag)), None)
    if entry is None or not isinstance(entry.get("addressbookaddress"), dict):
        return None
    fields = {key: _ref_id(value) for key, value in entry["addressbookaddress"].items()}
    return Address.model_validate(fields)


def _ref_id(value: Any) -> Any:
    """`{"id": "US", "refName": "United States"}` -> "US"; anything else unchanged."""
    return value.get("id") if isinstance(value, dict) else value


def _parsed[T](parse: Callable[[dict[str, Any]], T], body: dict[str, Any], what: str) -> T:
    try:
        return parse(body)
    except ValidationError as exc:
        problems = [
            FieldProblem(".".join(str(p) for p in e["loc"]) or "(root)", e["msg"])
            for e in exc.errors()
        ]
        raise PermanentError(
            f"NetSuite {what} does not read as expected", problems=problems
        ) from exc


def _json(body: dict[str, Any]) -> bytes:
    """The request body; Decimals (as the models carry money) go as JSON numbers."""
    return json.dumps(body, default=_number).encode()


def _number(value: object) -> float:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} cannot be sent to NetSuite as JSON")


def _segment(value: str) -> str:
    """One URL path segment, percent-encoded per RFC 3986: everything but the unreserved
    characters, `/` included, and non-ASCII as UTF-8 octets. The signer covers the path as
    sent (RFC 5849 3.4.1.2), so the escaped form is also what is signed. NetSuite itself
    accepts only letters, digits, `_` and `-` in an external id ("Using External IDs") and
    answers any other with 400 INVALID_CONTENT at externalId, which this escaping lets it say.
    """
    return quote(str(value), safe="")
