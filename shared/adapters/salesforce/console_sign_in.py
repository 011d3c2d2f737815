"""Who is signing in to the console, asked of Salesforce: the web server flow's code exchange
(with PKCE), the identity URL, and the user's permission sets.

Salesforce Help, "OAuth 2.0 Web Server Flow for Web App Integration": the authorize URL takes
response_type=code, client_id, redirect_uri, code_challenge (S256) and state; the token
request (grant_type=authorization_code, code, redirect_uri, client_id, client_secret,
code_verifier) answers access_token, instance_url and `id`, the identity URL, which a GET with
the token answers with user_id, organization_id, username and display_name ("Identity URLs").
The permission sets are one SOQL query on PermissionSetAssignment with the user's own token,
which Canvas also gives (`client.oauthToken`), so both ways in decide the role alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from shared.errors import Unauthorized
from shared.http import RetryPolicy, make_client

API_VERSION = "v62.0"
CONSOLE_PERMISSION_SETS = ("Salesbridge_Operator", "Salesbridge_Viewer")


@dataclass(frozen=True)
class SignedInUser:
    user_id: str
    username: str
    display_name: str
    org_id: str
    instance_url: str
    access_token: str


class SalesforceSignIn:
    def __init__(self, login_url: str, consumer_key: str, consumer_secret: str) -> None:
        if not (login_url and consumer_key):
            raise Unauthorized("Sign in with Salesforce is not configured (console secret)")
        self.login_url = login_url.rstrip("/")
        self._key = consumer_key
        self._secret = consumer_secret
        self._http = make_client(self.login_url, timeout=10.0, policy=RetryPolicy(attempts=2))

    def authorize_url(self, redirect_uri: str, challenge: str, state: str) -> str:
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self._key,
                "redirect_uri": redirect_uri,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                "state": state,
            }
        )
        return f"{self.login_url}/services/oauth2/authorize?{query}"

    def exchange(self, code: str, redirect_uri: str, verifier: str) -> SignedInUser:
        answer = self._http.post(
            "/services/oauth2/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "client_id": self._key,
                "client_secret": self._secret,
                "code_verifier": verifier,
            },
        )
        if answer.status_code != 200:
            error = _json(answer).get("error", answer.status_code)
            raise Unauthorized(f"Salesforce refused the sign-in code ({error})")
        token = _json(answer)
        identity = self._http.get(
            str(token["id"]), headers={"Authorization": f"Bearer {token['access_token']}"}
        )
        if identity.status_code != 200:
            raise Unauthorized(f"Salesforce's identity URL answered {identity.status_code}")
        who = _json(identity)
        return SignedInUser(
            user_id=str(who["user_id"]),
            username=str(who["username"]),
            display_name=str(who.get("display_name") or who["username"]),
            org_id=str(who.get("organization_id", "")),
            instance_url=str(token["instance_url"]),
            access_token=str(token["access_token"]),
        )

    def permission_sets(self, instance_url: str, access_token: str, user_id: str) -> set[str]:
        return permission_sets(instance_url, access_token, user_id)


def permission_sets(instance_url: str, access_token: str, user_id: str) -> set[str]:
    """Which of the console's permission sets the user holds (one SOQL query)."""
    if not user_id.isalnum():
        raise Unauthorized("the Salesforce user id is not an id")
    names = ", ".join(f"'{name}'" for name in CONSOLE_PERMISSION_SETS)
    soql = (
        "SELECT PermissionSet.Name FROM PermissionSetAssignment "  # noqa: S608
        f"WHERE AssigneeId = '{user_id}' AND PermissionSet.Name IN ({names})"
    )
    with make_client(instance_url, timeout=10.0, policy=RetryPolicy(attempts=2)) as http:
        answer = http.get(
            f"/services/data/{API_VERSION}/query",
            params={"q": soql},
            headers={"Authorization": f"Bearer {access_token}"},
        )
    if answer.status_code != 200:
        raise Unauthorized(
            f"Salesforce would not say the user's permission sets ({answer.status_code})"
        )
    return {
        str((row.get("PermissionSet") or {}).get("Name"))
        for row in _json(answer).get("records", [])
    }


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
