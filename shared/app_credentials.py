"""SalesPro app users and the credentials they call salesbridge with (seed 001).

The field-sales app calls salesbridge on behalf of one user at a time. An operator issues each
user a credential (`issue`), shown once and stored only as a SHA-256 digest (the secret is 256
random bits, so a fast digest is as strong as a slow one), and can revoke it (`revoke`). The
app sends it as `Authorization: Bearer sp_<id>.<secret>`: never in a URL, where access logs and
browser histories keep it.

Each user says how salesbridge acts for them in Salesforce:
- `per_user` (SalesPro's "Multi User Sign On"): as their own Salesforce user, an OAuth 2.0 JWT
  bearer token whose subject is their Salesforce username (no password is ever stored);
- `single_sign_on`: as the one integration user, with the user's unique identifier (e.g. the
  id of their custom Staff record) bound into the appointment query.
The seed's username + password + security token login is retired by Salesforce (API-FACTS).

Two flows use this (documents, and later appointments/results), so it lives in `shared/`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.clock import iso_millis, real_utc_now
from shared.errors import NotFound, Unauthorized

TOKEN_PREFIX = "sp_"


class SignOnMode(StrEnum):
    PER_USER = "per_user"
    SINGLE_SIGN_ON = "single_sign_on"


class AppUser(BaseModel):
    """Who calls, and as whom salesbridge acts for them in Salesforce."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user_id: str = Field(pattern=r"^[A-Za-z0-9_.@+-]{1,128}$", description="SalesPro's user id")
    mode: SignOnMode
    salesforce_username: str | None = Field(None, max_length=80)
    unique_identifier: str | None = Field(None, max_length=80)
    name: str | None = Field(None, max_length=120, description="%usersName%")
    email: str | None = Field(None, max_length=254, description="%userEmail%")

    @model_validator(mode="after")
    def _mode_has_its_identity(self) -> AppUser:
        if self.mode is SignOnMode.PER_USER and not self.salesforce_username:
            raise ValueError("per_user needs salesforce_username (the JWT subject)")
        if self.mode is SignOnMode.SINGLE_SIGN_ON and not self.unique_identifier:
            raise ValueError("single_sign_on needs unique_identifier (e.g. the Staff record id)")
        return self


class StoredCredential(BaseModel):
    model_config = ConfigDict(frozen=True)

    credential_id: str
    secret_sha256: str
    user: AppUser
    issued_at: str
    revoked_at: str | None = None


class CredentialRepository(Protocol):
    def create(self, credential: StoredCredential) -> None: ...
    def get(self, credential_id: str) -> StoredCredential | None: ...
    def mark_revoked(self, credential_id: str, at: str) -> StoredCredential | None: ...


class IssuedCredential(BaseModel):
    credential_id: str
    token: str = Field(description="shown once; give it to the user's app")
    user: AppUser


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class AppCredentials:
    """Issue, revoke and check app credentials (the console and `ops` call the first two)."""

    def __init__(
        self, store: CredentialRepository, clock: Callable[[], datetime] = real_utc_now
    ) -> None:
        self._store = store
        self._clock = clock

    def issue(self, user: AppUser) -> IssuedCredential:
        credential_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        self._store.create(
            StoredCredential(
                credential_id=credential_id,
                secret_sha256=_digest(secret),
                user=user,
                issued_at=iso_millis(self._clock()),
            )
        )
        token = f"{TOKEN_PREFIX}{credential_id}.{secret}"
        return IssuedCredential(credential_id=credential_id, token=token, user=user)

    def revoke(self, credential_id: str) -> StoredCredential:
        revoked = self._store.mark_revoked(credential_id, iso_millis(self._clock()))
        if revoked is None:
            raise NotFound(f"no credential {credential_id}")
        return revoked

    def authenticate(self, authorization: str | None) -> AppUser:
        """The user behind an `Authorization: Bearer sp_<id>.<secret>` header, or 401."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
            raise Unauthorized("send the app credential as Authorization: Bearer sp_...")
        credential_id, _, secret = token[len(TOKEN_PREFIX) :].partition(".")
        stored = self._store.get(credential_id) if credential_id and secret else None
        # One answer for unknown, wrong and revoked: a caller learns nothing by guessing.
        if (
            stored is None
            or not hmac.compare_digest(stored.secret_sha256, _digest(secret))
            or stored.revoked_at is not None
        ):
            raise Unauthorized("the app credential is unknown or revoked")
        return stored.user
