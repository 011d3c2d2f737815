"""SQS (FIFO) -> Salesforce: the batch is synced together, one composite-graph call for all.

Not a per-record BatchProcessor on purpose: the API economy comes from handling the batch as
a whole (one price lookup, one graph call). Lambda's partial batch response still reports
exactly the messages to redeliver: every message of an order that must be retried, and a
malformed message (a bug to fix: it goes to the DLQ after its retries). A retried message
waits longer each time (`shared.batch.back_off`), so a struggling system gets air.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import wiring
from shared.batch import back_off, batch_item_failures, give_up_on_last_delivery
from shared.deadline import invocation
from shared.flows.netsuite_orders_to_salesforce.service import BatchResult, queued_orders
from shared.observability import logger, metrics


def give_up(records: list[dict[str, Any]], reason: str) -> None:
    give_up_on_last_delivery(
        records, reason, jobs=wiring.jobs, max_receive_count=wiring.max_receive_count
    )


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    records = event.get("Records", [])
    queued, malformed = queued_orders(records)
    try:
        with invocation(context):  # no outside call may outlive the invocation (shared.deadline)
            result = wiring.order_sync().run(queued) if queued else BatchResult()
    except Exception as exc:
        # A bug or a crash the service could not record: Lambda redelivers the whole batch
        # (and the error alarm fires); on the last delivery the jobs must say why first.
        give_up(records, f"the worker crashed: {exc!r}")
        raise
    give_up([r for r in records if r["messageId"] in malformed], "malformed queue message")
    for status in result.outcomes.values():
        metrics.add_metric(name=f"Orders_{status}", unit="Count", value=1)
    failed = set(result.failed_message_ids) | set(malformed)
    back_off(records, failed, queue=wiring.netsuite_order_queue)
    return batch_item_failures(failed)
