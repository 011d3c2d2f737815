"""Jobs, links and cursors on DynamoDB (moto's server): conditional writes really protect."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.adapters.aws.stores.cursors import CursorStore
from shared.adapters.aws.stores.jobs import JobStore
from shared.adapters.aws.stores.links import LinkStore
from shared.cursors import Cursor
from shared.errors import StaleWrite
from shared.jobs import DONE_JOB_RETENTION_SECONDS, Job, JobStatus
from shared.links import Link


def new_job(version: str = "v1", record: str = "salesorder:1") -> Job:
    return Job(
        job_id=Job.make_id("netsuite", record, version),
        source="netsuite",
        record_key=record,
        version=version,
        status=JobStatus.RECEIVED,
        correlation_id="corr-1",
        message='{"hello": "world"}',
        detail={"event_type": "create"},
    )


def test_a_job_is_created_once(clean_tables: dict[str, str]) -> None:
    jobs = JobStore(clean_tables["JobsTable"])
    first, created = jobs.create(new_job())
    again, created_again = jobs.create(new_job().model_copy(update={"correlation_id": "other"}))
    assert created and not created_again
    assert again.correlation_id == "corr-1" and again == first


def test_transitions_are_optimistic(clean_tables: dict[str, str]) -> None:
    jobs = JobStore(clean_tables["JobsTable"])
    job, _ = jobs.create(new_job())
    queued = jobs.transition(job, JobStatus.QUEUED)
    assert queued.revision == 2 and jobs.get(job.job_id) == queued
    with pytest.raises(StaleWrite):
        jobs.transition(job, JobStatus.FAILED, error="late writer")  # read revision 1
    assert jobs.get(job.job_id).status is JobStatus.QUEUED  # type: ignore[union-attr]


def test_failed_jobs_keep_the_reason_and_are_listed_by_status(clean_tables: dict[str, str]) -> None:
    jobs = JobStore(clean_tables["JobsTable"])
    for version in ("v1", "v2", "v3"):
        job, _ = jobs.create(new_job(version))
        if version != "v2":
            jobs.transition(
                job,
                JobStatus.FAILED,
                error=f"unknown product in {version}",
                detail={"line": 3},
                attempted=True,
            )
    failed = jobs.list_by_status(JobStatus.FAILED)
    assert {j.version for j in failed} == {"v1", "v3"}
    assert all(j.last_error and j.attempt_count == 1 and j.detail["line"] == 3 for j in failed)
    assert all(j.message == '{"hello": "world"}' for j in failed)  # replayable
    assert [j.version for j in jobs.list_by_status(JobStatus.RECEIVED)] == ["v2"]


def test_done_jobs_expire_and_failed_jobs_do_not(clean_tables: dict[str, str]) -> None:
    jobs = JobStore(clean_tables["JobsTable"])
    done = jobs.transition(jobs.create(new_job("v1"))[0], JobStatus.DONE)
    failed = jobs.transition(jobs.create(new_job("v2"))[0], JobStatus.FAILED, error="x")
    assert done.expires_at and jobs.get(done.job_id).expires_at == done.expires_at  # type: ignore[union-attr]
    assert failed.expires_at is None


def test_a_job_is_dated_and_its_retention_counted_by_the_injected_clock(
    clean_tables: dict[str, str],
) -> None:
    moment = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)
    jobs = JobStore(clean_tables["JobsTable"], clock=lambda: moment)

    done = jobs.transition(jobs.create(new_job("v1"))[0], JobStatus.DONE)

    assert done.updated_at == "2030-01-15T12:00:00.000Z"
    assert done.expires_at == int(moment.timestamp()) + DONE_JOB_RETENTION_SECONDS


def test_links_are_found_both_ways_and_guarded(clean_tables: dict[str, str]) -> None:
    links = LinkStore(clean_tables["LinksTable"])
    link = links.save(
        Link(
            source_key="netsuite:salesorder:1",
            target="salesforce:Opportunity",
            target_id="006000000000001AAA",
            synced_version="v1",
        )
    )
    assert links.get("netsuite:salesorder:1", "salesforce:Opportunity") == link
    assert links.find_by_target("salesforce:Opportunity", "006000000000001AAA") == link
    with pytest.raises(StaleWrite):  # a second creator of the same link loses
        links.save(
            Link(
                source_key="netsuite:salesorder:1",
                target="salesforce:Opportunity",
                target_id="006000000000002AAA",
            )
        )
    moved = links.save(link.model_copy(update={"synced_version": "v2"}))
    assert moved.revision == 2
    with pytest.raises(StaleWrite):
        links.save(link.model_copy(update={"synced_version": "v3"}))  # read revision 1


def test_cursors_advance_only_from_the_revision_read(clean_tables: dict[str, str]) -> None:
    cursors = CursorStore(clean_tables["CursorsTable"])
    assert cursors.get("netsuite.orders") is None
    first = cursors.advance(Cursor(name="netsuite.orders", value=""), "2026-11-22T00:00:00Z")
    with pytest.raises(StaleWrite):
        cursors.advance(Cursor(name="netsuite.orders", value=""), "2026-11-22T01:00:00Z")
    second = cursors.advance(first, "2026-11-22T02:00:00Z")
    assert cursors.get("netsuite.orders") == second and second.revision == 2


def test_a_stored_error_never_holds_an_email_or_phone_number(clean_tables: dict[str, str]) -> None:
    jobs = JobStore(clean_tables["JobsTable"])
    job, _ = jobs.create(new_job())
    error = "customer larissa.quenby@example.org (+44 20 7946 0958) refused: UNABLE_TO_LOCK_ROW"
    jobs.transition(job, JobStatus.FAILED, error=error)
    stored = jobs.get(job.job_id)
    assert (
        stored is not None
        and stored.last_error == "customer ***** (*****) refused: UNABLE_TO_LOCK_ROW"
    )
