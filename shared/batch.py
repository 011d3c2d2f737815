"""How SQS workers turn the two error families into Lambda's partial batch failures.

With `ReportBatchItemFailures`, a record that raises is reported failed and comes back after
the visibility timeout; one that returns is deleted. So:
- retryable errors are re-raised: SQS redelivers with backoff, then the DLQ takes the message
  once `maxReceiveCount` is reached (the job is marked failed on that last attempt);
- permanent errors are recorded on the job (failed, with the reason and the message for a
  replay after the fix) and the record is consumed: retrying could not help;
- anything else that escapes a worker (a bug, a crash before the service could record it)
  still marks the job failed on the last delivery (`fail_before_dead_letter`), so a message
  in a DLQ never leaves its job `queued`, invisible to `ops jobs --status failed`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from shared.errors import PermanentError, RetryableError
from shared.jobs import JobRepository, JobStatus
from shared.observability import logger


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


def receive_count_of(record: Mapping[str, Any]) -> int:
    """How many times SQS has delivered this record (Lambda's SQS event shape)."""
    return int(record.get("attributes", {}).get("ApproximateReceiveCount", "1"))


def gave_up(max_receive_count: int, reason: str) -> str:
    return f"gave up after {max_receive_count} attempts (the message is in the DLQ): {reason}"


def fail_before_dead_letter(
    records: Iterable[Mapping[str, Any]],
    reason: str,
    *,
    jobs: JobRepository,
    max_receive_count: int,
) -> list[str]:
    """Mark failed, with `reason`, the jobs of records delivered for the last time.

    For failures no service recorded (an exception that escaped the handler, a malformed
    message): the message goes to the DLQ next, and its job must say so. Jobs already
    finished or failed keep what they say. Best effort: it runs while something is already
    wrong, so it never raises. Answers the job ids marked."""
    marked = []
    for record in records:
        if receive_count_of(record) < max_receive_count:
            continue
        try:
            job = jobs.get(_job_id(record.get("body", "")) or "")
            if job is None or job.status in (JobStatus.DONE, JobStatus.SKIPPED, JobStatus.FAILED):
                continue
            jobs.transition(
                job, JobStatus.FAILED, error=gave_up(max_receive_count, reason), attempted=True
            )
            marked.append(job.job_id)
        except Exception:  # noqa: S112 - the caller logs and re-raises the original failure
            continue
    return marked


def _job_id(body: str) -> str | None:
    """The job id of a queue message, even one that is not a valid envelope otherwise."""
    try:
        job_id = json.loads(body).get("job_id")
    except (ValueError, AttributeError):
        return None
    return job_id if isinstance(job_id, str) and job_id else None


# A retried message waits longer each time (30 s, 60 s, 120 s ... capped): a struggling system
# gets air.
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 900


class DelayingQueue(Protocol):
    def delay(self, receipt_handle: str, seconds: int) -> None: ...


def backoff_seconds(receive_count: int) -> int:
    return int(min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (receive_count - 1)))


def back_off(
    records: Iterable[Mapping[str, Any]], failed: set[str], queue: Callable[[], DelayingQueue]
) -> None:
    """Delay each failed message exponentially with its receive count before it returns."""
    retried = [record for record in records if record["messageId"] in failed]
    if not retried:
        return
    sqs = queue()
    for record in retried:
        delay = backoff_seconds(receive_count_of(record))
        try:
            sqs.delay(record["receiptHandle"], delay)
        except Exception:  # the queue's own visibility timeout still brings it back
            logger.warning("could not delay a retried message", extra={"delay": delay})


def parse_messages[M: BaseModel](
    records: Iterable[Mapping[str, Any]], model: type[M]
) -> tuple[list[tuple[str, M, int]], list[str]]:
    """Each record's body as `model` with its message id and receive count, and the ids of
    malformed messages (logged with fields and reasons, never the input: it may be a whole
    record)."""
    parsed, malformed = [], []
    for record in records:
        try:
            message = model.model_validate_json(record["body"])
        except ValidationError as exc:
            logger.error(
                "malformed queue message",
                extra={
                    "message_id": record["messageId"],
                    "problems": exc.errors(include_input=False, include_url=False),
                },
            )
            malformed.append(record["messageId"])
            continue
        parsed.append((record["messageId"], message, receive_count_of(record)))
    return parsed, malformed


def give_up_on_last_delivery(
    records: Iterable[Mapping[str, Any]],
    reason: str,
    *,
    jobs: Callable[[], JobRepository],
    max_receive_count: Callable[[], int],
) -> None:
    """`fail_before_dead_letter` for a handler: the providers may fail too (configuration),
    and this runs while something is already wrong, so it logs instead of raising."""
    records = list(records)
    if not records:
        return
    try:
        repository, limit = jobs(), max_receive_count()
    except Exception:
        logger.exception("cannot mark the jobs of messages going to the DLQ")
        return
    failed = fail_before_dead_letter(records, reason, jobs=repository, max_receive_count=limit)
    if failed:
        logger.error("jobs failed before their messages go to the DLQ", extra={"job_ids": failed})


def batch_item_failures(message_ids: Iterable[str]) -> dict[str, Any]:
    """Lambda's partial batch response: the messages SQS must deliver again."""
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in message_ids]}


def fifo_worker(
    handle: Callable[[Any], None],
    *,
    handled_metric: str,
    jobs: Callable[[], JobRepository],
    max_receive_count: Callable[[], int],
) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The whole `lambda_handler` of a FIFO worker that takes its records one at a time.

    One FIFO group per record: `SqsFifoPartialProcessor` holds back the rest of a group after
    a record to redeliver, and a batch that must be retried whole is reported, not raised (an
    outage shows as retries, not as crashes). `handle(record)` records the failures it knows;
    for the rest, the job is marked failed on the message's last delivery before it reaches
    the DLQ, and the error re-raised. No outside call outlives the invocation.
    """
    from aws_lambda_powertools.utilities.batch import (
        SqsFifoPartialProcessor,
        process_partial_response,
    )

    from shared.deadline import invocation
    from shared.observability import metrics

    processor = SqsFifoPartialProcessor(skip_group_on_error=True)
    processor.raise_on_entire_batch_failure = False

    def record_handler(record: Any) -> None:
        try:
            handle(record)
        except Exception as exc:
            give_up_on_last_delivery(
                [record.raw_event],
                f"the worker crashed: {exc!r}",
                jobs=jobs,
                max_receive_count=max_receive_count,
            )
            raise
        metrics.add_metric(name=handled_metric, unit="Count", value=1)

    @logger.inject_lambda_context
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        with invocation(context):
            response = process_partial_response(
                event=event, record_handler=record_handler, processor=processor, context=context
            )
        return dict(response)

    return lambda_handler
