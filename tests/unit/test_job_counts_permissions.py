"""A job's status change is one DynamoDB transaction with the console's counters
(`JobCountsTable`): a function that may write jobs must also be allowed to update the
counters, or its job writes fail with AccessDenied in AWS (moto does not check IAM)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from devstack.template import load_yaml

RESOURCES = load_yaml(Path(__file__).resolve().parents[2] / "template.yaml")["Resources"]
FUNCTIONS = sorted(
    name for name, r in RESOURCES.items() if r["Type"] == "AWS::Serverless::Function"
)


def grants(function: str, action: str, table: str) -> bool:
    for policy in RESOURCES[function]["Properties"].get("Policies", []):
        for statement in policy.get("Statement", []) if isinstance(policy, dict) else []:
            actions = statement.get("Action", [])
            actions = [actions] if isinstance(actions, str) else actions
            resources: Any = statement.get("Resource", [])
            resources = resources if isinstance(resources, list) else [resources]
            named = {
                r["Fn::GetAtt"][0] for r in resources if isinstance(r, dict) and "Fn::GetAtt" in r
            }
            if action in actions and table in named:
                return True
    return False


@pytest.mark.parametrize("function", FUNCTIONS)
def test_a_function_that_writes_jobs_may_update_their_counters(function: str) -> None:
    if grants(function, "dynamodb:PutItem", "JobsTable"):
        assert grants(function, "dynamodb:UpdateItem", "JobCountsTable"), function
