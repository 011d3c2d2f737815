"""The `Operator`: jobs, replays and redrives over boto3, for AWS or the local stack."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import boto3

from shared.adapters.aws.stores.app_credentials import CredentialStore
from shared.adapters.aws.stores.cursors import CursorStore
from shared.adapters.aws.stores.hold import BudgetHoldStore, HoldState
from shared.adapters.aws.stores.jobs import JobStore
from shared.app_credentials import AppCredentials
from shared.envelope import Envelope
from shared.flow import declared_flows
from shared.intake import fifo_dedup_id, fifo_group_id
from shared.jobs import Job, JobStatus

# Which queue carries each source's records (logical ids in template.yaml).
QUEUE_FOR_SOURCE = {
    "netsuite": "NetsuiteOrderQueue",
    "salesforce": "SalesforceOpportunityQueue",
}
JOBS_TABLE = "JobsTable"
JOB_COUNTS_TABLE = "JobCountsTable"
CURSORS_TABLE = "CursorsTable"


class UsageError(LookupError):
    """The operator named something that does not exist (a job, a queue, a stack, a region):
    the CLI answers one line and exit status 2."""


class Operator:
    def __init__(
        self,
        resources: dict[str, str],
        session: boto3.session.Session,
        endpoint_url: str | None = None,
    ) -> None:
        """`resources`: logical id -> physical id (table name, queue URL ...)."""
        self.resources = resources
        self.endpoints: dict[str, Any] | None = None  # the local stack's, when from one
        self._session = session
        self._endpoint_url = endpoint_url
        self._sqs = session.client("sqs", endpoint_url=endpoint_url)
        dynamodb = session.resource("dynamodb", endpoint_url=endpoint_url)
        self._dynamodb = dynamodb
        # counted like the functions count (stores.job_counts), when the stack has the table
        self._jobs = JobStore(
            resources[JOBS_TABLE], dynamodb, counts_table=resources.get(JOB_COUNTS_TABLE)
        )
        self._hold = BudgetHoldStore(CursorStore(resources[CURSORS_TABLE], dynamodb))

    # -- construction ---------------------------------------------------------------------------

    @classmethod
    def from_endpoints(cls, path: str | Path) -> Operator:
        try:
            endpoints = json.loads(Path(path).read_text())
        except FileNotFoundError:
            raise UsageError(f"{path} does not exist: is the local stack running?") from None
        except ValueError:
            raise UsageError(f"{path} is not an endpoints file (not JSON)") from None
        return cls.from_endpoint_data(endpoints)

    @classmethod
    def from_local_stack(cls, stack: Any) -> Operator:
        return cls.from_endpoint_data(stack.endpoints)

    @classmethod
    def from_endpoint_data(cls, endpoints: dict[str, Any]) -> Operator:
        aws = endpoints["aws"]
        session = boto3.session.Session(
            aws_access_key_id=aws["access_key_id"],
            aws_secret_access_key=aws["secret_access_key"],
            region_name=aws["region"],
        )
        resources = {
            logical_id: (resource.get("url") or resource["name"])
            for logical_id, resource in endpoints["resources"].items()
        }
        operator = cls(resources, session, endpoint_url=aws["endpoint_url"])
        operator.endpoints = endpoints
        return operator

    @classmethod
    def from_stack(cls, stack_name: str, region: str | None = None) -> Operator:
        session = boto3.session.Session(region_name=region)
        if session.region_name is None:
            raise UsageError(
                "--stack needs a region: pass --region, set AWS_REGION, "
                "or a default region in your AWS config"
            )
        paginator = session.client("cloudformation").get_paginator("list_stack_resources")
        try:
            resources = {
                summary["LogicalResourceId"]: summary["PhysicalResourceId"]
                for page in paginator.paginate(StackName=stack_name)
                for summary in page["StackResourceSummaries"]
            }
        except Exception as exc:
            if "does not exist" in str(exc):
                raise UsageError(f"no stack {stack_name!r} in {session.region_name}") from None
            raise
        return cls(resources, session)

    # -- SalesPro app credentials ------------------------------------------------------------

    def app_credentials(self) -> AppCredentials:
        """Issue / revoke SalesPro app credentials (the console calls the same service)."""
        table = self.resources.get("SalesproCredentialsTable")
        if table is None:
            raise UsageError("this stack has no SalesproCredentialsTable")
        dynamodb = self._session.resource("dynamodb", endpoint_url=self._endpoint_url)
        return AppCredentials(CredentialStore(table, dynamodb))

    # -- jobs -----------------------------------------------------------------------------------

    def jobs(self, status: str, source: str | None = None, limit: int = 50) -> list[Job]:
        found = self._jobs.list_by_status(JobStatus(status), limit=limit)
        return [job for job in found if source is None or job.source == source]

    def counts(self) -> dict[str, int]:
        """How many jobs each status holds (jobs done or skipped expire after 30 days)."""
        return {status.value: self._jobs.count_by_status(status) for status in JobStatus}

    def recent(self, source: str | None = None, limit: int = 20) -> list[Job]:
        found = self._jobs.recent(limit if source is None else limit * 5)
        return [job for job in found if source is None or job.source == source][:limit]

    def replay(self, job_ids: list[str]) -> list[str]:
        """Re-enqueue each job's stored message; answers the ids replayed.

        Every id is checked before anything is sent, so a typo replays nothing."""
        jobs = []
        for job_id in job_ids:
            job = self._jobs.get(job_id)
            if job is None:
                raise UsageError(f"no job {job_id!r} (see: jobs --status failed)")
            if not job.message:
                raise UsageError(f"job {job_id} has no stored message to replay")
            jobs.append(job)
        held = [job.job_id for job in jobs if job.status is JobStatus.HELD]
        hold = self.hold() if held else None
        if hold is not None and hold.active:
            raise UsageError(
                f"Salesforce is held until {hold.until} ({hold.reason}); a replayed held job "
                "would be held again: lift the hold first (hold --lift)"
            )
        replayed = []
        for job in jobs:
            job_id = job.job_id
            # Queued before sent: a worker that takes the message at once finds it queued.
            queued = self._jobs.transition(job, JobStatus.QUEUED)
            try:
                self._send_replay(job)
            except Exception as exc:
                self._jobs.transition(queued, job.status, error=f"replay not sent: {exc}")
                raise
            replayed.append(job_id)
        return replayed

    def _send_replay(self, job: Job) -> None:
        """The stored message, back on the job's queue. A FIFO queue needs a group and a
        dedup id (from the envelope); a standard one (SalesPro's: S3 cannot notify a FIFO
        queue) refuses them, and its messages need not be envelopes."""
        url = self._queue_url_of(job)
        kwargs: dict[str, Any] = {"QueueUrl": url, "MessageBody": job.message}
        if url.endswith(".fifo"):
            envelope = Envelope[Any].model_validate_json(job.message or "")
            kwargs["MessageGroupId"] = fifo_group_id(envelope.source, envelope.record_key)
            kwargs["MessageDeduplicationId"] = fifo_dedup_id(
                envelope.source,
                envelope.record_key,
                envelope.version,
                f"-replay{int(time.time() * 1000)}",
            )
        self._sqs.send_message(**kwargs)

    def _queue_url_of(self, job: Job) -> str:
        """The job's flow declares its queue; jobs from before flows were declared go by
        their source."""
        flow = next((f for f in declared_flows() if f.name == job.flow), None)
        if flow is not None and flow.queues and flow.queues[0] in self.resources:
            return self.resources[flow.queues[0]]
        return self.queue_url(job.source)

    def replay_status(self, status: str, source: str | None = None) -> list[str]:
        return self.replay([job.job_id for job in self.jobs(status, source, limit=500)])

    def recount(self) -> dict[str, int]:
        """Rebuild the console's counters of every flow from the jobs table's index (once,
        for jobs stored before the counters existed). Flow -> counter items written."""
        from datetime import UTC, datetime

        from shared.adapters.aws.stores.job_counts import DAY_KEPT_SECONDS, JobCountsStore
        from shared.adapters.aws.stores.job_index import JobIndexStore
        from shared.flow import declared_flows

        if JOB_COUNTS_TABLE not in self.resources:
            raise UsageError("the stack has no JobCountsTable: deploy this version first")
        index = JobIndexStore(self.resources[JOBS_TABLE], self._dynamodb)
        counts = JobCountsStore(self.resources[JOB_COUNTS_TABLE], self._dynamodb)
        now = datetime.now(UTC)
        return {
            flow.name: counts.rebuild(
                flow.name,
                {status: index.updated_times(flow.name, status) for status in JobStatus},
                now,
                expires_at=int(now.timestamp()) + DAY_KEPT_SECONDS,
            )
            for flow in declared_flows()
        }

    # -- the Salesforce API budget hold ---------------------------------------------------------

    def hold(self) -> HoldState | None:
        return self._hold.state()

    def lift_hold(self) -> HoldState | None:
        """End the hold now; held jobs go out at the next backstop run (or `replay`)."""
        return self._hold.lift()

    # -- schedules ------------------------------------------------------------------------------

    def trigger(self, key: str) -> Any:
        """Run a scheduled function now: `Function` or `Function.EventName` (logical ids)."""
        if self.endpoints is not None:
            from devstack.schedules import trigger_schedule

            try:
                return trigger_schedule(self.endpoints, key)
            except LookupError as exc:
                raise UsageError(exc.args[0]) from None
        function = key.split(".", 1)[0]
        if function not in self.resources:
            functions = sorted(k for k in self.resources if k.endswith("Function"))
            raise UsageError(f"no function {function!r} in the stack; one of {functions}")
        answer = self._session.client("lambda").invoke(
            FunctionName=self.resources[function],
            Payload=json.dumps(
                {
                    "version": "0",
                    "detail-type": "Scheduled Event",
                    "source": "aws.events",
                    "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "detail": {},
                }
            ).encode(),
        )
        return json.loads(answer["Payload"].read() or b"null")

    # -- dead-letter queues ---------------------------------------------------------------------

    def redrive(self, queue_logical_id: str) -> int:
        """Move every message of the queue's DLQ back to it (FIFO groups kept)."""
        queues = sorted(k for k in self.resources if k.endswith("Queue"))
        if queue_logical_id not in queues:
            raise UsageError(f"no queue {queue_logical_id!r}; one of {', '.join(queues)}")
        queue_url = self.resources[queue_logical_id]
        dlq_url = self._dead_letter_queue(queue_url)
        moved = 0
        while True:
            batch = self._sqs.receive_message(
                QueueUrl=dlq_url,
                MaxNumberOfMessages=10,
                AttributeNames=["All"],
                VisibilityTimeout=60,
            ).get("Messages", [])
            if not batch:
                return moved
            for message in batch:
                kwargs: dict[str, Any] = {"QueueUrl": queue_url, "MessageBody": message["Body"]}
                attributes = message.get("Attributes", {})
                if "MessageGroupId" in attributes:
                    kwargs["MessageGroupId"] = attributes["MessageGroupId"]
                    kwargs["MessageDeduplicationId"] = (
                        f"{attributes.get('MessageDeduplicationId', message['MessageId'])}"
                        f"-redrive{int(time.time() * 1000)}"
                    )[-128:]
                self._sqs.send_message(**kwargs)
                self._sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
                self._requeue_job(message["Body"])
                moved += 1

    def queue_url(self, source: str) -> str:
        logical_id = QUEUE_FOR_SOURCE.get(source)
        if logical_id is None or logical_id not in self.resources:
            raise LookupError(f"no queue known for source {source!r}")
        return self.resources[logical_id]

    def _dead_letter_queue(self, queue_url: str) -> str:
        attributes = self._sqs.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["RedrivePolicy"]
        )["Attributes"]
        policy = json.loads(attributes.get("RedrivePolicy") or "{}")
        if "deadLetterTargetArn" not in policy:
            raise LookupError(f"{queue_url} has no dead-letter queue")
        name = policy["deadLetterTargetArn"].rsplit(":", 1)[-1]
        return str(self._sqs.get_queue_url(QueueName=name)["QueueUrl"])

    def _requeue_job(self, body: str) -> None:
        try:
            job_id = json.loads(body)["job_id"]
        except (ValueError, KeyError, TypeError):
            return
        job = self._jobs.get(job_id)
        if job is not None and job.status is JobStatus.FAILED:
            self._jobs.transition(job, JobStatus.QUEUED)
