"""SQS: sending (FIFO queues get a group per record and a deduplication id per version) and
delaying a received message's return (a retried message waits longer each time)."""

from __future__ import annotations

from typing import Any

from shared.errors import RetryableError


class SqsQueue:
    def __init__(self, queue_url: str, client: Any | None = None) -> None:
        import boto3

        self.queue_url = queue_url
        self._sqs = client or boto3.client("sqs")

    def send(self, body: str, *, group_id: str | None, dedup_id: str | None) -> str:
        kwargs: dict[str, Any] = {"QueueUrl": self.queue_url, "MessageBody": body}
        if group_id is not None:
            kwargs["MessageGroupId"] = group_id
        if dedup_id is not None:
            kwargs["MessageDeduplicationId"] = dedup_id
        try:
            return str(self._sqs.send_message(**kwargs)["MessageId"])
        except Exception as exc:  # botocore already retried throttling and 5xx
            raise RetryableError(f"could not enqueue to {self.queue_url}: {exc}") from exc

    def delay(self, receipt_handle: str, seconds: int) -> None:
        """Bring a received message back after `seconds` instead of the queue's own timeout."""
        self._sqs.change_message_visibility(
            QueueUrl=self.queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
        )
