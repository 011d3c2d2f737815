"""Token-Based Authentication: every way a signature can be wrong gets NetSuite's 401."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from authlib.integrations.httpx_client import OAuth1Auth
from authlib.oauth1.rfc5849 import client_auth

from sandboxes.common import LocalCA, SandboxAdmin
from sandboxes.netsuite import NetSuiteSandbox
from tests.sandboxes.netsuite.ns_helpers import make_auth

# The account's clock, set through the admin API: the window is checked against it.
NOW = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)

INVALID_LOGIN = {
    "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2",
    "title": "Unauthorized",
    "status": 401,
    "o:errorDetails": [
        {
            "detail": "Invalid login attempt. For more details, see the Login Audit Trail in the "
            "NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.",
            "o:errorCode": "INVALID_LOGIN",
        }
    ],
}


def call(conn: dict[str, Any], ca: LocalCA, auth: Any, path: str = "/customer") -> httpx.Response:
    with httpx.Client(base_url=conn["record_base_url"], verify=ca.client_context()) as client:
        return client.get(path, auth=auth)


def test_a_signed_request_with_a_query_passes(conn: dict[str, Any], ca: LocalCA) -> None:
    # Spaces, quotes and slashes in q must be signed exactly as the client encoded them.
    with httpx.Client(
        base_url=conn["record_base_url"], verify=ca.client_context(), auth=make_auth(conn)
    ) as client:
        response = client.get(
            "/customer", params={"q": 'lastModifiedDate ON_OR_AFTER "1/2/2026 3:00 pm"'}
        )

    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"client_secret": "wrong"}, "signature does not match"),
        ({"token_secret": "wrong"}, "signature does not match"),
        ({"realm": "7654321"}, "realm"),
        ({"client_id": "someone-else"}, "unknown consumer key"),
        ({"token": "revoked-token"}, "unknown token"),
        ({"signature_method": "HMAC-SHA1"}, "HMAC-SHA256"),
    ],
)
def test_bad_credentials_are_invalid_login(
    conn: dict[str, Any],
    ca: LocalCA,
    sandbox: NetSuiteSandbox,
    overrides: dict[str, Any],
    reason: str,
) -> None:
    response = call(conn, ca, make_auth(conn, **overrides))

    assert response.status_code == 401
    assert response.json() == INVALID_LOGIN
    assert reason in sandbox.authenticator.refusals[-1]


def test_missing_authorization_is_invalid_login(conn: dict[str, Any], ca: LocalCA) -> None:
    response = call(conn, ca, None)

    assert response.status_code == 401
    assert response.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_LOGIN"


def test_stale_timestamp_is_refused(
    conn: dict[str, Any], ca: LocalCA, admin: SandboxAdmin, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin.set_clock(now=NOW.isoformat())
    monkeypatch.setattr(client_auth, "generate_timestamp", lambda: str(int(NOW.timestamp()) - 301))

    assert call(conn, ca, make_auth(conn)).status_code == 401


def test_timestamp_inside_the_window_is_accepted(
    conn: dict[str, Any], ca: LocalCA, admin: SandboxAdmin, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin.set_clock(now=NOW.isoformat())
    monkeypatch.setattr(client_auth, "generate_timestamp", lambda: str(int(NOW.timestamp()) - 240))

    assert call(conn, ca, make_auth(conn)).status_code == 200


def test_replayed_nonce_is_refused(conn: dict[str, Any], ca: LocalCA) -> None:
    request = httpx.Request("GET", f"{conn['record_base_url']}/customer")
    signed = next(make_auth(conn).auth_flow(request))

    with httpx.Client(verify=ca.client_context()) as client:
        first = client.send(signed)
        replay = client.send(signed)

    assert first.status_code == 200
    assert replay.status_code == 401
    assert replay.json() == INVALID_LOGIN


def test_the_port_is_part_of_the_signed_url(conn: dict[str, Any], ca: LocalCA) -> None:
    # Signed for the default port while sent to the sandbox's own port: must not verify.
    url = conn["record_base_url"]
    request = httpx.Request("GET", f"{url}/customer")
    signed = next(make_auth(conn).auth_flow(httpx.Request("GET", _without_port(url) + "/customer")))

    with httpx.Client(verify=ca.client_context()) as client:
        headers = {"Authorization": signed.headers["Authorization"]}
        response = client.send(httpx.Request("GET", request.url, headers=headers))

    assert response.status_code == 401


def _without_port(url: str) -> str:
    scheme, rest = url.split("://", 1)
    host, path = rest.split("/", 1)
    return f"{scheme}://{host.split(':')[0]}/{path}"


def test_the_netsuite_package_way_with_a_body_hash_also_verifies(
    conn: dict[str, Any], ca: LocalCA, catalog: dict[str, Any]
) -> None:
    # The `netsuite` package signs with force_include_body=True, which makes authlib add
    # an oauth_body_hash parameter; it is signed like any other header parameter.
    auth = OAuth1Auth(
        client_id=conn["consumer_key"],
        client_secret=conn["consumer_secret"],
        token=conn["token_id"],
        token_secret=conn["token_secret"],
        signature_method="HMAC-SHA256",
        realm=conn["account_id"],
        force_include_body=True,
    )
    body = {"entity": {"id": "101"}, "memo": "signed with a body hash"}

    with httpx.Client(base_url=conn["record_base_url"], verify=ca.client_context()) as client:
        response = client.post("/salesOrder", json=body, auth=auth)

    assert response.status_code == 204, response.text
    assert "oauth_body_hash" in response.request.headers["Authorization"]


@pytest.mark.parametrize("escaped", ["eid:ACME%20LTD", "eid:A%2FB", "eid:M%C3%BCller%20%26%20S"])
def test_a_percent_escape_in_the_path_is_signed_as_sent(
    conn: dict[str, Any], ca: LocalCA, sandbox: NetSuiteSandbox, escaped: str
) -> None:
    # RFC 5849 3.4.1.2 signs the path as sent ("GET /r%20v/X" -> "http://example.com/r%20v/X"):
    # authlib signs the escaped path; the sandbox must not verify against the decoded one.
    response = call(conn, ca, make_auth(conn), path=f"/customer/{escaped}")

    assert response.status_code == 404, sandbox.authenticator.refusals
    assert response.json()["o:errorDetails"][0]["o:errorCode"] == "NONEXISTENT_ID"


def test_a_request_signed_for_the_decoded_path_is_refused(
    conn: dict[str, Any], ca: LocalCA, sandbox: NetSuiteSandbox
) -> None:
    # The other half of 3.4.1.2: signing "/customer/eid:A/B" (decoded) while sending
    # "/customer/eid:A%2FB" is a different base string URI.
    url = f"{conn['record_base_url']}/customer/eid:A%2FB"
    decoded = httpx.Request("GET", url.replace("%2F", "/"))
    signed = next(make_auth(conn).auth_flow(decoded))

    with httpx.Client(verify=ca.client_context()) as client:
        headers = {"Authorization": signed.headers["Authorization"]}
        response = client.send(httpx.Request("GET", url, headers=headers))

    assert response.status_code == 401
    assert "signature does not match" in sandbox.authenticator.refusals[-1]
