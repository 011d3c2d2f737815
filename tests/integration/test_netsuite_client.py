"""The NetSuite adapter against the NetSuite sandbox over TLS, signing every request for real.

The sandbox checks TBA signatures with its own (authlib-based) code, counts every request,
enforces the account concurrency limit and injects faults, so these tests show the adapter's
wire behaviour, its error translation and what each call costs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandboxes.common import LocalCA, SandboxAdmin, SandboxServer
from sandboxes.netsuite import NetSuiteSandbox
from sandboxes.netsuite.demo import demo_seed
from shared.adapters.netsuite.client import (
    NetsuiteClient,
    NetsuiteCredentials,
    client_from_secret,
    netsuite_http,
)
from shared.errors import ConfigurationError, NotFound, PermanentError, RetryableError
from shared.http import RetryPolicy
from shared.netsuite_records import OPPORTUNITY_ID_FIELD

CUSTOMER_WITH_TWO_ADDRESSES = {
    "id": "301",
    "entityId": "HARBOUR",
    "companyName": "Harbour Goods",
    "email": "buying@harbour.example",
    "addressbook": {
        "items": [
            {
                "defaultBilling": False,
                "defaultShipping": True,
                "addressbookaddress": {
                    "addr1": "1 Wharf Lane",
                    "city": "Portland",
                    "state": "ME",
                    "zip": "04101",
                    "country": "US",
                },
            },
            {
                "defaultBilling": True,
                "defaultShipping": False,
                "addressbookaddress": {
                    "addr1": "200 Ledger Street",
                    "addr2": "Floor 2",
                    "city": "Boston",
                    "state": "MA",
                    "zip": "02110",
                    "country": "US",
                },
            },
        ]
    },
}

SANDBOX = NetSuiteSandbox  # started once for this module (tests/integration/conftest.py)


@pytest.fixture
def secret(server: SandboxServer) -> dict[str, Any]:
    connection: dict[str, Any] = server.app.connection(server.base_url)
    return connection


@pytest.fixture
def seeded(admin: SandboxAdmin) -> Iterator[dict[str, Any]]:
    admin.reset()
    admin.configure(concurrency_limit=15, webhook_url=None, events_enabled=True)
    created = admin.seed(demo_seed())
    admin.seed({"customers": [CUSTOMER_WITH_TWO_ADDRESSES]})
    admin.clear_requests()
    yield created
    admin.clear_faults()
    admin.configure(concurrency_limit=15, webhook_url=None)


def connect(
    secret: dict[str, Any],
    ca_bundle: Path | None,
    monkeypatch: pytest.MonkeyPatch,
    attempts: int = 3,
) -> NetsuiteClient:
    if ca_bundle is None:
        monkeypatch.delenv("SALESBRIDGE_CA_BUNDLE", raising=False)
    else:
        monkeypatch.setenv("SALESBRIDGE_CA_BUNDLE", str(ca_bundle))
    return client_from_secret(secret, policy=RetryPolicy(attempts=attempts), sleep=lambda _: None)


@pytest.fixture
def netsuite(
    secret: dict[str, Any], ca: LocalCA, monkeypatch: pytest.MonkeyPatch, seeded: dict[str, Any]
) -> Iterator[NetsuiteClient]:
    with connect(secret, ca.bundle_path, monkeypatch) as client:
        yield client


def delivered(admin: SandboxAdmin, expected: int) -> list[dict[str, Any]]:
    """The sandbox's event deliveries, once `expected` of them have been attempted."""
    deadline = time.monotonic() + 5
    while True:
        deliveries: list[dict[str, Any]] = admin.state()["deliveries"]
        if len(deliveries) >= expected or time.monotonic() > deadline:
            return deliveries
        time.sleep(0.02)


# -- reads -------------------------------------------------------------------------------------


def test_a_seeded_order_reads_with_its_lines_in_one_request(
    netsuite: NetsuiteClient, admin: SandboxAdmin, seeded: dict[str, Any]
) -> None:
    order_id = seeded["salesOrders"][0]

    order = netsuite.sales_order(order_id)

    assert order is not None and order.id == order_id
    assert order.entity.id == seeded["customers"][0] and order.memo == "Spring restock"
    assert [line.item_type for line in order.lines] == [
        "InvtPart",
        "InvtPart",
        "Subtotal",
        "Discount",
        "Description",
    ]
    tent, bag, subtotal, discount, note = order.lines
    assert subtotal.amount == (tent.amount or 0) + (bag.amount or 0)
    assert discount.rate == Decimal("-10") and discount.amount == (subtotal.amount or 0) / -10
    assert note.description == "Deliver to the Bend store"
    assert order.custom["custbody_sb_send_to_salesforce"] is True
    assert order.custom["custbody_sb_origin"] == "NetSuite"
    assert order.version.endswith("Z")
    assert admin.count() == 1 and admin.count("GET get_sales_order") == 1


def test_a_customer_reads_with_its_default_billing_and_shipping_addresses(
    netsuite: NetsuiteClient, admin: SandboxAdmin
) -> None:
    customer = netsuite.customer("301")

    assert customer is not None and customer.company_name == "Harbour Goods"
    assert customer.billing_address is not None and customer.shipping_address is not None
    assert (customer.billing_address.street, customer.billing_address.street2) == (
        "200 Ledger Street",
        "Floor 2",
    )
    assert customer.billing_address.city == "Boston"
    assert customer.shipping_address.street == "1 Wharf Lane"
    assert customer.shipping_address.postcode == "04101"
    assert admin.count() == 1


def test_an_unknown_order_reads_as_none(netsuite: NetsuiteClient, admin: SandboxAdmin) -> None:
    assert netsuite.sales_order("999999") is None
    assert netsuite.customer("999999") is None
    assert admin.count() == 2


# -- writes ------------------------------------------------------------------------------------


def test_patch_sets_the_opportunity_id_and_fires_an_xedit_event(
    netsuite: NetsuiteClient, admin: SandboxAdmin, seeded: dict[str, Any]
) -> None:
    order_id = seeded["salesOrders"][1]
    before = netsuite.sales_order(order_id)
    assert before is not None
    # Nothing listens on port 9: the delivery fails, but the event is recorded.
    admin.configure(webhook_url="http://127.0.0.1:9/hooks/netsuite", webhook_timeout_seconds=1)

    netsuite.update_sales_order(order_id, {OPPORTUNITY_ID_FIELD: "006AB00000123XYZ"})

    after = netsuite.sales_order(order_id)
    assert after is not None
    assert after.custom[OPPORTUNITY_ID_FIELD] == "006AB00000123XYZ"
    assert after.last_modified > before.last_modified
    assert after.lines == before.lines  # a partial update leaves the rest alone
    assert admin.count("PATCH update_sales_order") == 1
    assert [(d["id"], d["eventType"]) for d in delivered(admin, 1)] == [(order_id, "xedit")]


def test_patching_an_unknown_order_is_not_found(netsuite: NetsuiteClient) -> None:
    with pytest.raises(NotFound, match="NONEXISTENT_ID"):
        netsuite.update_sales_order("999999", {"memo": "x"})


def test_a_refused_field_is_a_permanent_error_naming_it(netsuite: NetsuiteClient) -> None:
    with pytest.raises(PermanentError, match="INVALID_CONTENT") as caught:
        netsuite.update_sales_order("1001", {"custentity_not_on_orders": "x"})
    assert [p.field for p in caught.value.problems] == ["custentity_not_on_orders"]


def upsert_body(seeded: dict[str, Any], memo: str) -> dict[str, Any]:
    return {
        "entity": {"id": seeded["customers"][1]},
        "memo": memo,
        "custbody_sb_origin": "Salesforce",
    }


def test_upserting_by_external_id_twice_gives_one_order(
    netsuite: NetsuiteClient, admin: SandboxAdmin, seeded: dict[str, Any]
) -> None:
    first = netsuite.upsert_sales_order("SF-006AB00000123XYZ", upsert_body(seeded, "first"))
    second = netsuite.upsert_sales_order("SF-006AB00000123XYZ", upsert_body(seeded, "second"))

    assert first == second and first not in seeded["salesOrders"]
    order = netsuite.sales_order(first)
    assert order is not None and order.external_id == "SF-006AB00000123XYZ"
    assert order.memo == "second"
    orders = admin.state()["salesOrders"]
    assert [o["id"] for o in orders if o.get("externalId") == "SF-006AB00000123XYZ"] == [first]
    assert admin.count("PUT upsert_sales_order") == 2


@pytest.fixture
def recorded(
    secret: dict[str, Any], ca: LocalCA, seeded: dict[str, Any]
) -> Iterator[tuple[NetsuiteClient, list[bytes]]]:
    """The adapter over a network that notes each request's path as it goes on the wire."""
    sent: list[bytes] = []
    credentials = NetsuiteCredentials.model_validate(secret)
    network = _Recording(httpx.HTTPTransport(verify=ca.client_context()), sent)
    with NetsuiteClient(credentials, netsuite_http(credentials, network=network)) as client:
        yield client, sent


@pytest.mark.parametrize(
    ("external_id", "escaped"),
    [
        ("ACME LTD", "eid:ACME%20LTD"),
        ("A/B", "eid:A%2FB"),
        ("Müller & Söhne", "eid:M%C3%BCller%20%26%20S%C3%B6hne"),
        ("100%", "eid:100%25"),
        ("a+b?c#d", "eid:a%2Bb%3Fc%23d"),
    ],
)
def test_an_external_id_goes_as_one_escaped_segment_signed_as_sent(
    recorded: tuple[NetsuiteClient, list[bytes]],
    seeded: dict[str, Any],
    external_id: str,
    escaped: str,
) -> None:
    # RFC 3986: the id is one segment, so "/" is escaped too and unicode goes as UTF-8
    # octets; RFC 5849 3.4.1.2: the signature covers the path as sent. So NetSuite gets to
    # judge the id, and refuses it as its help says ("An external ID can be any string
    # containing letters, numbers, underscore (_), and hyphen (-)"), naming the field;
    # before, the sandbox answered INVALID_LOGIN and the adapter blamed the secret.
    netsuite, sent = recorded

    with pytest.raises(PermanentError) as refused:
        netsuite.upsert_sales_order(external_id, upsert_body(seeded, "first"))

    assert not isinstance(refused.value, ConfigurationError)
    assert [p.field for p in refused.value.problems] == ["externalId"]
    assert sent == [f"/services/rest/record/v1/salesOrder/{escaped}".encode()]


@pytest.mark.parametrize("record_id", ["ACME LTD", "A/B", "Müller & Söhne", "100%"])
def test_any_record_id_reads_as_one_escaped_segment(
    recorded: tuple[NetsuiteClient, list[bytes]], record_id: str
) -> None:
    netsuite, sent = recorded

    assert netsuite.sales_order(record_id) is None  # NetSuite's 404, not a 401 or a 405
    path = f"/services/rest/record/v1/salesOrder/{_segment(record_id)}?"
    assert sent[0].startswith(path.encode())


def test_an_external_id_netsuite_accepts_round_trips(
    recorded: tuple[NetsuiteClient, list[bytes]], seeded: dict[str, Any]
) -> None:
    netsuite, sent = recorded

    first = netsuite.upsert_sales_order("sf-006AB_x-1", upsert_body(seeded, "first"))
    second = netsuite.upsert_sales_order("sf-006AB_x-1", upsert_body(seeded, "second"))

    assert first == second
    assert sent[0] == b"/services/rest/record/v1/salesOrder/eid:sf-006AB_x-1"


def _segment(value: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in "-._~") else _octets(c) for c in value)


def _octets(char: str) -> str:
    return "".join(f"%{b:02X}" for b in char.encode())


class _Recording(httpx.BaseTransport):
    """The network, noting each request's path as it goes on the wire."""

    def __init__(self, inner: httpx.BaseTransport, paths: list[bytes]) -> None:
        self._inner = inner
        self._paths = paths

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._paths.append(request.url.raw_path)
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def test_repeating_an_upsert_with_lines_keeps_one_set_of_lines(
    netsuite: NetsuiteClient, seeded: dict[str, Any]
) -> None:
    body = {
        **upsert_body(seeded, "lines"),
        "item": {"items": [{"item": {"id": "501"}, "quantity": 2}]},
    }
    order_id = netsuite.upsert_sales_order("SF-LINES", body)
    netsuite.upsert_sales_order("SF-LINES", body)

    order = netsuite.sales_order(order_id)
    assert order is not None and len(order.lines) == 1


# -- change capture ------------------------------------------------------------------------------


def test_modified_since_pages_through_every_changed_order(
    netsuite: NetsuiteClient, admin: SandboxAdmin, seeded: dict[str, Any]
) -> None:
    customer = {"id": seeded["customers"][0]}
    extra = [{"entity": customer, "memo": f"bulk {n}", "item": {"items": []}} for n in range(22)]
    extra_ids = admin.seed({"salesOrders": extra, "emit_events": False})["salesOrders"]
    admin.clear_requests()
    since = datetime.now(UTC) - timedelta(minutes=2)

    ids = list(netsuite.sales_orders_modified_since(since, page_size=10))

    assert sorted(ids, key=int) == sorted(seeded["salesOrders"] + extra_ids, key=int)
    assert len(ids) == 25 and admin.count("GET list_sales_orders") == 3
    assert (
        list(netsuite.sales_orders_modified_since(datetime.now(UTC) + timedelta(minutes=2))) == []
    )


# -- failures ------------------------------------------------------------------------------------


def test_a_503_is_retried_with_a_fresh_signature_and_then_succeeds(
    netsuite: NetsuiteClient, admin: SandboxAdmin
) -> None:
    admin.inject_fault("get_sales_order", status=503, times=1)

    order = netsuite.sales_order("1001")

    assert order is not None and order.id == "1001"
    assert admin.count("GET get_sales_order") == 2
    assert admin.state()["auth_refusals"] == []


def test_the_concurrency_limit_is_a_retryable_error(
    netsuite: NetsuiteClient,
    admin: SandboxAdmin,
    secret: dict[str, Any],
    ca: LocalCA,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin.configure(concurrency_limit=1)
    admin.inject_fault("get_customer", kind="latency", delay_ms=800, times=1)
    holder = connect(secret, ca.bundle_path, monkeypatch)
    slow = threading.Thread(target=holder.customer, args=("301",))
    slow.start()
    deadline = time.monotonic() + 5
    while admin.state()["in_flight"] < 1 and time.monotonic() < deadline:
        time.sleep(0.02)

    with pytest.raises(RetryableError, match="SSS_REQUEST_LIMIT_EXCEEDED") as caught:
        netsuite.sales_order("1001")

    slow.join()
    holder.close()
    assert caught.value.retry_after is None
    assert admin.count("GET (concurrency limit)") == 3  # every attempt refused
    assert admin.count("GET get_customer") == 1


def test_a_wrong_token_secret_is_a_configuration_error(
    secret: dict[str, Any],
    ca: LocalCA,
    monkeypatch: pytest.MonkeyPatch,
    seeded: dict[str, Any],
    admin: SandboxAdmin,
) -> None:
    bad = connect({**secret, "token_secret": "not-the-secret"}, ca.bundle_path, monkeypatch)
    with bad, pytest.raises(ConfigurationError, match="refused the token-based login") as caught:
        bad.sales_order("1001")

    assert "INVALID_LOGIN" in str(caught.value) and "not-the-secret" not in str(caught.value)
    assert admin.state()["auth_refusals"] == ["signature does not match"]


def test_an_untrusted_certificate_is_a_configuration_error(
    secret: dict[str, Any], monkeypatch: pytest.MonkeyPatch, seeded: dict[str, Any]
) -> None:
    untrusting = connect(secret, None, monkeypatch)
    with untrusting, pytest.raises(ConfigurationError, match="TLS verification"):
        untrusting.sales_order("1001")


def test_a_ca_bundle_that_does_not_match_is_reported_as_local_configuration(
    secret: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    seeded: dict[str, Any],
    tmp_path: Path,
) -> None:
    """What a second local stack did to the first one's CA: the error names our trust
    setting, not NetSuite (issue 7, defect 9)."""
    another = LocalCA(tmp_path / "another-stack")
    mismatched = connect(secret, another.bundle_path, monkeypatch)
    with mismatched, pytest.raises(ConfigurationError) as caught:
        mismatched.sales_order("1001")

    message = str(caught.value)
    assert message.startswith("TLS verification failed calling https://127.0.0.1:")
    assert f"the CA bundle {another.bundle_path} (SALESBRIDGE_CA_BUNDLE) does not match" in message
    assert "check SALESBRIDGE_CA_BUNDLE / the local stack" in message
