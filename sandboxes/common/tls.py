"""A certificate authority made on the spot, so sandboxes serve real TLS that clients verify.

simple-salesforce always builds https:// URLs, and turning verification off would hide the
very mistakes the sandboxes exist to catch; so every client is handed this CA's bundle.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import trustme


class LocalCA:
    """One CA per local stack; its PEM lives at `bundle_path` for clients to trust."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._ca = trustme.CA(organization_name="salesbridge local CA")
        self._server_cert = self._ca.issue_cert("127.0.0.1", "localhost", "::1")
        self.bundle_path = directory / "ca.pem"
        self._ca.cert_pem.write_to_path(str(self.bundle_path))

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._server_cert.configure_cert(context)
        return context

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.bundle_path))
        return context
