"""Helpers for the NetSuite sandbox tests: TBA signing the way clients do it, and a
webhook receiver standing in for salesbridge."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
from authlib.integrations.httpx_client import OAuth1Auth
from authlib.oauth1 import ClientAuth
from authlib.oauth1.rfc5849.signature import generate_signature_base_string
from authlib.oauth1.rfc5849.util import escape
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


def _sign_hmac_sha256(client: Any, request: Any) -> str:
    """authlib ships HMAC-SHA1 only; NetSuite requires HMAC-SHA256."""
    text = generate_signature_base_string(request)
    key = f"{escape(client.client_secret or '')}&{escape(client.token_secret or '')}"
    digest = hmac.new(key.encode(), text.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


ClientAuth.register_signature_method("HMAC-SHA256", _sign_hmac_sha256)


class TokenAuth(OAuth1Auth):
    """OAuth1Auth that keeps a JSON body: authlib 1.9's httpx flow sends non-form bodies
    as empty (authlib issues #516, #543). The body is still left out of the signature."""

    def auth_flow(self, request: httpx.Request) -> Iterator[httpx.Request]:
        url, headers, _ = self.prepare(request.method, str(request.url), request.headers, b"")
        headers["Content-Length"] = str(len(request.content))
        yield httpx.Request(request.method, url, headers=headers, content=request.content)


def make_auth(conn: dict[str, Any], **overrides: Any) -> TokenAuth:
    settings = {
        "client_id": conn["consumer_key"],
        "client_secret": conn["consumer_secret"],
        "token": conn["token_id"],
        "token_secret": conn["token_secret"],
        "signature_method": "HMAC-SHA256",
        "realm": conn["account_id"],
    } | overrides
    return TokenAuth(**settings)


class Receiver:
    """Records every POST it gets: headers and the raw body, for signature checks."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: list[dict[str, Any]] = []
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/hooks/netsuite"

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        raw = request.get_data()
        self.received.append(
            {"headers": dict(request.headers), "raw": raw, "json": json.loads(raw)}
        )
        return Response(status=self.status)(environ, start_response)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
