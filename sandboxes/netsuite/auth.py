"""Token-Based Authentication (OAuth 1.0a, HMAC-SHA256) checked the way NetSuite checks it.

The signature base string follows RFC 5849 section 3.4.1: the method, the base string URI,
and the query parameters plus the `oauth_*` parameters of the Authorization header (not
`realm`, not `oauth_signature`). The base string URI (3.4.1.2) is the scheme and host
lowercased, a non-default port kept (as the client saw it in `Host`), and the path *as sent*:
the RFC's own example signs `GET /r%20v/X` as "http://example.com/r%20v/X", so a
percent-escape in the path (`eid:ACME%20LTD`, `eid:A%2FB`) is signed escaped, never decoded.
A JSON body is not signed; a form-encoded body would be. The key is
`consumer_secret&token_secret`. Every refusal looks the same to the caller (401
INVALID_LOGIN), as it does on NetSuite, whose Login Audit Trail is where the reason shows:
here the reason is kept in `refusals` for tests and people to read.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit
from urllib.request import parse_http_list, parse_keqv_list

from authlib.oauth1.rfc5849.signature import construct_base_string
from authlib.oauth1.rfc5849.util import escape, unescape
from werkzeug.wrappers import Request

from sandboxes.netsuite.errors import invalid_login

SIGNATURE_METHOD = "HMAC-SHA256"


@dataclass(frozen=True)
class Credentials:
    account_id: str
    consumer_key: str
    consumer_secret: str
    token_id: str
    token_secret: str


class AuthRefusalError(Exception):
    """Why a request was refused; the caller only ever sees INVALID_LOGIN."""


class TokenAuthenticator:
    def __init__(
        self,
        credentials: Credentials,
        tolerance_seconds: int = 300,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.credentials = credentials
        self.tolerance_seconds = tolerance_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, str, str, str], int] = {}
        self.refusals: deque[str] = deque(maxlen=200)

    def reset(self) -> None:
        with self._lock:
            self._seen.clear()
            self.refusals.clear()

    def verify(self, request: Request) -> None:
        """Raise NetSuite's 401 unless the request carries a valid, fresh TBA signature."""
        try:
            self._check(request)
        except AuthRefusalError as refused:
            self.refusals.append(str(refused))
            raise invalid_login() from refused

    def _check(self, request: Request) -> None:
        header = request.headers.get("Authorization", "")
        if not header.lower().startswith("oauth "):
            raise AuthRefusalError("no OAuth Authorization header")
        params = _parse_header(header[len("oauth ") :])
        fields = dict(params)
        creds = self.credentials
        if fields.get("realm") != creds.account_id:
            raise AuthRefusalError(f"realm {fields.get('realm')!r} is not the account id")
        if fields.get("oauth_signature_method") != SIGNATURE_METHOD:
            raise AuthRefusalError("signature method must be HMAC-SHA256")
        if fields.get("oauth_version", "1.0") != "1.0":
            raise AuthRefusalError("oauth_version must be 1.0")
        if fields.get("oauth_consumer_key") != creds.consumer_key:
            raise AuthRefusalError("unknown consumer key")
        if fields.get("oauth_token") != creds.token_id:
            raise AuthRefusalError("unknown token")
        timestamp = self._fresh_timestamp(fields.get("oauth_timestamp", ""))
        nonce = fields.get("oauth_nonce", "")
        if not 6 <= len(nonce) <= 64:
            raise AuthRefusalError("nonce must be 6 to 64 characters")
        expected = sign(_base_string(request, params), creds.consumer_secret, creds.token_secret)
        if not hmac.compare_digest(expected, fields.get("oauth_signature", "")):
            raise AuthRefusalError("signature does not match")
        self._remember_nonce((creds.consumer_key, creds.token_id, nonce, str(timestamp)))

    def _fresh_timestamp(self, raw: str) -> int:
        if not raw.isdigit():
            raise AuthRefusalError("timestamp is not a positive integer")
        timestamp = int(raw)
        if abs(self._clock() - timestamp) > self.tolerance_seconds:
            raise AuthRefusalError("timestamp outside the accepted window")
        return timestamp

    def _remember_nonce(self, key: tuple[str, str, str, str]) -> None:
        with self._lock:
            horizon = self._clock() - 2 * self.tolerance_seconds
            for old in [k for k, at in self._seen.items() if at < horizon]:
                del self._seen[old]
            if key in self._seen:
                raise AuthRefusalError("nonce already used with this timestamp")
            self._seen[key] = int(key[3])


def sign(base_string: str, consumer_secret: str, token_secret: str) -> str:
    key = f"{escape(consumer_secret)}&{escape(token_secret)}".encode()
    digest = hmac.new(key, base_string.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _parse_header(value: str) -> list[tuple[str, str]]:
    try:
        items = parse_keqv_list(parse_http_list(value))
    except (IndexError, ValueError) as exc:
        raise AuthRefusalError("malformed Authorization header") from exc
    return [(unescape(k), unescape(v)) for k, v in items.items()]


def _base_string(request: Request, header_params: list[tuple[str, str]]) -> str:
    # RFC 5849 3.4.1.3.1: the query is decoded as application/x-www-form-urlencoded.
    params = parse_qsl(request.query_string.decode(), keep_blank_values=True)
    if request.mimetype == "application/x-www-form-urlencoded":
        params.extend(parse_qsl(request.get_data(as_text=True), keep_blank_values=True))
    params.extend((k, v) for k, v in header_params if k != "realm")
    base_url = f"{request.scheme}://{request.host}{path_as_sent(request.environ)}"
    return str(construct_base_string(request.method, base_url, params))


def path_as_sent(environ: dict[str, Any]) -> str:
    """The request-target's path exactly as it came on the wire (percent-escapes kept).

    werkzeug's PATH_INFO is already decoded (`%2F` became `/`, `%20` a space), which is
    not what the client signed; its development server keeps the raw target in RAW_URI
    (REQUEST_URI in other servers). Without either, the decoded path is re-escaped, which
    is right for every path whose client escaped only what RFC 3986 requires.
    """
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        target = str(raw)
        if "://" in target.split("?", 1)[0]:  # absolute-form request-target
            target = urlsplit(target).path
        return target.split("?", 1)[0] or "/"
    path = str(environ.get("SCRIPT_NAME", "")) + str(environ.get("PATH_INFO", ""))
    return quote(path.encode("latin-1").decode("utf-8", "replace"), safe="/:@!$&'()*+,;=")
