"""The console's service: overviews, job searches and the operator's actions, over ports.

Every flow comes from its declaration (`shared.flow.declared_flows()`): its jobs are found by
`Job.flow`, its dead letters by its declared queues, its switch and settings problems by its
settings section (its name). Actions are allowed to operators only and each is written to the
audit log before it is answered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from shared.clock import iso_millis
from shared.console.models import (
    AuditEntry,
    FlowOverview,
    HoldView,
    JobPage,
    JobView,
    Overview,
    Principal,
    StatusCounts,
)
from shared.console.ports import AuditLog, DeadLetters, FlowCounts, Hold, JobCounts, JobIndex
from shared.errors import BadRequest, ConfigurationError, Forbidden, NotFound
from shared.flow import Flow
from shared.intake import fifo_dedup_id, fifo_group_id
from shared.jobs import FINISHED, Job, JobRepository, JobStatus
from shared.observability import mask_personal_data, redact

WAITING = (JobStatus.RECEIVED, JobStatus.QUEUED)
MAX_PAGE = 100
MAX_REPLAY = 500

# What to do about a failure, from words its reason carries (first match wins). Kept to the
# errors the flows raise today; anything else gets the general advice.
ADVICE: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), advice)
    for pattern, advice in (
        (
            r"REQUEST_LIMIT_EXCEEDED|api budget",
            "Salesforce's daily API allocation is spent. The job is held and goes out when the "
            "budget returns; lift the hold once the allocation is raised or reset.",
        ),
        (
            r"price ?book|PricebookEntry|no product|unknown product|not priced",
            "A product of the order has no Salesforce product or price book entry. Create it "
            "(or map its item in the flow's settings), then replay the job.",
        ),
        (
            r"INSUFFICIENT_ACCESS|permission|not permitted|403",
            "The integration user lacks a permission in the target system. Grant the object or "
            "field access it names, then replay the job.",
        ),
        (
            r"REQUIRED_FIELD_MISSING|required",
            "A field the target requires is empty. Fill it in the source record (or set a "
            "default in the flow's settings), then replay the job.",
        ),
        (
            r"settings|configuration",
            "The settings document or a connection secret is wrong: fix the problem named, "
            "then replay the job.",
        ),
        (
            r"not found|404|does not exist|deleted",
            "The record it refers to is missing in the other system. Restore or recreate it, "
            "then replay the job (or leave the job failed if the deletion was intended).",
        ),
    )
)
GENERAL_ADVICE = (
    "Read the reason above, fix its cause in the system it names, then replay the job. "
    "A temporary outage needs nothing: the job is retried with backoff."
)


class Console:
    def __init__(
        self,
        *,
        flows: list[Flow],
        index: JobIndex,
        counts: JobCounts,
        jobs: JobRepository,
        audit: AuditLog,
        dead_letters: DeadLetters,
        hold: Hold,
        settings: Callable[[], Any],
        clock: Callable[[], datetime],
    ) -> None:
        self._flows = {flow.name: flow for flow in flows}
        self._index = index
        self._counts = counts
        self._jobs = jobs
        self._audit = audit
        self._dead_letters = dead_letters
        self._hold = hold
        self._settings = settings
        self._clock = clock

    @property
    def flows(self) -> list[Flow]:
        return list(self._flows.values())

    # -- reading ----------------------------------------------------------------------------

    def overview(self) -> Overview:
        now = self._clock()
        settings, problems = self._settings_and_problems()
        counts = self._counts.read(list(self._flows), now)
        return Overview(
            generated_at=iso_millis(now),
            flows=[
                self._flow_overview(flow, counts[flow.name], settings, problems)
                for flow in self.flows
            ],
            hold=self.hold(),
        )

    def hold(self) -> HoldView | None:
        state = self._hold.state()
        if state is None:
            return None
        return HoldView(
            active=bool(getattr(state, "active", False)),
            since=str(getattr(state, "since", "")),
            until=str(getattr(state, "until", "")),
            reason=redact(str(getattr(state, "reason", ""))),
            lifted_at=str(getattr(state, "lifted_at", "")),
        )

    def find_jobs(
        self,
        *,
        flow: str | None = None,
        status: JobStatus | None = None,
        record_key: str | None = None,
        before: str | None = None,
        limit: int = 25,
        viewer: Principal | None = None,
    ) -> JobPage:
        """Jobs matching the filter, newest first; `before` pages on (the last `updated_at`)."""
        if flow is not None and flow not in self._flows:
            raise BadRequest(f"flow: no flow named {flow!r}; one of {sorted(self._flows)}")
        limit = max(1, min(limit, MAX_PAGE))
        if record_key:
            found = [
                job
                for job in self._index.by_record(record_key.strip(), before, limit * 4)
                if (flow is None or job.flow == flow) and (status is None or job.status is status)
            ]
        elif flow and status:
            found = self._index.by_flow_status(flow, status, before, limit)
        elif status:
            found = self._index.by_status(status, before, limit)
        else:
            flows = [flow] if flow else list(self._flows)
            found = [
                job
                for name in flows
                for each in JobStatus
                for job in self._index.by_flow_status(name, each, before, limit)
            ]
        found.sort(key=lambda job: job.updated_at, reverse=True)
        page = found[:limit]
        next_before = page[-1].updated_at if len(found) > limit or len(page) == limit else None
        shown = [_masked(job) for job in page] if _masks(viewer) else page
        return JobPage(jobs=shown, next_before=next_before)

    def job(self, job_id: str, viewer: Principal | None = None) -> JobView:
        job = self._jobs.get(job_id)
        if job is None:
            raise NotFound(f"no job {job_id!r}")
        flow = self._flows.get(job.flow or "")
        failed = job.status in (JobStatus.FAILED, JobStatus.HELD) or (
            job.status not in FINISHED and job.last_error
        )
        return JobView(
            job=_masked(job) if _masks(viewer) else job,
            flow_title=flow.title if flow else None,
            advice=advice_for(job.last_error or "") if failed else None,
            masked=_masks(viewer),
        )

    def audit_log(self, limit: int = 50) -> list[AuditEntry]:
        return self._audit.latest(limit)

    # -- acting (operators only) ---------------------------------------------------------------

    def replay(self, job_ids: list[str], who: Principal) -> list[str]:
        """Put each job's stored message back on its flow's queue; every id is checked first,
        so one wrong id replays nothing."""
        _require_operator(who)
        if not job_ids:
            raise BadRequest("jobIds: name at least one job")
        if len(job_ids) > MAX_REPLAY:
            raise BadRequest(f"jobIds: at most {MAX_REPLAY} at once")
        jobs = [self._replayable(job_id) for job_id in job_ids]
        if any(job.status is JobStatus.HELD for job in jobs):
            hold = self.hold()
            if hold is not None and hold.active:
                raise BadRequest(
                    f"jobIds: Salesforce is held until {hold.until}; a replayed held job would "
                    "be held again: lift the hold first"
                )
        replayed = []
        stamp = str(int(self._clock().timestamp() * 1000))
        for job in jobs:
            queue = self._flows[job.flow or ""].queues[0]
            message = json.loads(job.message or "{}")
            source, record, version = (
                message.get("source", job.source),
                message.get("record_key", job.record_key),
                message.get("version", job.version),
            )
            queued = self._jobs.transition(job, JobStatus.QUEUED)
            try:
                self._dead_letters.send(
                    queue,
                    job.message or "",
                    group_id=fifo_group_id(source, record),
                    dedup_id=fifo_dedup_id(source, record, version, f"-replay{stamp}"),
                )
            except Exception as exc:
                self._jobs.transition(queued, job.status, error=f"replay not sent: {exc}")
                raise
            replayed.append(job.job_id)
        self._record(who, "replay", ",".join(replayed)[:1000], {"count": len(replayed)})
        return replayed

    def replay_matching(
        self,
        who: Principal,
        *,
        flow: str | None,
        status: JobStatus,
        record_key: str | None = None,
    ) -> list[str]:
        _require_operator(who)
        if status in FINISHED:
            raise BadRequest("status: replay failed, held, received or queued jobs, not finished")
        page = self.find_jobs(flow=flow, status=status, record_key=record_key, limit=MAX_PAGE)
        ids = [job.job_id for job in page.jobs if job.message]
        if not ids:
            raise BadRequest("no job with a stored message matches the filter")
        return self.replay(ids, who)

    def lift_hold(self, who: Principal) -> HoldView | None:
        _require_operator(who)
        before = self.hold()
        if before is None or not before.active:
            raise BadRequest("hold: Salesforce is not held")
        self._hold.lift()
        self._record(who, "lift_hold", "salesforce", {"until": before.until})
        return before

    def redrive(self, queue: str, who: Principal) -> int:
        _require_operator(who)
        known = {q for flow in self.flows for q in flow.queues}
        if queue not in known:
            raise BadRequest(f"queue: no declared queue {queue!r}; one of {sorted(known)}")
        bodies = self._dead_letters.redrive(queue)
        for body in bodies:
            self._requeue_job(body)
        self._record(who, "redrive", queue, {"messages": len(bodies)})
        return len(bodies)

    # -- parts ---------------------------------------------------------------------------------

    def _flow_overview(
        self, flow: Flow, counted: FlowCounts, settings: Any, problems: list[str]
    ) -> FlowOverview:
        counts = {
            status.value: StatusCounts(
                hour=counted.hour(status),
                day=counted.day(status),
                week=counted.week(status),
                total=counted.now(status),
            )
            for status in JobStatus
        }
        # the oldest waiting job needs the index, but only for a flow that has waiting jobs
        waiting = [
            self._index.oldest_time(flow.name, status) for status in WAITING if counted.now(status)
        ]
        oldest_waiting = min(filter(None, waiting), default=None)
        last_success = counted.last_done
        section = getattr(settings, flow.name, None) if settings is not None else None
        own = [p for p in problems if p.startswith(flow.name) or p.startswith("(")]
        return FlowOverview(
            name=flow.name,
            title=flow.title,
            enabled=getattr(section, "enabled", None),
            settings_valid=settings is not None and not own,
            settings_problems=own if settings is None else [],
            counts=counts,
            last_success=last_success,
            oldest_waiting=oldest_waiting,
            dead_letters={queue: self._dead_letters.depth(queue) for queue in flow.queues},
            schedules=list(flow.schedules),
        )

    def _settings_and_problems(self) -> tuple[Any, list[str]]:
        try:
            return self._settings(), []
        except ConfigurationError as exc:
            found = [f"{p.field}: {p.reason}" for p in exc.problems] or ["(document) unreadable"]
            return None, found

    def _replayable(self, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None:
            raise NotFound(f"no job {job_id!r}")
        if not job.message:
            raise BadRequest(f"jobIds: job {job_id} has no stored message to replay")
        flow = self._flows.get(job.flow or "")
        if flow is None or not flow.queues:
            raise BadRequest(f"jobIds: job {job_id} belongs to no flow with a queue")
        return job

    def _requeue_job(self, body: str) -> None:
        try:
            job = self._jobs.get(str(json.loads(body)["job_id"]))
        except (ValueError, KeyError, TypeError):
            return
        if job is not None and job.status is JobStatus.FAILED:
            self._jobs.transition(job, JobStatus.QUEUED)

    def _record(self, who: Principal, action: str, target: str, detail: dict[str, Any]) -> None:
        self._audit.record(
            AuditEntry(
                at=iso_millis(self._clock()),
                who=who.username,
                role=who.role.value,
                action=action,
                target=target,
                detail=detail,
            )
        )


def advice_for(reason: str) -> str:
    return next((advice for pattern, advice in ADVICE if pattern.search(reason)), GENERAL_ADVICE)


def _require_operator(who: Principal) -> None:
    if not who.may_act:
        raise Forbidden("only an operator may act; viewers see (Salesbridge_Operator)")


def _masks(viewer: Principal | None) -> bool:
    return viewer is not None and not viewer.may_act


def _masked(job: Job) -> Job:
    """A viewer's copy: e-mail addresses and phone numbers masked in everything received."""
    message = job.message
    if message:
        try:
            message = json.dumps(mask_personal_data(json.loads(message)))
        except ValueError:
            message = redact(message)
    return job.model_copy(
        update={
            "message": message,
            "detail": mask_personal_data(job.detail),
            "outcome": mask_personal_data(job.outcome),
            "last_error": redact(job.last_error) if job.last_error else None,
        }
    )
