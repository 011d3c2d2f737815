"""What every sandbox shares: a local CA, an HTTPS server, the admin API and fault injection."""

from sandboxes.common.admin import SandboxAdmin
from sandboxes.common.app import Fault, RequestLog, SandboxApp, json_response
from sandboxes.common.clock import SandboxClock
from sandboxes.common.server import SandboxServer
from sandboxes.common.tls import LocalCA

__all__ = [
    "Fault",
    "LocalCA",
    "RequestLog",
    "SandboxAdmin",
    "SandboxApp",
    "SandboxClock",
    "SandboxServer",
    "json_response",
]
