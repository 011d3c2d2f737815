"""The plumbing every composite resource shares: auth, counting, versions, JSON bodies, errors.

A composite, graph or collections call counts as exactly ONE API request. When a composite
subrequest is itself a collections call, it reaches these handlers through
`app.subrequest`, which marks the request with the caller's session: such a nested call is
neither authenticated again nor counted again.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Callable, Iterator
from typing import Any

from werkzeug.wrappers import Request, Response

from sandboxes.common.app import json_response
from sandboxes.salesforce.errors import SalesforceApiError

# Set by SalesforceSandbox.subrequest on the environ of the requests it runs for a composite.
SUBREQUEST_SESSION_KEY = "salesforce.subrequest_session"


def not_found() -> SalesforceApiError:
    return SalesforceApiError(404, "NOT_FOUND", "The requested resource does not exist")


def bad_request(error_code: str, message: str) -> SalesforceApiError:
    return SalesforceApiError(400, error_code, message)


def version_number(version: str) -> float:
    try:
        return float(version.lstrip("v"))
    except ValueError:
        raise not_found() from None


def api_handler(since: float) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Authenticate, count ONE API call, check the version, serialise writers, map errors.

    The wrapped function receives (app, request, version number, session, *path args).
    """

    def wrap(work: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(work)
        def handler(app: Any, request: Request, version: str, *args: str) -> Response:
            try:
                session = app.authenticate(request)
                if SUBREQUEST_SESSION_KEY not in request.environ:
                    app.count_api_call(session)
                number = version_number(version)
                if number < since:
                    raise not_found()
                with app.lock:
                    return work(app, request, number, session, *args)
            except SalesforceApiError as error:
                return json_response(error.body(), error.status)

        return handler

    return wrap


def json_payload(request: Request) -> Any:
    try:
        return json.loads(request.get_data(as_text=True) or "null")
    except ValueError as error:
        raise bad_request("JSON_PARSER_ERROR", f"Unexpected character: {error}") from None


def format_version(number: float) -> str:
    """59.0 -> "59.0", the spelling used in /services/data/vXX.X urls."""
    return f"{number:.1f}"


@contextlib.contextmanager
def optional_transaction(app: Any, enabled: bool) -> Iterator[Any]:
    """`app.org.transaction()` when all-or-none applies; otherwise each write stands alone."""
    if not enabled:
        yield None
        return
    with app.org.transaction() as tx:
        yield tx
