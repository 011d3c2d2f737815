"""The console's overview reads DynamoDB with queries on indexes, never a Scan (moto's server,
tables from template.yaml): the number of calls per overview is fixed by the flows and
statuses, not by how many jobs are stored."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from shared.adapters.aws.stores.audit import AuditStore
from shared.adapters.aws.stores.job_index import JobIndexStore
from shared.adapters.aws.stores.jobs import JobStore, _to_item
from shared.console.models import Principal, Role
from shared.console.service import Console
from shared.errors import Forbidden
from shared.flow import declared_flows
from shared.jobs import Job, JobStatus
from shared.settings import Settings

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


class NoQueues:
    def depth(self, queue: str) -> int | None:
        return 0

    def redrive(self, queue: str) -> list[str]:
        return []

    def send(self, queue: str, body: str, *, group_id: str | None, dedup_id: str | None) -> None:
        raise AssertionError("nothing is replayed here")


class NoHold:
    def state(self) -> None:
        return None

    def lift(self) -> None:
        return None


@pytest.fixture
def counted(clean_tables: dict[str, str], moto_url: str) -> tuple[Any, Counter[str]]:
    dynamodb = boto3.resource("dynamodb", endpoint_url=moto_url, region_name="us-east-1")
    calls: Counter[str] = Counter()
    dynamodb.meta.client.meta.events.register(
        "before-call.dynamodb", lambda model, **_: calls.update([model.name])
    )
    return dynamodb, calls


def console(tables: dict[str, str], dynamodb: Any) -> Console:
    return Console(
        flows=declared_flows(),
        index=JobIndexStore(tables["JobsTable"], dynamodb),
        jobs=JobStore(tables["JobsTable"], dynamodb, clock=lambda: NOW),
        audit=AuditStore(tables["AuditTable"], dynamodb),
        dead_letters=NoQueues(),
        hold=NoHold(),
        settings=Settings,
        clock=lambda: NOW,
    )


def store(tables: dict[str, str], dynamodb: Any, count: int) -> None:
    flows = [flow.name for flow in declared_flows()]
    statuses = [JobStatus.DONE, JobStatus.DONE, JobStatus.FAILED, JobStatus.QUEUED]
    with dynamodb.Table(tables["JobsTable"]).batch_writer() as batch:
        for n in range(count):
            at = (NOW - timedelta(minutes=7 * n)).isoformat(timespec="milliseconds")
            job = Job(
                job_id=f"netsuite:salesorder:{n}:v1",
                flow=flows[n % len(flows)],
                source="netsuite",
                record_key=f"salesorder:{n}",
                version="v1",
                status=statuses[n % len(statuses)],
                correlation_id="c",
                updated_at=at.replace("+00:00", "Z"),
                created_at=at.replace("+00:00", "Z"),
            )
            batch.put_item(Item=_to_item(job))


def expected_counts(count: int) -> dict[str, dict[str, tuple[int, int]]]:
    """Per flow and status: (jobs updated in the last hour, in the last week), as `store`
    writes them (job n is 7 n minutes old)."""
    flows = [flow.name for flow in declared_flows()]
    statuses = [JobStatus.DONE, JobStatus.DONE, JobStatus.FAILED, JobStatus.QUEUED]
    counts: dict[str, dict[str, tuple[int, int]]] = {name: {} for name in flows}
    for n in range(count):
        flow, status = flows[n % len(flows)], statuses[n % len(statuses)].value
        hour, week = counts[flow].get(status, (0, 0))
        counts[flow][status] = (hour + (7 * n < 60), week + (7 * n < 7 * 24 * 60))
    return counts


def test_the_overview_queries_indexes_and_never_scans(
    clean_tables: dict[str, str], counted: tuple[Any, Counter[str]]
) -> None:
    dynamodb, calls = counted
    store(clean_tables, dynamodb, 200)
    calls.clear()

    overview = console(clean_tables, dynamodb).overview()

    assert calls["Scan"] == 0
    statuses = len(JobStatus)
    assert calls["Query"] <= len(declared_flows()) * (statuses + 1)  # + last success, if old
    # what `store` wrote, flow by flow (however many flows are declared)
    written = expected_counts(200)
    for flow in overview.flows:
        for status, (hour, week) in written[flow.name].items():
            assert (flow.counts[status].hour, flow.counts[status].week) == (hour, week)
    # each flow's last success is its newest done job (job n is 7 n minutes old)
    flows = [flow.name for flow in declared_flows()]
    for flow in overview.flows:
        newest = min(
            n for n in range(200) if flows[n % len(flows)] == flow.name and n % 4 in (0, 1)
        )
        moment = NOW - timedelta(minutes=7 * newest)
        assert flow.last_success == moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_jobs_are_found_by_record_key_and_a_viewer_cannot_replay(
    clean_tables: dict[str, str], counted: tuple[Any, Counter[str]]
) -> None:
    dynamodb, calls = counted
    store(clean_tables, dynamodb, 8)
    calls.clear()
    service = console(clean_tables, dynamodb)

    page = service.find_jobs(record_key="salesorder:2")

    assert [job.job_id for job in page.jobs] == ["netsuite:salesorder:2:v1"]
    assert calls["Scan"] == 0
    viewer = Principal(user_id="005x", username="vera@example.com", role=Role.VIEWER)
    with pytest.raises(Forbidden):
        service.replay(["netsuite:salesorder:2:v1"], viewer)
