"""Polls SQS event sources and invokes their functions with Lambda's batch semantics.

One thread per `Events: Type: SQS`. Like Lambda's event source mapping it receives up to
`BatchSize` messages (collecting for up to `MaximumBatchingWindowInSeconds` when the batch is
not full), builds the SQS event exactly as Lambda does, invokes, then:
- the handler returns without `batchItemFailures`: every message is deleted;
- it returns `batchItemFailures` and the source has `ReportBatchItemFailures`: all but the listed
  messages are deleted; a malformed list (unknown or empty `itemIdentifier`) fails the batch;
- it raises: nothing is deleted.
Messages not deleted reappear after the queue's visibility timeout, and moto's server moves a
message to the dead-letter queue on the receive after `maxReceiveCount` (checked: moto 5.2
implements the redrive in `receive_message`), so the redrive needs no code here.

`time_scale` (below 1) shortens waiting: a failed message is made visible again after
`VisibilityTimeout * time_scale` seconds (the poller calls ChangeMessageVisibility with 0 at that
moment; SQS itself only counts whole seconds). The queue keeps its template value.

Where moto differs from SQS: it gives a FIFO message a `SequenceNumber` only when it was sent
with an explicit `MessageDeduplicationId`; the poller numbers the others (increasing) so
every FIFO record carries one, as Lambda's do.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from devstack.template import REGION

log = logging.getLogger("devstack.sqs")

Invoker = Callable[[str, dict[str, Any]], Any]
IDLE_POLL_SECONDS = 0.05
MAX_IDLE_POLL_SECONDS = 0.25
_fifo_sequence = itertools.count(18_000_000_000_000_000_000)


@dataclass
class SqsSource:
    """One `Events: Type: SQS` of one function, resolved."""

    function: str
    queue_url: str
    queue_arn: str
    batch_size: int = 10
    batching_window: float = 0.0
    report_failures: bool = False
    enabled: bool = True
    visibility_timeout: int = 30

    def describe(self) -> dict[str, Any]:
        return {
            "function": self.function,
            "queue_arn": self.queue_arn,
            "batch_size": self.batch_size,
            "report_batch_item_failures": self.report_failures,
        }


class SqsPoller:
    def __init__(self, source: SqsSource, sqs: Any, invoke: Invoker, time_scale: float) -> None:
        self.source = source
        self._sqs = sqs
        self._invoke = invoke
        self._time_scale = time_scale
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._busy = threading.Event()  # a batch is received and not yet settled
        self._releases: list[threading.Timer] = []
        self._thread = threading.Thread(
            target=self._run, name=f"sqs-{source.function}", daemon=True
        )

    @property
    def in_flight(self) -> bool:
        return self._busy.is_set() or any(timer.is_alive() for timer in self._releases)

    def start(self) -> SqsPoller:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for timer in self._releases:
            timer.cancel()
        self._thread.join(timeout=10)

    # -- the loop ------------------------------------------------------------------------------

    def _run(self) -> None:
        # Short polls that back off while the queue is idle: moto's long polling spins when a
        # FIFO group is blocked by an in-flight message, and short polls stop promptly.
        idle = IDLE_POLL_SECONDS
        while not self._stop.is_set():
            messages: list[dict[str, Any]] = []
            try:
                self._busy.set()
                messages = self._receive_batch()
                if messages:
                    self._process(messages)
            except Exception:
                if self._stop.is_set():
                    return
                log.exception("poller for %s failed; retrying", self.source.function)
            finally:
                self._busy.clear()
            if messages:
                idle = IDLE_POLL_SECONDS
            else:
                woken = self._wake.wait(idle)  # stop() and released messages wake it early
                self._wake.clear()
                idle = IDLE_POLL_SECONDS if woken else min(idle * 2, MAX_IDLE_POLL_SECONDS)

    def _receive_batch(self) -> list[dict[str, Any]]:
        """Up to BatchSize messages, collected for at most the (scaled) batching window."""
        batch: list[dict[str, Any]] = []
        deadline = time.monotonic() + self.source.batching_window * self._time_scale
        while not self._stop.is_set():
            request: dict[str, Any] = {
                "QueueUrl": self.source.queue_url,
                "MaxNumberOfMessages": min(10, self.source.batch_size - len(batch)),
                "AttributeNames": ["All"],
                "MessageAttributeNames": ["All"],
            }
            if self._time_scale < 1:
                request["VisibilityTimeout"] = self._scaled_visibility_whole_seconds()
            received = self._sqs.receive_message(**request).get("Messages", [])
            batch.extend(received)
            if len(batch) >= self.source.batch_size or time.monotonic() >= deadline:
                break
            if not received:
                self._stop.wait(IDLE_POLL_SECONDS)
        return batch

    def _scaled_visibility_whole_seconds(self) -> int:
        return max(1, int(self.source.visibility_timeout * self._time_scale + 0.999))

    def _process(self, messages: list[dict[str, Any]]) -> None:
        event = {"Records": [self.record(message) for message in messages]}
        try:
            result = self._invoke(self.source.function, event)
        except Exception:
            log.exception(
                "%s raised; %d message(s) stay on the queue", self.source.function, len(messages)
            )
            self._release_later(messages)
            return
        failed_ids = self._failed_ids(result, {m["MessageId"] for m in messages})
        succeeded = [m for m in messages if m["MessageId"] not in failed_ids]
        self._delete(succeeded)
        self._release_later([m for m in messages if m["MessageId"] in failed_ids])

    def _failed_ids(self, result: Any, batch_ids: set[str]) -> set[str]:
        if not self.source.report_failures or not isinstance(result, dict):
            return set()
        failures = result.get("batchItemFailures")
        if not failures:
            return set()
        identifiers = {
            item.get("itemIdentifier") if isinstance(item, dict) else None for item in failures
        }
        if not identifiers <= batch_ids:  # Lambda treats a malformed answer as a failed batch
            log.error(
                "%s returned unknown batchItemFailures %s; the whole batch fails",
                self.source.function,
                identifiers - batch_ids,
            )
            return batch_ids
        return {str(identifier) for identifier in identifiers}

    def _delete(self, messages: list[dict[str, Any]]) -> None:
        for start in range(0, len(messages), 10):
            chunk = messages[start : start + 10]
            self._sqs.delete_message_batch(
                QueueUrl=self.source.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)
                ],
            )

    def _release_later(self, messages: list[dict[str, Any]]) -> None:
        """With a time scale, bring failed messages back after the scaled visibility timeout."""
        if self._time_scale >= 1 or not messages:
            return
        self._releases = [timer for timer in self._releases if timer.is_alive()]
        timer = threading.Timer(
            self.source.visibility_timeout * self._time_scale, self._make_visible, [messages]
        )
        timer.daemon = True
        self._releases.append(timer)
        timer.start()

    def _make_visible(self, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            try:
                self._sqs.change_message_visibility(
                    QueueUrl=self.source.queue_url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=0,
                )
            except Exception as exc:  # already visible again and received by someone else
                log.debug("visibility of %s not changed: %s", message["MessageId"], exc)
        self._wake.set()

    # -- the event ---------------------------------------------------------------------------------

    def record(self, message: dict[str, Any]) -> dict[str, Any]:
        record: dict[str, Any] = {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": dict(message.get("Attributes", {})),
            "messageAttributes": {
                name: lambda_message_attribute(value)
                for name, value in message.get("MessageAttributes", {}).items()
            },
            "md5OfBody": message.get("MD5OfBody")
            or hashlib.md5(  # noqa: S324 (SQS's checksum)
                message["Body"].encode()
            ).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.source.queue_arn,
            "awsRegion": REGION,
        }
        if message.get("MD5OfMessageAttributes"):
            record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
        if self.source.queue_arn.endswith(".fifo"):
            # moto numbers only messages sent with an explicit MessageDeduplicationId
            record["attributes"].setdefault("SequenceNumber", f"{next(_fifo_sequence):020d}")
        return record


def lambda_message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    """SQS API's MessageAttributeValue -> the camelCase shape Lambda puts in the event."""
    shaped: dict[str, Any] = {
        "stringListValues": list(value.get("StringListValues", [])),
        "binaryListValues": [_b64(item) for item in value.get("BinaryListValues", [])],
        "dataType": value["DataType"],
    }
    if "StringValue" in value:
        shaped["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        shaped["binaryValue"] = _b64(value["BinaryValue"])
    return shaped


def _b64(data: bytes | str) -> str:
    return base64.b64encode(data if isinstance(data, bytes) else data.encode()).decode()
