"""The console's overview reads DynamoDB with queries on indexes, never a Scan (moto's server,
tables from template.yaml): the number of calls per overview is fixed by the flows and
statuses, not by how many jobs are stored: the counts come from counters kept with each job's
write."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from shared.adapters.aws.stores.audit import AuditStore
from shared.adapters.aws.stores.job_counts import JobCountsStore
from shared.adapters.aws.stores.job_index import JobIndexStore
from shared.adapters.aws.stores.jobs import JobStore, _to_item
from shared.console.models import Principal, Role
from shared.console.service import Console
from shared.errors import Forbidden, StaleWrite
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
        counts=JobCountsStore(tables["JobCountsTable"], dynamodb),
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


def test_the_overview_reads_counters_kept_with_each_job_and_never_scans(
    clean_tables: dict[str, str], counted: tuple[Any, Counter[str]]
) -> None:
    """Jobs moved by the store (its clock injected) are counted in the same transaction; the
    overview reads the counters in one BatchGetItem and queries the index only for the oldest
    waiting job of a flow that has one."""
    dynamodb, calls = counted
    clock = [NOW - timedelta(days=2)]
    jobs = JobStore(
        clean_tables["JobsTable"],
        dynamodb,
        clock=lambda: clock[0],
        counts_table=clean_tables["JobCountsTable"],
    )
    flow = "netsuite_orders_to_salesforce"

    def new_job(n: int) -> Job:
        job = Job(
            job_id=f"netsuite:salesorder:{n}:v1",
            flow=flow,
            source="netsuite",
            record_key=f"salesorder:{n}",
            version="v1",
            status=JobStatus.RECEIVED,
            correlation_id="c",
        )
        return jobs.create(job)[0]

    old = jobs.transition(new_job(1), JobStatus.QUEUED)  # two days ago, still waiting
    clock[0] = NOW  # this hour (12:00), today
    done = jobs.transition(jobs.transition(new_job(2), JobStatus.QUEUED), JobStatus.DONE)
    failed = jobs.transition(jobs.transition(new_job(3), JobStatus.QUEUED), JobStatus.FAILED)
    jobs.transition(failed, JobStatus.FAILED, error="again")  # no change of status: not counted
    with pytest.raises(StaleWrite):  # a stale write changes neither the job nor the counts
        jobs.transition(old.model_copy(update={"revision": 1}), JobStatus.DONE)
    assert new_job(2) is not None  # created again: found, not counted twice
    calls.clear()

    overview = console(clean_tables, dynamodb).overview()

    assert calls["Scan"] == 0 and calls["BatchGetItem"] == 1
    assert calls["Query"] == 1  # the oldest waiting job of the one flow that has one
    counts = next(f for f in overview.flows if f.name == flow).counts
    assert (counts["queued"].hour, counts["queued"].day, counts["queued"].week) == (2, 2, 3)
    assert counts["queued"].total == 1
    assert (counts["done"].hour, counts["done"].week, counts["done"].total) == (1, 1, None)
    assert (counts["failed"].hour, counts["failed"].total) == (1, 1)
    assert counts["received"].total == 0 and counts["received"].week == 3
    netsuite = next(f for f in overview.flows if f.name == flow)
    assert netsuite.last_success == done.updated_at
    assert netsuite.oldest_waiting == old.updated_at
    others = [f for f in overview.flows if f.name != flow]
    assert all(c.week == 0 and not c.total for f in others for c in f.counts.values())


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


def test_counters_rebuilt_from_the_index_match_the_jobs_stored(
    clean_tables: dict[str, str], counted: tuple[Any, Counter[str]]
) -> None:
    """`ops recount` for jobs stored before the counters existed: job n is 7 n minutes old."""
    dynamodb, _ = counted
    store(clean_tables, dynamodb, 400)
    index = JobIndexStore(clean_tables["JobsTable"], dynamodb)
    counts = JobCountsStore(clean_tables["JobCountsTable"], dynamodb)
    for flow in declared_flows():
        times = {status: index.updated_times(flow.name, status) for status in JobStatus}
        counts.rebuild(flow.name, times, NOW, expires_at=0)

    overview = console(clean_tables, dynamodb).overview()

    flows = [flow.name for flow in declared_flows()]
    statuses = [JobStatus.DONE, JobStatus.DONE, JobStatus.FAILED, JobStatus.QUEUED]
    for shown in overview.flows:
        mine = [n for n in range(400) if flows[n % len(flows)] == shown.name]
        for status in (JobStatus.FAILED, JobStatus.QUEUED, JobStatus.DONE):
            ages = [7 * n for n in mine if statuses[n % len(statuses)] is status]
            today = NOW.hour * 60 + NOW.minute
            expected = (sum(a <= today for a in ages), len(ages))  # all within the week
            assert (shown.counts[status].day, shown.counts[status].week) == expected
            if status is not JobStatus.DONE:
                assert shown.counts[status].total == len(ages)
