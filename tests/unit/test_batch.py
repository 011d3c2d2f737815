from __future__ import annotations

import pytest

from shared.batch import classify, handle_record
from shared.errors import BudgetExhausted, PermanentError, RetryableError


def test_permanent_errors_are_recorded_and_consumed() -> None:
    recorded: list[str] = []

    def work() -> None:
        raise PermanentError("unknown product NS-99")

    handle_record(work, receive_count=1, max_receive_count=5, on_permanent_failure=recorded.append)
    assert recorded == ["unknown product NS-99"]


def test_retryable_errors_fail_the_record_for_redelivery() -> None:
    recorded: list[str] = []

    def work() -> None:
        raise RetryableError("503 from Salesforce")

    with pytest.raises(RetryableError):
        handle_record(
            work, receive_count=1, max_receive_count=5, on_permanent_failure=recorded.append
        )
    assert recorded == []


def test_the_last_attempt_before_the_dlq_marks_the_job_failed() -> None:
    recorded: list[str] = []

    def work() -> None:
        raise RetryableError("UNABLE_TO_LOCK_ROW")

    with pytest.raises(RetryableError):
        handle_record(
            work, receive_count=5, max_receive_count=5, on_permanent_failure=recorded.append
        )
    assert recorded == ["UNABLE_TO_LOCK_ROW"]


def test_unexpected_exceptions_count_as_retryable() -> None:
    outcome, last = classify(KeyError("x"), receive_count=2, max_receive_count=5)
    assert not outcome.consumed and not last


def test_budget_exhaustion_is_retryable() -> None:
    outcome, _ = classify(
        BudgetExhausted("REQUEST_LIMIT_EXCEEDED"), receive_count=1, max_receive_count=5
    )
    assert not outcome.consumed
