from __future__ import annotations

import pytest

from shared import signing
from shared.errors import Unauthorized

KEY = "k" * 32
BODY = b'{"id":"1"}'
NOW = 1_800_000_000


def verify(headers: dict[str, str], body: bytes = BODY, keys: list[str] | None = None) -> None:
    signing.verify(
        keys or [KEY],
        headers.get(signing.TIMESTAMP_HEADER),
        headers.get(signing.SIGNATURE_HEADER),
        body,
        window_seconds=300,
        now=NOW,
    )


def test_a_correctly_signed_body_is_accepted() -> None:
    verify(signing.signed_headers(KEY, BODY, now=NOW))


def test_the_signature_covers_timestamp_and_body() -> None:
    headers = signing.signed_headers(KEY, BODY, now=NOW)
    with pytest.raises(Unauthorized, match="does not match"):
        verify(headers, body=b'{"id":"2"}')
    moved = {**headers, signing.TIMESTAMP_HEADER: str(NOW + 1)}
    with pytest.raises(Unauthorized, match="does not match"):
        verify(moved)


@pytest.mark.parametrize("skew", [-301, 301])
def test_a_timestamp_outside_the_window_is_stale(skew: int) -> None:
    headers = signing.signed_headers(KEY, BODY, now=NOW + skew)
    with pytest.raises(Unauthorized, match="replay window"):
        verify(headers)


def test_missing_headers_are_named() -> None:
    with pytest.raises(Unauthorized, match=signing.SIGNATURE_HEADER):
        verify({})
    with pytest.raises(Unauthorized, match=signing.TIMESTAMP_HEADER):
        verify({signing.SIGNATURE_HEADER: "v1=00"})


def test_a_non_numeric_timestamp_is_refused() -> None:
    with pytest.raises(Unauthorized, match="unix seconds"):
        verify({signing.SIGNATURE_HEADER: "v1=00", signing.TIMESTAMP_HEADER: "yesterday"})


def test_an_unknown_scheme_is_refused() -> None:
    headers = signing.signed_headers(KEY, BODY, now=NOW)
    headers[signing.SIGNATURE_HEADER] = headers[signing.SIGNATURE_HEADER].replace("v1=", "v0=")
    with pytest.raises(Unauthorized, match="v1="):
        verify(headers)


def test_the_previous_key_still_verifies_during_a_rotation() -> None:
    old = "o" * 32
    verify(signing.signed_headers(old, BODY, now=NOW), keys=[KEY, old])
    with pytest.raises(Unauthorized):
        verify(signing.signed_headers(old, BODY, now=NOW), keys=[KEY])
