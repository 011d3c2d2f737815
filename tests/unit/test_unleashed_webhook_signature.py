"""Unleashed webhook signatures: base64 HMAC-SHA256 of "<timestamp>.<body>", replay window."""

from __future__ import annotations

import pytest

from shared.adapters.unleashed.webhooks import sign, verify
from shared.errors import Unauthorized

KEY = "subscription-key"
BODY = b'{"eventType":"customer.updated"}'
NOW = 1_800_000_000


def test_a_delivery_signed_with_the_key_passes() -> None:
    verify([KEY], str(NOW), sign(KEY, str(NOW), BODY), BODY, window_seconds=300, now=NOW + 10)


def test_the_previous_key_still_passes_during_a_rotation() -> None:
    signed = sign("old", str(NOW), BODY)
    verify([KEY, "old"], str(NOW), signed, BODY, window_seconds=300, now=NOW)


@pytest.mark.parametrize(
    ("timestamp", "signature", "body", "now", "why"),
    [
        (str(NOW), sign("forged", str(NOW), BODY), BODY, NOW, "does not match"),
        (str(NOW), sign(KEY, str(NOW), BODY), BODY + b" ", NOW, "does not match"),
        (str(NOW), sign(KEY, str(NOW + 1), BODY), BODY, NOW, "does not match"),
        (str(NOW), sign(KEY, str(NOW), BODY), BODY, NOW + 301, "replay window"),
        (str(NOW), sign(KEY, str(NOW), BODY), BODY, NOW - 301, "replay window"),
        (str(NOW * 1000), sign(KEY, str(NOW), BODY), BODY, NOW, "unix seconds"),
        ("", sign(KEY, str(NOW), BODY), BODY, NOW, "missing"),
        (str(NOW), "", BODY, NOW, "missing"),
        (str(NOW), "not base64 at all é", BODY, NOW, "base64"),
        (str(NOW), "v1=" + "0" * 64, BODY, NOW, "base64"),
    ],
)
def test_forged_stale_or_malformed_deliveries_are_refused(
    timestamp: str, signature: str, body: bytes, now: int, why: str
) -> None:
    with pytest.raises(Unauthorized, match=why):
        verify([KEY], timestamp, signature, body, window_seconds=300, now=now)
