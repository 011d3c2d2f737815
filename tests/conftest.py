"""Defaults every test tier shares: a fake AWS identity and quiet, offline Powertools."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "events"

for name, value in {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "POWERTOOLS_SERVICE_NAME": "salesbridge",
    "POWERTOOLS_METRICS_NAMESPACE": "salesbridge",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
}.items():
    os.environ.setdefault(name, value)


def load_event(name: str) -> dict[str, Any]:
    """A sample event from events/ (the same files `sam local invoke -e` uses)."""
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    event.pop("_comment", None)
    return event


class FakeLambdaContext:
    function_name = "salesbridge-test"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:salesbridge-test"
    memory_limit_in_mb = 512
    aws_request_id = "6f7e9f1e-0000-4000-8000-000000000000"
    log_group_name = "/aws/lambda/salesbridge-test"
    log_stream_name = "2026/11/22/[$LATEST]0000"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()
