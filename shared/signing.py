"""Signed webhooks: HMAC-SHA256 over the timestamp and the raw body, inside a replay window.

Sender: `X-Salesbridge-Timestamp: <unix seconds>` and
`X-Salesbridge-Signature: v1=<hex HMAC-SHA256(key, "<timestamp>.<raw body>")>`.
Signing the timestamp with the body means a captured request cannot be replayed later with a
fresh timestamp; the window bounds how long a captured request stays usable at all. Several
`v1=` values separated by commas are accepted so keys can be rotated without downtime.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from shared.errors import Unauthorized

TIMESTAMP_HEADER = "X-Salesbridge-Timestamp"
SIGNATURE_HEADER = "X-Salesbridge-Signature"
SCHEME = "v1"


def sign(key: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(key.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SCHEME}={digest.hexdigest()}"


def signed_headers(key: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = int(time.time() if now is None else now)
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: sign(key, timestamp, body)}


def verify(
    keys: list[str],
    timestamp_header: str | None,
    signature_header: str | None,
    body: bytes,
    *,
    window_seconds: int,
    now: float | None = None,
) -> None:
    """Raise `Unauthorized` naming what is wrong, or return if one key signed this body."""
    if not signature_header:
        raise Unauthorized(f"missing {SIGNATURE_HEADER} header")
    if not timestamp_header:
        raise Unauthorized(f"missing {TIMESTAMP_HEADER} header")
    try:
        timestamp = int(timestamp_header)
    except ValueError:
        raise Unauthorized(f"{TIMESTAMP_HEADER} must be unix seconds") from None
    current = time.time() if now is None else now
    if abs(current - timestamp) > window_seconds:
        raise Unauthorized(
            f"{TIMESTAMP_HEADER} is outside the {window_seconds}-second replay window"
        )
    offered = [part.strip() for part in signature_header.split(",") if part.strip()]
    if not any(part.startswith(f"{SCHEME}=") for part in offered):
        raise Unauthorized(f"{SIGNATURE_HEADER} must carry a {SCHEME}= signature")
    for key in keys:
        expected = sign(key, timestamp, body)
        if any(hmac.compare_digest(expected, part) for part in offered):
            return
    raise Unauthorized(f"{SIGNATURE_HEADER} does not match the request body")
