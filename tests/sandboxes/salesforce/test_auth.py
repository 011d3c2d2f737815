"""OAuth 2.0 token endpoint (JWT bearer, client credentials) and session expiry."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceExpiredSession

from sandboxes.common import SandboxAdmin

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
Post = Callable[..., requests.Response]


def test_jwt_bearer_issues_a_session(
    post_token: Post,
    make_assertion: Callable[..., str],
    base_url: str,
    make_client: Callable[..., Salesforce],
) -> None:
    response = post_token({"grant_type": JWT_GRANT, "assertion": make_assertion()})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "access_token",
        "signature",
        "scope",
        "instance_url",
        "id",
        "token_type",
        "issued_at",
    }
    assert body["instance_url"] == base_url and body["token_type"] == "Bearer"
    assert body["id"].startswith(f"{base_url}/id/00D")
    assert make_client(body["access_token"]).Account.create({"Name": "A"})["success"] is True


def test_own_base_url_is_an_accepted_audience(
    post_token: Post, make_assertion: Callable[..., str], base_url: str
) -> None:
    response = post_token({"grant_type": JWT_GRANT, "assertion": make_assertion(aud=base_url)})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("claims", "error", "description"),
    [
        ({"iss": "someone-else"}, "invalid_client_id", "client identifier invalid"),
        ({"aud": "https://evil.example"}, "invalid_grant", "audience is invalid"),
        ({"exp": int(time.time()) - 60}, "invalid_grant", "expired authorization code"),
        ({"exp": int(time.time()) + 86400}, "invalid_grant", "invalid assertion"),
        ({"sub": "nobody@example.com"}, "invalid_grant", "user hasn't approved this consumer"),
    ],
)
def test_jwt_errors(
    post_token: Post,
    make_assertion: Callable[..., str],
    claims: dict[str, Any],
    error: str,
    description: str,
) -> None:
    response = post_token({"grant_type": JWT_GRANT, "assertion": make_assertion(**claims)})

    assert response.status_code == 400
    assert response.json() == {"error": error, "error_description": description}


def test_jwt_signed_with_another_key_is_invalid(
    post_token: Post, connection: dict[str, Any]
) -> None:
    import jwt
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    claims = {
        "iss": connection["consumer_key"],
        "sub": connection["username"],
        "aud": "https://login.salesforce.com",
        "exp": int(time.time()) + 120,
    }
    response = post_token(
        {"grant_type": JWT_GRANT, "assertion": jwt.encode(claims, other, "RS256")}
    )

    assert response.json() == {"error": "invalid_grant", "error_description": "invalid assertion"}


def test_client_credentials_with_basic_auth_and_form(
    post_token: Post, connection: dict[str, Any]
) -> None:
    key, secret = connection["consumer_key"], connection["consumer_secret"]
    basic = base64.b64encode(f"{key}:{secret}".encode()).decode()

    by_header = post_token(
        {"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"}
    )
    by_form = post_token(
        {"grant_type": "client_credentials", "client_id": key, "client_secret": secret}
    )
    wrong = post_token(
        {"grant_type": "client_credentials", "client_id": key, "client_secret": "nope"}
    )

    assert by_header.status_code == 200 and by_form.status_code == 200
    assert wrong.status_code == 400
    assert wrong.json() == {
        "error": "invalid_client",
        "error_description": "invalid client credentials",
    }


def test_unsupported_grant_type(post_token: Post) -> None:
    response = post_token({"grant_type": "password", "username": "u", "password": "p"})
    assert response.json() == {
        "error": "unsupported_grant_type",
        "error_description": "grant type not supported",
    }


def test_expired_session_is_401_invalid_session_id(
    post_token: Post,
    make_assertion: Callable[..., str],
    admin: SandboxAdmin,
    make_client: Callable[..., Salesforce],
    base_url: str,
    http: requests.Session,
) -> None:
    admin.configure(session_seconds=0.5)
    token = post_token({"grant_type": JWT_GRANT, "assertion": make_assertion()}).json()[
        "access_token"
    ]
    sf = make_client(token)
    assert sf.Account.create({"Name": "A"})["success"] is True
    time.sleep(0.6)

    with pytest.raises(SalesforceExpiredSession) as raised:
        sf.Account.create({"Name": "B"})
    assert raised.value.status == 401
    assert raised.value.content == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID", "fields": []}
    ]
    response = http.get(
        f"{base_url}/services/data/v59.0/limits", headers={"Authorization": f"Bearer {token}"}
    )
    assert "Sforce-Limit-Info" not in response.headers


def test_missing_token_is_401(base_url: str, http: requests.Session) -> None:
    response = http.get(f"{base_url}/services/data/v59.0/sobjects")
    assert response.status_code == 401
    assert response.json()[0]["errorCode"] == "INVALID_SESSION_ID"
