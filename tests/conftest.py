"""Defaults every test tier shares: a fake AWS identity, quiet offline Powertools, one local CA
and the sandbox fixtures (see tests/sandbox_server.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from sandboxes.common import LocalCA, SandboxAdmin, SandboxApp, SandboxServer
from tests.sandbox_server import RunningSandbox, SandboxStarter

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


@pytest.fixture(scope="session")
def ca(tmp_path_factory: pytest.TempPathFactory) -> LocalCA:
    """One local CA per session (per xdist worker); every sandbox serves a certificate it issued."""
    return LocalCA(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="session")
def sandbox_server(ca: LocalCA) -> SandboxStarter:
    """`with sandbox_server(SalesforceSandbox) as running:` runs a sandbox over loopback TLS."""
    return SandboxStarter(ca)


# The four fixtures below read the `running_sandbox` that a sandbox's conftest or an integration
# module defines; `app` is overridden there when the sandbox must be reset for each test.


@pytest.fixture
def app(running_sandbox: RunningSandbox[SandboxApp]) -> SandboxApp:
    return running_sandbox.app


@pytest.fixture
def server(running_sandbox: RunningSandbox[SandboxApp], app: SandboxApp) -> SandboxServer:
    return running_sandbox.server


@pytest.fixture
def base_url(running_sandbox: RunningSandbox[SandboxApp], app: SandboxApp) -> str:
    return running_sandbox.base_url


@pytest.fixture
def admin(running_sandbox: RunningSandbox[SandboxApp], app: SandboxApp) -> SandboxAdmin:
    return running_sandbox.admin
