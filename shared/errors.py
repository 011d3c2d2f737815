"""Two error families, decided where the failure is understood (usually in an adapter).

- `RetryableError`: the outside world may succeed later (429, 5xx, lock contention, timeouts,
  an expired token after one refresh). Workers let it fail the SQS record so the queue
  redelivers it with backoff, and after `maxReceiveCount` parks it in the DLQ.
- `PermanentError`: retrying cannot help (bad input, not found, forbidden, a record the
  target refuses). Receivers answer 4xx; workers record it on the job and move on.

`http_status` says how an API route answers each error; `as_body()` is the JSON it sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldProblem:
    """One reason a request or record was refused: which field, and why."""

    field: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "reason": self.reason}


class SalesbridgeError(Exception):
    """Base of every error salesbridge raises on purpose."""

    code: str = "error"
    http_status: int = 500

    def __init__(self, message: str, *, problems: list[FieldProblem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []

    def as_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.problems:
            body["problems"] = [problem.as_dict() for problem in self.problems]
        return body


class PermanentError(SalesbridgeError):
    """Retrying will not help; a person has to act (fix data, settings or the request)."""

    code = "permanent_failure"
    http_status = 422


class RetryableError(SalesbridgeError):
    """The outside system may succeed later; `retry_after` is its hint in seconds, if any."""

    code = "temporarily_unavailable"
    http_status = 503

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        problems: list[FieldProblem] | None = None,
    ) -> None:
        super().__init__(message, problems=problems)
        self.retry_after = retry_after


class BudgetExhausted(RetryableError):
    """The target's API budget is gone (e.g. Salesforce REQUEST_LIMIT_EXCEEDED).

    Retrying soon only burns attempts, so workers hold the work back until the budget returns
    rather than counting it toward the DLQ.
    """

    code = "api_budget_exhausted"


# -- request errors: what an API route answers (all permanent: the same request fails again)


class StaleWrite(RetryableError):
    """Someone else wrote the record since it was read (optimistic concurrency); reload and
    try again."""

    code = "stale_write"
    http_status = 409


class BadRequest(PermanentError):
    code = "bad_request"
    http_status = 400


class ValidationFailed(BadRequest):
    code = "validation_failed"


class Unauthorized(PermanentError):
    code = "unauthorized"
    http_status = 401


class Forbidden(PermanentError):
    """Authenticated, but the caller's role may not do this (a viewer acting, a forged form)."""

    code = "forbidden"
    http_status = 403


class PayloadTooLarge(PermanentError):
    code = "payload_too_large"
    http_status = 413


class NotFound(PermanentError):
    code = "not_found"
    http_status = 404


class ConfigurationError(PermanentError):
    """The deployment itself is wrong (missing variable, bad settings document, bad secret)."""

    code = "configuration_error"
    http_status = 500
