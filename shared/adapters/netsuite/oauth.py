"""NetSuite Token-Based Authentication: OAuth 1.0a signatures with HMAC-SHA256.

Written here (about sixty lines) instead of taken from authlib because authlib 1.9's httpx
integration sends PATCH/PUT/POST bodies empty (authlib issues #516, #543) and ships no
HMAC-SHA256 for OAuth 1; and because the sandbox verifies with authlib's base-string code,
an independent signer here means a mistake in either one shows up in the integration tests.

The signature base string (RFC 5849 section 3.4.1) is the method, the base URL (scheme and
host lowercased, a non-default port kept, the path as sent, no query), and every query
parameter plus the `oauth_*` parameters, each percent-encoded and sorted. A JSON body is not
part of it (3.4.1.3.1: only form-encoded bodies are); `realm` is not either. The key is
`consumer_secret&token_secret`.

Signing happens in a transport (`SigningTransport`) *below* the retrying transport, so every
attempt gets a fresh nonce and timestamp: NetSuite refuses a nonce it has already seen, so a
retried request that reused the first attempt's header would fail with INVALID_LOGIN.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote

import httpx

SIGNATURE_METHOD = "HMAC-SHA256"
DEFAULT_PORTS = {"http": 80, "https": 443}


def percent_encode(value: str) -> str:
    """RFC 5849 3.6: everything but unreserved characters, as UTF-8 octets."""
    return quote(value, safe="-._~")


def base_string_uri(url: httpx.URL) -> str:
    scheme = url.scheme.lower()
    host = url.host.lower()
    port = f":{url.port}" if url.port and url.port != DEFAULT_PORTS.get(scheme) else ""
    path = url.raw_path.split(b"?", 1)[0].decode("ascii") or "/"
    return f"{scheme}://{host}{port}{path}"


def normalized_parameters(pairs: list[tuple[str, str]]) -> str:
    encoded = sorted((percent_encode(k), percent_encode(v)) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def signature_base_string(method: str, url: httpx.URL, oauth_params: dict[str, str]) -> str:
    # The query is decoded as application/x-www-form-urlencoded (RFC 5849 3.4.1.3.1).
    pairs = parse_qsl(url.query.decode("ascii"), keep_blank_values=True)
    pairs.extend(oauth_params.items())
    parts = (method.upper(), base_string_uri(url), normalized_parameters(pairs))
    return "&".join(percent_encode(part) for part in parts)


def hmac_sha256(base_string: str, consumer_secret: str, token_secret: str) -> str:
    key = f"{percent_encode(consumer_secret)}&{percent_encode(token_secret)}"
    digest = hmac.new(key.encode(), base_string.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def new_nonce() -> str:
    return secrets.token_hex(16)  # 32 characters; NetSuite wants 6 to 64


@dataclass(frozen=True)
class TokenSigner:
    """Builds the `Authorization: OAuth ...` header for one request."""

    realm: str
    consumer_key: str
    consumer_secret: str = field(repr=False)
    token_id: str
    token_secret: str = field(repr=False)
    clock: Callable[[], float] = time.time
    nonce: Callable[[], str] = new_nonce

    def authorization(self, method: str, url: httpx.URL) -> str:
        oauth_params = {
            "oauth_consumer_key": self.consumer_key,
            "oauth_nonce": self.nonce(),
            "oauth_signature_method": SIGNATURE_METHOD,
            "oauth_timestamp": str(int(self.clock())),
            "oauth_token": self.token_id,
            "oauth_version": "1.0",
        }
        base = signature_base_string(method, url, oauth_params)
        oauth_params["oauth_signature"] = hmac_sha256(base, self.consumer_secret, self.token_secret)
        fields = [("realm", self.realm), *oauth_params.items()]
        return "OAuth " + ", ".join(f'{k}="{percent_encode(v)}"' for k, v in fields)


class SigningTransport(httpx.BaseTransport):
    """Signs each attempt afresh; sits under `RetryingTransport`, above the network."""

    def __init__(self, inner: httpx.BaseTransport, signer: TokenSigner) -> None:
        self._inner = inner
        self._signer = signer

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.headers["Authorization"] = self._signer.authorization(request.method, request.url)
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()
