"""SQS (FIFO) -> Salesforce: the batch is synced together, one composite-graph call for all.

Not a per-record BatchProcessor on purpose: the API economy comes from handling the batch as
a whole (one price lookup, one graph call). Lambda's partial batch response still reports
exactly the messages to redeliver: every message of an order that must be retried, and a
malformed message (a bug to fix: it goes to the DLQ after its retries). A retried message
waits longer each time (30 s, 60 s, 120 s ... capped), so a struggling system gets air.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from shared.batch import fail_before_dead_letter
from shared.config import built_from_secret, load_settings, resources
from shared.deadline import invocation
from shared.envelope import Envelope, NetsuiteOrderEvent
from shared.http import ca_bundle
from shared.netsuite.client import NetsuiteClient, client_from_secret
from shared.observability import logger, metrics
from shared.order_sync.service import BatchResult, OrderSync, QueuedOrder
from shared.salesforce import connection_from_secret
from shared.salesforce_orders import SalesforceOrders
from shared.stores.cursors import CursorStore
from shared.stores.hold import BudgetHoldStore
from shared.stores.jobs import JobStore
from shared.stores.links import LinkStore

BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 900


@cache
def stores() -> tuple[JobStore, LinkStore, BudgetHoldStore]:
    env = resources()
    hold = BudgetHoldStore(CursorStore(env.require("cursors_table")))
    return JobStore(env.require("jobs_table")), LinkStore(env.require("links_table")), hold


def netsuite() -> NetsuiteClient:
    return built_from_secret(resources().require("netsuite_secret"), client_from_secret)


def salesforce() -> SalesforceOrders:
    return built_from_secret(
        resources().require("salesforce_secret"),
        lambda secret: SalesforceOrders(connection_from_secret(secret, ca_bundle())),
    )


def order_sync() -> OrderSync:
    jobs, links, hold = stores()
    return OrderSync(
        netsuite=netsuite(),
        salesforce=salesforce(),
        jobs=jobs,
        links=links,
        hold=hold,
        settings=load_settings().netsuite,
        max_receive_count=resources().max_receive_count,
    )


def parse(records: list[dict[str, Any]]) -> tuple[list[QueuedOrder], list[str]]:
    queued, malformed = [], []
    for record in records:
        try:
            envelope = Envelope[NetsuiteOrderEvent].model_validate_json(record["body"])
        except ValidationError as exc:
            logger.error(
                "malformed queue message",
                extra={
                    "message_id": record["messageId"],
                    # the input may be a whole record: fields and reasons only
                    "problems": exc.errors(include_input=False, include_url=False),
                },
            )
            malformed.append(record["messageId"])
            continue
        receive_count = int(record.get("attributes", {}).get("ApproximateReceiveCount", "1"))
        queued.append(QueuedOrder(record["messageId"], envelope, receive_count))
    return queued, malformed


def back_off(records: list[dict[str, Any]], failed: set[str]) -> None:
    """Delay each failed message exponentially with its receive count before it returns."""
    import boto3

    queue_url = resources().require("netsuite_order_queue_url")
    sqs = boto3.client("sqs")
    for record in records:
        if record["messageId"] not in failed:
            continue
        count = int(record.get("attributes", {}).get("ApproximateReceiveCount", "1"))
        delay = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (count - 1))
        try:
            sqs.change_message_visibility(
                QueueUrl=queue_url, ReceiptHandle=record["receiptHandle"], VisibilityTimeout=delay
            )
        except Exception:  # the queue's own visibility timeout still brings it back
            logger.warning("could not delay a retried message", extra={"delay": delay})


def give_up_on_last_delivery(records: list[dict[str, Any]], reason: str) -> None:
    if not records:
        return
    try:
        jobs = stores()[0]
        max_receive_count = resources().max_receive_count
    except Exception:
        logger.exception("cannot mark the jobs of messages going to the DLQ")
        return
    failed = fail_before_dead_letter(
        records, reason, jobs=jobs, max_receive_count=max_receive_count
    )
    if failed:
        logger.error("jobs failed before their messages go to the DLQ", extra={"job_ids": failed})


def record_metrics(result: BatchResult) -> None:
    for status in result.outcomes.values():
        metrics.add_metric(name=f"Orders_{status}", unit="Count", value=1)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    records = event.get("Records", [])
    queued, malformed = parse(records)
    try:
        with invocation(context):  # no outside call may outlive the invocation (shared.deadline)
            result = order_sync().run(queued) if queued else BatchResult()
    except Exception as exc:
        # A bug or a crash the service could not record: Lambda redelivers the whole batch
        # (and the error alarm fires); on the last delivery the jobs must say why first.
        give_up_on_last_delivery(records, f"the worker crashed: {exc!r}")
        raise
    give_up_on_last_delivery(
        [r for r in records if r["messageId"] in malformed], "malformed queue message"
    )
    record_metrics(result)
    failed = set(result.failed_message_ids) | set(malformed)
    if failed:
        back_off(records, failed)
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
