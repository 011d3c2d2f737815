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


@pytest.mark.parametrize("digits", [309, 1000, 4300, 5000])
def test_a_timestamp_of_hundreds_of_digits_is_refused_not_overflowed(digits: int) -> None:
    headers = {signing.SIGNATURE_HEADER: "v1=" + "0" * 64, signing.TIMESTAMP_HEADER: "9" * digits}
    with pytest.raises(Unauthorized, match="unix seconds"):
        verify(headers)


def test_a_millisecond_timestamp_is_named_as_such() -> None:
    headers = signing.signed_headers(KEY, BODY, now=NOW)
    headers[signing.TIMESTAMP_HEADER] = str(NOW * 1000)
    with pytest.raises(Unauthorized, match="must be unix seconds, not milliseconds"):
        verify(headers)


@pytest.mark.parametrize(
    "timestamp", ["+1800000000", "1_800_000_000", "01800000000", " 1800000000"]
)
def test_a_non_canonical_timestamp_is_refused(timestamp: str) -> None:
    headers = {signing.SIGNATURE_HEADER: "v1=" + "0" * 64, signing.TIMESTAMP_HEADER: timestamp}
    with pytest.raises(Unauthorized, match="unix seconds"):
        verify(headers)


@pytest.mark.parametrize("signature", ["v1=é" + "0" * 63, "v1=" + "０" * 64, "v1=ü"])
def test_a_non_ascii_signature_is_a_clear_401(signature: str) -> None:
    headers = {**signing.signed_headers(KEY, BODY, now=NOW), signing.SIGNATURE_HEADER: signature}
    with pytest.raises(Unauthorized, match="64 lowercase hex digits"):
        verify(headers)


def test_a_good_signature_among_malformed_ones_is_accepted() -> None:
    headers = signing.signed_headers(KEY, BODY, now=NOW)
    headers[signing.SIGNATURE_HEADER] = "v1=ü, " + headers[signing.SIGNATURE_HEADER]
    verify(headers)


def test_the_apex_callout_and_salesbridge_agree_on_a_signature() -> None:
    """The vector SalesbridgeClosedWonCalloutTest.signsExactlyAsSalesbridgeVerifies asserts."""
    body = (
        b'{"opportunityId":"006000000000001AAA","event":"closed_won",'
        b'"lastModifiedDate":"2026-11-22T09:41:07.000Z"}'
    )
    expected = "v1=77909ae9e2b4c3ce31f94542d2343d26b2ee669b08fd28584d13cb32034caacd"
    assert signing.sign("apex-test-key", 1795340467, body) == expected
