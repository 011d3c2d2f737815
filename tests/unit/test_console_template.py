"""The console reaches every declared flow's queues: replay onto the queue, DLQ depth and
redrive. A flow added later without its entries would show "unknown" and refuse replays."""

from __future__ import annotations

from pathlib import Path

import pytest

from devstack.template import load_yaml
from shared.flow import Flow, declared_flows

RESOURCES = load_yaml(Path(__file__).resolve().parents[2] / "template.yaml")["Resources"]
CONSOLE = RESOURCES["ConsoleFunction"]["Properties"]


def sqs_resources() -> set[str]:
    """Logical ids named by the console's SQS statements (!GetAtt X.Arn)."""
    named: set[str] = set()
    for policy in CONSOLE["Policies"]:
        for statement in policy.get("Statement", []) if isinstance(policy, dict) else []:
            actions = statement["Action"]
            actions = [actions] if isinstance(actions, str) else actions
            if any(a.startswith("sqs:") for a in actions):
                for resource in statement["Resource"]:
                    named.add(resource["Fn::GetAtt"][0] if "Fn::GetAtt" in resource else "")
    return named


@pytest.mark.parametrize("flow", declared_flows(), ids=lambda f: f.name)
def test_the_console_knows_each_flows_queues_and_their_dead_letter_queues(flow: Flow) -> None:
    queues = CONSOLE["Environment"]["Variables"]["CONSOLE_QUEUES"]["Fn::Sub"]
    named = sqs_resources()
    for queue in flow.queues:
        assert f'"{queue}":"${{{queue}}}"' in queues
        dead_letters = RESOURCES[queue]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]
        assert {queue, dead_letters["Fn::GetAtt"][0]} <= named
