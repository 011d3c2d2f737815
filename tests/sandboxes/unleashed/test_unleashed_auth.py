"""Authentication and request hygiene: the signature, Accept, Content-Type, unparseable bodies."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import httpx

from sandboxes.common import SandboxAdmin
from sandboxes.unleashed.wire import signature


def _sign(query: str, key: str) -> str:
    return base64.b64encode(
        hmac.new(key.encode(), query.encode(), hashlib.sha256).digest()
    ).decode()


def test_signature_helper_matches_the_documented_recipe() -> None:
    # Given the documented example /Customers?customerCode=ACME, only "customerCode=ACME" is signed
    assert signature("customerCode=ACME", "secret") == _sign("customerCode=ACME", "secret")
    assert signature("", "secret") == _sign("", "secret")


def test_signed_request_without_query_is_accepted(client: httpx.Client, seeded: Any) -> None:
    response = client.get("/Customers")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["Pagination"]["NumberOfItems"] == 5


def test_documented_example_query_is_accepted(client: httpx.Client, seeded: Any) -> None:
    response = client.get("/Customers", params={"customerCode": "ALPINE"})
    assert response.status_code == 200
    assert [c["CustomerCode"] for c in response.json()["Items"]] == ["ALPINE"]


def test_query_with_special_characters_is_signed_as_sent(client: httpx.Client, seeded: Any) -> None:
    # Spaces, '&' and non-ASCII are percent-encoded on the wire; the signature covers that form.
    response = client.get("/Customers", params={"customerName": "Coastal Kayak Co. & Sons/é+"})
    assert response.status_code == 200
    assert response.json()["Items"] == []
    response = client.get("/Customers", params={"customerName": "Coastal Kayak"})
    assert [c["CustomerCode"] for c in response.json()["Items"]] == ["COASTAL"]


def test_signature_over_the_decoded_query_is_refused(
    connection: dict[str, Any], ca: Any, seeded: Any, json_headers: dict[str, str]
) -> None:
    # The client sends customerName=A%20B but signs "customerName=A B": Unleashed answers 403.
    headers = {
        **json_headers,
        "api-auth-id": connection["api_id"],
        "api-auth-signature": _sign("customerName=A B", connection["api_key"]),
    }
    url = f"{connection['base_url']}/Customers?customerName=A%20B"
    response = httpx.get(url, headers=headers, verify=ca.client_context())
    assert response.status_code == 403
    assert response.json() == {"Description": "Forbidden", "DebugInformation": None}


def test_signing_the_path_is_refused(
    connection: dict[str, Any], ca: Any, seeded: Any, json_headers: dict[str, str]
) -> None:
    headers = {
        **json_headers,
        "api-auth-id": connection["api_id"],
        "api-auth-signature": _sign("/Customers?customerCode=ALPINE", connection["api_key"]),
    }
    url = f"{connection['base_url']}/Customers?customerCode=ALPINE"
    response = httpx.get(url, headers=headers, verify=ca.client_context())
    assert response.status_code == 403


def test_bad_signature_unknown_id_and_missing_headers_are_forbidden(
    connection: dict[str, Any], ca: Any, admin: SandboxAdmin, json_headers: dict[str, str]
) -> None:
    url = f"{connection['base_url']}/Products"
    good = _sign("", connection["api_key"])
    cases = [
        {"api-auth-id": connection["api_id"], "api-auth-signature": _sign("", "wrong-key")},
        {"api-auth-id": "00000000-0000-0000-0000-000000000000", "api-auth-signature": good},
        {"api-auth-id": connection["api_id"]},
        {},
    ]
    for auth_headers in cases:
        response = httpx.get(
            url, headers={**json_headers, **auth_headers}, verify=ca.client_context()
        )
        assert response.status_code == 403
        assert response.json()["Description"] == "Forbidden"
    assert admin.state()["quota"]["used"] == 0  # refused before counting


def test_client_type_is_required_since_june_2025(
    client: httpx.Client, admin: SandboxAdmin, seeded: Any
) -> None:
    client.headers.pop("client-type")
    response = client.get("/Products")
    assert response.status_code == 403
    assert "client-type" in response.json()["Description"]
    admin.configure(require_client_type=False)
    assert client.get("/Products").status_code == 200


def test_accept_must_ask_for_json(client: httpx.Client, seeded: Any) -> None:
    response = client.get("/Products", headers={"Accept": "application/xml"})
    assert response.status_code == 406
    assert "Accept" in response.json()["Description"]


def test_body_needs_json_content_type(client: httpx.Client, seeded: dict[str, Any]) -> None:
    guid = seeded["customers"]["ALPINE"]
    response = client.post(
        f"/Customers/{guid}", content=b"{}", headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 415


def test_unparseable_body_is_a_500_as_documented(
    client: httpx.Client, seeded: dict[str, Any]
) -> None:
    guid = seeded["customers"]["ALPINE"]
    response = client.post(f"/Customers/{guid}", content=b"{not json")
    assert response.status_code == 500
    assert response.json() == {
        "Description": "The object passed to the API could not be parsed.",
        "DebugInformation": None,
    }


def test_unknown_endpoint_is_404_in_unleashed_words(client: httpx.Client) -> None:
    response = client.get("/SalesOrder")  # the docs' own example of a 404
    assert response.status_code == 404
    assert set(response.json()) == {"Description", "DebugInformation"}


def test_client_type_is_recorded(client: httpx.Client, admin: SandboxAdmin, seeded: Any) -> None:
    client.get("/Warehouses")
    assert admin.state()["client_types"]["salesbridge/tests"] >= 1
