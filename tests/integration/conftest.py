"""Integration tier: our adapters against moto's server over loopback, resources from the template.

The tables, queues and secrets are created by the local stack's provisioner from template.yaml,
so a key schema or index that the code expects but the template lacks fails here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from devstack.provision import Provisioner, Resource
from devstack.template import load_template
from sandboxes.common import SandboxApp, SandboxServer
from sandboxes.intacct import IntacctSandbox
from sandboxes.salesforce import SalesforceSandbox
from tests.sandbox_server import RunningSandbox, SandboxStarter

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def running_sandbox(
    sandbox_server: SandboxStarter, request: pytest.FixtureRequest
) -> Iterator[RunningSandbox[SandboxApp]]:
    """The sandbox a module names in `SANDBOX`, one per module; read it through the shared
    `app`, `server` and `admin` fixtures (tests/conftest.py)."""
    with sandbox_server(request.module.SANDBOX) as running:
        yield running


@pytest.fixture(scope="module")
def salesforce(sandbox_server: SandboxStarter) -> Iterator[SandboxServer]:
    """A Salesforce org for a module that runs more than one sandbox."""
    with sandbox_server(SalesforceSandbox) as running:
        yield running.server


@pytest.fixture(scope="module")
def intacct(sandbox_server: SandboxStarter) -> Iterator[SandboxServer]:
    """An Intacct gateway for a module that runs more than one sandbox."""
    with sandbox_server(IntacctSandbox) as running:
        yield running.server


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    previous = os.environ.get("AWS_ENDPOINT_URL")
    os.environ["AWS_ENDPOINT_URL"] = url
    yield url
    if previous is None:
        os.environ.pop("AWS_ENDPOINT_URL", None)
    else:
        os.environ["AWS_ENDPOINT_URL"] = previous
    server.stop()


@pytest.fixture(scope="session")
def aws_resources(moto_url: str) -> dict[str, Resource]:
    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=moto_url, region_name="us-east-1")

    template = load_template(ROOT / "template.yaml", {"Stage": "local"})
    return Provisioner(template, client).provision_all()


@pytest.fixture
def clean_tables(aws_resources: dict[str, Resource], moto_url: str) -> dict[str, str]:
    """Table logical id -> physical name, emptied before the test."""
    dynamodb = boto3.resource("dynamodb", endpoint_url=moto_url, region_name="us-east-1")
    names = {}
    for logical_id, resource in aws_resources.items():
        if resource.type != "AWS::DynamoDB::Table":
            continue
        table = dynamodb.Table(resource.name)
        keys = [k["AttributeName"] for k in table.key_schema]
        with table.batch_writer() as batch:
            for item in table.scan()["Items"]:
                batch.delete_item(Key={k: item[k] for k in keys})
        names[logical_id] = resource.name
    return names
