"""The operator CLI against moto's server: list jobs, replay from the stored message, redrive."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from devstack.provision import Resource
from ops import Operator
from ops.__main__ import main
from shared.envelope import NetsuiteOrderEvent
from shared.order_sync.intake import accept_order_event
from shared.queues import SqsQueue
from shared.stores.jobs import JobStatus, JobStore


@pytest.fixture
def operator(
    aws_resources: dict[str, Resource], moto_url: str, clean_tables: dict[str, str], tmp_path: Any
) -> Operator:
    sqs = boto3.client("sqs", endpoint_url=moto_url)
    for logical_id in ("NetsuiteOrderQueue", "NetsuiteOrderDLQ"):
        url = aws_resources[logical_id].url
        while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
            for message in batch:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    endpoints = {
        "aws": {
            "endpoint_url": moto_url,
            "region": "us-east-1",
            "access_key_id": "testing",
            "secret_access_key": "testing",
        },
        "resources": {lid: {"name": r.name, "url": r.url} for lid, r in aws_resources.items()},
    }
    path = tmp_path / "endpoints.json"
    path.write_text(json.dumps(endpoints))
    return Operator.from_endpoints(path)


def queue_one(aws_resources: dict[str, Resource], order_id: str) -> str:
    event = NetsuiteOrderEvent.model_validate(
        {
            "recordType": "salesorder",
            "id": order_id,
            "eventType": "edit",
            "lastModifiedDate": "2026-11-22T09:41:07Z",
        }
    )
    jobs = JobStore(aws_resources["JobsTable"].name)
    queue = SqsQueue(aws_resources["NetsuiteOrderQueue"].url or "")
    return accept_order_event(event, correlation_id="c", jobs=jobs, queue=queue).job.job_id


def drain(url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    messages = []
    while batch := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]
    ).get("Messages"):
        for message in batch:
            messages.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return messages


def test_a_failed_job_is_listed_and_replayed_from_its_stored_message(
    operator: Operator, aws_resources: dict[str, Resource], capsys: pytest.CaptureFixture[str]
) -> None:
    job_id = queue_one(aws_resources, "4711")
    [original] = drain(aws_resources["NetsuiteOrderQueue"].url or "")
    jobs = JobStore(aws_resources["JobsTable"].name)
    jobs.transition(jobs.get(job_id), JobStatus.FAILED, error="UNABLE_TO_LOCK_ROW")  # type: ignore[arg-type]

    assert [j.job_id for j in operator.jobs("failed", "netsuite")] == [job_id]
    assert operator.replay_status("failed", "netsuite") == [job_id]
    [replayed] = drain(aws_resources["NetsuiteOrderQueue"].url or "")
    assert replayed["Body"] == original["Body"]
    assert replayed["Attributes"]["MessageGroupId"] == "netsuite-salesorder-4711"
    assert jobs.get(job_id).status is JobStatus.QUEUED  # type: ignore[union-attr]
    assert operator.jobs("failed") == []


def test_the_cli_lists_and_replays(
    operator: Operator,
    aws_resources: dict[str, Resource],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Any,
) -> None:
    job_id = queue_one(aws_resources, "4712")
    drain(aws_resources["NetsuiteOrderQueue"].url or "")
    jobs = JobStore(aws_resources["JobsTable"].name)
    jobs.transition(jobs.get(job_id), JobStatus.FAILED, error="boom")  # type: ignore[arg-type]
    endpoints = str(tmp_path / "endpoints.json")
    assert main(["--endpoints", endpoints, "jobs", "--status", "failed"]) == 0
    assert job_id in capsys.readouterr().out
    assert main(["--endpoints", endpoints, "replay", job_id]) == 0
    assert "replayed 1 job(s)" in capsys.readouterr().out


def test_redrive_moves_the_dlq_back_and_requeues_the_jobs(
    operator: Operator, aws_resources: dict[str, Resource]
) -> None:
    job_id = queue_one(aws_resources, "4713")
    [message] = drain(aws_resources["NetsuiteOrderQueue"].url or "")
    boto3.client("sqs").send_message(
        QueueUrl=aws_resources["NetsuiteOrderDLQ"].url,
        MessageBody=message["Body"],
        MessageGroupId=message["Attributes"]["MessageGroupId"],
        MessageDeduplicationId="dlq-1",
    )
    jobs = JobStore(aws_resources["JobsTable"].name)
    jobs.transition(jobs.get(job_id), JobStatus.FAILED, error="gave up")  # type: ignore[arg-type]
    assert operator.redrive("NetsuiteOrderQueue") == 1
    assert len(drain(aws_resources["NetsuiteOrderQueue"].url or "")) == 1
    assert drain(aws_resources["NetsuiteOrderDLQ"].url or "") == []
    assert jobs.get(job_id).status is JobStatus.QUEUED  # type: ignore[union-attr]


def test_an_unknown_job_is_refused(operator: Operator) -> None:
    with pytest.raises(LookupError, match="no job"):
        operator.replay(["netsuite:salesorder:0:nope"])
