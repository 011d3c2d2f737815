"""How every test tier runs a sandbox: its app over TLS on loopback, plus an admin client.

`sandbox_server` (the session fixture in tests/conftest.py) is a `SandboxStarter`: a directory or
module that needs a sandbox defines `running_sandbox` at the scope it wants

    @pytest.fixture(scope="session")
    def running_sandbox(sandbox_server: SandboxStarter) -> Iterator[RunningSandbox[XSandbox]]:
        with sandbox_server(XSandbox) as running:
            yield running

and reads it through the shared `app`, `server`, `base_url` and `admin` fixtures. A sandbox whose
state must be fresh for each test overrides `app` to reset it; the other three depend on `app`,
so the reset happens before a test can drive the sandbox.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from typing import Any

from sandboxes.common import LocalCA, SandboxAdmin, SandboxApp, SandboxServer


@dataclass(frozen=True)
class RunningSandbox[App: SandboxApp]:
    app: App
    server: SandboxServer
    admin: SandboxAdmin

    @property
    def base_url(self) -> str:
        return self.server.base_url


class SandboxStarter:
    """Starts `app_class(**options)` on an ephemeral loopback port with a certificate of the
    session's CA; the server and the admin client are closed when the `with` block ends."""

    def __init__(self, ca: LocalCA) -> None:
        self.ca = ca

    @contextmanager
    def __call__[App: SandboxApp](
        self, app_class: type[App], **options: Any
    ) -> Iterator[RunningSandbox[App]]:
        app = app_class(**options)
        with (
            SandboxServer(app, self.ca) as server,
            closing(SandboxAdmin(server.base_url, str(self.ca.bundle_path))) as admin,
        ):
            yield RunningSandbox(app, server, admin)
