"""The operator console on the local stack with 10,000 jobs stored: the overview page's server
time to first byte, and the DynamoDB calls one overview load makes (queries, never a Scan).

Figures: console.overview_ttfb_ms (median of 5 loads after one warm-up),
console.overview_dynamodb_queries, console.overview_dynamodb_scans.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import botocore.client
import httpx

from devstack.stack import LocalStack
from shared.adapters.aws.stores.job_counts import JobCountsStore
from shared.adapters.aws.stores.jobs import _to_item
from shared.console.models import Principal, Role
from shared.console.session import SESSION_COOKIE, Signer, new_session
from shared.flow import declared_flows
from shared.jobs import Job, JobStatus

ROOT = Path(__file__).resolve().parents[1]
JOBS = 10_000
LOADS = 5


def run() -> dict[str, float]:
    with (
        tempfile.TemporaryDirectory() as state,
        LocalStack(
            ROOT / "template.yaml", sandboxes=False, event_sources=False, state_dir=state
        ) as stack,
    ):
        store_jobs(stack, JOBS)
        url, cookie = stack.console_url(), session_cookie(stack)
        assert url is not None
        with httpx.Client(timeout=60) as http:
            load(http, url, cookie)  # warm: the function's imports and clients
            timings = [load(http, url, cookie) for _ in range(LOADS)]
            calls = count_dynamodb_calls(lambda: load(http, url, cookie))
    figures = {
        "console.overview_ttfb_ms": round(statistics.median(timings) * 1000, 1),
        "console.overview_dynamodb_queries": float(calls["Query"]),
        "console.overview_dynamodb_batch_gets": float(calls["BatchGetItem"]),
        "console.overview_dynamodb_calls": float(sum(calls.values())),
        "console.overview_dynamodb_scans": float(calls["Scan"]),
        "console.jobs_stored": float(JOBS),
    }
    print(json.dumps(figures, indent=2))
    return figures


def load(http: httpx.Client, url: str, cookie: str) -> float:
    """Seconds until the overview's status line and headers arrived."""
    request = http.build_request("GET", url, headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})
    started = time.perf_counter()
    response = http.send(request, stream=True)
    first_byte = time.perf_counter() - started
    response.read()
    response.close()
    if response.status_code != 200:
        raise RuntimeError(f"overview answered {response.status_code}: {response.text[:200]}")
    return first_byte


def count_dynamodb_calls(action: Any) -> Counter[str]:
    """DynamoDB operations made while `action` runs (the function runs in this process)."""
    calls: Counter[str] = Counter()
    client_class: Any = botocore.client.BaseClient
    original = client_class._make_api_call

    def counting(self: Any, operation: str, params: Any) -> Any:
        if self.meta.service_model.service_name == "dynamodb":
            calls[operation] += 1
        return original(self, operation, params)

    client_class._make_api_call = counting
    try:
        action()
    finally:
        client_class._make_api_call = original
    return calls


def session_cookie(stack: LocalStack) -> str:
    secret_arn = stack.resources["ConsoleSecret"].arn
    secret = json.loads(
        stack.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"]
    )
    who = Principal(user_id="005bench", username="bench@example.com", role=Role.OPERATOR)
    sealed, _ = new_session(Signer(secret["session_key"]), who, time.time(), via="bench")
    return sealed


def store_jobs(stack: LocalStack, count: int) -> None:
    """`count` jobs over the last two weeks, spread over the flows and statuses."""
    flows = [flow.name for flow in declared_flows()]
    statuses = list(JobStatus)
    now = datetime.now(UTC)
    table = stack.resources["JobsTable"].name
    dynamodb = stack._session.resource("dynamodb", endpoint_url=stack.moto_url)  # type: ignore[union-attr]
    times: dict[str, dict[JobStatus, list[str]]] = {f: {s: [] for s in statuses} for f in flows}
    with dynamodb.Table(table).batch_writer() as batch:
        for n in range(count):
            at = (now - timedelta(seconds=120 * n)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            job = Job(
                job_id=f"netsuite:salesorder:{n}:v1",
                flow=flows[n % len(flows)],
                source="netsuite",
                record_key=f"salesorder:{n}",
                version="v1",
                status=statuses[(n // len(flows)) % len(statuses)],
                correlation_id="bench",
                message=json.dumps({"job_id": f"netsuite:salesorder:{n}:v1"}),
                created_at=at,
                updated_at=at,
            )
            batch.put_item(Item=_to_item(job))
            times[job.flow or ""][job.status].append(at)
    # the counters the workers would have kept while these jobs moved (written in bulk here)
    counts = JobCountsStore(stack.resources["JobCountsTable"].name, dynamodb)
    for flow, by_status in times.items():
        counts.rebuild(flow, by_status, now, expires_at=int(now.timestamp()) + 86_400)
