"""PKCE (RFC 7636) for "Sign in with Salesforce": the verifier, its S256 challenge, a state.

Salesforce's web server flow takes `code_challenge` (the Base64url SHA-256 of the verifier,
without padding) on /services/oauth2/authorize and `code_verifier` on /services/oauth2/token;
an External Client App requires it by default (`isPkceRequired`).
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

# RFC 7636 4.1: 43 to 128 characters of [A-Z a-z 0-9 - . _ ~].
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def new_code_verifier() -> str:
    """64 random bytes as Base64url: 86 characters, inside RFC 7636's 43..128."""
    return secrets.token_urlsafe(64)


def code_challenge(verifier: str) -> str:
    """The S256 challenge: Base64url(SHA-256(ASCII(verifier))) without `=` padding."""
    if not _VERIFIER.fullmatch(verifier):
        raise ValueError("a PKCE code verifier is 43 to 128 characters of A-Z a-z 0-9 - . _ ~")
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_state() -> str:
    """An unguessable `state` that ties the callback to the browser that started sign-in."""
    return secrets.token_urlsafe(32)
