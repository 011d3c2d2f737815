"""The one way salesbridge builds HTTP clients for outside systems (httpx).

- Timeouts always: a hung ERP must fail the record, not the whole Lambda run.
- Retries with exponential backoff and jitter for transient answers (429, 502, 503, 504) and
  connection failures, honouring `Retry-After` (seconds or an HTTP date) up to a cap. Only
  for methods that are safe to repeat, unless the caller says the call is idempotent (e.g. a
  create keyed by a caller-chosen GUID). When the attempts run out the last response is
  returned (or the error raised) and the adapter decides what it means.
- Never past the invocation's end (`shared.deadline`): each attempt's timeouts are cut to
  the time left, an attempt that would get too little is not started, and no backoff sleeps
  past it.
- TLS is always verified; `SALESBRIDGE_CA_BUNDLE` adds a local CA (the sandboxes) instead of
  switching verification off.
"""

from __future__ import annotations

import email.utils
import os
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import httpx
from tenacity import RetryCallState, wait_exponential_jitter

from shared.deadline import MIN_CALL_SECONDS, call_timeout, seconds_left
from shared.errors import ConfigurationError

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
IDEMPOTENT_EXTENSION = "salesbridge_idempotent"


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    initial_seconds: float = 0.5
    max_seconds: float = 8.0
    max_retry_after_seconds: float = 30.0  # beyond that, give the record back to the queue


def idempotent() -> dict[str, Any]:
    """Per-request extension marking a non-safe method as safe to repeat."""
    return {IDEMPOTENT_EXTENSION: True}


def retry_after_seconds(response: httpx.Response, now: float | None = None) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class RetryingTransport(httpx.BaseTransport):
    def __init__(
        self,
        inner: httpx.BaseTransport,
        policy: RetryPolicy,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._inner = inner
        self._policy = policy
        self._sleep = sleep
        self._backoff = wait_exponential_jitter(
            multiplier=policy.initial_seconds, max=policy.max_seconds
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        repeatable = request.method in SAFE_METHODS or request.extensions.get(
            IDEMPOTENT_EXTENSION, False
        )
        attempt = 1
        configured = dict(request.extensions.get("timeout") or {})
        while True:
            _bound_timeouts(request, configured)
            try:
                response = self._inner.handle_request(request)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError):
                # Nothing reached the server (or it hung up): safe to repeat when repeatable.
                delay = self._delay(attempt, None)
                if not repeatable or attempt >= self._policy.attempts or _too_late(delay):
                    raise
                self._sleep(delay)
                attempt += 1
                continue
            if (
                response.status_code not in RETRYABLE_STATUSES
                or not repeatable
                or attempt >= self._policy.attempts
            ):
                return response
            hint = retry_after_seconds(response)
            if hint is not None and hint > self._policy.max_retry_after_seconds:
                return response
            delay = self._delay(attempt, hint)
            if _too_late(delay):
                return response  # the adapter gives the record back to the queue
            response.read()
            response.close()
            self._sleep(delay)
            attempt += 1

    def _delay(self, attempt: int, hint: float | None) -> float:
        if hint is not None:
            return hint
        return float(self._backoff(cast(RetryCallState, _Attempt(attempt))))

    def close(self) -> None:
        self._inner.close()


def _bound_timeouts(request: httpx.Request, configured: dict[str, float | None]) -> None:
    """Cut this attempt's timeouts to the invocation's time left (see `shared.deadline`)."""
    wanted = max((v for v in configured.values() if v is not None), default=None)
    if wanted is None:
        return
    budget = call_timeout(wanted, f"{request.method} {request.url.host}")
    request.extensions["timeout"] = {
        name: budget if value is None else min(value, budget) for name, value in configured.items()
    }


def _too_late(delay: float) -> bool:
    """Would sleeping `delay` leave too little time for another attempt?"""
    left = seconds_left()
    return left is not None and delay + MIN_CALL_SECONDS > left


@dataclass
class _Attempt:
    """The slice of tenacity's RetryCallState that its wait strategies read."""

    attempt_number: int


def ca_bundle() -> str | None:
    """Path of an extra CA to trust (the local stack's), if configured."""
    return os.environ.get("SALESBRIDGE_CA_BUNDLE") or None


def is_tls_verification_failure(error: BaseException) -> bool:
    """Whether a connection failed because the server's certificate is not trusted (httpx's
    ConnectError and requests' SSLError both carry the ssl error among their causes)."""
    cause: BaseException | None = error
    seen = 0
    while cause is not None and seen < 10:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return True
        if any(isinstance(arg, ssl.SSLCertVerificationError) for arg in cause.args):
            return True  # urllib3 wraps it in MaxRetryError's reason, an argument
        reason = getattr(cause, "reason", None)
        if isinstance(reason, BaseException) and is_tls_verification_failure(reason):
            return True
        cause = cause.__cause__ or cause.__context__
        seen += 1
    return False


def tls_verification_failed(url: object, error: BaseException) -> ConfigurationError:
    """A certificate we do not trust is our configuration's mistake, not the outside system's
    refusal and not a passing failure: the error says which trust store was used."""
    bundle = ca_bundle()
    trust = (
        f"the CA bundle {bundle} (SALESBRIDGE_CA_BUNDLE) does not match its certificate; "
        "check SALESBRIDGE_CA_BUNDLE / the local stack"
        if bundle
        else "its certificate is not trusted by the system's CA store; check the URL in the "
        "connection secret"
    )
    return ConfigurationError(f"TLS verification failed calling {url}: {trust} ({error})")


def verify_setting() -> ssl.SSLContext | bool:
    """Verify against the local CA when configured, else against the default trust store."""
    bundle = ca_bundle()
    return ssl.create_default_context(cafile=bundle) if bundle else True


def make_client(
    base_url: str,
    *,
    timeout: float = 20.0,
    policy: RetryPolicy | None = None,
    auth: httpx.Auth | None = None,
    headers: dict[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    network: httpx.BaseTransport | None = None,
    per_attempt: Callable[[httpx.BaseTransport], httpx.BaseTransport] | None = None,
) -> httpx.Client:
    """`per_attempt` wraps the network under the retries, for work every attempt must redo
    (OAuth 1.0a signs each attempt with a fresh nonce); `network` replaces the real transport
    in unit tests (httpx.MockTransport)."""
    inner = network or httpx.HTTPTransport(verify=verify_setting())
    if per_attempt is not None:
        inner = per_attempt(inner)
    return httpx.Client(
        base_url=base_url,
        timeout=httpx.Timeout(timeout, connect=5.0),
        transport=RetryingTransport(inner, policy or RetryPolicy(), sleep),
        auth=auth,
        headers=headers,
    )
