"""How SQS workers turn the two error families into Lambda's partial batch failures.

With `ReportBatchItemFailures`, a record that raises is reported failed and comes back after
the visibility timeout; one that returns is deleted. So:
- retryable errors are re-raised: SQS redelivers with backoff, then the DLQ takes the message
  once `maxReceiveCount` is reached (the job is marked failed on that last attempt);
- permanent errors are recorded on the job (failed, with the reason and the message for a
  replay after the fix) and the record is consumed: retrying could not help.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shared.errors import PermanentError, RetryableError


@dataclass(frozen=True)
class Outcome:
    consumed: bool  # delete the message
    failed_permanently: bool
    reason: str | None = None


def classify(
    error: Exception, *, receive_count: int, max_receive_count: int
) -> tuple[Outcome, bool]:
    """What to do with a record whose handling raised `error`.

    Answers the outcome and whether this was the last attempt before the DLQ.
    """
    if isinstance(error, PermanentError):
        return Outcome(consumed=True, failed_permanently=True, reason=error.message), False
    reason = error.message if isinstance(error, RetryableError) else repr(error)
    last_attempt = receive_count >= max_receive_count
    return Outcome(consumed=False, failed_permanently=last_attempt, reason=reason), last_attempt


def handle_record(
    work: Callable[[], None],
    *,
    receive_count: int,
    max_receive_count: int,
    on_permanent_failure: Callable[[str], None],
) -> None:
    """Run `work`; record permanent failures; re-raise what SQS should redeliver."""
    try:
        work()
    except Exception as error:
        outcome, _ = classify(
            error, receive_count=receive_count, max_receive_count=max_receive_count
        )
        if outcome.failed_permanently and outcome.reason is not None:
            on_permanent_failure(outcome.reason)
        if not outcome.consumed:
            raise
