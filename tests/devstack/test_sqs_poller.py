"""SqsPoller against a scripted SQS client: batching window and the failure rules."""

from devstack.sqs import SqsPoller, SqsSource


class ScriptedSqs:
    def __init__(self, deliveries: list[list[str]]) -> None:
        self.deliveries = deliveries  # one list of message ids per receive call
        self.deleted: list[str] = []
        self.receives = 0

    def receive_message(self, **request):
        self.receives += 1
        arrived = self.deliveries.pop(0) if self.deliveries else []
        ids, rest = (
            arrived[: request["MaxNumberOfMessages"]],
            arrived[request["MaxNumberOfMessages"] :],
        )
        if rest:
            self.deliveries.insert(0, rest)
        return {"Messages": [message(i) for i in ids]}

    def delete_message_batch(self, **request):
        self.deleted.extend(
            entry["ReceiptHandle"].removeprefix("rh-") for entry in request["Entries"]
        )


def message(message_id: str) -> dict:
    return {
        "MessageId": message_id,
        "ReceiptHandle": f"rh-{message_id}",
        "Body": "{}",
        "Attributes": {"ApproximateReceiveCount": "1"},
    }


def poller(sqs, result, **source) -> SqsPoller:
    defaults = {"function": "Fn", "queue_url": "u", "queue_arn": "arn:aws:sqs:r:1:q"}
    return SqsPoller(SqsSource(**defaults, **source), sqs, lambda fn, event: result, 1.0)


def test_batching_window_collects_until_the_batch_is_full():
    sqs = ScriptedSqs([["a", "b"], [], ["c"], ["d", "e"]])
    batch = poller(sqs, None, batch_size=4, batching_window=5)._receive_batch()
    assert [m["MessageId"] for m in batch] == ["a", "b", "c", "d"]
    assert sqs.receives == 4  # kept polling through the empty receive
    assert sqs.deliveries == [["e"]]  # left for the next batch


def test_without_a_window_one_receive_makes_the_batch():
    sqs = ScriptedSqs([["a"], ["b"]])
    batch = poller(sqs, None, batch_size=10)._receive_batch()
    assert [m["MessageId"] for m in batch] == ["a"]


def test_batch_item_failures_are_ignored_without_report_batch_item_failures():
    sqs = ScriptedSqs([])
    failures = {"batchItemFailures": [{"itemIdentifier": "a"}]}
    poller(sqs, failures, report_failures=False)._process([message("a"), message("b")])
    assert sqs.deleted == ["a", "b"]


def test_listed_failures_stay_and_an_empty_identifier_fails_everything():
    sqs = ScriptedSqs([])
    listed = {"batchItemFailures": [{"itemIdentifier": "a"}]}
    poller(sqs, listed, report_failures=True)._process([message("a"), message("b")])
    assert sqs.deleted == ["b"]

    sqs = ScriptedSqs([])
    malformed = {"batchItemFailures": [{"itemIdentifier": ""}]}
    poller(sqs, malformed, report_failures=True)._process([message("a"), message("b")])
    assert sqs.deleted == []
