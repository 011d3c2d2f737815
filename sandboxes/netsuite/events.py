"""What salesbridge's SuiteScript user event script posts after a sales order is saved.

NetSuite has no standard webhook: salesbridge deploys an `afterSubmit` script that posts
`{"recordType","id","eventType","lastModifiedDate","accountId","eventId"}` signed with a
shared secret (`X-Salesbridge-Signature: v1=<hex HMAC-SHA256(secret, "<ts>.<body>")>`).
Delivery runs on a background thread, as `N/https` in afterSubmit is asynchronous to the
user who saved. A failed post is recorded and never retried: user events can be missed,
which is why salesbridge also reconciles on a schedule.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import ssl
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

EVENT_TYPES = ("create", "edit", "xedit", "delete", "approve", "cancel")


@dataclass
class WebhookTarget:
    url: str
    secret: str
    verify: str | bool = True
    # N/https: 5 seconds to connect, 45 to send the request and read the answer, then
    # SSS_REQUEST_TIME_EXCEEDED (SuiteScript 2.x https.request, "Errors").
    timeout_seconds: float = 45.0
    connect_timeout_seconds: float = 5.0


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


class EventEmitter:
    """Queues events and posts them one by one; `flush` waits for the queue to drain."""

    def __init__(self, account_id: str, clock: Callable[[], float] = time.time) -> None:
        self.account_id = account_id
        self.clock = clock  # the account's clock: the user event script signs with it
        self.target: WebhookTarget | None = None
        self.enabled = True
        self.deliveries: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._queue: queue.Queue[tuple[dict[str, Any], WebhookTarget]] = queue.Queue()
        self._worker = threading.Thread(target=self._run, name="netsuite-events", daemon=True)
        self._worker.start()

    def emit(self, record_id: str, event_type: str, last_modified: str) -> dict[str, Any] | None:
        """Queue one sales order event; answers the event, or None when nothing listens."""
        target = self.target
        if target is None or not self.enabled:
            return None
        event = {
            "recordType": "salesorder",
            "id": record_id,
            "eventType": event_type,
            "lastModifiedDate": last_modified,
            "accountId": self.account_id,
            "eventId": str(uuid.uuid4()),
        }
        self._queue.put((event, target))
        return event

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued event has been attempted."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def clear(self) -> None:
        self.flush()
        with self._lock:
            self.deliveries.clear()

    def history(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(d) for d in self.deliveries]

    def _run(self) -> None:
        while True:
            event, target = self._queue.get()
            try:
                self._deliver(event, target)
            finally:
                self._queue.task_done()

    def _deliver(self, event: dict[str, Any], target: WebhookTarget) -> None:
        body = json.dumps(event, separators=(",", ":")).encode()
        timestamp = str(int(self.clock()))
        headers = {
            "Content-Type": "application/json",
            "X-Salesbridge-Timestamp": timestamp,
            "X-Salesbridge-Signature": signature(target.secret, timestamp, body),
        }
        record: dict[str, Any] = {**event, "url": target.url, "status": None, "error": None}
        try:
            with httpx.Client(
                verify=_trust(target.verify),
                timeout=httpx.Timeout(
                    target.timeout_seconds, connect=target.connect_timeout_seconds
                ),
            ) as client:
                response = client.post(target.url, content=body, headers=headers)
            record["status"] = response.status_code
        except httpx.HTTPError as exc:
            record["error"] = f"{type(exc).__name__}: {exc}"
        record["deliveredAt"] = self.clock()
        with self._lock:
            self.deliveries.append(record)


def _trust(verify: str | bool) -> ssl.SSLContext | bool:
    """A CA bundle path becomes a context; httpx no longer takes paths for `verify`."""
    return ssl.create_default_context(cafile=verify) if isinstance(verify, str) else verify
