"""template.yaml is ready for production (issue 8, items 11 to 14).

These read the template, so a function, queue or table added later is held to the same rules:
every function has a log group with retention and an Errors alarm (receivers a 5xx alarm too),
every DLQ a depth alarm, every alarm reaches AlertsTopic through a key CloudWatch may use, and
state outlives the stack.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from devstack.template import load_yaml

TEMPLATE = load_yaml(Path(__file__).resolve().parents[2] / "template.yaml")
RESOURCES: dict[str, dict[str, Any]] = TEMPLATE["Resources"]
ALERTS = {"Ref": "AlertsTopic"}
# The values CloudWatch Logs accepts for RetentionInDays (PutRetentionPolicy).
CLOUDWATCH_RETENTION_DAYS = {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731}
CLOUDWATCH_RETENTION_DAYS |= {1096, 1827, 2192, 2557, 2922, 3288, 3653}
STATEFUL = (
    "AWS::DynamoDB::Table",
    "AWS::SecretsManager::Secret",
    "AWS::S3::Bucket",
    "AWS::KMS::Key",
)


def of_type(resource_type: str) -> dict[str, dict[str, Any]]:
    return {lid: r for lid, r in RESOURCES.items() if r["Type"] == resource_type}


def props(logical_id: str) -> dict[str, Any]:
    return RESOURCES[logical_id].get("Properties", {})


def ref_target(value: Any) -> str | None:
    """The logical id a `!Ref X` or `!GetAtt X.Attr` names."""
    if isinstance(value, dict) and "Ref" in value:
        return str(value["Ref"])
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return str(value["Fn::GetAtt"][0])
    return None


def alarms_on(namespace: str, metric: str) -> list[dict[str, Any]]:
    return [
        alarm["Properties"]
        for alarm in of_type("AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("Namespace") == namespace
        and alarm["Properties"].get("MetricName") == metric
    ]


def dimension(alarm: dict[str, Any], name: str) -> Any:
    return next((d["Value"] for d in alarm.get("Dimensions", []) if d["Name"] == name), None)


FUNCTIONS = sorted(of_type("AWS::Serverless::Function"))
RECEIVER_ROUTES = sorted(
    (lid, event["Properties"]["Path"], event["Properties"]["Method"].upper())
    for lid in FUNCTIONS
    for event in (props(lid).get("Events") or {}).values()
    if event["Type"] == "Api"
)
REDRIVEN_QUEUES = sorted(
    lid
    for lid, queue in of_type("AWS::SQS::Queue").items()
    if "RedrivePolicy" in queue["Properties"]
)


def test_there_is_something_to_check() -> None:
    assert FUNCTIONS and RECEIVER_ROUTES and REDRIVEN_QUEUES


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_function_logs_to_its_own_group_with_retention(function: str) -> None:
    group = ref_target((props(function).get("LoggingConfig") or {}).get("LogGroup"))
    assert group in of_type("AWS::Logs::LogGroup"), f"{function} has no LoggingConfig.LogGroup"
    assert props(group)["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    others = [f for f in FUNCTIONS if f != function]
    assert all(ref_target(props(f)["LoggingConfig"]["LogGroup"]) != group for f in others)


def test_the_retention_parameter_offers_only_what_cloudwatch_accepts() -> None:
    parameter = TEMPLATE["Parameters"]["LogRetentionDays"]
    assert set(parameter["AllowedValues"]) <= CLOUDWATCH_RETENTION_DAYS
    assert parameter["Default"] in parameter["AllowedValues"]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_function_has_an_errors_alarm_that_reaches_the_alerts_topic(function: str) -> None:
    alarms = [
        a
        for a in alarms_on("AWS/Lambda", "Errors")
        if ref_target(dimension(a, "FunctionName")) == function
    ]
    assert alarms, f"{function} has no Errors alarm"
    assert all(ALERTS in a["AlarmActions"] for a in alarms)


@pytest.mark.parametrize(("function", "path", "method"), RECEIVER_ROUTES)
def test_every_route_has_a_5xx_alarm(function: str, path: str, method: str) -> None:
    alarms = [
        a
        for a in alarms_on("AWS/ApiGateway", "5XXError")
        if dimension(a, "Resource") == path and dimension(a, "Method") == method
    ]
    assert alarms, f"{method} {path} ({function}) has no 5XXError alarm"
    assert all(ALERTS in a["AlarmActions"] and dimension(a, "Stage") for a in alarms)


@pytest.mark.parametrize("queue", REDRIVEN_QUEUES)
def test_every_dead_letter_queue_has_a_depth_alarm(queue: str) -> None:
    dlq = ref_target(props(queue)["RedrivePolicy"]["deadLetterTargetArn"])
    alarms = [
        a
        for a in alarms_on("AWS/SQS", "ApproximateNumberOfMessagesVisible")
        if ref_target(dimension(a, "QueueName")) == dlq
    ]
    assert alarms, f"the DLQ {dlq} of {queue} has no depth alarm"
    assert all(ALERTS in a["AlarmActions"] for a in alarms)


def test_alarms_can_publish_to_the_encrypted_alerts_topic() -> None:
    """The AWS-managed alias/aws/sns key cannot let CloudWatch in; a customer key can."""
    key = ref_target(props("AlertsTopic")["KmsMasterKeyId"])
    assert key in of_type("AWS::KMS::Key"), "AlertsTopic must use a customer-managed key"
    assert props(key)["EnableKeyRotation"] is True
    grants = [
        s
        for s in props(key)["KeyPolicy"]["Statement"]
        if s["Effect"] == "Allow" and s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert grants and {"kms:Decrypt", "kms:GenerateDataKey*"} <= set(grants[0]["Action"])
    # the grant is limited to alarms named salesbridge-<stage>-*: every alarm must be so named
    source_arn = grants[0]["Condition"]["ArnLike"]["aws:SourceArn"]["Fn::Sub"]
    assert source_arn.endswith(":alarm:salesbridge-${Stage}-*")
    for logical_id, alarm in of_type("AWS::CloudWatch::Alarm").items():
        assert alarm["Properties"]["AlarmName"]["Fn::Sub"].startswith("salesbridge-${Stage}-"), (
            logical_id
        )


@pytest.mark.parametrize(
    "resource", sorted(lid for lid, r in RESOURCES.items() if r["Type"] in STATEFUL)
)
def test_state_outlives_the_stack(resource: str) -> None:
    assert RESOURCES[resource].get("DeletionPolicy") == "Retain"
    assert RESOURCES[resource].get("UpdateReplacePolicy") == "Retain"


def test_the_api_writes_a_json_access_log_without_bodies_or_headers() -> None:
    (api,) = of_type("AWS::Serverless::Api").values()
    setting = api["Properties"]["AccessLogSetting"]
    group = ref_target(setting["DestinationArn"])
    assert props(group)["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    line = json.loads(re.sub(r"\$context\.[\w.]+", "x", setting["Format"]))
    assert {"requestId", "status", "resourcePath", "httpMethod"} <= set(line)
    assert not re.search(
        r"\$input|\.body|header|sourceIp|userAgent|\$context\.authorizer", setting["Format"], re.I
    )
