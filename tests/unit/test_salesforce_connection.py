from __future__ import annotations

from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from simple_salesforce.exceptions import SalesforceExpiredSession

from shared.adapters.salesforce.connection import (
    JWT_LIFETIME_SECONDS,
    SalesforceConnection,
    SalesforceCredentials,
    Token,
    connection_from_secret,
    fetch_token,
)
from shared.errors import ConfigurationError, RetryableError

CREDENTIALS = SalesforceCredentials(
    auth="client_credentials",
    login_url="https://acme.my.salesforce.com",
    consumer_key="key",
    consumer_secret="secret",
)


class Tokens:
    def __init__(self) -> None:
        self.issued = 0

    def __call__(self, credentials: SalesforceCredentials, session: requests.Session) -> Token:
        self.issued += 1
        return Token(f"token-{self.issued}", "https://acme.my.salesforce.com")


def expired() -> SalesforceExpiredSession:
    return SalesforceExpiredSession("https://x", 401, "Account", b"[]")


def test_the_token_is_fetched_once_and_reused() -> None:
    tokens = Tokens()
    connection = SalesforceConnection(CREDENTIALS, token_fetcher=tokens)
    seen = [connection.call(lambda sf: sf.session_id) for _ in range(3)]
    assert seen == ["token-1"] * 3 and tokens.issued == 1


def test_an_expired_session_is_refreshed_once() -> None:
    tokens = Tokens()
    connection = SalesforceConnection(CREDENTIALS, token_fetcher=tokens)

    def operation(sf: Any) -> str:
        if sf.session_id == "token-1":
            raise expired()
        return "ok"

    assert connection.call(operation) == "ok"
    assert tokens.issued == 2


def test_a_second_expiry_right_after_refresh_is_retryable() -> None:
    tokens = Tokens()
    connection = SalesforceConnection(CREDENTIALS, token_fetcher=tokens)

    def operation(sf: object) -> str:
        raise expired()

    with pytest.raises(RetryableError):
        connection.call(operation)
    assert tokens.issued == 2


def test_the_retired_password_login_cannot_be_configured() -> None:
    with pytest.raises(ConfigurationError):
        connection_from_secret(
            {
                "auth": "password",
                "login_url": "https://login.salesforce.com",
                "consumer_key": "k",
                "username": "u",
                "password": "p",
            },
            ca_bundle=None,
        )


def test_jwt_needs_its_key_and_user() -> None:
    with pytest.raises(ConfigurationError, match="JWT bearer needs"):
        connection_from_secret(
            {"auth": "jwt", "login_url": "https://login.salesforce.com", "consumer_key": "k"},
            ca_bundle=None,
        )


def test_the_ca_bundle_is_given_to_the_session() -> None:
    connection = connection_from_secret(CREDENTIALS.model_dump(), ca_bundle="/tmp/ca.pem")
    assert connection.session.verify == "/tmp/ca.pem"


def test_the_jwt_assertion_expires_three_minutes_after_the_given_now() -> None:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    credentials = SalesforceCredentials(
        auth="jwt",
        login_url="https://login.salesforce.com",
        consumer_key="key",
        username="integration@acme.example",
        private_key_pem=pem,
    )
    sent: dict[str, Any] = {}

    class Session:
        def post(self, url: str, data: dict[str, str], **_: Any) -> Any:
            sent.update(data)
            return type(
                "Answer",
                (),
                {
                    "status_code": 200,
                    "ok": True,
                    "json": lambda self: {"access_token": "t", "instance_url": "https://i"},
                    "raise_for_status": lambda self: None,
                },
            )()

    fetch_token(credentials, Session(), now=1_894_708_800)  # type: ignore[arg-type]

    claims = jwt.decode(sent["assertion"], options={"verify_signature": False})
    assert claims["exp"] == 1_894_708_800 + JWT_LIFETIME_SECONDS
