"""One local stack for the devstack tests.

moto's state is global to a process, so only one LocalStack may run in a process at a time;
package scope stops this one as soon as the tests of this folder are done.
"""

from pathlib import Path

import pytest

from devstack import LocalStack
from tests.devstack.fixtures.fake_sandbox import FakeNetSuite, FakeSalesforce

FIXTURES = Path(__file__).parent / "fixtures"
TEMPLATE = FIXTURES / "template.yaml"


@pytest.fixture(scope="package")
def stack(tmp_path_factory):
    state_dir = tmp_path_factory.mktemp("devstack")
    sandboxes = {"salesforce": FakeSalesforce, "netsuite": FakeNetSuite}
    with LocalStack(TEMPLATE, sandboxes=sandboxes, time_scale=0.01, state_dir=state_dir) as s:
        yield s


@pytest.fixture
def recorded(stack):
    """Each function's recording lists, emptied before the test."""
    stack.drain(timeout=10)
    modules = {lid: stack.handler_module(lid) for lid in stack.functions}
    for module in modules.values():
        module.RECEIVED.clear()
        module.BATCHES.clear()
    for queue in ("WorkDeadLetterQueue", "PlainDeadLetterQueue"):
        take_all(stack.client("sqs"), stack.resources[queue].url)
    return modules


def take_all(sqs, queue_url: str) -> list[dict]:
    """Receive and delete everything visible on a queue (SQS allows one purge a minute)."""
    taken: list[dict] = []
    while True:
        messages = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            return taken
        for message in messages:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        taken.extend(messages)
