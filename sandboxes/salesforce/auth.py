"""OAuth 2.0 for the local org: the connected app, the token endpoint and sessions.

Two flows, as a server-to-server integration uses them:
- JWT bearer: an RS256 assertion signed with the connected app's private key, `iss` the
  consumer key, `sub` an active user's Username, `aud` a login URL, `exp` in the future.
- Client credentials: consumer key and secret (HTTP Basic or form fields); the session runs
  as the connected app's configured integration user.
Both answer {access_token, signature, scope, instance_url, id, token_type, issued_at}; errors
are 400 {"error", "error_description"} like Salesforce's token endpoint.

Where the documentation is silent (choices made here):
- The docs ask for `exp` "within 3 minutes"; common clients use up to 5, so assertions
  valid for more than 10 minutes are refused (invalid_grant "invalid assertion").
- An expired assertion is invalid_grant "expired authorization code" (Salesforce reuses that
  wording); an unknown `sub` is invalid_grant "user hasn't approved this consumer"; an
  inactive one invalid_grant "inactive user".
- Sessions expire `session_seconds` after they were issued (no sliding renewal).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
CLIENT_CREDENTIALS_GRANT = "client_credentials"
PUBLIC_LOGIN_URLS = ("https://login.salesforce.com", "https://test.salesforce.com")
MAX_ASSERTION_SECONDS = 600
DEFAULT_SESSION_SECONDS = 7200  # Salesforce's default session timeout: two hours


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.status = status
        self.body = {"error": error, "error_description": description}


@dataclass(frozen=True)
class Session:
    token: str
    user_id: str
    username: str
    issued_at: float
    expires_at: float


@dataclass(frozen=True)
class User:
    id: str
    username: str
    active: bool


class ConnectedApp:
    """The org's one connected app: consumer key/secret and the certificate's key pair."""

    def __init__(self) -> None:
        self.consumer_key = "3MVG9" + secrets.token_urlsafe(60).replace("-", "A")[:80]
        self.consumer_secret = secrets.token_hex(32).upper()
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        self.public_key = key.public_key()


class Authenticator:
    """Issues and checks access tokens. `find_user(username)` looks users up in the org."""

    def __init__(
        self,
        app: ConnectedApp,
        org_id: str,
        find_user: Callable[[str], User | None],
        integration_username: Callable[[], str],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app = app
        self.org_id = org_id
        self.find_user = find_user
        self.integration_username = integration_username
        self.clock = clock
        self.session_seconds: float = DEFAULT_SESSION_SECONDS
        self._sessions: dict[str, Session] = {}

    def reset(self) -> None:
        self._sessions.clear()

    def session(self, token: str) -> Session | None:
        """The live session for `token`; None when unknown or expired."""
        found = self._sessions.get(token)
        if found is None or found.expires_at <= self.clock():
            return None
        return found

    def expire_all(self) -> None:
        self._sessions = {
            token: Session(s.token, s.user_id, s.username, s.issued_at, self.clock())
            for token, s in self._sessions.items()
        }

    def revoke(self, token: str) -> bool:
        return self._sessions.pop(token, None) is not None

    # -- the token endpoint ------------------------------------------------------------------

    def token(
        self, form: dict[str, str], authorization: str | None, base_url: str
    ) -> dict[str, Any]:
        grant = form.get("grant_type")
        if grant == JWT_GRANT:
            user = self._jwt_user(form.get("assertion", ""), base_url)
        elif grant == CLIENT_CREDENTIALS_GRANT:
            user = self._client_credentials_user(form, authorization)
        else:
            raise OAuthError("unsupported_grant_type", "grant type not supported")
        return self._issue(user, base_url)

    def _jwt_user(self, assertion: str, base_url: str) -> User:
        try:
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise OAuthError("invalid_grant", "invalid assertion") from None
        if unverified.get("iss") != self.app.consumer_key:
            raise OAuthError("invalid_client_id", "client identifier invalid")
        try:
            claims = jwt.decode(
                assertion,
                self.app.public_key,
                algorithms=["RS256"],
                audience=[base_url, *PUBLIC_LOGIN_URLS],
                options={"require": ["exp", "iss", "sub", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise OAuthError("invalid_grant", "expired authorization code") from None
        except (jwt.InvalidAudienceError, jwt.MissingRequiredClaimError) as error:
            if isinstance(error, jwt.MissingRequiredClaimError) and error.claim != "aud":
                raise OAuthError("invalid_grant", "invalid assertion") from None
            raise OAuthError("invalid_grant", "audience is invalid") from None
        except jwt.PyJWTError:
            raise OAuthError("invalid_grant", "invalid assertion") from None
        if float(claims["exp"]) > self.clock() + MAX_ASSERTION_SECONDS:
            raise OAuthError("invalid_grant", "invalid assertion")
        return self._active_user(str(claims["sub"]))

    def _client_credentials_user(self, form: dict[str, str], authorization: str | None) -> User:
        key, secret = basic_credentials(authorization) or (
            form.get("client_id", ""),
            form.get("client_secret", ""),
        )
        if key != self.app.consumer_key:
            raise OAuthError("invalid_client_id", "client identifier invalid")
        if not hmac.compare_digest(secret.encode(), self.app.consumer_secret.encode()):
            raise OAuthError("invalid_client", "invalid client credentials")
        user = self.find_user(self.integration_username())
        if user is None or not user.active:
            raise OAuthError("invalid_grant", "no client credentials user enabled")
        return user

    def _active_user(self, username: str) -> User:
        user = self.find_user(username)
        if user is None:
            raise OAuthError("invalid_grant", "user hasn't approved this consumer")
        if not user.active:
            raise OAuthError("invalid_grant", "inactive user")
        return user

    def _issue(self, user: User, base_url: str) -> dict[str, Any]:
        return self.issue(user, base_url, consumer_secret=self.app.consumer_secret)

    def issue(
        self,
        user: User,
        base_url: str,
        *,
        consumer_secret: str,
        scope: str = "api",
        refresh_token: str | None = None,
    ) -> dict[str, Any]:
        """A new session for `user`, answered as the token endpoint does for any grant."""
        now = self.clock()
        token = f"{self.org_id[:15]}!{secrets.token_urlsafe(72)}"
        self._sessions[token] = Session(
            token, user.id, user.username, now, now + self.session_seconds
        )
        identity = f"{base_url}/id/{self.org_id}/{user.id}"
        issued_at = str(int(now * 1000))
        signature = hmac.new(
            consumer_secret.encode(), (identity + issued_at).encode(), hashlib.sha256
        ).digest()
        body = {
            "access_token": token,
            "signature": base64.b64encode(signature).decode(),
            "scope": scope,
            "instance_url": base_url,
            "id": identity,
            "token_type": "Bearer",
            "issued_at": issued_at,
        }
        if refresh_token is not None:
            body["refresh_token"] = refresh_token
        return body


def basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip()).decode()
    except ValueError:
        return None
    key, _, secret = decoded.partition(":")
    return key, secret
