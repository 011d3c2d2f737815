"""The Unleashed client's wire: signature on known vectors, headers, paging, error families."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from shared.adapters.unleashed.client import (
    QuotaExhausted,
    UnleashedAuth,
    UnleashedClient,
    UnleashedCredentials,
    signature,
)
from shared.errors import ConfigurationError, PermanentError, RetryableError
from shared.http import make_client

CREDENTIALS = UnleashedCredentials(
    base_url="https://api.example", api_id="id-1", api_key="test-api-key", client_type="acme/sync"
)


# Computed with an independent implementation (OpenSSL):
#   printf 'customerCode=ACME&pageSize=200' \
#     | openssl dgst -sha256 -hmac test-api-key -binary | base64
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("customerCode=ACME&pageSize=200", "Ku8RqipJCnqt/dCP4q3DkQEB+2JQnnLvGEIgl8sQUZw="),
        ("", "mJXmOIXOEvaWU3yhLXyFd+DlMvZQxbttrlRgkdQOHMo="),
    ],
)
def test_the_signature_matches_known_vectors(query: str, expected: str) -> None:
    assert signature(query, "test-api-key") == expected


def client(handler: Any) -> UnleashedClient:
    http = make_client(
        CREDENTIALS.base_url,
        auth=UnleashedAuth(CREDENTIALS),
        headers={"Accept": "application/json", "client-type": CREDENTIALS.client_type},
        network=httpx.MockTransport(handler),
        sleep=lambda _: None,
    )
    return UnleashedClient(CREDENTIALS, http=http)


def test_each_request_is_signed_over_the_query_string_as_sent() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"Pagination": {"NumberOfPages": 1}, "Items": []})

    client(answer).items("Customers", {"customerCode": "A&B Ltd"})
    [request] = seen
    query = request.url.query.decode()
    assert query == "customerCode=A%26B+Ltd&pageSize=1000"
    assert request.headers["api-auth-signature"] == signature(query, "test-api-key")
    assert (request.headers["api-auth-id"], request.headers["client-type"]) == ("id-1", "acme/sync")


def test_items_reads_every_page() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        page = int(request.url.path.rsplit("/", 1)[1])
        return httpx.Response(
            200, json={"Pagination": {"NumberOfPages": 3}, "Items": [{"n": page}]}
        )

    assert [item["n"] for item in client(answer).items("Products")] == [1, 2, 3]


@pytest.mark.parametrize(
    ("status", "headers", "family"),
    [
        (429, {"Retry-After": "864000"}, QuotaExhausted),  # the month's quota: hold
        (503, {}, RetryableError),
        (403, {}, ConfigurationError),
        (400, {}, PermanentError),
    ],
)
def test_failures_fall_into_the_two_families(
    status: int, headers: dict[str, str], family: type[Exception]
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"Description": "no"}, headers=headers)

    with pytest.raises(family):
        client(answer).post("/SalesOrders/x", {}, keyed=True)


def test_a_dropped_connection_on_a_keyed_create_is_retried() -> None:
    calls = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.RemoteProtocolError("dropped")
        return httpx.Response(200, json={"Guid": "g"})

    assert client(answer).post("/SalesOrders/g", {}, keyed=True) == {"Guid": "g"}
    assert len(calls) == 2
