"""Signed webhooks: HMAC-SHA256 over the timestamp and the raw body, inside a replay window.

Sender: `X-Salesbridge-Timestamp: <unix seconds>` and
`X-Salesbridge-Signature: v1=<hex HMAC-SHA256(key, "<timestamp>.<raw body>")>`.
Signing the timestamp with the body means a captured request cannot be replayed later with a
fresh timestamp; the window bounds how long a captured request stays usable at all. Several
`v1=` values separated by commas are accepted, and every key of the source is tried (`<source>`
and `<source>_previous`), so keys can be rotated without downtime.

Headers come from anyone: every check below refuses with `Unauthorized` (401) and never lets
an exception of the standard library through (a 4,000-digit timestamp, a non-ASCII signature).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time

from shared.errors import Unauthorized

TIMESTAMP_HEADER = "X-Salesbridge-Timestamp"
SIGNATURE_HEADER = "X-Salesbridge-Signature"
SCHEME = "v1"
# Unix seconds in canonical form: no sign, no leading zero, no `_`, at most 10 digits (until
# the year 2286). A 13-digit value is a millisecond timestamp, a common sender mistake.
_UNIX_SECONDS = re.compile(r"(?:0|[1-9][0-9]{0,9})")
_UNIX_MILLISECONDS = re.compile(r"[1-9][0-9]{12}")
_HEX_SIGNATURE = re.compile(rf"{SCHEME}=[0-9a-f]{{64}}")


def sign(key: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(key.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SCHEME}={digest.hexdigest()}"


def signed_headers(key: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = int(time.time() if now is None else now)
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: sign(key, timestamp, body)}


def parse_timestamp(header: str) -> int:
    """The header's unix seconds, or `Unauthorized` saying what form is expected."""
    if _UNIX_MILLISECONDS.fullmatch(header):
        raise Unauthorized(f"{TIMESTAMP_HEADER} must be unix seconds, not milliseconds")
    if not _UNIX_SECONDS.fullmatch(header):
        raise Unauthorized(f"{TIMESTAMP_HEADER} must be unix seconds (digits only)")
    return int(header)


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
    timestamp = parse_timestamp(timestamp_header)
    current = time.time() if now is None else now
    if abs(current - timestamp) > window_seconds:
        raise Unauthorized(
            f"{TIMESTAMP_HEADER} is outside the {window_seconds}-second replay window"
        )
    offered = [part.strip() for part in signature_header.split(",") if part.strip()]
    if not any(part.startswith(f"{SCHEME}=") for part in offered):
        raise Unauthorized(f"{SIGNATURE_HEADER} must carry a {SCHEME}= signature")
    # compare_digest refuses non-ASCII text; only well-formed values are compared at all.
    candidates = [part for part in offered if _HEX_SIGNATURE.fullmatch(part)]
    if not candidates:
        raise Unauthorized(f"{SIGNATURE_HEADER} must be {SCHEME}=<64 lowercase hex digits>")
    # Compare with every key, even after a match, so timing says nothing about which matched.
    matched = False
    for key in keys:
        expected = sign(key, timestamp, body)
        for part in candidates:
            matched |= hmac.compare_digest(expected, part)
    if not matched:
        raise Unauthorized(f"{SIGNATURE_HEADER} does not match the request body")
