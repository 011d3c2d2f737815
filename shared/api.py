"""How every API route answers: JSON bodies, and one mapping from errors to HTTP.

`install_error_handlers(app)` registers the mapping on a Powertools resolver, so handlers
raise `shared.errors` exceptions and never build error responses themselves:
- a `SalesbridgeError` answers its own `http_status` with `{"error", "message", "problems"}`,
  except a `ConfigurationError`, whose details are logged and never answered;
- a retryable one adds `Retry-After` when it knows;
- anything unexpected is logged with its stack and answers 500 without leaking internals.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types

from shared.errors import (
    ConfigurationError,
    FieldProblem,
    RetryableError,
    SalesbridgeError,
    ValidationFailed,
)
from shared.observability import logger, metrics


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(body),
        headers=headers or {},
    )


def error_response(error: SalesbridgeError) -> Response[Any]:
    headers = {}
    if isinstance(error, RetryableError) and error.retry_after is not None:
        headers["Retry-After"] = str(int(error.retry_after))
    if isinstance(error, ConfigurationError):
        # The deployment's own details (variable names, settings paths) are for the operator's
        # logs; the caller may not even be authenticated.
        body = {"error": error.code, "message": "salesbridge is misconfigured; see its logs"}
        return json_response(error.http_status, body, headers)
    return json_response(error.http_status, error.as_body(), headers)


def validation_problems(errors: list[Any]) -> list[FieldProblem]:
    """pydantic's errors as field + reason, using the wire names (aliases) a caller sent."""
    return [
        FieldProblem(".".join(str(part) for part in error["loc"]) or "(body)", error["msg"])
        for error in errors
    ]


def install_error_handlers(app: APIGatewayRestResolver) -> None:
    @app.exception_handler(SalesbridgeError)
    def _known(error: SalesbridgeError) -> Response[Any]:
        level = logger.warning if error.http_status < 500 else logger.error
        level("request refused", extra={"error": error.code, "reason": error.message})
        metrics.add_metric(name="RequestsRefused", unit="Count", value=1)
        metrics.add_metadata(key="refusal", value=error.code)
        return error_response(error)

    @app.not_found
    def _no_route(_: Exception) -> Response[Any]:
        return json_response(404, {"error": "not_found", "message": "no such route"})

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response[Any]:
        logger.exception("unexpected error")
        return json_response(500, {"error": "internal_error", "message": "unexpected error"})


def refuse_validation(exc: Any) -> ValidationFailed:
    """A pydantic ValidationError as the 400 the caller can act on."""
    problems = validation_problems(exc.errors())
    summary = "; ".join(f"{p.field}: {p.reason}" for p in problems)
    return ValidationFailed(f"the request body is invalid: {summary}", problems=problems)
