"""Delivers S3 notifications (`Events: Type: S3`) to functions.

moto's server cannot call code in this process, so each bucket with subscribers is watched:
every `SCAN_SECONDS` its listing is compared with the previous one. Each new object version (a
new version id in a versioned bucket, else a new ETag or LastModified) produces one
`ObjectCreated:*` record (with `versionId` when versioned); a key that disappears produces
`ObjectRemoved:Delete` (`ObjectRemoved:DeleteMarkerCreated` when versioned). Each record is
delivered in its own event, filtered by the subscription's `Events` patterns and
`Filter.S3Key.Rules` prefix/suffix, as S3 does.
Objects already present when the watcher starts are not announced.

Invocations are asynchronous in AWS: on an exception Lambda retries twice (after about 1 and
2 minutes); here the retries come after 60 s and 120 s times `time_scale`, then the event is
dropped with an error in the log (no on-failure destination is emulated).

Where the documentation is silent (or the local stack has to choose):
- The object key is URL-encoded as S3 does in notifications (spaces as `+`, `/` kept).
- An ETag containing `-` (multipart) is announced as `ObjectCreated:CompleteMultipartUpload`,
  any other as `ObjectCreated:Put` (a copy cannot be told apart from a put by listing).
"""

from __future__ import annotations

import fnmatch
import itertools
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus

from devstack.template import REGION

log = logging.getLogger("devstack.s3")

Invoker = Callable[[str, dict[str, Any]], Any]
SCAN_SECONDS = 0.3
ASYNC_RETRY_DELAYS = (60.0, 120.0)
_sequence = itertools.count(1)


@dataclass
class S3Subscription:
    function: str
    bucket: str
    events: list[str] = field(default_factory=lambda: ["s3:ObjectCreated:*"])
    prefix: str = ""
    suffix: str = ""

    def wants(self, event_name: str, key: str) -> bool:
        return (
            any(fnmatch.fnmatchcase(f"s3:{event_name}", pattern) for pattern in self.events)
            and key.startswith(self.prefix)
            and key.endswith(self.suffix)
        )

    def describe(self) -> dict[str, Any]:
        return {
            "function": self.function,
            "bucket": self.bucket,
            "events": self.events,
            "prefix": self.prefix,
            "suffix": self.suffix,
        }


@dataclass(frozen=True)
class ObjectVersion:
    etag: str
    last_modified: str
    size: int
    version_id: str | None = None  # only in versioned buckets


class BucketWatcher:
    def __init__(
        self,
        bucket: str,
        subscriptions: list[S3Subscription],
        s3: Any,
        invoke: Invoker,
        time_scale: float,
    ) -> None:
        self.bucket = bucket
        self.subscriptions = subscriptions
        self._s3 = s3
        self._invoke = invoke
        self._time_scale = time_scale
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._retries: list[threading.Timer] = []
        self._seen: dict[str, ObjectVersion] = {}
        self._versioned = False
        self._thread = threading.Thread(target=self._run, name=f"s3-{bucket}", daemon=True)

    def start(self) -> BucketWatcher:
        status = self._s3.get_bucket_versioning(Bucket=self.bucket).get("Status")
        self._versioned = status == "Enabled"
        self._seen = self._listing()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for timer in self._retries:
            timer.cancel()
        self._thread.join(timeout=10)

    def settle(self) -> bool:
        """Scan now; True when there was nothing new and no retry is waiting."""
        delivered = self.scan()
        return delivered == 0 and not any(timer.is_alive() for timer in self._retries)

    def scan(self) -> int:
        with self._lock:
            listing = self._listing()
            records = []
            for key, version in listing.items():
                if self._seen.get(key) != version:
                    created = "CompleteMultipartUpload" if "-" in version.etag else "Put"
                    records.append((f"ObjectCreated:{created}", key, version))
            removed = "DeleteMarkerCreated" if self._versioned else "Delete"
            for key, version in self._seen.items():
                if key not in listing:
                    records.append((f"ObjectRemoved:{removed}", key, version))
            self._seen = listing
            for event_name, key, version in records:
                self._deliver(event_name, key, version)
            return len(records)

    def _run(self) -> None:
        while not self._stop.wait(SCAN_SECONDS):
            try:
                self.scan()
            except Exception:
                if not self._stop.is_set():
                    log.exception("watching bucket %s failed; retrying", self.bucket)

    def _listing(self) -> dict[str, ObjectVersion]:
        """The current version of every key (a delete marker hides its key)."""
        if self._versioned:
            return self._versioned_listing()
        objects: dict[str, ObjectVersion] = {}
        for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for item in page.get("Contents", []):
                objects[item["Key"]] = _version(item)
        return objects

    def _versioned_listing(self) -> dict[str, ObjectVersion]:
        objects: dict[str, ObjectVersion] = {}
        for page in self._s3.get_paginator("list_object_versions").paginate(Bucket=self.bucket):
            for item in page.get("Versions", []):
                if item["IsLatest"]:
                    objects[item["Key"]] = _version(item, item["VersionId"])
        return objects

    def _deliver(self, event_name: str, key: str, version: ObjectVersion) -> None:
        for subscription in self.subscriptions:
            if subscription.wants(event_name, key):
                event = {"Records": [self._record(event_name, key, version)]}
                self._invoke_async(subscription.function, event, attempt=0)

    def _invoke_async(self, function: str, event: dict[str, Any], attempt: int) -> None:
        try:
            self._invoke(function, event)
        except Exception:
            if attempt >= len(ASYNC_RETRY_DELAYS) or self._stop.is_set():
                log.exception(
                    "%s failed on an S3 event after %d attempts; dropped", function, attempt + 1
                )
                return
            log.exception("%s failed on an S3 event; Lambda retries it", function)
            delay = ASYNC_RETRY_DELAYS[attempt] * self._time_scale
            timer = threading.Timer(delay, self._invoke_async, [function, event, attempt + 1])
            timer.daemon = True
            self._retries = [t for t in self._retries if t.is_alive()] + [timer]
            timer.start()

    def _record(self, event_name: str, key: str, version: ObjectVersion) -> dict[str, Any]:
        s3_object: dict[str, Any] = {"key": quote_plus(key, safe="/")}
        if event_name.startswith("ObjectCreated"):
            s3_object.update({"size": version.size, "eTag": version.etag})
        if version.version_id and event_name.startswith("ObjectCreated"):
            s3_object["versionId"] = version.version_id
        s3_object["sequencer"] = f"{next(_sequence):018X}"
        request_id = uuid.uuid4().hex[:16].upper()
        return {
            "eventVersion": "2.1",
            "eventSource": "aws:s3",
            "awsRegion": REGION,
            "eventTime": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            "eventName": event_name,
            "userIdentity": {"principalId": "AWS:LOCALSTACKUSER"},
            "requestParameters": {"sourceIPAddress": "127.0.0.1"},
            "responseElements": {"x-amz-request-id": request_id, "x-amz-id-2": uuid.uuid4().hex},
            "s3": {
                "s3SchemaVersion": "1.0",
                "configurationId": "devstack",
                "bucket": {
                    "name": self.bucket,
                    "ownerIdentity": {"principalId": "LOCALOWNER"},
                    "arn": f"arn:aws:s3:::{self.bucket}",
                },
                "object": s3_object,
            },
        }


def _version(item: dict[str, Any], version_id: str | None = None) -> ObjectVersion:
    return ObjectVersion(
        item["ETag"].strip('"'), item["LastModified"].isoformat(), item["Size"], version_id
    )
