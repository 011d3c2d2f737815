"""Webhook subscriptions and their deliveries, posted in the background and signed.

Each delivery is one POST with a JSON body and two headers:
    x-unleashed-timestamp   Unix seconds when it was signed
    x-unleashed-signature   base64(HMAC-SHA256(key=subscription signature key,
                                               message=f"{timestamp}.{raw body}"))
A delivery is tried once: a non-2xx answer or a network error marks it "failed" and it is not
retried. `flush()` waits for deliveries still under way (tests and `POST /__admin/flush`).

Where the documentation is silent: the Webhooks page (apidocs.unleashedsoftware.com/Webhooks)
has a "Verifying Webhook Signatures" section we could not read in full; the header names and
the `{timestamp}.{body}` base64 HMAC-SHA256 recipe are what public clients of that API verify.
The payload's field names and `data` contents are our choice, as is the per-subscription key
(defaulting to the account's one key, handed out by `connection()`), the 5 s delivery timeout
and "no retries" (the docs mention delivery monitoring but no retry schedule we could read).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from typing import Any

import httpx

from sandboxes.unleashed.wire import bad_request

MAX_SUBSCRIPTIONS = 5
EVENT_TYPES = (
    "customer.created",
    "customer.updated",
    "customer.deleted",
    "product.created",
    "product.updated",
    "product.deleted",
)
SIGNATURE_HEADER = "x-unleashed-signature"
TIMESTAMP_HEADER = "x-unleashed-timestamp"


def sign(signature_key: str, timestamp: str, body: bytes) -> str:
    message = timestamp.encode() + b"." + body
    digest = hmac.new(signature_key.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def new_signature_key() -> str:
    return secrets.token_urlsafe(32)


class Webhooks:
    def __init__(
        self, default_signature_key: str, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.clock = clock  # the account's clock: it dates and signs the notifications
        self.default_signature_key = default_signature_key
        self.verify: bool | str = True
        self.timeout_seconds = 5.0
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="unleashed-webhook")
        self._in_flight: list[Future[None]] = []
        self.subscriptions: list[dict[str, Any]] = []
        self.deliveries: list[dict[str, Any]] = []

    def reset(self) -> None:
        self.flush()
        with self._lock:
            self.subscriptions = []
            self.deliveries = []

    def subscribe(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Replace every subscription; at most five, as in Unleashed."""
        if len(entries) > MAX_SUBSCRIPTIONS:
            raise bad_request(f"An account can have at most {MAX_SUBSCRIPTIONS} subscriptions.")
        subscriptions = [self._subscription(entry) for entry in entries]
        with self._lock:
            self.subscriptions = subscriptions
        return subscriptions

    def _subscription(self, entry: dict[str, Any]) -> dict[str, Any]:
        url = str(entry.get("url") or "")
        if not url.startswith(("https://", "http://")):
            raise bad_request(f"Webhook url '{url}' must be an http(s) URL.")
        events = list(entry.get("events") or EVENT_TYPES)
        unknown = sorted(set(events) - set(EVENT_TYPES))
        if unknown:
            raise bad_request(f"Unknown webhook event types: {', '.join(unknown)}.")
        return {
            "subscriptionId": str(entry.get("id") or uuid.uuid4()),
            "url": url,
            "events": events,
            "signatureKey": str(entry.get("signature_key") or self.default_signature_key),
        }

    def emit(self, event_type: str, data: dict[str, Any]) -> None:
        with self._lock:
            targets = [s for s in self.subscriptions if event_type in s["events"]]
            for subscription in targets:
                delivery = self._delivery(subscription, event_type, data)
                self.deliveries.append(delivery)
                self._in_flight.append(self._pool.submit(self._deliver, subscription, delivery))

    def _delivery(
        self, subscription: dict[str, Any], event_type: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        payload = {
            "eventNotificationId": str(uuid.uuid4()),
            "subscriptionId": subscription["subscriptionId"],
            "eventType": event_type,
            "createdOn": self.clock()
            .astimezone(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "data": data,
        }
        return {
            "eventNotificationId": payload["eventNotificationId"],
            "subscriptionId": subscription["subscriptionId"],
            "eventType": event_type,
            "url": subscription["url"],
            "payload": payload,
            "status": "pending",
            "httpStatus": None,
            "error": None,
            "attempts": 0,
        }

    def _deliver(self, subscription: dict[str, Any], delivery: dict[str, Any]) -> None:
        body = json.dumps(delivery["payload"], separators=(",", ":")).encode()
        timestamp = str(int(self.clock().timestamp()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(subscription["signatureKey"], timestamp, body),
        }
        delivery["attempts"] += 1
        try:
            with httpx.Client(verify=self.verify, timeout=self.timeout_seconds) as client:
                response = client.post(subscription["url"], content=body, headers=headers)
            delivery["httpStatus"] = response.status_code
            delivery["status"] = "delivered" if response.is_success else "failed"
        except httpx.HTTPError as exc:
            delivery["status"] = "failed"
            delivery["error"] = f"{type(exc).__name__}: {exc}"

    def flush(self, timeout: float = 30.0) -> list[dict[str, Any]]:
        with self._lock:
            pending, self._in_flight = self._in_flight, []
        wait(pending, timeout=timeout)
        return self.snapshot()["deliveries"]

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "subscriptions": [dict(s) for s in self.subscriptions],
                "deliveries": [dict(d) for d in self.deliveries],
            }
