"""The monthly API quota, webhooks (delivered, signed, failures kept) and injected faults."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid
from typing import Any

import httpx
import pytest

from sandboxes.common import SandboxAdmin

# -- quota ---------------------------------------------------------------------------------------


def test_every_authenticated_call_counts_until_the_quota_blocks(
    client: httpx.Client, admin: SandboxAdmin, seeded: Any
) -> None:
    admin.configure(now="2026-11-30T23:00:00Z", monthly_quota=3)
    assert client.get("/Products").status_code == 200
    assert client.get("/Products", params={"pageSize": 0}).status_code == 400  # still counted
    assert client.get("/Warehouses").status_code == 200
    blocked = client.get("/Warehouses")
    assert blocked.status_code == 429
    assert blocked.headers["Retry-After"] == "3600"  # until 00:00 UTC on the 1st
    assert "API usage limit" in blocked.json()["Description"]
    assert set(blocked.json()) == {"Description", "DebugInformation"}
    assert client.post(f"/SalesOrders/{uuid.uuid4()}", json={}).status_code == 429
    assert admin.state()["quota"] == {"monthly_quota": 3, "used": 3, "month": "2026-11"}


def test_quota_resets_when_the_month_rolls_over(
    client: httpx.Client, admin: SandboxAdmin, seeded: Any
) -> None:
    admin.configure(now="2026-11-30T23:59:59Z", monthly_quota=1, api_calls_used=1)
    assert client.get("/Products").status_code == 429
    admin.configure(now="2026-12-01T00:00:00Z")
    assert client.get("/Products").status_code == 200
    assert admin.state()["quota"]["month"] == "2026-12"


# -- webhooks --------------------------------------------------------------------------------------


def _verify(entry: dict[str, Any], key: str) -> bool:
    headers = {name.lower(): value for name, value in entry["headers"].items()}
    message = headers["x-unleashed-timestamp"].encode() + b"." + entry["body"]
    expected = base64.b64encode(hmac.new(key.encode(), message, hashlib.sha256).digest())
    return hmac.compare_digest(expected.decode(), headers["x-unleashed-signature"])


def test_customer_changes_are_posted_signed(
    client: httpx.Client,
    admin: SandboxAdmin,
    seeded: dict[str, Any],
    receiver: Any,
    connection: dict[str, Any],
) -> None:
    [subscription] = admin.configure(
        webhooks=[{"url": receiver.url, "events": ["customer.created", "customer.updated"]}]
    )["webhooks"]
    admin.set_clock(now="2030-01-15T12:00:00Z")  # the account dates and signs by its clock
    new_guid = str(uuid.uuid4())
    client.post(f"/Customers/{new_guid}", json={"CustomerCode": "NEWCO", "CustomerName": "New Co"})
    client.post(f"/Customers/{seeded['customers']['ALPINE']}", json={"PhoneNumber": "+1 1"})
    deliveries = admin._call("POST", "/flush")["deliveries"]

    assert [d["status"] for d in deliveries] == ["delivered", "delivered"]
    assert [d["httpStatus"] for d in deliveries] == [200, 200]
    # Deliveries run in parallel, as real webhooks do: their arrival order is not guaranteed.
    by_type = {payload["eventType"]: payload for payload in receiver.payloads()}
    created, updated = by_type["customer.created"], by_type["customer.updated"]
    assert created["eventType"] == "customer.created"
    assert created["data"] == {"customerGuid": new_guid, "customerCode": "NEWCO"}
    assert created["subscriptionId"] == subscription["subscriptionId"]
    assert uuid.UUID(created["eventNotificationId"])
    assert created["createdOn"] == "2030-01-15T12:00:00.000Z"
    assert updated["eventType"] == "customer.updated"
    assert updated["data"]["customerCode"] == "ALPINE"
    key = connection["webhook_signature_key"]
    for entry in receiver.received:
        assert entry["headers"]["Content-Type"] == "application/json"
        assert entry["headers"]["x-unleashed-timestamp"] == "1894708800"
        assert _verify(entry, key)
        assert not _verify(entry, "some-other-key")


def test_events_are_filtered_per_subscription_and_keys_are_per_subscription(
    client: httpx.Client, admin: SandboxAdmin, seeded: dict[str, Any], receiver: Any
) -> None:
    admin.configure(
        webhooks=[
            {"url": receiver.url, "events": ["customer.created"], "signature_key": "k-1"},
            {"url": receiver.url, "events": ["product.updated"], "signature_key": "k-2"},
        ]
    )
    client.post(f"/Customers/{seeded['customers']['ALPINE']}", json={"PhoneNumber": "+1 2"})
    admin.seed({"products": [{"ProductCode": "STOVE-1", "DefaultSellPrice": 64.0}]})
    admin._call("POST", "/flush")
    [only] = receiver.received
    assert _verify(only, "k-2")
    payload = receiver.payloads()[0]
    assert payload["eventType"] == "product.updated"
    assert payload["data"]["productCode"] == "STOVE-1"


def test_failed_deliveries_are_kept_and_not_retried(
    client: httpx.Client, admin: SandboxAdmin, seeded: dict[str, Any], receiver: Any
) -> None:
    receiver.status = 500
    admin.configure(webhooks=[{"url": receiver.url}, {"url": "http://127.0.0.1:9/closed"}])
    client.post(f"/Customers/{seeded['customers']['ALPINE']}", json={"PhoneNumber": "+1 3"})
    deliveries = admin._call("POST", "/flush")["deliveries"]
    assert [(d["status"], d["httpStatus"], d["attempts"]) for d in deliveries] == [
        ("failed", 500, 1),
        ("failed", None, 1),
    ]
    assert deliveries[1]["error"]
    assert len(receiver.received) == 1
    assert admin.state()["webhooks"]["deliveries"][0]["status"] == "failed"


def test_at_most_five_subscriptions(admin: SandboxAdmin, receiver: Any) -> None:
    with pytest.raises(httpx.HTTPStatusError) as refused:
        admin.configure(webhooks=[{"url": receiver.url}] * 6)
    assert refused.value.response.status_code == 400
    assert len(admin.configure(webhooks=[{"url": receiver.url}] * 5)["webhooks"]) == 5
    with pytest.raises(httpx.HTTPStatusError):
        admin.configure(webhooks=[{"url": receiver.url, "events": ["order.created"]}])


def test_webhook_deliveries_do_not_count_against_the_quota(
    client: httpx.Client, admin: SandboxAdmin, seeded: dict[str, Any], receiver: Any
) -> None:
    admin.configure(webhooks=[{"url": receiver.url}], monthly_quota=1000)
    client.post(f"/Customers/{seeded['customers']['ALPINE']}", json={"PhoneNumber": "+1 4"})
    admin._call("POST", "/flush")
    assert admin.state()["quota"]["used"] == 1


# -- faults ----------------------------------------------------------------------------------------


def test_injected_status_fault_answers_before_auth_and_disarms(
    client: httpx.Client, admin: SandboxAdmin, seeded: Any
) -> None:
    body = {"Description": "Service Unavailable", "DebugInformation": None}
    admin.inject_fault("create_sales_order", status=503, body=body, times=1)
    guid = uuid.uuid4()
    assert client.post(f"/SalesOrders/{guid}", json={}).status_code == 503
    assert client.post(f"/SalesOrders/{guid}", json={}).status_code == 400  # real handler again
    assert admin.count("POST create_sales_order") == 2


def test_injected_drop_and_latency(client: httpx.Client, admin: SandboxAdmin, seeded: Any) -> None:
    admin.inject_fault("list_products", kind="drop", times=1)
    with pytest.raises(httpx.TransportError):
        client.get("/Products")
    admin.inject_fault("list_products", kind="latency", delay_ms=150, times=1)
    started = time.monotonic()
    assert client.get("/Products").status_code == 200
    assert time.monotonic() - started >= 0.15


def test_a_change_made_in_unleashed_itself_is_posted(
    admin: SandboxAdmin, seeded: dict[str, Any], receiver: Any
) -> None:
    # Re-seeding a known CustomerCode stands for someone editing the customer in Unleashed.
    admin.configure(webhooks=[{"url": receiver.url, "events": ["customer.updated"]}])
    admin.seed({"customers": [{"CustomerCode": "LAKESIDE", "Website": "https://lakeside.example"}]})
    admin._call("POST", "/flush")
    [payload] = receiver.payloads()
    assert payload["data"] == {
        "customerGuid": seeded["customers"]["LAKESIDE"],
        "customerCode": "LAKESIDE",
    }


def test_the_local_stack_wires_one_target_with_its_own_key(
    app: Any, admin: SandboxAdmin, seeded: dict[str, Any], receiver: Any
) -> None:
    app.configure({"webhook_url": receiver.url, "webhook_secret": "stack-key"})
    admin.seed({"customers": [{"CustomerCode": "ALPINE", "PhoneNumber": "+1 5"}]})
    admin._call("POST", "/flush")
    [entry] = receiver.received
    assert _verify(entry, "stack-key")
    assert app.configure({"webhook_url": None})["webhooks"] == []
