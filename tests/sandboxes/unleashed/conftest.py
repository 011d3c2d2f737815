"""Fixtures for the Unleashed sandbox: one HTTPS server per session, fresh demo data per test."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Generator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from sandboxes.common import LocalCA, SandboxAdmin, SandboxServer
from sandboxes.unleashed import UnleashedSandbox
from sandboxes.unleashed.demo import demo_seed
from tests.sandbox_server import RunningSandbox, SandboxStarter


class UnleashedSignature(httpx.Auth):
    """Signs each request the way Unleashed's authentication help describes."""

    def __init__(self, api_id: str, api_key: str) -> None:
        self.api_id, self.api_key = api_id, api_key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        query = request.url.query  # the query string exactly as it goes on the wire
        digest = hmac.new(self.api_key.encode(), query, hashlib.sha256).digest()
        request.headers["api-auth-id"] = self.api_id
        request.headers["api-auth-signature"] = base64.b64encode(digest).decode()
        yield request


JSON_HEADERS = {
    "Accept": "application/json",
    "Content-Type": "application/json",
    "client-type": "salesbridge/tests",
}


@pytest.fixture()
def json_headers() -> dict[str, str]:
    return dict(JSON_HEADERS)


@pytest.fixture(scope="session")
def running_sandbox(sandbox_server: SandboxStarter) -> Iterator[RunningSandbox[UnleashedSandbox]]:
    with sandbox_server(UnleashedSandbox) as running:
        yield running


@pytest.fixture()
def app(
    app: UnleashedSandbox, running_sandbox: RunningSandbox[UnleashedSandbox]
) -> UnleashedSandbox:
    """The reset company (tests/sandboxes/conftest.py) with no quota, no webhooks, the real
    clock, and the client-type header required."""
    running_sandbox.admin.configure(
        monthly_quota=None, now=None, webhooks=[], require_client_type=True
    )
    return app


@pytest.fixture()
def seeded(admin: SandboxAdmin) -> dict[str, Any]:
    """The demo company, loaded fresh; answers the Guids the seed made."""
    return admin.seed(demo_seed())


@pytest.fixture()
def connection(app: UnleashedSandbox, server: SandboxServer) -> dict[str, Any]:
    return app.connection(server.base_url)


@pytest.fixture()
def client(connection: dict[str, Any], ca: LocalCA, admin: SandboxAdmin) -> Iterator[httpx.Client]:
    auth = UnleashedSignature(connection["api_id"], connection["api_key"])
    with httpx.Client(
        base_url=connection["base_url"],
        auth=auth,
        headers=JSON_HEADERS,
        verify=ca.client_context(),
        timeout=10,
    ) as http:
        yield http


class Receiver:
    """A plain-HTTP endpoint on loopback that records what webhooks post to it."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                receiver.received.append(
                    {"headers": dict(self.headers.items()), "body": self.rfile.read(length)}
                )
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hooks/unleashed"
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def payloads(self) -> list[dict[str, Any]]:
        return [json.loads(entry["body"]) for entry in self.received]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    endpoint = Receiver()
    yield endpoint
    endpoint.close()
