"""The operator CLI against moto's server: list jobs, replay from the stored message, redrive."""

from __future__ import annotations

import io
import json
import sys
from typing import Any

import boto3
import pytest

from devstack.provision import Resource
from ops import Operator
from ops.__main__ import main
from shared.adapters.aws.queues import SqsQueue
from shared.adapters.aws.stores.cursors import CursorStore
from shared.adapters.aws.stores.hold import BudgetHoldStore
from shared.adapters.aws.stores.jobs import JobStore
from shared.flows.netsuite_orders_to_salesforce.events import NetsuiteOrderEvent
from shared.flows.salespro_documents.events import UploadedObject
from shared.intake import accept_event
from shared.jobs import Job, JobStatus


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
    return accept_event(event, correlation_id="c", jobs=jobs, queue=queue).job.job_id


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


def test_a_salespro_job_replays_onto_its_standard_queue_without_fifo_ids(
    operator: Operator, aws_resources: dict[str, Resource]
) -> None:
    """The SalesPro queue is a standard one (S3 notifies it): SQS refuses a MessageGroupId
    there, and its message is S3's notification, not an envelope."""
    uploaded = UploadedObject(bucket="b", key="uploads/d1.pdf", size=10, etag="e1")
    job_id = Job.make_id("salespro", "document:d1", "e1")
    jobs = JobStore(aws_resources["JobsTable"].name)
    job, _ = jobs.create(
        Job(
            job_id=job_id,
            flow="salespro_documents",
            source="salespro",
            record_key="document:d1",
            version="e1",
            status=JobStatus.QUEUED,
            correlation_id="d1",
            message=uploaded.replay_message(job_id),
        )
    )
    jobs.transition(job, JobStatus.FAILED, error="gave up after 5 attempts")
    queue = aws_resources["SalesproDocumentQueue"].url or ""
    drain(queue)
    assert operator.replay([job_id]) == [job_id]
    [replayed] = drain(queue)
    assert UploadedObject.from_notification(json.loads(replayed["Body"])) == [uploaded]
    assert "MessageGroupId" not in replayed["Attributes"]
    assert jobs.get(job_id).status is JobStatus.QUEUED  # type: ignore[union-attr]


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


# -- issue 7: the operator CLI answers clearly (defects 6, 7, 10) ----------------------------------


def endpoints_of(tmp_path: Any) -> str:
    return str(tmp_path / "endpoints.json")


def exit_status(argv: list[str]) -> int:
    """What the shell would see: main's answer, or argparse's own exit."""
    try:
        return main(argv)
    except SystemExit as exited:
        return int(exited.code or 0)


def test_jobs_without_a_status_counts_them_and_shows_the_latest_with_their_outcome(
    operator: Operator,
    aws_resources: dict[str, Resource],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Any,
) -> None:
    jobs = JobStore(aws_resources["JobsTable"].name)
    done_id, failed_id = queue_one(aws_resources, "4721"), queue_one(aws_resources, "4722")
    drain(aws_resources["NetsuiteOrderQueue"].url or "")
    retried = jobs.transition(
        jobs.get(done_id), JobStatus.QUEUED, error="UNABLE_TO_LOCK_ROW", attempted=True
    )  # type: ignore[arg-type]
    outcome = {
        "opportunity_id": "006A",
        "account_id": "001B",
        "lines": 3,
        "deleted_lines": 1,
        "skipped_lines": [{"line": 4}],
        "salesforce_total": "1815.250",
    }
    jobs.transition(retried, JobStatus.DONE, attempted=True, outcome=outcome)
    jobs.transition(
        jobs.get(failed_id), JobStatus.FAILED, error="no Salesforce product", attempted=True
    )  # type: ignore[arg-type]

    assert main(["--endpoints", endpoints_of(tmp_path), "jobs"]) == 0
    out = capsys.readouterr().out
    assert "done 1" in out and "failed 1" in out and "queued 0" in out
    [done_line] = [line for line in out.splitlines() if done_id in line]
    assert (
        "opportunity 006A  account 001B  lines 3 (deleted 1, skipped 1)  total 1815.25" in done_line
    )
    assert "UNABLE_TO_LOCK_ROW" not in done_line  # the old error stays in the history only
    [failed_line] = [line for line in out.splitlines() if failed_id in line]
    assert "no Salesforce product" in failed_line

    done = jobs.get(done_id)
    assert done is not None and done.last_error is None and done.attempt_count == 2
    assert [a.error for a in done.attempts] == ["UNABLE_TO_LOCK_ROW", None]
    assert done.outcome["salesforce_total"] == "1815.250"


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (["replay", "nope:1"], "no job 'nope:1'"),
        (["redrive", "Bogus"], "no queue 'Bogus'; one of"),
        (["jobs", "--status", "lost"], "invalid choice: 'lost'"),
        (["jobs", "--limit", "0"], "0 is not between 1 and 1000"),
        (["trigger", "NoSuchFunction"], "has no schedule trigger"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_every_bad_argument_gets_one_clear_line_and_exit_status_2(
    operator: Operator,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Any,
    arguments: list[str],
    says: str,
) -> None:
    assert exit_status(["--endpoints", endpoints_of(tmp_path), *arguments]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.strip().splitlines()
    assert says in line and "Traceback" not in line


def test_argparse_errors_exit_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_status(["jobs"]) == 2  # neither --endpoints nor --stack
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_a_stack_without_a_region_is_a_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    assert main(["--stack", "salesbridge-dev", "jobs"]) == 2
    assert "--stack needs a region" in capsys.readouterr().err


def test_a_missing_endpoints_file_is_a_clear_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    assert main(["--endpoints", str(tmp_path / "nope.json"), "jobs"]) == 2
    assert "is the local stack running?" in capsys.readouterr().err


def test_a_closed_pipe_ends_quietly(
    operator: Operator,
    aws_resources: dict[str, Resource],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> None:
    queue_one(aws_resources, "4731")

    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["--endpoints", endpoints_of(tmp_path), "jobs"]) == 0


def test_the_hold_is_shown_lifted_and_then_held_jobs_replay(
    operator: Operator,
    aws_resources: dict[str, Resource],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Any,
) -> None:
    cursors = CursorStore(aws_resources["CursorsTable"].name)
    hold = BudgetHoldStore(cursors, clock=lambda: 1_900_000_000.0)
    until = hold.hold("REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.")
    jobs = JobStore(aws_resources["JobsTable"].name)
    job_id = queue_one(aws_resources, "4741")
    drain(aws_resources["NetsuiteOrderQueue"].url or "")
    jobs.transition(
        jobs.get(job_id), JobStatus.HELD, error="REQUEST_LIMIT_EXCEEDED", held_until=until
    )  # type: ignore[arg-type]
    endpoints = endpoints_of(tmp_path)

    assert main(["--endpoints", endpoints, "hold"]) == 0
    shown = capsys.readouterr().out
    assert "since 2030-03-17T17:46:40+00:00 until 2030-03-17T18:46:40+00:00" in shown
    assert "REQUEST_LIMIT_EXCEEDED" in shown
    assert main(["--endpoints", endpoints, "jobs", "--status", "held"]) == 0
    assert f"retried after {until}" in capsys.readouterr().out

    assert main(["--endpoints", endpoints, "replay", "--status", "held"]) == 2  # held again
    assert "lift the hold first" in capsys.readouterr().err
    assert jobs.get(job_id).status is JobStatus.HELD  # type: ignore[union-attr]

    assert main(["--endpoints", endpoints, "hold", "--lift"]) == 0
    assert "lifted the hold" in capsys.readouterr().out
    assert not hold.active() and "lifted" in str(hold.state())
    assert main(["--endpoints", endpoints, "replay", "--status", "held"]) == 0
    assert jobs.get(job_id).status is JobStatus.QUEUED  # type: ignore[union-attr]
    assert main(["--endpoints", endpoints, "hold"]) == 0
    assert "no Salesforce API budget hold" in capsys.readouterr().out
