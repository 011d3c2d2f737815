"""S3 notifications, schedules, direct invocation and the demo runner."""

import json

import pytest

from devstack.__main__ import run_demo
from tests.devstack.conftest import take_all


def test_new_object_is_announced_once_with_a_url_encoded_key(stack, recorded):
    s3 = stack.client("s3")
    bucket = stack.resources["UploadsBucket"].name
    s3.put_object(Bucket=bucket, Key="incoming/Big order+1 é.pdf", Body=b"%PDF-1.7")
    s3.put_object(Bucket=bucket, Key="elsewhere/ignored.txt", Body=b"not for us")
    stack.drain(timeout=10)
    stack.drain(timeout=10)  # a second scan finds nothing new: still exactly one record

    records = recorded["UploadHandler"].RECEIVED
    assert len(records) == 1
    record = records[0]
    assert record["eventVersion"] == "2.1"
    assert record["eventSource"] == "aws:s3"
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["awsRegion"] == "us-east-1"
    assert record["s3"]["bucket"] == {
        "name": bucket,
        "ownerIdentity": {"principalId": "LOCALOWNER"},
        "arn": f"arn:aws:s3:::{bucket}",
    }
    s3_object = record["s3"]["object"]
    assert s3_object["key"] == "incoming/Big+order%2B1+%C3%A9.pdf"
    assert s3_object["size"] == 8
    head = s3.head_object(Bucket=bucket, Key="incoming/Big order+1 é.pdf")
    assert s3_object["eTag"] == head["ETag"].strip('"')
    assert s3_object["versionId"] == head["VersionId"]  # the bucket is versioned
    assert s3_object["sequencer"]


def test_overwriting_an_object_announces_the_new_version(stack, recorded):
    s3 = stack.client("s3")
    bucket = stack.resources["UploadsBucket"].name
    s3.put_object(Bucket=bucket, Key="incoming/v.txt", Body=b"one")
    stack.drain(timeout=10)
    s3.put_object(Bucket=bucket, Key="incoming/v.txt", Body=b"two!")
    stack.drain(timeout=10)
    sizes = [r["s3"]["object"]["size"] for r in recorded["UploadHandler"].RECEIVED]
    assert sizes == [3, 4]


def test_bucket_notification_configuration_reaches_queues_and_functions(stack, recorded):
    s3 = stack.client("s3")
    bucket = stack.resources["InboxBucket"].name
    s3.put_object(Bucket=bucket, Key="in/orders.json", Body=b"{}")
    s3.put_object(Bucket=bucket, Key="in/prices.csv", Body=b"a,b")
    stack.drain(timeout=10)

    records = recorded["UploadHandler"].RECEIVED
    assert [r["s3"]["object"]["key"] for r in records] == ["in/prices.csv"]
    queued = take_all(stack.client("sqs"), stack.resources["InboxQueue"].url)
    bodies = [json.loads(m["Body"]) for m in queued]
    s3_records = [r for body in bodies for r in body.get("Records", [])]
    assert [r["eventName"] for r in s3_records] == ["ObjectCreated:Put"]
    assert s3_records[0]["s3"]["bucket"]["name"] == bucket


def test_schedules_run_on_demand_with_eventbridge_payloads(stack, recorded):
    assert stack.run_schedule("NightlyImport.Nightly") == {"ran": True}
    assert stack.run_schedule("NightlyImport.Hourly") == {"ran": True}

    scheduled, scheduler = recorded["NightlyImport"].RECEIVED
    assert scheduled["detail-type"] == "Scheduled Event"
    assert scheduled["source"] == "aws.events"
    assert scheduled["account"] == "123456789012"
    assert scheduled["resources"] == [
        "arn:aws:events:us-east-1:123456789012:rule/NightlyImportNightly"
    ]
    assert scheduled["detail"] == {}
    assert scheduler == {"full": False}  # ScheduleV2 delivers its Input as the event
    with pytest.raises(KeyError, match="2 schedules"):
        stack.run_schedule("NightlyImport")
    assert (
        stack.endpoints["event_sources"]["schedules"]["NightlyImport.Nightly"]["expression"]
        == "rate(1 day)"
    )


def test_invoke_calls_a_function_directly_and_logs_it(stack):
    answer = stack.invoke("HealthFunction", {"resource": "/health"})
    assert answer == {"statusCode": 200, "body": '{"ok": true}'}
    last = stack.invocations[-1]
    assert (last.function, last.source, last.ok) == ("HealthFunction", "direct", True)


def test_demo_runner_reports_each_scenario_and_fails_if_one_fails(stack):
    lines: list[str] = []

    def passes(stack, say):
        say("all good")

    def fails(stack, say):
        raise AssertionError("expected failure")

    assert run_demo(stack, [("a_passes", passes)], say=lines.append) == 0
    assert run_demo(stack, [("a_passes", passes), ("b_fails", fails)], say=lines.append) == 1
    assert "all good" in lines
    assert any(line.startswith("FAILED b_fails") for line in lines)
    assert lines[-1] == "1 of 2 scenario(s) passed"


def test_a_second_stack_in_the_same_process_is_refused(stack, tmp_path):
    from devstack import LocalStack

    with pytest.raises(RuntimeError, match="another LocalStack"):
        LocalStack(stack.template_path, sandboxes=False, state_dir=tmp_path).start()
    assert stack.endpoints_path.exists()  # the running one is untouched
