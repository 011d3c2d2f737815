"""What the four sandbox suites share.

Each directory runs its sandbox once per session (`running_sandbox` in its conftest, started
by the `sandbox_server` factory in tests/conftest.py) and every test gets it fresh through `app`
below; the shared `server`, `base_url` and `admin` fixtures depend on `app`, so the reset comes
before a test can drive the sandbox. A directory overrides `app` to add its own settings.
"""

from __future__ import annotations

import pytest

from sandboxes.common import SandboxApp
from tests.sandbox_server import RunningSandbox


@pytest.fixture
def app(running_sandbox: RunningSandbox[SandboxApp]) -> SandboxApp:
    """The directory's sandbox as `POST /__admin/reset` leaves it: no faults, an empty request
    log, the real clock and its initial data."""
    sandbox = running_sandbox.app
    with sandbox.lock:
        sandbox.clear_faults()
        sandbox.request_log.clear()
        sandbox.clock.resume()
        sandbox.reset()
    return sandbox
