"""One local org over HTTPS for the whole session, reset before every test.

Tests talk to it as the integration does: a token from the OAuth endpoint (JWT bearer signed
with the connection's private key, or client credentials), then simple-salesforce with a
`requests.Session` that trusts the local CA.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import jwt
import pytest
import requests
from simple_salesforce import Salesforce

from sandboxes.common import LocalCA
from sandboxes.salesforce import SalesforceSandbox
from tests.sandbox_server import RunningSandbox, SandboxStarter

PRODUCTS = [
    {"Name": "Ridgeline 2-Person Tent", "ProductCode": "TENT-2P", "price": 249.0},
    {"Name": "Pocket Camp Stove", "ProductCode": "STOVE-1", "price": 59.0},
]


@pytest.fixture(scope="session")
def running_sandbox(sandbox_server: SandboxStarter) -> Iterator[RunningSandbox[SalesforceSandbox]]:
    with sandbox_server(SalesforceSandbox) as running:
        yield running


@pytest.fixture
def app(app: SalesforceSandbox) -> SalesforceSandbox:
    """The reset org (tests/sandboxes/conftest.py) with the default limits a test may change."""
    with app.lock:
        app.configure(
            {
                "daily_api_limit": 100_000,
                "session_seconds": 7200,
                "max_json_request_bytes": 52_428_800,
            }
        )
    return app


@pytest.fixture
def http(ca: LocalCA) -> Iterator[requests.Session]:
    session = requests.Session()
    # REQUESTS_CA_BUNDLE in the environment would override session.verify (requests merges
    # environment settings over the session's), so the session ignores the environment.
    session.trust_env = False
    session.verify = str(ca.bundle_path)
    yield session
    session.close()


def jwt_assertion(connection: dict[str, Any], *, username: str | None = None, **claims: Any) -> str:
    payload = {
        "iss": connection["consumer_key"],
        "sub": username or connection["username"],
        "aud": "https://login.salesforce.com",
        "exp": int(time.time()) + 180,
        **claims,
    }
    return jwt.encode(payload, connection["private_key_pem"], algorithm="RS256")


def request_token(http: requests.Session, base_url: str, form: dict[str, str]) -> requests.Response:
    return http.post(f"{base_url}/services/oauth2/token", data=form, timeout=10)


@pytest.fixture
def connection(app: SalesforceSandbox, base_url: str) -> dict[str, Any]:
    return app.connection(base_url)


@pytest.fixture
def token(http: requests.Session, base_url: str, connection: dict[str, Any]) -> str:
    response = request_token(
        http,
        base_url,
        {
            "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "assertion": jwt_assertion(connection),
        },
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def client(base_url: str, token: str, http: requests.Session, version: str = "59.0") -> Salesforce:
    return Salesforce(instance_url=base_url, session_id=token, session=http, version=version)


@pytest.fixture
def sf(base_url: str, token: str, http: requests.Session) -> Salesforce:
    return client(base_url, token, http)


@pytest.fixture
def make_client(base_url: str, http: requests.Session) -> Callable[..., Salesforce]:
    """simple-salesforce for a given token and API version."""
    return lambda token, version="59.0": client(base_url, token, http, version)


@pytest.fixture
def make_assertion(connection: dict[str, Any]) -> Callable[..., str]:
    """A signed JWT bearer assertion; keyword arguments override claims."""
    return lambda **claims: jwt_assertion(connection, **claims)


@pytest.fixture
def post_token(http: requests.Session, base_url: str) -> Callable[..., requests.Response]:
    return lambda form, **kwargs: http.post(
        f"{base_url}/services/oauth2/token", data=form, timeout=10, **kwargs
    )


@pytest.fixture
def catalogue(app: SalesforceSandbox) -> dict[str, Any]:
    """Two products with standard prices and one customer."""
    return app.seed(
        {
            "products": PRODUCTS,
            "accounts": [{"key": "alpine", "Name": "Alpine Trail Outfitters"}],
        }
    )
