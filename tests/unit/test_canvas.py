"""Verifying Canvas signed requests: what Salesforce signs passes, anything else is a 401."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from shared.canvas import sign_request, verify_signed_request
from shared.errors import Unauthorized
from shared.oauth_pkce import code_challenge, new_code_verifier

SECRET = "A1B2C3D4E5F6"


def envelope(**changes: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "algorithm": "HMACSHA256",
        "issuedAt": -1555461611,
        "userId": "005x0000001SyyEAAS",
        "client": {
            "instanceId": "_:Salesbridge_Console:",
            "instanceUrl": "https://example.my.salesforce.com",
            "oauthToken": "00Dx!token",
            "refreshToken": None,
            "targetOrigin": "https://example.my.salesforce.com",
        },
        "context": {
            "user": {"userId": "005x0000001SyyEAAS", "userName": "olivia@example.com",
                     "fullName": "Olivia Operator", "email": "olivia@example.com"},
            "organization": {"organizationId": "00Dx00000001hxyEAA", "name": "Edge"},
            "environment": {
                "parameters": {"orderNumber": "SO1002"},
                "record": {"attributes": {"type": "Opportunity", "url": "/x"},
                           "Id": "006x0000001abcdAAA", "Name": "Summit"},
                "displayLocation": "Publisher",
            },
            "somethingNew": {"kept": True},
        },
    }  # fmt: skip
    request.update(changes)
    return request


def test_a_signed_request_is_verified_and_typed() -> None:
    request = verify_signed_request(sign_request(envelope(), SECRET), SECRET)

    assert request.user_id == "005x0000001SyyEAAS"
    assert request.context.user.user_name == "olivia@example.com"
    assert request.context.organization.organization_id == "00Dx00000001hxyEAA"
    assert request.client.oauth_token.get_secret_value() == "00Dx!token"
    assert "00Dx!token" not in repr(request)  # the token never reaches a log line
    record = request.context.environment.record
    assert record is not None and record.id == "006x0000001abcdAAA"
    assert record.attributes.type == "Opportunity" and record.field("Name") == "Summit"
    assert request.context.environment.parameters == {"orderNumber": "SO1002"}


def test_url_safe_alphabet_and_missing_padding_are_accepted() -> None:
    signature, payload = sign_request(envelope(), SECRET).split(".", 1)
    url_safe = signature.replace("+", "-").replace("/", "_").rstrip("=")

    assert verify_signed_request(f"{url_safe}.{payload}", SECRET).user_id


def test_a_rotated_secret_still_verifies() -> None:
    signed = sign_request(envelope(), "OLD")

    assert verify_signed_request(signed, ["NEW", "OLD"]).user_id


def forged_payload() -> str:
    signature, _ = sign_request(envelope(), SECRET).split(".", 1)
    other = base64.b64encode(json.dumps(envelope(userId="005attacker")).encode()).decode()
    return f"{signature}.{other}"


@pytest.mark.parametrize(
    ("signed", "reason"),
    [
        ("", "missing"),
        ("no-period-here", "not <signature>.<payload>"),
        (".payload", "not <signature>.<payload>"),
        ("%%%.eyJ9", "signature is not Base64"),
        (forged_payload(), "does not match"),
        (sign_request(envelope(), "another secret"), "does not match"),
        (sign_request(envelope(algorithm="HMACSHA1"), SECRET), "algorithm must be HMACSHA256"),
        (sign_request(envelope(userId="005other"), SECRET), "userId and context.user.userId"),
        (sign_request({"algorithm": "HMACSHA256"}, SECRET), "lacks or mistypes"),
        ("x" * 300_000, "too long"),
    ],
)
def test_refusals_are_401_with_a_reason(signed: str, reason: str) -> None:
    with pytest.raises(Unauthorized) as refused:
        verify_signed_request(signed, SECRET)

    assert reason in refused.value.message


def test_split_is_on_the_first_period() -> None:
    signature, payload = sign_request(envelope(), SECRET).split(".", 1)

    # A period smuggled into the payload part changes what is signed: refused, not re-split.
    with pytest.raises(Unauthorized):
        verify_signed_request(f"{signature}.{payload}.extra", SECRET)


def test_no_secret_configured_is_refused() -> None:
    with pytest.raises(Unauthorized):
        verify_signed_request(sign_request(envelope(), SECRET), "")


def test_pkce_challenge_matches_rfc_7636_appendix_b() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    assert code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    assert 43 <= len(new_code_verifier()) <= 128
    with pytest.raises(ValueError):
        code_challenge("too short")
