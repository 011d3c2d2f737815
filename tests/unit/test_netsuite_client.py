"""The NetSuite adapter without a network: signing, parsing, paging and error translation.

Every test goes through the whole client stack (retries, signing) with httpx.MockTransport in
place of the network, so what is asserted is what NetSuite would receive.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, unquote
from urllib.request import parse_http_list, parse_keqv_list

import httpx
import pytest
from authlib.oauth1.rfc5849.signature import construct_base_string

from shared.adapters.netsuite.client import (
    NetsuiteClient,
    NetsuiteCredentials,
    client_from_secret,
    netsuite_http,
    parse_customer,
    parse_sales_order,
)
from shared.adapters.netsuite.oauth import TokenSigner, normalized_parameters, signature_base_string
from shared.errors import ConfigurationError, NotFound, PermanentError, RetryableError
from shared.http import RetryPolicy

Handler = Callable[[httpx.Request], httpx.Response]

CREDENTIALS = NetsuiteCredentials(
    account_id="1234567_SB1",
    consumer_key="ck-123",
    consumer_secret="cs-secret/+=",
    token_id="tk-456",
    token_secret="ts-secret&more",
)
RECORD = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1"


class Network:
    """Stands in for NetSuite: answers with `handler`, keeps every request it saw."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        # A copy: the retrying transport re-signs the same request object on each attempt.
        seen = httpx.Request(
            request.method, request.url, headers=request.headers.copy(), content=request.read()
        )
        self.requests.append(seen)
        return self.handler(seen)


def make_client(
    handler: Handler,
    credentials: NetsuiteCredentials = CREDENTIALS,
    attempts: int = 3,
    slept: list[float] | None = None,
) -> tuple[NetsuiteClient, Network]:
    network = Network(handler)
    http = netsuite_http(
        credentials,
        network=httpx.MockTransport(network),
        policy=RetryPolicy(attempts=attempts),
        sleep=(slept if slept is not None else []).append,
    )
    return NetsuiteClient(credentials, http), network


def answer(status: int, body: Any = None, headers: dict[str, str] | None = None) -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body, headers=headers)

    return handle


def oauth_fields(request: httpx.Request) -> dict[str, str]:
    scheme, _, rest = request.headers["Authorization"].partition(" ")
    assert scheme == "OAuth"
    return {k: unquote(v) for k, v in parse_keqv_list(parse_http_list(rest)).items()}


def expected_signature(base_string: str, consumer_secret: str, token_secret: str) -> str:
    from urllib.parse import quote

    key = f"{quote(consumer_secret, safe='')}&{quote(token_secret, safe='')}".encode()
    return base64.b64encode(hmac.new(key, base_string.encode(), hashlib.sha256).digest()).decode()


# -- Token-Based Authentication ----------------------------------------------------------------


def test_the_authorization_header_carries_realm_and_every_oauth_parameter() -> None:
    client, network = make_client(answer(404, {}))

    client.sales_order("1001")

    fields = oauth_fields(network.requests[0])
    assert fields.keys() == {
        "realm",
        "oauth_consumer_key",
        "oauth_token",
        "oauth_nonce",
        "oauth_timestamp",
        "oauth_signature_method",
        "oauth_version",
        "oauth_signature",
    }
    assert fields["realm"] == "1234567_SB1"
    assert fields["oauth_consumer_key"] == "ck-123"
    assert fields["oauth_token"] == "tk-456"
    assert fields["oauth_signature_method"] == "HMAC-SHA256"
    assert fields["oauth_version"] == "1.0"
    assert 6 <= len(fields["oauth_nonce"]) <= 64
    assert abs(int(fields["oauth_timestamp"]) - datetime.now(UTC).timestamp()) < 60


def test_the_signature_matches_one_computed_by_hand_over_query_but_not_body() -> None:
    signer = TokenSigner(
        realm="1234567_SB1",
        consumer_key="ck-123",
        consumer_secret="cs-secret/+=",
        token_id="tk-456",
        token_secret="ts-secret&more",
        clock=lambda: 1_700_000_000,
        nonce=lambda: "n0nce123",
    )
    url = httpx.URL(
        f"{RECORD}/salesOrder?q=lastModifiedDate%20ON_OR_AFTER%20%221%2F2%2F2026%22&limit=5"
    )

    header = signer.authorization("PATCH", url)

    base = (
        "PATCH&https%3A%2F%2F1234567-sb1.suitetalk.api.netsuite.com%2Fservices%2Frest%2Frecord"
        "%2Fv1%2FsalesOrder&limit%3D5%26oauth_consumer_key%3Dck-123%26oauth_nonce%3Dn0nce123"
        "%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1700000000"
        "%26oauth_token%3Dtk-456%26oauth_version%3D1.0"
        "%26q%3DlastModifiedDate%2520ON_OR_AFTER%2520%25221%252F2%252F2026%2522"
    )
    fields = {k: unquote(v) for k, v in parse_keqv_list(parse_http_list(header[6:])).items()}
    assert fields["oauth_signature"] == expected_signature(base, "cs-secret/+=", "ts-secret&more")


def test_the_base_string_agrees_with_authlib_and_keeps_a_non_default_port() -> None:
    url = httpx.URL("https://Example.COM:8443/services/rest/record/v1/salesOrder/eid:A-1?x=a+b&y=")
    oauth = {"oauth_consumer_key": "k", "oauth_nonce": "abcdef", "oauth_token": "t"}

    ours = signature_base_string("put", url, oauth)

    pairs = [*parse_qsl("x=a+b&y=", keep_blank_values=True), *oauth.items()]
    theirs = construct_base_string(
        "PUT", "https://example.com:8443/services/rest/record/v1/salesOrder/eid:A-1", pairs
    )
    assert ours == theirs
    assert ours.startswith("PUT&https%3A%2F%2Fexample.com%3A8443%2Fservices")


def test_parameters_are_encoded_and_sorted_as_rfc_5849_shows() -> None:
    # RFC 5849 3.4.1.3: the query of its example request, with its oauth_* parameters.
    query = parse_qsl("b5=%3D%253D&a3=a&c%40=&a2=r%20b", keep_blank_values=True)
    oauth = [
        ("oauth_consumer_key", "9djdj82h48djs9d2"),
        ("oauth_token", "kkk9d7dh3k39sjv7"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "137131201"),
        ("oauth_nonce", "7d8f3e4a"),
    ]
    assert normalized_parameters(query + oauth) == (
        "a2=r%20b&a3=a&b5=%3D%253D&c%40=&oauth_consumer_key=9djdj82h48djs9d2"
        "&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1&oauth_timestamp=137131201"
        "&oauth_token=kkk9d7dh3k39sjv7"
    )


def test_patch_and_put_send_their_json_body() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        location = f"{RECORD}/salesOrder/1042"
        return httpx.Response(204, headers={"Location": location})

    client, network = make_client(handle)

    client.update_sales_order("1001", {"custbody_sb_sf_opportunity_id": "006A"})
    client.upsert_sales_order(
        "SF-006A", {"memo": "from Salesforce", "discountRate": Decimal("-2.5")}
    )

    patch, put = network.requests
    assert patch.method == "PATCH" and json.loads(patch.content) == {
        "custbody_sb_sf_opportunity_id": "006A"
    }
    assert patch.headers["Content-Type"] == "application/json"
    assert put.method == "PUT"
    assert json.loads(put.content) == {"memo": "from Salesforce", "discountRate": -2.5}
    assert put.url.path == "/services/rest/record/v1/salesOrder/eid:SF-006A"


def test_every_attempt_is_signed_with_a_fresh_nonce() -> None:
    answers = iter([503, 503, 204])
    client, network = make_client(lambda request: httpx.Response(next(answers)))

    client.update_sales_order("1001", {"memo": "x"})  # PATCH is marked idempotent: retried

    nonces = {oauth_fields(r)["oauth_nonce"] for r in network.requests}
    assert len(network.requests) == 3 and len(nonces) == 3
    assert all(json.loads(r.content) == {"memo": "x"} for r in network.requests)


# -- parsing -----------------------------------------------------------------------------------

ORDER_JSON: dict[str, Any] = {
    "links": [{"rel": "self", "href": f"{RECORD}/salesOrder/1001"}],
    "id": "1001",
    "tranId": "SO1001",
    "tranDate": "2026-11-20",
    "entity": {"links": [], "id": "101", "refName": "Alpine Trail Outfitters"},
    "status": {"id": "Pending Fulfillment", "refName": "Pending Fulfillment"},
    "orderStatus": {"id": "B", "refName": "Pending Fulfillment"},
    "currency": {"links": [], "id": "1", "refName": "USD"},
    "memo": "Spring restock",
    "otherRefNum": "PO-77",
    "subtotal": 2775.6,
    "discountItem": {"links": [], "id": "601", "refName": "Loyalty Discount"},
    "discountRate": -5.0,
    "discountTotal": -138.78,
    "total": 2636.82,
    "externalId": "SF-006A",
    "lastModifiedDate": "2026-11-21T09:15:42Z",
    "custbody_sb_send_to_salesforce": True,
    "custbody_sb_origin": "NetSuite",
    "custbody_sb_sf_opportunity_id": "006000000000001AAA",
    "item": {
        "links": [],
        "count": 5,
        "hasMore": False,
        "items": [
            {
                "links": [],
                "line": 1,
                "item": {"links": [], "id": "501", "refName": "TENT-2P"},
                "itemType": {"id": "InvtPart", "refName": "InvtPart"},
                "quantity": 6.0,
                "rate": 249.0,
                "amount": 1494.0,
                "description": "Ridgeline 2-Person Tent",
                "price": {"links": [], "id": "1", "refName": "Base Price"},
            },
            {
                "line": 2,
                "item": {"id": "503", "refName": "BAG-20F"},
                "itemType": "InvtPart",
                "quantity": 10.0,
                "rate": 159.0,
                "amount": 1590.0,
                "price": {"id": "-1", "refName": "Custom"},
            },
            {
                "line": 3,
                "item": {"id": "602", "refName": "Subtotal"},
                "itemType": {"id": "Subtotal", "refName": "Subtotal"},
                "amount": 3084.0,
            },
            {
                "line": 4,
                "item": {"id": "601", "refName": "Loyalty Discount"},
                "itemType": {"id": "Discount", "refName": "Discount"},
                "rate": -10.0,
                "amount": -308.4,
                "description": "Loyalty discount for returning retailers",
            },
            {
                "line": 5,
                "item": {"id": "603", "refName": "Note"},
                "itemType": {"id": "Description", "refName": "Description"},
                "description": "Deliver to the Bend store",
            },
        ],
        "offset": 0,
        "totalResults": 5,
    },
}


def test_an_order_reads_with_its_lines_totals_and_custom_fields() -> None:
    client, network = make_client(answer(200, ORDER_JSON))

    order = client.sales_order("1001")

    assert network.requests[0].url == f"{RECORD}/salesOrder/1001?expandSubResources=true"
    assert order is not None
    assert (order.id, order.tran_id, order.entity.id, order.entity.name) == (
        "1001",
        "SO1001",
        "101",
        "Alpine Trail Outfitters",
    )
    assert order.order_status is not None and order.order_status.id == "B"
    assert order.discount_item is not None and order.discount_item.id == "601"
    assert (order.subtotal, order.discount_rate, order.total) == (
        Decimal("2775.6"),
        Decimal("-5.0"),
        Decimal("2636.82"),
    )
    assert order.last_modified == datetime(2026, 11, 21, 9, 15, 42, tzinfo=UTC)
    assert order.version == "2026-11-21T09:15:42Z"
    assert [(line.line, line.item_type) for line in order.lines] == [
        (1, "InvtPart"),
        (2, "InvtPart"),
        (3, "Subtotal"),
        (4, "Discount"),
        (5, "Description"),
    ]
    tent, bag, subtotal, discount, note = order.lines
    assert tent.price_level is not None and tent.price_level.name == "Base Price"
    assert bag.price_level is not None and bag.price_level.id == "-1"
    assert subtotal.amount == Decimal("3084.0") and subtotal.quantity is None
    assert (discount.rate, discount.amount) == (Decimal("-10.0"), Decimal("-308.4"))
    assert note.description == "Deliver to the Bend store" and note.amount is None
    assert order.custom == {
        "custbody_sb_send_to_salesforce": True,
        "custbody_sb_origin": "NetSuite",
        "custbody_sb_sf_opportunity_id": "006000000000001AAA",
    }


def test_an_order_without_expanded_lines_has_none() -> None:
    body = {**ORDER_JSON, "item": {"links": [{"rel": "self", "href": "..."}]}}
    assert parse_sales_order(body).lines == ()


def test_an_order_missing_a_required_field_is_a_permanent_error() -> None:
    body = {k: v for k, v in ORDER_JSON.items() if k != "entity"}
    client, _ = make_client(answer(200, body))
    with pytest.raises(PermanentError, match="sales order 1001") as caught:
        client.sales_order("1001")
    assert [p.field for p in caught.value.problems] == ["entity"]


CUSTOMER_JSON: dict[str, Any] = {
    "id": "101",
    "entityId": "ALPINE",
    "companyName": "Alpine Trail Outfitters",
    "email": "orders@alpinetrail.example",
    "phone": "+1 503 555 0101",
    "url": "https://alpinetrail.example",
    "isInactive": False,
    "salesRep": {"links": [], "id": "7", "refName": "Maya Chen"},
    "lastModifiedDate": "2026-11-21T08:00:00Z",
    "addressbook": {
        "items": [
            {
                "internalId": 1,
                "defaultBilling": False,
                "defaultShipping": True,
                "addressbookaddress": {
                    "addr1": "4 Dock Street",
                    "city": "Bend",
                    "state": "OR",
                    "zip": "97702",
                    "country": {"id": "US", "refName": "United States"},
                },
            },
            {
                "internalId": 2,
                "defaultBilling": True,
                "defaultShipping": False,
                "addressbookaddress": {
                    "addr1": "12 Ridge Road",
                    "addr2": "Suite 3",
                    "city": "Bend",
                    "state": "OR",
                    "zip": "97701",
                    "country": "US",
                },
            },
        ]
    },
}


def test_a_customer_reads_with_its_default_billing_and_shipping_addresses() -> None:
    client, network = make_client(answer(200, CUSTOMER_JSON))

    customer = client.customer("101")

    assert network.requests[0].url == f"{RECORD}/customer/101?expandSubResources=true"
    assert customer is not None
    assert (customer.entity_id, customer.company_name) == ("ALPINE", "Alpine Trail Outfitters")
    assert customer.sales_rep is not None and customer.sales_rep.name == "Maya Chen"
    assert customer.billing_address is not None and customer.shipping_address is not None
    assert customer.billing_address.street == "12 Ridge Road"
    assert customer.billing_address.street2 == "Suite 3"
    assert customer.billing_address.postcode == "97701"
    assert customer.shipping_address.street == "4 Dock Street"
    assert customer.shipping_address.country == "US"


def test_a_customer_without_addresses_has_none() -> None:
    customer = parse_customer({"id": "9", "companyName": "Bare", "addressbook": {"items": []}})
    assert customer.billing_address is None and customer.shipping_address is None


# -- reading lists -----------------------------------------------------------------------------


def test_modified_since_sends_the_n_query_filter_and_follows_pages() -> None:
    pages = {
        0: {"items": [{"id": "1001"}, {"id": "1002"}], "hasMore": True, "count": 2},
        2: {"items": [{"id": "1003"}, {"id": "1004"}], "hasMore": True, "count": 2},
        4: {"items": [{"id": "1005"}], "hasMore": False, "count": 1},
    }

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=pages[int(request.url.params["offset"])])

    client, network = make_client(handle)

    ids = list(
        client.sales_orders_modified_since(datetime(2026, 8, 4, 15, 7, 31, tzinfo=UTC), page_size=2)
    )

    assert ids == ["1001", "1002", "1003", "1004", "1005"]
    assert [r.url.params["offset"] for r in network.requests] == ["0", "2", "4"]
    first = network.requests[0]
    assert first.url.params["limit"] == "2"
    assert first.url.params["q"] == 'lastModifiedDate ON_OR_AFTER "08/04/2026 03:07 PM"'
    assert b"%20ON_OR_AFTER%20" in first.url.query  # spaces as %20, as NetSuite's help shows


def test_modified_since_uses_the_integration_users_time_zone_and_format() -> None:
    credentials = CREDENTIALS.model_copy(
        update={"query_time_zone": "America/Los_Angeles", "query_datetime_format": "%d/%m/%Y %H:%M"}
    )
    client, network = make_client(answer(200, {"items": [], "hasMore": False}), credentials)

    list(client.sales_orders_modified_since(datetime(2026, 8, 4, 3, 7, tzinfo=UTC)))

    assert network.requests[0].url.params["q"] == 'lastModifiedDate ON_OR_AFTER "03/08/2026 20:07"'


# -- writes ------------------------------------------------------------------------------------


def test_upsert_answers_the_internal_id_from_location_and_replaces_lines() -> None:
    location = f"{RECORD}/salesOrder/1042"
    client, network = make_client(answer(204, None, {"Location": location}))

    record_id = client.upsert_sales_order("SF-006A", {"item": {"items": []}})

    assert record_id == "1042"
    assert network.requests[0].url.params["replace"] == "item"


def test_an_upsert_without_location_is_a_permanent_error() -> None:
    client, _ = make_client(answer(204))
    with pytest.raises(PermanentError, match="without an id"):
        client.upsert_sales_order("SF-1", {"memo": "x"})


# -- errors ------------------------------------------------------------------------------------


def problem(status: int, code: str, detail: str, path: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"detail": detail, "o:errorCode": code}
    if path:
        entry["o:errorPath"] = path
    return {"type": "...", "title": "...", "status": status, "o:errorDetails": [entry]}


@pytest.mark.parametrize(
    ("status", "body", "error", "words"),
    [
        (
            401,
            problem(401, "INVALID_LOGIN", "Invalid login attempt."),
            ConfigurationError,
            ["refused the token-based login", "INVALID_LOGIN", "Invalid login attempt."],
        ),
        (
            403,
            problem(403, "INSUFFICIENT_PERMISSION", "Permission Violation: Sales Order"),
            ConfigurationError,
            ["lacks permission", "INSUFFICIENT_PERMISSION"],
        ),
        (
            400,
            problem(400, "INVALID_CONTENT", "Invalid Field Value x", "item.items[0].quantity"),
            PermanentError,
            ["INVALID_CONTENT", "Invalid Field Value x", "item.items[0].quantity"],
        ),
        (
            429,
            problem(429, "SSS_REQUEST_LIMIT_EXCEEDED", "Concurrent request limit exceeded."),
            RetryableError,
            ["429", "SSS_REQUEST_LIMIT_EXCEEDED"],
        ),
        (
            500,
            problem(500, "UNEXPECTED_ERROR", "An unexpected error occurred."),
            RetryableError,
            ["500"],
        ),
        (503, None, RetryableError, ["503"]),
        (
            404,
            problem(404, "NONEXISTENT_ID", "The record instance does not exist."),
            NotFound,
            ["NONEXISTENT_ID"],
        ),
    ],
)
def test_refusals_of_a_write_translate_to_salesbridge_errors(
    status: int, body: Any, error: type[Exception], words: list[str]
) -> None:
    client, network = make_client(answer(status, body))

    with pytest.raises(error) as caught:
        client.update_sales_order("1001", {"memo": "x"})

    assert type(caught.value) is error
    for word in words:
        assert word in str(caught.value)
    assert "cs-secret" not in str(caught.value) and "ts-secret" not in str(caught.value)
    retried = status in (429, 503)  # what the transport repeats before giving up
    assert len(network.requests) == (3 if retried else 1)


def test_a_bad_request_names_the_field_it_refused() -> None:
    body = problem(400, "INVALID_CONTENT", "Invalid Field Value x", "item.items[0].quantity")
    client, _ = make_client(answer(400, body))
    with pytest.raises(PermanentError) as caught:
        client.update_sales_order("1001", {"memo": "x"})
    assert [(p.field, p.reason) for p in caught.value.problems] == [
        ("item.items[0].quantity", "Invalid Field Value x")
    ]


def test_retry_after_is_honoured_then_handed_to_the_caller() -> None:
    slept: list[float] = []
    client, network = make_client(answer(429, None, {"Retry-After": "2"}), attempts=2, slept=slept)

    with pytest.raises(RetryableError) as caught:
        client.sales_order("1001")

    assert slept == [2.0] and len(network.requests) == 2
    assert caught.value.retry_after == 2.0


def test_a_retry_after_beyond_the_cap_goes_straight_back_to_the_caller() -> None:
    client, network = make_client(answer(429, None, {"Retry-After": "120"}))  # beyond the cap

    with pytest.raises(RetryableError) as caught:
        client.sales_order("1001")

    assert caught.value.retry_after == 120.0
    assert len(network.requests) == 1  # the queue holds the record back, not the Lambda


def test_a_missing_record_reads_as_none() -> None:
    client, _ = make_client(answer(404, problem(404, "NONEXISTENT_ID", "no such record")))
    assert client.sales_order("999") is None
    assert client.customer("999") is None


def test_timeouts_and_connection_failures_are_retryable() -> None:
    def time_out(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(RetryableError, match="in time"):
        make_client(time_out)[0].sales_order("1001")
    client, network = make_client(refuse)
    with pytest.raises(RetryableError, match="unreachable"):
        client.sales_order("1001")
    assert len(network.requests) == 3  # connection failures are retried by the transport


# -- credentials and links ---------------------------------------------------------------------


def test_credentials_default_to_the_accounts_hosts() -> None:
    assert CREDENTIALS.realm == "1234567_SB1"
    assert CREDENTIALS.record_base_url == RECORD
    assert CREDENTIALS.app_base_url == "https://1234567-sb1.app.netsuite.com"
    assert "cs-secret" not in repr(CREDENTIALS) and "ts-secret" not in repr(CREDENTIALS)


def test_a_rest_base_url_is_accepted_with_or_without_services_rest() -> None:
    base = CREDENTIALS.model_copy(update={"rest_base_url": "https://127.0.0.1:8443/"})
    full = CREDENTIALS.model_copy(update={"rest_base_url": "https://127.0.0.1:8443/services/rest"})
    assert (
        base.record_base_url
        == full.record_base_url
        == "https://127.0.0.1:8443/services/rest/record/v1"
    )


def test_record_url_points_at_the_order_in_the_ui() -> None:
    client, _ = make_client(answer(200))
    assert client.record_url("1001") == (
        "https://1234567-sb1.app.netsuite.com/app/accounting/transactions/salesord.nl?id=1001"
    )


def test_a_secret_with_extra_keys_connects_and_one_missing_keys_does_not() -> None:
    secret = {**CREDENTIALS.model_dump(), "signature_method": "HMAC-SHA256", "record_base_url": "x"}
    client_from_secret(secret).close()

    with pytest.raises(ConfigurationError, match="token_secret"):
        client_from_secret({k: v for k, v in secret.items() if k != "token_secret"})
    with pytest.raises(ConfigurationError, match="query_time_zone"):
        client_from_secret({**secret, "query_time_zone": "Mars/Olympus_Mons"})
