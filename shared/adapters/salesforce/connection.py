"""Salesforce connections: OAuth 2.0 (JWT bearer or client credentials) + simple-salesforce.

The retired username + password + security-token login is deliberately not supported.
A token is fetched once per container and cached; a 401 (`INVALID_SESSION_ID`) refreshes it
once and repeats the call, and a second 401 is a retryable error. Importing this module pulls
in simple-salesforce (about 250 ms), so only workers import it, never receivers.

The token request is made here rather than through simple-salesforce's own JWT login because
that login builds `https://<domain>.salesforce.com` URLs, which cannot point at a My Domain
token URL with a port (the local sandbox) - and the code path must be the same everywhere.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

import jwt
import requests
from pydantic import BaseModel, ConfigDict, Field, model_validator
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceExpiredSession

from shared.deadline import call_timeout
from shared.errors import ConfigurationError, PermanentError, RetryableError
from shared.http import tls_verification_failed

DEFAULT_API_VERSION = "61.0"
JWT_LIFETIME_SECONDS = 180  # Salesforce accepts at most 3 minutes ahead
TOKEN_TIMEOUT_SECONDS = 20.0
T = TypeVar("T")


class SalesforceCredentials(BaseModel):
    """The Salesforce connection secret (JSON in Secrets Manager)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    auth: Literal["jwt", "client_credentials"] = "jwt"
    login_url: str = Field(description="https://login.salesforce.com, test., or My Domain URL")
    consumer_key: str
    username: str | None = Field(None, description="the integration user (JWT bearer)")
    private_key_pem: str | None = Field(None, description="signs the JWT (JWT bearer)")
    consumer_secret: str | None = Field(None, description="client credentials flow")
    api_version: str = DEFAULT_API_VERSION
    audience: str | None = Field(None, description="JWT aud; defaults to login_url")

    @model_validator(mode="after")
    def _flow_has_its_fields(self) -> SalesforceCredentials:
        if self.auth == "jwt" and not (self.username and self.private_key_pem):
            raise ValueError("JWT bearer needs username and private_key_pem")
        if self.auth == "client_credentials" and not self.consumer_secret:
            raise ValueError("client credentials needs consumer_secret")
        return self


@dataclass(frozen=True)
class Token:
    access_token: str
    instance_url: str


def fetch_token(
    credentials: SalesforceCredentials, http: requests.Session, now: float | None = None
) -> Token:
    """`now` (unix seconds, default the clock) dates the JWT assertion's `exp`."""
    url = credentials.login_url.rstrip("/") + "/services/oauth2/token"
    if credentials.auth == "jwt":
        now = int(time.time() if now is None else now)
        assertion = jwt.encode(
            {
                "iss": credentials.consumer_key,
                "sub": credentials.username,
                "aud": credentials.audience or credentials.login_url.rstrip("/"),
                "exp": now + JWT_LIFETIME_SECONDS,
            },
            credentials.private_key_pem or "",
            algorithm="RS256",
        )
        data = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}
        auth = None
    else:
        data = {"grant_type": "client_credentials"}
        auth = (credentials.consumer_key, credentials.consumer_secret or "")
    try:
        timeout = call_timeout(TOKEN_TIMEOUT_SECONDS, "the Salesforce token request")
        response = http.post(url, data=data, auth=auth, timeout=timeout)
    except requests.exceptions.SSLError as exc:
        # Not transient: the certificate or the configured CA is wrong.
        raise tls_verification_failed(url, exc) from exc
    except requests.RequestException as exc:
        raise RetryableError(f"Salesforce token endpoint unreachable: {exc}") from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise RetryableError(f"Salesforce token endpoint answered {response.status_code}")
    body = _json(response)
    if response.status_code != 200:
        # invalid_grant / invalid_client: a person must fix the connected app or the user.
        raise ConfigurationError(
            "Salesforce refused the OAuth login: "
            f"{body.get('error', response.status_code)}: {body.get('error_description', '')}"
        )
    return Token(access_token=body["access_token"], instance_url=body["instance_url"])


class SalesforceConnection:
    """A cached, self-refreshing simple-salesforce client for one org."""

    def __init__(
        self,
        credentials: SalesforceCredentials,
        *,
        session: requests.Session | None = None,
        token_fetcher: Callable[[SalesforceCredentials, requests.Session], Token] = fetch_token,
    ) -> None:
        self.credentials = credentials
        self.session = session or requests.Session()
        self._fetch = token_fetcher
        self._client: Salesforce | None = None
        self._lock = threading.Lock()

    def client(self) -> Salesforce:
        with self._lock:
            if self._client is None:
                self._client = self._connect()
            return self._client

    def refresh(self) -> Salesforce:
        with self._lock:
            self._client = self._connect()
            return self._client

    def call(self, operation: Callable[[Salesforce], T]) -> T:
        """Run `operation`; on an expired session refresh the token once and run it again."""
        try:
            return operation(self.client())
        except SalesforceExpiredSession:
            pass
        try:
            return operation(self.refresh())
        except SalesforceExpiredSession as exc:
            raise RetryableError("Salesforce session expired again right after a refresh") from exc

    def _connect(self) -> Salesforce:
        token = self._fetch(self.credentials, self.session)
        return Salesforce(
            instance_url=token.instance_url,
            session_id=token.access_token,
            session=self.session,
            version=self.credentials.api_version,
        )


def connection_from_secret(secret: dict[str, Any], ca_bundle: str | None) -> SalesforceConnection:
    try:
        credentials = SalesforceCredentials.model_validate(secret)
    except ValueError as exc:
        raise ConfigurationError(f"Salesforce connection secret is invalid: {exc}") from exc
    session = requests.Session()
    if ca_bundle:
        session.verify = ca_bundle
        # requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a session's `verify`;
        # a CA configured on purpose must win, so the environment is not consulted.
        session.trust_env = False
    return SalesforceConnection(credentials, session=session)


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise PermanentError(
            f"Salesforce token endpoint answered {response.status_code} without JSON"
        ) from None
    return body if isinstance(body, dict) else {}


class Connection(Protocol):
    """What the Salesforce adapters need of `SalesforceConnection` (tests pass fakes)."""

    credentials: SalesforceCredentials

    def call(self, operation: Callable[[Salesforce], T]) -> T: ...


def next_page(url: str, timeout: float) -> Callable[[Salesforce], Any]:
    """The operation reading the next page of a query answer (`nextRecordsUrl`)."""
    return lambda sf: sf.query_more(url, identifier_is_url=True, timeout=timeout)


def all_rows(
    answer: dict[str, Any] | None, read_page: Callable[[str], dict[str, Any]]
) -> list[dict[str, Any]]:
    """Every row of a query or subquery answer (Salesforce answers null for a subquery with
    no rows), reading further pages with `read_page(nextRecordsUrl)` only while it says there
    are more (each read is a call the adapter counts)."""
    if not answer:
        return []
    rows = list(answer.get("records") or [])
    while not answer.get("done", True) and answer.get("nextRecordsUrl"):
        answer = read_page(answer["nextRecordsUrl"])
        rows.extend(answer.get("records") or [])
    return rows
