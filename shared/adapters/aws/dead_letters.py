"""The flows' queues and their dead-letter queues, for the console: depth, redrive, replay.

Queues are named by their template logical id; `CONSOLE_QUEUES` maps each id to its URL
(template.yaml). A DLQ is found from its queue's RedrivePolicy, once per container.
"""

from __future__ import annotations

import json
from typing import Any

import boto3

from shared.errors import BadRequest

REDRIVE_BATCHES = 50  # 500 messages per action; the operator redrives again for more


class SqsDeadLetters:
    def __init__(self, queues: dict[str, str], client: Any | None = None) -> None:
        self._queues = queues
        self._sqs = client or boto3.client("sqs")
        self._dlqs: dict[str, str] = {}

    def depth(self, queue: str) -> int | None:
        dlq = self._dlq(queue)
        if dlq is None:
            return None
        attributes = self._sqs.get_queue_attributes(
            QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return int(attributes.get("ApproximateNumberOfMessages", 0))

    def send(self, queue: str, body: str, *, group_id: str | None, dedup_id: str | None) -> None:
        url = self._url(queue)
        kwargs: dict[str, Any] = {"QueueUrl": url, "MessageBody": body}
        if url.endswith(".fifo"):
            kwargs.update(MessageGroupId=group_id, MessageDeduplicationId=dedup_id)
        self._sqs.send_message(**kwargs)

    def redrive(self, queue: str) -> list[str]:
        """Move the DLQ's messages back to `queue` (FIFO group kept); answers their bodies."""
        url, dlq = self._url(queue), self._dlq(queue)
        if dlq is None:
            raise BadRequest(f"queue: {queue} has no dead-letter queue")
        moved: list[str] = []
        for _ in range(REDRIVE_BATCHES):
            batch = self._sqs.receive_message(
                QueueUrl=dlq, MaxNumberOfMessages=10, AttributeNames=["All"], VisibilityTimeout=60
            ).get("Messages", [])
            if not batch:
                break
            for message in batch:
                kwargs: dict[str, Any] = {"QueueUrl": url, "MessageBody": message["Body"]}
                attributes = message.get("Attributes", {})
                if "MessageGroupId" in attributes:
                    kwargs["MessageGroupId"] = attributes["MessageGroupId"]
                    kwargs["MessageDeduplicationId"] = (
                        f"{attributes.get('MessageDeduplicationId', message['MessageId'])}"
                        f"-redrive{message['MessageId'][:8]}"
                    )[-128:]
                self._sqs.send_message(**kwargs)
                self._sqs.delete_message(QueueUrl=dlq, ReceiptHandle=message["ReceiptHandle"])
                moved.append(message["Body"])
        return moved

    def _url(self, queue: str) -> str:
        if queue not in self._queues:
            raise BadRequest(f"queue: {queue} is not in CONSOLE_QUEUES of this deployment")
        return self._queues[queue]

    def _dlq(self, queue: str) -> str | None:
        if queue not in self._queues:
            return None
        if queue not in self._dlqs:
            attributes = self._sqs.get_queue_attributes(
                QueueUrl=self._queues[queue], AttributeNames=["RedrivePolicy"]
            )["Attributes"]
            policy = json.loads(attributes.get("RedrivePolicy") or "{}")
            if "deadLetterTargetArn" not in policy:
                return None
            name = policy["deadLetterTargetArn"].rsplit(":", 1)[-1]
            self._dlqs[queue] = str(self._sqs.get_queue_url(QueueName=name)["QueueUrl"])
        return self._dlqs[queue]
