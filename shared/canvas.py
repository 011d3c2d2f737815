"""Salesforce Canvas signed requests: verify one and read who sent it.

When a Canvas app's access method is "signed request" (ExtlClntAppCanvasSettings
`accessMethod` Post), Salesforce POSTs a form field `signed_request` = `<signature>.<payload>`:
payload is the Base64 of the CanvasRequest JSON, signature the Base64 of HMAC-SHA256 keyed with
the app's consumer secret over the payload string exactly as sent (Canvas Developer Guide,
"Verifying and Decoding a Signed Request"; Canvas SDK `SignedRequest.verifyAndDecode`).

- Split on the FIRST period: neither part contains one in Salesforce's encoding, and a payload
  smuggling a period must not move the boundary.
- Verify before decoding anything: the payload is attacker-controlled until the MAC matches.
  Digests are compared in constant time; the standard and URL-safe Base64 alphabets are both
  accepted and missing padding is restored (encoders differ, the bytes do not).
- Several secrets may be given (the current one first) so a rotated consumer secret keeps
  working while Salesforce's copy changes.
- `algorithm` must be `HMACSHA256`, the only one Salesforce documents.
- There is no replay window to check: `issuedAt` is documented "for internal use only" (older
  guides said it was when the oauthToken was issued; observed values are not timestamps, some
  negative). Freshness comes from the OAuth token inside, which Salesforce expires (about two
  hours), and from verifying every POST. The caller should bound its own session lifetime.
- The user is identified from the context (`context.user.userId` must equal `userId`), never
  from cookies: third-party cookies may be blocked inside Salesforce's frame.

Every refusal raises `Unauthorized` (401) with a reason fit for a log line; nothing of the
standard library escapes for malformed input.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from shared.errors import Unauthorized

ALGORITHM = "HMACSHA256"
# A Canvas request carries the context and, at most, a few record fields: 256 KiB is far above
# any real one and bounds the work done on input nobody has authenticated yet.
MAX_SIGNED_REQUEST_CHARS = 262_144


class _CanvasModel(BaseModel):
    # Salesforce adds context fields over releases: unknown keys are kept, not refused.
    model_config = ConfigDict(populate_by_name=True, extra="allow", frozen=True)


class CanvasClient(_CanvasModel):
    instance_id: Annotated[str | None, Field(alias="instanceId")] = None
    instance_url: Annotated[str, Field(alias="instanceUrl")]
    oauth_token: Annotated[SecretStr, Field(alias="oauthToken")]
    refresh_token: Annotated[SecretStr | None, Field(alias="refreshToken")] = None
    target_origin: Annotated[str | None, Field(alias="targetOrigin")] = None


class CanvasUser(_CanvasModel):
    user_id: Annotated[str, Field(alias="userId")]
    user_name: Annotated[str, Field(alias="userName")]
    full_name: Annotated[str | None, Field(alias="fullName")] = None
    first_name: Annotated[str | None, Field(alias="firstName")] = None
    last_name: Annotated[str | None, Field(alias="lastName")] = None
    email: str | None = None
    profile_id: Annotated[str | None, Field(alias="profileId")] = None
    role_id: Annotated[str | None, Field(alias="roleId")] = None
    user_type: Annotated[str | None, Field(alias="userType")] = None
    language: str | None = None
    locale: str | None = None
    time_zone: Annotated[str | None, Field(alias="timeZone")] = None


class CanvasOrganization(_CanvasModel):
    organization_id: Annotated[str, Field(alias="organizationId")]
    name: str | None = None
    currency_iso_code: Annotated[str | None, Field(alias="currencyIsoCode")] = None


class CanvasRecordAttributes(_CanvasModel):
    type: str
    url: str | None = None


class CanvasRecord(_CanvasModel):
    """`environment.record`: the record the app was opened on, with its `entityFields`."""

    attributes: CanvasRecordAttributes
    id: Annotated[str, Field(alias="Id")]

    def field(self, name: str) -> Any:
        return (self.model_extra or {}).get(name)


class CanvasEnvironment(_CanvasModel):
    parameters: dict[str, Any] = Field(default_factory=dict)
    record: CanvasRecord | None = None
    display_location: Annotated[str | None, Field(alias="displayLocation")] = None
    location_url: Annotated[str | None, Field(alias="locationUrl")] = None
    sub_location: Annotated[str | None, Field(alias="subLocation")] = None


class CanvasApplication(_CanvasModel):
    developer_name: Annotated[str | None, Field(alias="developerName")] = None
    name: str | None = None
    canvas_url: Annotated[str | None, Field(alias="canvasUrl")] = None
    namespace: str | None = None


class CanvasContext(_CanvasModel):
    user: CanvasUser
    organization: CanvasOrganization
    environment: CanvasEnvironment = Field(default_factory=CanvasEnvironment)
    application: CanvasApplication | None = None
    links: dict[str, Any] = Field(default_factory=dict)


class CanvasRequest(_CanvasModel):
    algorithm: Literal["HMACSHA256"]
    issued_at: Annotated[int | None, Field(alias="issuedAt")] = None
    user_id: Annotated[str, Field(alias="userId")]
    client: CanvasClient
    context: CanvasContext


def verify_signed_request(
    signed_request: str, consumer_secrets: str | Sequence[str]
) -> CanvasRequest:
    """The CanvasRequest inside `signed_request`, once its signature is proven; else 401."""
    secrets = [consumer_secrets] if isinstance(consumer_secrets, str) else list(consumer_secrets)
    if not any(secrets):
        raise Unauthorized("no consumer secret is configured for the Canvas app")
    if not isinstance(signed_request, str) or not signed_request.strip():
        raise Unauthorized("signed_request is missing")
    if len(signed_request) > MAX_SIGNED_REQUEST_CHARS:
        raise Unauthorized("signed_request is too long")
    signature_part, period, payload = signed_request.strip().partition(".")
    if not period or not signature_part or not payload:
        raise Unauthorized("signed_request is not <signature>.<payload>")
    if not payload.isascii():
        raise Unauthorized("signed_request payload is not Base64")
    signature = _b64decode(signature_part, "signature")
    if not any(
        hmac.compare_digest(signature, _mac(secret, payload)) for secret in secrets if secret
    ):
        raise Unauthorized("signed_request signature does not match the consumer secret")
    try:
        envelope = json.loads(_b64decode(payload, "payload"))
    except (UnicodeDecodeError, ValueError):
        raise Unauthorized("signed_request payload is not JSON") from None
    if not isinstance(envelope, dict):
        raise Unauthorized("signed_request payload is not a JSON object")
    if envelope.get("algorithm") != ALGORITHM:
        raise Unauthorized(f"signed_request algorithm must be {ALGORITHM}")
    try:
        request = CanvasRequest.model_validate(envelope)
    except ValidationError as error:
        fields = sorted({".".join(str(p) for p in e["loc"]) for e in error.errors()})
        raise Unauthorized(f"signed_request lacks or mistypes: {', '.join(fields)}") from None
    if request.context.user.user_id != request.user_id:
        raise Unauthorized("signed_request userId and context.user.userId differ")
    return request


def sign_request(envelope: dict[str, Any], consumer_secret: str) -> str:
    """What Salesforce sends for `envelope`: for tests and the local sandbox's counterpart."""
    payload = base64.b64encode(json.dumps(envelope).encode()).decode()
    return base64.b64encode(_mac(consumer_secret, payload)).decode() + "." + payload


def _mac(secret: str, payload: str) -> bytes:
    return hmac.new(secret.encode(), payload.encode("ascii"), hashlib.sha256).digest()


def _b64decode(text: str, part: str) -> bytes:
    """Standard or URL-safe Base64, padding optional; anything else is a 401."""
    cleaned = text.strip().replace("-", "+").replace("_", "/")
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        return base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        raise Unauthorized(f"signed_request {part} is not Base64") from None
