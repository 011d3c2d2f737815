"""Salesforce failures as salesbridge's two error families, for every Salesforce adapter.

No simple-salesforce or requests exception leaves an adapter: `call_translated` runs an
operation through the connection and turns each failure into a `RetryableError` (401 after a
refresh, 429, 5xx, lock contention, timeouts, connection errors), `BudgetExhausted`
(REQUEST_LIMIT_EXCEEDED: the org's daily allocation) or a `PermanentError` (what Salesforce
refuses), quoting Salesforce's message without personal data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceError

from shared.adapters.salesforce.connection import Connection
from shared.errors import BudgetExhausted, PermanentError, RetryableError, SalesbridgeError
from shared.http import tls_verification_failed
from shared.observability import shape_of, vendor_message

RETRYABLE_CODES = frozenset(
    {
        "UNABLE_TO_LOCK_ROW",
        "SERVER_UNAVAILABLE",
        "UNKNOWN_EXCEPTION",
        "REQUEST_RUNNING_TOO_LONG",
        "QUERY_TIMEOUT",
    }
)


def errors_in(body: Any) -> list[dict[str, Any]]:
    """Salesforce error bodies are a list of {errorCode, message, fields}; sometimes one dict."""
    items = body if isinstance(body, list) else [body]
    return [item for item in items if isinstance(item, dict)]


def translate(error: SalesforceError) -> SalesbridgeError:
    """A simple-salesforce exception as the error family a worker acts on."""
    code, message = first_error(error.content)
    answered = f"{error.status} {code}" if code else str(error.status)
    text = f"Salesforce answered {answered}: {message}"
    if code == "REQUEST_LIMIT_EXCEEDED":
        if "concurrent" in message.lower():
            return RetryableError(text)
        return BudgetExhausted(text)
    if error.status in (401, 429) or error.status >= 500 or code in RETRYABLE_CODES:
        return RetryableError(text)
    return PermanentError(text)


def first_error(content: Any) -> tuple[str | None, str]:
    errors = errors_in(content)
    if errors:
        return errors[0].get("errorCode"), vendor_message(str(errors[0].get("message", "")))
    # Not Salesforce's error shape (a proxy's page, say): describe it, quote nothing of it.
    return None, f"an answer of {shape_of(content)}" if content else "an empty answer"


def call_translated[R](connection: Connection, operation: Callable[[Salesforce], R]) -> R:
    """Run `operation` through the connection; no simple-salesforce or requests error gets
    out: each becomes a retryable, permanent or configuration error (see `translate`)."""
    try:
        return connection.call(operation)
    except SalesforceError as error:
        raise translate(error) from error
    except requests.exceptions.SSLError as error:
        url = error.request.url if error.request is not None else "Salesforce"
        raise tls_verification_failed(url, error) from error
    except requests.RequestException as error:
        raise RetryableError(f"Salesforce unreachable: {error}") from error
    except ValueError as error:  # a 2xx whose body is not JSON (a proxy's error page)
        raise RetryableError(f"Salesforce answered something other than JSON: {error}") from error


def answer_lost(error: SalesbridgeError) -> bool:
    """The request may have reached Salesforce but no answer came back (a read timeout, a
    connection dropped mid-call); a connect timeout means it never left."""
    cause = error.__cause__
    return isinstance(cause, requests.RequestException) and not isinstance(
        cause, requests.exceptions.ConnectTimeout
    )
