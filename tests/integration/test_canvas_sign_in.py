"""The console's sign-in pieces against the local Salesforce over TLS: a Canvas signed request
made by the org verifies with shared.canvas, and a PKCE code from the authorize endpoint buys a
session whose identity names the user."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from sandboxes.common import LocalCA, SandboxServer
from sandboxes.salesforce import SalesforceSandbox
from shared.canvas import verify_signed_request
from shared.errors import Unauthorized
from shared.oauth_pkce import code_challenge, new_code_verifier, new_state

USER = "vera.viewer@harbourpine.example"
CALLBACK = "https://console.example/auth/callback"


@pytest.fixture(scope="module")
def local_ca(tmp_path_factory: pytest.TempPathFactory) -> LocalCA:
    return LocalCA(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def org(local_ca: LocalCA) -> Iterator[SandboxServer]:
    with SandboxServer(SalesforceSandbox(), local_ca) as server:
        yield server


@pytest.fixture
def http(org: SandboxServer, local_ca: LocalCA) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=org.base_url, verify=ssl.create_default_context(cafile=str(local_ca.bundle_path))
    ) as client:
        yield client


@pytest.fixture
def console(http: httpx.Client) -> dict[str, Any]:
    http.post("/__admin/reset").raise_for_status()
    http.post(
        "/__admin/seed",
        json={
            "users": [{"Username": USER, "FirstName": "Vera", "LastName": "Viewer"}],
            "permission_set_assignments": [{"user": USER, "permission_set": "Salesbridge_Viewer"}],
        },
    ).raise_for_status()
    app = http.post(
        "/__admin/oauth/apps",
        json={
            "name": "Salesbridge_Console",
            "callback_urls": [CALLBACK],
            "canvas_url": "https://console.example/canvas",
        },
    )
    app.raise_for_status()
    return dict(app.json())


def test_a_canvas_signed_request_from_the_org_verifies(
    http: httpx.Client, console: dict[str, Any]
) -> None:
    made = http.post(
        "/__admin/canvas/signed-request", json={"app": "Salesbridge_Console", "user": USER}
    ).json()

    request = verify_signed_request(made["signed_request"], console["consumer_secret"])

    assert request.context.user.user_name == USER
    assert request.context.user.full_name == "Vera Viewer"
    assert request.client.instance_url == str(http.base_url).rstrip("/")
    with pytest.raises(Unauthorized):
        verify_signed_request(made["signed_request"], "a secret that is not the app's")


def test_pkce_sign_in_names_the_user(http: httpx.Client, console: dict[str, Any]) -> None:
    http.post("/__admin/config", json={"web_login_user": USER}).raise_for_status()
    verifier, state = new_code_verifier(), new_state()
    redirect = http.get(
        "/services/oauth2/authorize",
        params={
            "response_type": "code",
            "client_id": console["consumer_key"],
            "redirect_uri": CALLBACK,
            "code_challenge": code_challenge(verifier),
            "code_challenge_method": "S256",
            "state": state,
        },
    )
    query = parse_qs(urlsplit(redirect.headers["Location"]).query)
    assert query["state"] == [state]

    token = http.post(
        "/services/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": CALLBACK,
            "client_id": console["consumer_key"],
            "client_secret": console["consumer_secret"],
            "code_verifier": verifier,
        },
    ).json()
    identity = http.get(
        token["id"], headers={"Authorization": f"Bearer {token['access_token']}"}
    ).json()

    assert identity["username"] == USER and identity["display_name"] == "Vera Viewer"
