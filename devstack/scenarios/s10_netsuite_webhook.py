"""NetSuite's order webhook: a signed event is accepted once; bad requests change nothing.

What the SuiteScript user event script does after a sales order is saved, played against the
local API: sign `{"recordType","id","eventType","lastModifiedDate"}` with the webhook key and
POST it. salesbridge answers 202 with a job id and records the job with its message; a repeat
is answered as a duplicate; unsigned, tampered, stale, malformed and oversized requests are
refused with a specific error and leave nothing behind. (Whether the worker has taken the
message yet depends on the stack: it is the job that proves exactly one was queued.)
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx

from devstack.scenarios import wrapped
from shared.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signed_headers

ROUTE = "/webhooks/netsuite/orders"


def run(stack: Any, say: Callable[[str], None]) -> str:
    api = stack.endpoints["api"]["base_url"]
    key = stack.endpoints["webhook_keys"]["netsuite"]
    jobs_table = stack.resources["JobsTable"].name
    dynamodb = stack.client("dynamodb")

    order_id, version = _an_order(stack)

    def jobs_for_order() -> list[dict[str, Any]]:
        items = dynamodb.scan(TableName=jobs_table)["Items"]
        return [i for i in items if i["record_key"]["S"] == f"salesorder:{order_id}"]

    event = {
        "recordType": "salesorder",
        "id": order_id,
        "eventType": "edit",
        "lastModifiedDate": version,
        "accountId": "TSTDRV1234567",
    }
    body = json.dumps(event).encode()
    headers = {"Content-Type": "application/json", **signed_headers(key, body)}
    say(f"NetSuite saves sales order {order_id} and posts a signed event to {ROUTE}")
    answer = httpx.post(api + ROUTE, content=body, headers=headers)
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["jobId"]
    say(f"  salesbridge accepts it (202) and answers with the job id {job_id}")
    [item] = jobs_for_order()
    say(
        f"  the job is {item['status']['S']}: its message is on the order queue for the worker, "
        "and kept on the job for a replay"
    )
    assert item["job_id"]["S"] == job_id and item["status"]["S"] != "received"
    assert json.loads(item["message"]["S"])["payload"]["id"] == order_id

    say("The same event is delivered again (NetSuite retries, or a second script fires)")
    again = httpx.post(api + ROUTE, content=body, headers=headers)
    assert again.status_code == 202 and again.json()["jobId"] == job_id
    assert again.json()["duplicate"] is True and len(jobs_for_order()) == 1
    say("  salesbridge answers 202 again, marked as a duplicate of the same job: nothing is queued")

    say("Five bad requests arrive; each is refused with a specific reason:")

    stale = signed_headers(key, body, now=time.time() - 3600)
    tampered = body.replace(order_id.encode(), str(int(order_id) + 1).encode())
    malformed = json.dumps(
        {**event, "id": f"SO-{order_id}", "lastModifiedDate": "yesterday"}
    ).encode()
    oversized = json.dumps({**event, "eventId": "x" * 70_000}).encode()
    refusals = [
        ("unsigned", body, {"Content-Type": "application/json"}, 401),
        ("signed for another body", tampered, headers, 401),
        ("signed an hour ago", body, {"Content-Type": "application/json", **stale}, 401),
        (
            "not the documented event",
            malformed,
            {"Content-Type": "application/json", **signed_headers(key, malformed)},
            400,
        ),
        (
            "over 64 KiB",
            oversized,
            {"Content-Type": "application/json", **signed_headers(key, oversized)},
            413,
        ),
    ]
    for label, payload, request_headers, expected in refusals:
        refused = httpx.post(api + ROUTE, content=payload, headers=request_headers)
        assert refused.status_code == expected, refused.text
        say(f"  {label}: {refused.status_code}")
        say(wrapped(refused.json()["message"], indent="      "))
    assert len(jobs_for_order()) == 1
    say(f"  still one job for order {order_id}: nothing was left behind by the refusals")
    assert SIGNATURE_HEADER in headers and TIMESTAMP_HEADER in headers
    return "1 event accepted once (a repeat is a duplicate); 5 bad requests refused"


def _an_order(stack: Any) -> tuple[str, str]:
    """With the NetSuite sandbox (make demo): a new order not flagged for Salesforce, saved
    without its event, so that the worker reads it and skips it at no Salesforce cost.
    Without it (the receiver's own test): an order id nobody will read."""
    if "netsuite" not in getattr(stack, "sandboxes", {}):
        return "4711", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    netsuite = stack.sandbox_admin("netsuite")
    order = {
        "entity": {"id": "101"},
        "memo": "Webhook demo: not flagged for Salesforce",
        "custbody_sb_send_to_salesforce": False,
        "item": {"items": [{"item": {"id": "501"}, "quantity": 1}]},
    }
    [order_id] = netsuite.seed({"salesOrders": [order], "emit_events": False})["salesOrders"]
    saved = next(o for o in netsuite.state()["salesOrders"] if str(o["id"]) == str(order_id))
    return str(order_id), str(saved["lastModifiedDate"]).replace("+00:00", "Z")
