"""How long an outside call may take: never past the end of the Lambda invocation.

Lambda kills an invocation at its timeout, whatever it is doing; killed after Salesforce or
NetSuite committed a write but before salesbridge recorded it, the job is left half-done. So
every outside call's timeout is the smaller of its own and the invocation's remaining time
minus `MARGIN_SECONDS`, the time kept to record the outcome (jobs, links, the partial batch
response). A call that would get less than `MIN_CALL_SECONDS` is not started at all: it raises
`NotEnoughTime`, a retryable error, so the record goes back to the queue untouched.

A handler opens the window with `with invocation(context):`; outside one (tests, scripts) the
calls keep their own timeouts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from shared.errors import RetryableError

MARGIN_SECONDS = 10.0  # recording a batch's outcome: a few DynamoDB writes per order, SQS
MIN_CALL_SECONDS = 2.0

_remaining: ContextVar[Callable[[], float] | None] = ContextVar("remaining", default=None)


class NotEnoughTime(RetryableError):
    """Too little of the invocation is left to make the call and record its outcome."""

    code = "not_enough_time"


@contextmanager
def invocation(context: Any) -> Iterator[None]:
    """Bound every outside call made inside the block by `context`'s remaining time."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    token = _remaining.set((lambda: remaining() / 1000) if callable(remaining) else None)
    try:
        yield
    finally:
        _remaining.reset(token)


def seconds_left() -> float | None:
    """Seconds an outside call may still take (None: no invocation bounds it)."""
    remaining = _remaining.get()
    return None if remaining is None else remaining() - MARGIN_SECONDS


def call_timeout(wanted: float, what: str = "an outside call") -> float:
    """`wanted`, shortened to the time left; raises `NotEnoughTime` if too little is left."""
    left = seconds_left()
    if left is None:
        return wanted
    if left < MIN_CALL_SECONDS:
        raise NotEnoughTime(
            f"{what} was not started: {max(left, 0):.1f} s of the invocation remain after "
            f"the {MARGIN_SECONDS:.0f} s kept to record the outcome; the record is retried"
        )
    return min(wanted, left)
