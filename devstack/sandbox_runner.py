"""Starts the sandboxes that exist and seeds secrets and settings from them.

Each package `sandboxes/<name>` (other than `common`) that imports cleanly and exports a
`SandboxApp` subclass is started on the stack's one `LocalCA`; a missing or broken sandbox is
logged and left out, so the stack runs while sandboxes are still being written.

Seeding follows `Metadata: {salesbridge: ...}` on template resources:
- a secret with `sandbox: <name>` receives that sandbox's `connection(base_url)` as JSON;
- a secret with `webhook_keys: true` receives `{name: random key}` for each name in its `keys`
  list (the endpoints file lists the same keys, so tests can sign webhooks);
- a secret with `console_app: salesforce` gets the console's External Client App, registered
  in the Salesforce sandbox with the console's callback and Canvas URLs (its generated
  session key is kept);
- the SSM parameter with `settings: true` receives `settings/local.json` when that file exists.
Each sandbox is served through an `ApiCallMeter`, which counts the API calls salesbridge's
functions make to it (the demo reports them). Then, best effort, a sandbox whose name appears
in a POST route's path is told where to send its webhooks:
`configure(webhook_url=..., webhook_secret=<its webhook key>)`.
"""

from __future__ import annotations

import importlib
import inspect
import json
import logging
import pkgutil
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devstack.lambdas import invocation_running

log = logging.getLogger("devstack.sandboxes")

KNOWN_SANDBOXES = ("salesforce", "netsuite", "unleashed", "intacct")
ADMIN_PREFIX = "/__admin"


class ApiCallMeter:
    """WSGI wrapper counting the calls made to a sandbox while a function runs.

    Calls from elsewhere (tests, demo actors, the admin API) are not salesbridge's spending.
    A sandbox that keeps its own allocation count (Salesforce's `api_usage`, which leaves out
    OAuth token requests as the real org does) is measured by that count; others count one
    per request.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if not invocation_running() or environ.get("PATH_INFO", "").startswith(ADMIN_PREFIX):
            return self.app(environ, start_response)
        usage_before = getattr(self.app, "api_usage", None)
        try:
            return self.app(environ, start_response)
        finally:
            if usage_before is None:
                self.calls += 1
            else:
                self.calls += max(0, int(self.app.api_usage) - int(usage_before))


@dataclass
class RunningSandbox:
    name: str
    app: Any
    server: Any
    meter: ApiCallMeter = field(default_factory=lambda: ApiCallMeter(None))

    @property
    def base_url(self) -> str:
        return str(self.server.base_url)

    def connection(self) -> dict[str, Any]:
        connect = getattr(self.app, "connection", None)
        return dict(connect(self.base_url)) if callable(connect) else {}

    def describe(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "admin_url": f"{self.base_url}/__admin",
            **self.connection(),
        }


def available_sandboxes() -> list[str]:
    try:
        package = importlib.import_module("sandboxes")
    except ImportError:
        return []
    found = {info.name for info in pkgutil.iter_modules(package.__path__) if info.ispkg}
    found.discard("common")
    return sorted(found, key=lambda n: (n not in KNOWN_SANDBOXES, n))


def app_class(name: str) -> type | None:
    """The SandboxApp subclass a sandbox package exports, or None if it has none (yet)."""
    try:
        from sandboxes.common import SandboxApp

        module = importlib.import_module(f"sandboxes.{name}")
    except Exception as exc:
        log.warning("sandbox %s not started: %s", name, exc)
        return None
    for value in vars(module).values():
        if inspect.isclass(value) and issubclass(value, SandboxApp) and value is not SandboxApp:
            return value
    log.warning("sandbox %s exports no SandboxApp subclass yet; not started", name)
    return None


def start_sandboxes(wanted: dict[str, type | None], ca: Any) -> dict[str, RunningSandbox]:
    """Start each wanted sandbox: its given app class, or the one its package exports."""
    from sandboxes.common import SandboxServer

    running: dict[str, RunningSandbox] = {}
    for name, given in wanted.items():
        cls = given or app_class(name)
        if cls is None:
            continue
        try:
            app = cls()
            meter = ApiCallMeter(app)
            server = SandboxServer(meter, ca).start()
        except Exception:
            log.exception("sandbox %s failed to start", name)
            continue
        running[name] = RunningSandbox(name, app, server, meter)
    return running


def demo_seed(name: str) -> dict[str, Any] | None:
    try:
        module = importlib.import_module(f"sandboxes.{name}.demo")
    except ImportError:
        return None
    seed = getattr(module, "demo_seed", None)
    return dict(seed()) if callable(seed) else None


def salesbridge_metadata(resource: dict[str, Any]) -> dict[str, Any]:
    metadata = resource.get("Metadata") or {}
    return dict(metadata.get("salesbridge") or {})


def webhook_keys(names: list[str]) -> dict[str, str]:
    return {name: secrets.token_hex(32) for name in names}


def seed_secret(secretsmanager: Any, arn: str, value: dict[str, Any]) -> None:
    secretsmanager.put_secret_value(SecretId=arn, SecretString=json.dumps(value))


def seed_console_app(
    secretsmanager: Any, arn: str, salesforce: RunningSandbox, console_url: str
) -> None:
    with salesforce.app.lock:
        app = salesforce.app.web_login.register(
            {
                "name": "Salesbridge_Console",
                "callback_urls": [f"{console_url}/auth/callback"],
                "canvas_url": f"{console_url}/canvas",
            }
        )
    current = json.loads(secretsmanager.get_secret_value(SecretId=arn)["SecretString"])
    seed_secret(
        secretsmanager,
        arn,
        {
            **current,
            "login_url": salesforce.base_url,
            "consumer_key": app.consumer_key,
            "consumer_secret": app.consumer_secret,
        },
    )


def seed_settings(ssm: Any, name: str, settings_file: Path) -> bool:
    if not settings_file.is_file():
        return False
    current = ssm.get_parameter(Name=name)["Parameter"]
    ssm.put_parameter(
        Name=name, Value=settings_file.read_text(), Type=current["Type"], Overwrite=True
    )
    return True


def wire_webhooks(
    running: dict[str, RunningSandbox], routes: list[tuple[str, str]], keys: dict[str, str]
) -> dict[str, str]:
    """Point each sandbox that sends webhooks at the POST route named after it (best effort)."""
    wired: dict[str, str] = {}
    for name, sandbox in running.items():
        # A route under /webhooks/ first: other POST routes may name the system too
        # (/unleashed/send is a page, not a webhook receiver).
        named = [url for method, url in routes if method == "POST" and name in url]
        url = next((u for u in named if "/webhooks/" in u), named[0] if named else None)
        if url is None or name not in keys:
            continue
        try:
            sandbox.app.configure({"webhook_url": url, "webhook_secret": keys[name]})
            wired[name] = url
        except Exception as exc:  # this sandbox has no webhook knobs (yet)
            log.info("sandbox %s: webhook target not configured: %s", name, exc)
    return wired
