"""The Unleashed API client: signed requests, paging, and what each failure means.

Authentication (apidocs.unleashedsoftware.com/AuthenticationHelp): every request carries
`api-auth-id` (the API id) and `api-auth-signature` = Base64(HMAC-SHA256(key = the API key,
message = the query string exactly as sent, without `?`; the empty string when there is
none)), plus `Accept: application/json` and `client-type` (required since 30 June 2025, API
change log). The signature is computed from the URL httpx actually sends (already
percent-encoded), never from the parameters before encoding: Unleashed compares it with the
raw query string.

Paging (apidocs "Pagination"): `GET /{Resource}/{page}?pageSize=N`, N at most 1000; the answer
is `{"Pagination": {"NumberOfPages", ...}, "Items": [...]}`. `items()` reads every page.

| Unleashed answers (after shared.http's retries with backoff)  | the client raises             |
|---------------------------------------------------------------|-------------------------------|
| 429 with a Retry-After over an hour (the monthly quota spent) | QuotaExhausted (hold the work)|
| 429 otherwise, 5xx, timeouts, dropped connections             | RetryableError                |
| 401 / 403 (bad id, key or client-type)                        | ConfigurationError (secret)   |
| 404 on a read                                                 | nothing: `get` answers None   |
| 400 and any other 4xx                                         | PermanentError + Description  |

GETs are retried by the transport; a POST is retried only when the caller marks it
idempotent (a create keyed by a caller-chosen Guid, `POST /SalesOrders/{guid}`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Generator
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from shared.errors import (
    BudgetExhausted,
    ConfigurationError,
    PermanentError,
    RetryableError,
)
from shared.http import (
    idempotent,
    is_tls_verification_failure,
    make_client,
    retry_after_seconds,
    tls_verification_failed,
)
from shared.observability import vendor_message

MAX_PAGE_SIZE = 1000
# A rate-limit 429 asks for seconds; the spent monthly quota answers the time left until the
# 1st of next month. Anything above this is the quota: holding the work beats burning retries.
QUOTA_RETRY_AFTER_SECONDS = 3600.0


class QuotaExhausted(BudgetExhausted):
    """The account's monthly API quota is spent: every call is refused until it resets."""

    code = "unleashed_quota_exhausted"


class UnleashedCredentials(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    base_url: str = "https://api.unleashedsoftware.com"
    api_id: str
    api_key: SecretStr
    client_type: str = "salesbridge/sync"


def signature(query_string: str, api_key: str) -> str:
    """Base64(HMAC-SHA256(API key, query string without '?')), as Unleashed documents it."""
    digest = hmac.new(api_key.encode(), query_string.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class UnleashedAuth(httpx.Auth):
    """Signs each request from the query string it will send."""

    def __init__(self, credentials: UnleashedCredentials) -> None:
        self._credentials = credentials

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        query = request.url.query.decode("ascii")
        request.headers["api-auth-id"] = self._credentials.api_id
        request.headers["api-auth-signature"] = signature(
            query, self._credentials.api_key.get_secret_value()
        )
        yield request


class UnleashedClient:
    """One Unleashed account. `api_calls` counts the requests made (benchmarks read it)."""

    def __init__(
        self,
        credentials: UnleashedCredentials,
        *,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.credentials = credentials
        headers = {
            "Accept": "application/json",
            "client-type": credentials.client_type,
        }
        kwargs: dict[str, Any] = {"sleep": sleep} if sleep else {}
        self.http = http or make_client(
            credentials.base_url, auth=UnleashedAuth(credentials), headers=headers, **kwargs
        )
        self.api_calls = 0

    def items(self, resource: str, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """Every item of a paged resource (one request per page of up to 1000)."""
        found: list[dict[str, Any]] = []
        page = 1
        while True:
            answer = self._send(
                "GET", f"/{resource}/{page}", {**(params or {}), "pageSize": str(MAX_PAGE_SIZE)}
            )
            body = _json(answer)
            found.extend(body.get("Items") or [])
            pages = int((body.get("Pagination") or {}).get("NumberOfPages") or 0)
            if page >= pages:
                return found
            page += 1

    def get(self, path: str, params: dict[str, str] | None = None) -> dict[str, Any] | None:
        answer = self._send("GET", path, params, missing_ok=True)
        return None if answer is None else _json(answer)

    def post(self, path: str, body: dict[str, Any], *, keyed: bool) -> dict[str, Any]:
        """POST `body`; `keyed`: the path names a caller-chosen Guid, so repeating is safe."""
        answer = self._send("POST", path, None, body=body, keyed=keyed)
        return _json(answer)

    def put(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """PUT `body`: an update with the values to hold, so repeating it is safe."""
        answer = self._send("PUT", path, None, body=body, keyed=True)
        return _json(answer)

    # -- the wire --------------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        params: dict[str, str] | None,
        *,
        body: dict[str, Any] | None = None,
        keyed: bool = False,
        missing_ok: bool = False,
    ) -> Any:
        self.api_calls += 1
        try:
            response = self.http.request(
                method,
                path,
                params=params,
                json=body,
                extensions=idempotent() if keyed else None,
            )
        except httpx.TransportError as exc:
            if is_tls_verification_failure(exc):
                raise tls_verification_failed(self.credentials.base_url, exc) from exc
            raise RetryableError(f"Unleashed did not answer {method} {path}: {exc!r}") from exc
        if response.status_code == 404 and missing_ok:
            return None
        if response.is_success:
            return response
        raise _translated(method, path, response)


def _translated(method: str, path: str, response: httpx.Response) -> Exception:
    status = response.status_code
    described = _description(response)
    what = f"Unleashed answered {status} to {method} {path}: {described}"
    if status == 429:
        wait = retry_after_seconds(response)
        if wait is not None and wait > QUOTA_RETRY_AFTER_SECONDS:
            return QuotaExhausted(
                f"the Unleashed monthly API quota is spent: {described}", retry_after=wait
            )
        return RetryableError(what, retry_after=wait)
    if status >= 500 or status == 408:
        return RetryableError(what, retry_after=retry_after_seconds(response))
    if status in (401, 403):
        return ConfigurationError(f"{what} (check the API id, key and client-type in the secret)")
    return PermanentError(what)


def _description(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase or "no description"
    if isinstance(body, dict) and body.get("Description"):
        return vendor_message(str(body["Description"]))
    return response.reason_phrase or "no description"


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise RetryableError(f"Unleashed answered {response.status_code} without JSON") from None
    return body if isinstance(body, dict) else {}


def client_from_secret(secret: dict[str, Any]) -> UnleashedClient:
    try:
        return UnleashedClient(UnleashedCredentials.model_validate(secret))
    except ValidationError as exc:
        fields = ", ".join(sorted({".".join(map(str, e["loc"])) for e in exc.errors()}))
        raise ConfigurationError(
            f"the Unleashed connection secret lacks or mistypes: {fields}"
        ) from None
