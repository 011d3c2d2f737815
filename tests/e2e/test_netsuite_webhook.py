"""Issue item 6 through the local stack: signed POST -> 202, one FIFO message, one queued job."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from devstack.scenarios import s10_netsuite_webhook
from devstack.stack import LocalStack
from shared.signing import signed_headers
from tests.conftest import load_event

ROUTE = "/webhooks/netsuite/orders"


@pytest.fixture
def empty_state(stack: LocalStack) -> None:
    sqs, dynamodb = stack.client("sqs"), stack.client("dynamodb")
    queue_url = stack.resources["NetsuiteOrderQueue"].url
    while batch := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages"):
        for message in batch:  # purge_queue is allowed once a minute only
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    table = stack.resources["JobsTable"].name
    for item in dynamodb.scan(TableName=table)["Items"]:
        dynamodb.delete_item(TableName=table, Key={"job_id": item["job_id"]})


def post(stack: LocalStack, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(stack.endpoints["api"]["base_url"] + ROUTE, content=body, headers=headers)


def signed(stack: LocalStack, body: bytes) -> dict[str, str]:
    key = stack.endpoints["webhook_keys"]["netsuite"]
    return {"Content-Type": "application/json", **signed_headers(key, body)}


def sample_body(**changes: Any) -> bytes:
    event = json.loads(load_event("netsuite_webhook")["body"])
    event["lastModifiedDate"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return json.dumps({**event, **changes}).encode()


def messages(stack: LocalStack) -> list[dict[str, Any]]:
    response = stack.client("sqs").receive_message(
        QueueUrl=stack.resources["NetsuiteOrderQueue"].url,
        MaxNumberOfMessages=10,
        AttributeNames=["All"],
        VisibilityTimeout=0,
    )
    return list(response.get("Messages", []))


def test_a_signed_event_leaves_one_fifo_message_and_a_queued_job(
    stack: LocalStack, empty_state: None
) -> None:
    body = sample_body()
    answer = post(stack, body, signed(stack, body))
    assert answer.status_code == 202
    job_id = answer.json()["jobId"]
    version = json.loads(body)["lastModifiedDate"]
    assert job_id == f"netsuite:salesorder:4711:{version}"

    [message] = messages(stack)
    assert message["Attributes"]["MessageGroupId"] == "netsuite-salesorder-4711"
    assert message["Attributes"]["MessageDeduplicationId"] == (
        f"netsuite-salesorder-4711-{version.replace(':', '')}"
    )
    envelope = json.loads(message["Body"])
    assert envelope["job_id"] == job_id and envelope["payload"]["id"] == "4711"
    assert envelope["schema_version"] == 1 and envelope["correlation_id"]

    item = stack.client("dynamodb").get_item(
        TableName=stack.resources["JobsTable"].name, Key={"job_id": {"S": job_id}}
    )["Item"]
    assert item["status"]["S"] == "queued"
    assert json.loads(item["message"]["S"]) == envelope


def test_the_health_route_needs_no_credentials(stack: LocalStack) -> None:
    answer = httpx.get(stack.endpoints["api"]["base_url"] + "/health")
    assert answer.status_code == 200 and answer.json()["status"] == "ok"


def test_the_demo_scenario_passes(stack: LocalStack, empty_state: None) -> None:
    """`make demo` shows exactly this; if it breaks, the demo would too."""
    lines: list[str] = []
    s10_netsuite_webhook.run(stack, lines.append)
    assert any("nothing was left behind" in line for line in lines)
