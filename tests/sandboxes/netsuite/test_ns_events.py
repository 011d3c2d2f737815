"""The user event script's posts: one signed event per sales order save or delete."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx

from sandboxes.common import SandboxAdmin
from tests.sandboxes.netsuite.ns_helpers import Receiver

ORDER = {"entity": {"id": "101"}, "item": {"items": [{"item": {"id": "501"}, "quantity": 1}]}}


def flush(admin: SandboxAdmin) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = admin._call("POST", "/flush")["deliveries"]
    return result


def verify(secret: str, delivery: dict[str, Any]) -> bool:
    headers = {k.lower(): v for k, v in delivery["headers"].items()}
    signed = headers["x-salesbridge-timestamp"].encode() + b"." + delivery["raw"]
    expected = "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["x-salesbridge-signature"])


def test_create_xedit_and_delete_post_signed_events(
    ns: httpx.Client, admin: SandboxAdmin, catalog: dict[str, Any], receiver: Receiver
) -> None:
    created = ns.post("/salesOrder", json=ORDER)
    order_id = created.headers["Location"].rsplit("/", 1)[1]
    ns.patch(f"/salesOrder/{order_id}", json={"memo": "changed"}).raise_for_status()
    modified = ns.get(f"/salesOrder/{order_id}").json()["lastModifiedDate"]
    ns.delete(f"/salesOrder/{order_id}").raise_for_status()

    deliveries = flush(admin)

    events = [d["json"] for d in receiver.received]
    assert [e["eventType"] for e in events] == ["create", "xedit", "delete"]
    create, xedit, _ = events
    assert set(create) == {
        "recordType",
        "id",
        "eventType",
        "lastModifiedDate",
        "accountId",
        "eventId",
    }
    assert create["recordType"] == "salesorder"
    assert create["id"] == order_id
    assert create["accountId"] == "1234567_SB1"
    assert xedit["lastModifiedDate"] == modified
    assert len({e["eventId"] for e in events}) == 3
    for delivery in receiver.received:
        assert delivery["headers"]["Content-Type"] == "application/json"
        assert verify("whsec-test", delivery)
    assert not verify("another-secret", receiver.received[0])
    assert [d["status"] for d in deliveries] == [200, 200, 200]


def test_a_change_to_the_opportunity_id_alone_still_fires_xedit(
    ns: httpx.Client, admin: SandboxAdmin, catalog: dict[str, Any], receiver: Receiver
) -> None:
    order_id = admin.seed({"salesOrders": [ORDER], "emit_events": False})["salesOrders"][0]

    ns.patch(
        f"/salesOrder/{order_id}", json={"custbody_sb_sf_opportunity_id": "006000000000001AAA"}
    ).raise_for_status()
    flush(admin)

    assert [d["json"]["eventType"] for d in receiver.received] == ["xedit"]


def test_ui_edit_and_replayed_emit(
    admin: SandboxAdmin, catalog: dict[str, Any], receiver: Receiver
) -> None:
    order_id = admin.seed({"salesOrders": [ORDER]})["salesOrders"][0]
    admin._call("POST", "/edit", {"id": order_id, "fields": {"memo": "saved in the UI"}})
    before = admin.state()["salesOrders"][0]["lastModifiedDate"]
    admin._call("POST", "/emit", {"id": order_id, "eventType": "edit"})
    flush(admin)

    events = [d["json"] for d in receiver.received]
    assert [e["eventType"] for e in events] == ["create", "edit", "edit"]
    assert events[1]["lastModifiedDate"] == events[2]["lastModifiedDate"] == before
    assert events[1]["eventId"] != events[2]["eventId"]
    assert admin.state()["salesOrders"][0]["lastModifiedDate"] == before


def test_a_failed_delivery_is_recorded_and_not_retried(
    ns: httpx.Client, admin: SandboxAdmin, catalog: dict[str, Any]
) -> None:
    with Receiver(status=500) as failing:
        admin.configure(webhook_url=failing.url, webhook_secret="s")
        ns.post("/salesOrder", json=ORDER).raise_for_status()
        deliveries = flush(admin)

        assert len(failing.received) == 1
    assert [d["status"] for d in deliveries] == [500]
    admin.configure(webhook_url="http://127.0.0.1:9/unreachable", webhook_secret="s")
    ns.post("/salesOrder", json=ORDER).raise_for_status()
    unreachable = flush(admin)[-1]
    assert unreachable["status"] is None
    assert unreachable["error"].startswith("ConnectError")


def test_disabled_script_misses_events(
    ns: httpx.Client, admin: SandboxAdmin, catalog: dict[str, Any], receiver: Receiver
) -> None:
    admin.configure(events_enabled=False)

    ns.post("/salesOrder", json=ORDER).raise_for_status()
    flush(admin)

    assert receiver.received == []


def test_event_body_is_compact_json(
    ns: httpx.Client, admin: SandboxAdmin, catalog: dict[str, Any], receiver: Receiver
) -> None:
    ns.post("/salesOrder", json=ORDER).raise_for_status()
    flush(admin)

    raw = receiver.received[0]["raw"]
    assert raw == json.dumps(json.loads(raw), separators=(",", ":")).encode()


def test_upsert_fires_create_then_edit_and_patch_type_is_configurable(
    ns: httpx.Client, admin: SandboxAdmin, catalog: dict[str, Any], receiver: Receiver
) -> None:
    ns.put("/salesOrder/eid:006XYZ", json=ORDER).raise_for_status()
    ns.put("/salesOrder/eid:006XYZ", json={"memo": "again"}).raise_for_status()
    admin.configure(patch_event_type="edit")
    ns.patch("/salesOrder/eid:006XYZ", json={"memo": "patched"}).raise_for_status()
    flush(admin)

    assert [d["json"]["eventType"] for d in receiver.received] == ["create", "edit", "edit"]


def test_two_saves_within_one_second_share_the_stamp_not_the_event_id(
    admin: SandboxAdmin, catalog: dict[str, Any], receiver: Receiver
) -> None:
    order_id = admin.seed({"salesOrders": [ORDER]})["salesOrders"][0]
    admin._call("POST", "/edit", {"id": order_id, "fields": {"memo": "first save"}})
    first = admin.state()["salesOrders"][0]["lastModifiedDate"]
    admin._call(
        "POST", "/edit", {"id": order_id, "fields": {"memo": "second save"}, "sameSecond": True}
    )
    flush(admin)

    [_, one, two] = [d["json"] for d in receiver.received]
    assert one["lastModifiedDate"] == two["lastModifiedDate"] == first
    assert one["eventId"] != two["eventId"]
    saved = admin.state()["salesOrders"][0]
    assert saved["memo"] == "second save" and saved["lastModifiedDate"] == first
