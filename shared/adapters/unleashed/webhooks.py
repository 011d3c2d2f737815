"""Verifying Unleashed's webhook deliveries.

Unleashed signs each delivery (apidocs.unleashedsoftware.com/Webhooks, "Verifying Webhook
Signatures"; the recipe below is what public clients of that API verify, see API-FACTS):
    x-unleashed-timestamp   Unix seconds when it was signed
    x-unleashed-signature   base64(HMAC-SHA256(key = the subscription's signature key,
                                               message = "<timestamp>.<raw body>"))
The timestamp is signed with the body, so a captured delivery cannot be replayed with a fresh
one; the replay window bounds how long a captured delivery stays usable. Every key (current and
previous, during a rotation) is compared in constant time, even after a match.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from typing import Any

from shared.errors import Unauthorized

TIMESTAMP_HEADER = "x-unleashed-timestamp"
SIGNATURE_HEADER = "x-unleashed-signature"
_UNIX_SECONDS = re.compile(r"(?:0|[1-9][0-9]{0,9})")
_BASE64_SHA256 = re.compile(r"[A-Za-z0-9+/]{43}=")


def sign(key: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(key.encode(), timestamp.encode() + b"." + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify(
    keys: list[str],
    timestamp_header: str | None,
    signature_header: str | None,
    body: bytes,
    *,
    window_seconds: int,
    now: float | None = None,
) -> None:
    """Raise `Unauthorized` naming what is wrong, or return if one key signed this delivery."""
    if not signature_header:
        raise Unauthorized(f"missing {SIGNATURE_HEADER} header")
    if not timestamp_header:
        raise Unauthorized(f"missing {TIMESTAMP_HEADER} header")
    if not _UNIX_SECONDS.fullmatch(timestamp_header):
        raise Unauthorized(f"{TIMESTAMP_HEADER} must be unix seconds (digits only)")
    current = time.time() if now is None else now
    if abs(current - int(timestamp_header)) > window_seconds:
        raise Unauthorized(
            f"{TIMESTAMP_HEADER} is outside the {window_seconds}-second replay window"
        )
    offered = signature_header.strip()
    if not _BASE64_SHA256.fullmatch(offered):
        raise Unauthorized(f"{SIGNATURE_HEADER} must be a base64 HMAC-SHA256 (44 characters)")
    try:
        offered_digest = base64.b64decode(offered, validate=True)
    except (binascii.Error, ValueError):
        raise Unauthorized(f"{SIGNATURE_HEADER} is not base64") from None
    matched = False
    for key in keys:
        expected = base64.b64decode(sign(key, timestamp_header, body))
        matched |= hmac.compare_digest(expected, offered_digest)
    if not matched:
        raise Unauthorized(f"{SIGNATURE_HEADER} does not match the delivery")


def verify_request(event: Any, body: bytes, window_seconds: int) -> None:
    """A receiver's `authenticate`: the request's headers against the `unleashed` keys of the
    webhook-keys secret (the current one and, during a rotation, the previous one)."""
    from shared.webhooks import caller_keys

    verify(
        caller_keys("unleashed"),
        event.headers.get(TIMESTAMP_HEADER),
        event.headers.get(SIGNATURE_HEADER),
        body,
        window_seconds=window_seconds,
    )
