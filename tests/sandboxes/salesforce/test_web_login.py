"""Sign in with Salesforce: the web server flow with PKCE, the identity URL, permission sets,
and Canvas signed requests, as the operator console will use them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from sandboxes.common import SandboxAdmin
from sandboxes.salesforce import SalesforceSandbox
from shared.oauth_pkce import code_challenge, new_code_verifier

CALLBACK = "https://console.example/auth/callback"
OPERATOR = "olivia.operator@harbourpine.example"


@pytest.fixture
def console_app(http: requests.Session, app: SalesforceSandbox, base_url: str) -> dict[str, Any]:
    app.seed(
        {
            "users": [{"Username": OPERATOR, "FirstName": "Olivia", "LastName": "Operator"}],
            "permission_set_assignments": [
                {"user": OPERATOR, "permission_set": "Salesbridge_Operator"}
            ],
        }
    )
    response = http.post(
        f"{base_url}/__admin/oauth/apps",
        json={
            "name": "Salesbridge_Console",
            "callback_urls": [CALLBACK],
            "scopes": ["api", "id", "refresh_token"],
            "canvas_url": "https://console.example/canvas",
        },
    )
    assert response.status_code == 201, response.text
    app.configure({"web_login_user": OPERATOR})
    return dict(response.json())


def authorize(http: requests.Session, base_url: str, **params: str) -> requests.Response:
    return http.get(
        f"{base_url}/services/oauth2/authorize",
        params=params,
        allow_redirects=False,
        timeout=10,
    )


def start(
    http: requests.Session, base_url: str, app: dict[str, Any], verifier: str, **extra: str
) -> str:
    response = authorize(
        http,
        base_url,
        response_type="code",
        client_id=app["consumer_key"],
        redirect_uri=CALLBACK,
        code_challenge=code_challenge(verifier),
        code_challenge_method="S256",
        state="st4te",
        **extra,
    )
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["state"] == ["st4te"]
    return query["code"][0]


def exchange(
    http: requests.Session,
    base_url: str,
    app: dict[str, Any],
    issued_code: str,
    verifier: str,
    **extra: str,
) -> requests.Response:
    form = {
        "grant_type": "authorization_code",
        "code": issued_code,
        "redirect_uri": CALLBACK,
        "client_id": app["consumer_key"],
        "client_secret": app["consumer_secret"],
        "code_verifier": verifier,
        **extra,
    }
    return http.post(f"{base_url}/services/oauth2/token", data=form, timeout=10)


def test_code_with_pkce_gives_a_session_a_refresh_token_and_the_identity(
    http: requests.Session, base_url: str, console_app: dict[str, Any]
) -> None:
    verifier = new_code_verifier()
    code = start(http, base_url, console_app, verifier)

    response = exchange(http, base_url, console_app, code, verifier)

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {
        "access_token", "refresh_token", "signature", "scope", "instance_url", "id",
        "token_type", "issued_at",
    }  # fmt: skip
    assert body["scope"] == "api id refresh_token" and body["instance_url"] == base_url
    expected = hmac.new(
        console_app["consumer_secret"].encode(),
        (body["id"] + body["issued_at"]).encode(),
        hashlib.sha256,
    ).digest()
    assert base64.b64decode(body["signature"]) == expected
    identity = http.get(
        body["id"], headers={"Authorization": f"Bearer {body['access_token']}"}, timeout=10
    )
    assert identity.status_code == 200
    who = identity.json()
    assert who["username"] == OPERATOR and who["display_name"] == "Olivia Operator"
    assert who["email"] == OPERATOR and who["asserted_user"] is True
    assert who["urls"]["rest"].endswith("/services/data/v{version}/")


def test_the_console_reads_the_permission_sets_of_who_signed_in(
    http: requests.Session, base_url: str, console_app: dict[str, Any], make_client: Any
) -> None:
    verifier = new_code_verifier()
    body = exchange(
        http, base_url, console_app, start(http, base_url, console_app, verifier), verifier
    ).json()
    user_id = body["id"].rsplit("/", 1)[1]

    rows = make_client(body["access_token"]).query(
        f"SELECT PermissionSet.Name FROM PermissionSetAssignment WHERE AssigneeId = '{user_id}'"
    )["records"]

    assert [row["PermissionSet"]["Name"] for row in rows] == ["Salesbridge_Operator"]


@pytest.mark.parametrize(
    ("change", "error", "description"),
    [
        ({"code_verifier": "x" * 43}, "invalid_grant", "invalid code verifier"),
        ({"code_verifier": ""}, "invalid_grant", "invalid code verifier"),
        ({"code": "made-up"}, "invalid_grant", "invalid authorization code"),
        ({"client_secret": "wrong"}, "invalid_client", "invalid client credentials"),
        ({"client_id": "3MVG9unknown"}, "invalid_client_id", "client identifier invalid"),
        (
            {"redirect_uri": "https://console.example/other"},
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        ),
    ],
)
def test_token_refusals(
    http: requests.Session,
    base_url: str,
    console_app: dict[str, Any],
    change: dict[str, str],
    error: str,
    description: str,
) -> None:
    verifier = new_code_verifier()
    code = start(http, base_url, console_app, verifier)

    response = exchange(http, base_url, console_app, code, verifier, **change)

    assert response.status_code == 400
    assert response.json() == {"error": error, "error_description": description}


def test_a_code_is_single_use(
    http: requests.Session, base_url: str, console_app: dict[str, Any]
) -> None:
    verifier = new_code_verifier()
    code = start(http, base_url, console_app, verifier)
    assert exchange(http, base_url, console_app, code, verifier).status_code == 200

    again = exchange(http, base_url, console_app, code, verifier)

    assert again.json() == {
        "error": "invalid_grant",
        "error_description": "invalid authorization code",
    }


def test_a_code_expires_after_15_minutes(
    http: requests.Session,
    base_url: str,
    console_app: dict[str, Any],
    admin: SandboxAdmin,
) -> None:
    verifier = new_code_verifier()
    code = start(http, base_url, console_app, verifier)
    admin.set_clock(advance_seconds=15 * 60 + 1)

    response = exchange(http, base_url, console_app, code, verifier)

    assert response.json()["error_description"] == "expired authorization code"


def test_refresh_token_gives_a_new_session(
    http: requests.Session, base_url: str, console_app: dict[str, Any]
) -> None:
    verifier = new_code_verifier()
    first = exchange(
        http, base_url, console_app, start(http, base_url, console_app, verifier), verifier
    ).json()

    response = http.post(
        f"{base_url}/services/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": first["refresh_token"],
            "client_id": console_app["consumer_key"],
            "client_secret": console_app["consumer_secret"],
        },
        timeout=10,
    )

    assert response.status_code == 200
    assert "refresh_token" not in response.json()
    assert response.json()["access_token"] != first["access_token"]


@pytest.mark.parametrize(
    ("params", "status", "error"),
    [
        ({"client_id": "3MVG9unknown"}, 400, "invalid_client_id"),
        ({"redirect_uri": "https://evil.example/cb"}, 400, "redirect_uri_mismatch"),
        ({"redirect_uri": ""}, 400, "redirect_uri_missing"),
        ({"code_challenge": ""}, 302, "invalid_request"),
        ({"response_type": "token"}, 302, "unsupported_response_type"),
        ({"scope": "api full"}, 302, "invalid_scope"),
    ],
)
def test_authorize_refusals(
    http: requests.Session,
    base_url: str,
    console_app: dict[str, Any],
    params: dict[str, str],
    status: int,
    error: str,
) -> None:
    query = {
        "response_type": "code",
        "client_id": console_app["consumer_key"],
        "redirect_uri": CALLBACK,
        "code_challenge": code_challenge(new_code_verifier()),
        "state": "s",
        **params,
    }

    response = authorize(http, base_url, **query)

    assert response.status_code == status
    if status == 302:  # told to the app, with its state
        location = urlsplit(response.headers["Location"])
        assert location.geturl().startswith(CALLBACK)
        assert parse_qs(location.query)["error"] == [error]
        assert parse_qs(location.query)["state"] == ["s"]
    else:  # shown to the person, never redirected to an unregistered URL
        assert "Location" not in response.headers and f"error={error}" in response.text


def test_without_a_logged_in_user_a_username_form_signs_in(
    http: requests.Session, base_url: str, console_app: dict[str, Any], app: SalesforceSandbox
) -> None:
    app.configure({"web_login_user": None})
    query = {
        "response_type": "code",
        "client_id": console_app["consumer_key"],
        "redirect_uri": CALLBACK,
        "code_challenge": code_challenge(new_code_verifier()),
    }
    page = authorize(http, base_url, **query)
    assert page.status_code == 200 and 'name="client_id"' in page.text

    posted = http.post(
        f"{base_url}/services/oauth2/authorize",
        data={**query, "username": OPERATOR},
        allow_redirects=False,
        timeout=10,
    )

    assert posted.status_code == 302
    assert "code" in parse_qs(urlsplit(posted.headers["Location"]).query)


def test_canvas_signed_request_is_signed_with_the_consumer_secret(
    http: requests.Session,
    base_url: str,
    console_app: dict[str, Any],
    app: SalesforceSandbox,
    make_client: Any,
) -> None:
    opportunity = app.seed({"records": {"Opportunity": [
        {"Name": "Summit order", "StageName": "Prospecting", "CloseDate": "2030-01-01"}
    ]}})["records"]["Opportunity"]["Summit order"]  # fmt: skip

    response = http.post(
        f"{base_url}/__admin/canvas/signed-request",
        json={
            "app": "Salesbridge_Console",
            "user": OPERATOR,
            "record": {"id": opportunity, "fields": ["Name", "StageName"]},
        },
    )

    assert response.status_code == 200, response.text
    signed = response.json()["signed_request"]
    signature, payload = signed.split(".", 1)
    mac = hmac.new(console_app["consumer_secret"].encode(), payload.encode(), hashlib.sha256)
    assert base64.b64decode(signature) == mac.digest()
    request = json.loads(base64.b64decode(payload))
    assert request["algorithm"] == "HMACSHA256"
    assert request["context"]["user"]["userName"] == OPERATOR
    assert request["context"]["user"]["userId"] == request["userId"]
    record = request["context"]["environment"]["record"]
    assert record["Id"] == opportunity and record["Name"] == "Summit order"
    assert record["attributes"]["type"] == "Opportunity"
    # The token inside is a live session of that user.
    sf = make_client(request["client"]["oauthToken"])
    assert sf.query("SELECT Id FROM Opportunity")["totalSize"] == 1


def test_canvas_signed_request_needs_a_canvas_app_and_a_user(
    http: requests.Session, base_url: str, console_app: dict[str, Any]
) -> None:
    url = f"{base_url}/__admin/canvas/signed-request"
    unknown_user = http.post(url, json={"app": "Salesbridge_Console", "user": "x@y.z"})
    unknown_app = http.post(url, json={"app": "Nope", "user": OPERATOR})

    assert unknown_user.status_code == 400 and unknown_app.status_code == 400
