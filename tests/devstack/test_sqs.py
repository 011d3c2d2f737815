"""SQS event sources: Lambda's batch size, partial failures, retries, redrive and FIFO order."""

import json

from tests.devstack.conftest import take_all


def send_batch(stack, queue: str, bodies: list[dict], **fifo) -> dict[str, str]:
    """Send in one request (so one receive sees them all); answer message id -> body key."""
    entries = [
        {"Id": str(i), "MessageBody": json.dumps(body), **fifo} for i, body in enumerate(bodies)
    ]
    sent = stack.client("sqs").send_message_batch(
        QueueUrl=stack.resources[queue].url, Entries=entries
    )
    return {item["MessageId"]: bodies[int(item["Id"])]["n"] for item in sent["Successful"]}


def test_batches_respect_batch_size_and_every_message_is_deleted(stack, recorded):
    sent = send_batch(stack, "PlainQueue", [{"n": n} for n in range(7)])
    stack.drain(timeout=10)

    worker = recorded["PlainWorker"]
    assert sorted(r["messageId"] for r in worker.RECEIVED) == sorted(sent)
    assert all(1 <= len(batch) <= 3 for batch in worker.BATCHES)  # BatchSize: 3
    record = worker.RECEIVED[0]
    assert set(record) == {
        "messageId",
        "receiptHandle",
        "body",
        "attributes",
        "messageAttributes",
        "md5OfBody",
        "eventSource",
        "eventSourceARN",
        "awsRegion",
    }
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == stack.resources["PlainQueue"].arn
    assert record["awsRegion"] == "us-east-1"
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} <= set(
        record["attributes"]
    )


def test_message_attributes_take_lambdas_shape(stack, recorded):
    stack.client("sqs").send_message(
        QueueUrl=stack.resources["PlainQueue"].url,
        MessageBody=json.dumps({"n": 1}),
        MessageAttributes={
            "source": {"DataType": "String", "StringValue": "netsuite"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        },
    )
    stack.drain(timeout=10)
    record = recorded["PlainWorker"].RECEIVED[0]
    assert record["messageAttributes"] == {
        "source": {
            "stringValue": "netsuite",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "String",
        },
        "blob": {
            "binaryValue": "AAE=",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "Binary",
        },
    }
    assert "md5OfMessageAttributes" in record


def test_partial_failure_retries_only_the_failed_message_then_redrives_it(stack, recorded):
    sent = send_batch(stack, "PlainQueue", [{"n": 0}, {"n": 1, "fail": True}, {"n": 2}])
    failing_id = next(mid for mid, n in sent.items() if n == 1)
    stack.drain(timeout=10)

    received = [r["messageId"] for r in recorded["PlainWorker"].RECEIVED]
    assert received.count(failing_id) == 2  # maxReceiveCount: 2, then the DLQ
    assert sorted(m for m in received if m != failing_id) == sorted(set(sent) - {failing_id})
    dead = take_all(stack.client("sqs"), stack.resources["PlainDeadLetterQueue"].url)
    assert [m["MessageId"] for m in dead] == [failing_id]


def test_exception_fails_the_whole_batch_so_nothing_is_deleted(stack, recorded):
    sent = send_batch(stack, "PlainQueue", [{"n": 0}, {"n": 1, "raise": True}])
    stack.drain(timeout=10)

    worker = recorded["PlainWorker"]
    assert len(worker.BATCHES) == 2  # the same batch twice, then both in the DLQ
    assert sorted(worker.BATCHES[0]) == sorted(worker.BATCHES[1]) == sorted(sent)
    counts = [r["attributes"]["ApproximateReceiveCount"] for r in worker.RECEIVED]
    assert counts == ["1", "1", "2", "2"]
    dead = take_all(stack.client("sqs"), stack.resources["PlainDeadLetterQueue"].url)
    assert sorted(m["MessageId"] for m in dead) == sorted(sent)


def test_unknown_item_identifier_fails_the_batch(stack, recorded):
    stack.handler_module("PlainWorker")  # loaded; now make it answer nonsense once
    module = stack.handler_module("PlainWorker")
    original = module.sqs_handler
    calls = []

    def nonsense(event, context):
        calls.append(event)
        if len(calls) == 1:
            return {"batchItemFailures": [{"itemIdentifier": "not-in-this-batch"}]}
        return original(event, context)

    module.sqs_handler = nonsense
    stack.functions["PlainWorker"]._entry = None  # pick up the replacement
    try:
        send_batch(stack, "PlainQueue", [{"n": 0}])
        stack.drain(timeout=10)
    finally:
        module.sqs_handler = original
        stack.functions["PlainWorker"]._entry = None
    assert len(calls) == 2  # delivered again: the malformed answer failed it


def test_fifo_keeps_order_within_each_group(stack, recorded):
    sqs = stack.client("sqs")
    url = stack.resources["WorkQueue"].url
    for n in range(6):
        for group in ("A", "B"):
            sqs.send_message(
                QueueUrl=url, MessageBody=json.dumps({"n": n, "group": group}), MessageGroupId=group
            )
    stack.drain(timeout=10)

    records = recorded["FifoWorker"].RECEIVED
    for group in ("A", "B"):
        bodies = [
            json.loads(r["body"]) for r in records if r["attributes"]["MessageGroupId"] == group
        ]
        assert [b["n"] for b in bodies] == list(range(6))
    first = records[0]["attributes"]
    assert {"SequenceNumber", "MessageDeduplicationId", "MessageGroupId"} <= set(first)


def test_fifo_failure_goes_to_the_fifo_dead_letter_queue(stack, recorded):
    sqs = stack.client("sqs")
    sqs.send_message(
        QueueUrl=stack.resources["WorkQueue"].url,
        MessageBody=json.dumps({"n": 9, "fail": True}),
        MessageGroupId="C",
    )
    stack.drain(timeout=10)
    assert len(recorded["FifoWorker"].RECEIVED) == 2
    dead = take_all(sqs, stack.resources["WorkDeadLetterQueue"].url)
    assert [json.loads(m["Body"])["n"] for m in dead] == [9]
