"""SQS (FIFO) -> NetSuite: each Closed Won opportunity becomes a Salesforce Originated order.

A plain Powertools FIFO batch: opportunities are exported one by one (each costs its own
Salesforce query and NetSuite upsert; there is nothing to share across a batch), and
`SqsFifoPartialProcessor` skips the rest of a group after a record to redeliver, so a group's
later messages never overtake it. The domain is `shared.order_export`; this file only wires it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.batch import fail_before_dead_letter
from shared.config import built_from_secret, resources
from shared.deadline import invocation
from shared.envelope import Envelope, SalesforceOpportunityEvent
from shared.http import ca_bundle
from shared.netsuite.client import NetsuiteClient, client_from_secret
from shared.observability import logger, metrics
from shared.order_export.service import OrderExport, QueuedOpportunity
from shared.salesforce import connection_from_secret
from shared.salesforce_opportunities import SalesforceOpportunities
from shared.stores.jobs import JobStore
from shared.stores.links import LinkStore

# Each opportunity is its own FIFO group: a failure holds back that group's later messages
# only. A batch in which everything must be retried is reported as such rather than raised,
# so a NetSuite outage shows up as retried records, not as crashes of this function.
processor = SqsFifoPartialProcessor(skip_group_on_error=True)
processor.raise_on_entire_batch_failure = False


@cache
def stores() -> tuple[JobStore, LinkStore]:
    env = resources()
    return JobStore(env.require("jobs_table")), LinkStore(env.require("links_table"))


def netsuite() -> NetsuiteClient:
    return built_from_secret(resources().require("netsuite_secret"), client_from_secret)


def salesforce() -> SalesforceOpportunities:
    return built_from_secret(
        resources().require("salesforce_secret"),
        lambda secret: SalesforceOpportunities(connection_from_secret(secret, ca_bundle())),
    )


def order_export() -> OrderExport:
    jobs, links = stores()
    return OrderExport(
        salesforce=salesforce(),
        netsuite=netsuite(),
        jobs=jobs,
        links=links,
        max_receive_count=resources().max_receive_count,
    )


def record_handler(record: SQSRecord) -> None:
    # A malformed message raises here: it is redelivered, then parked in the DLQ (a bug to fix).
    try:
        envelope = Envelope[SalesforceOpportunityEvent].model_validate_json(record.body)
        receive_count = int(record.attributes.approximate_receive_count or "1")
        order_export().handle(QueuedOpportunity(record.message_id, envelope, receive_count))
    except Exception as exc:
        # The service records the failures it knows; this is for the rest, so that a message
        # that reaches the DLQ never leaves its job `queued`.
        give_up_on_last_delivery(record.raw_event, f"the worker crashed: {exc!r}")
        raise
    metrics.add_metric(name="OpportunitiesHandled", unit="Count", value=1)


def give_up_on_last_delivery(record: dict[str, Any], reason: str) -> None:
    try:
        jobs = stores()[0]
        max_receive_count = resources().max_receive_count
    except Exception:
        logger.exception("cannot mark the job of a message going to the DLQ")
        return
    if fail_before_dead_letter([record], reason, jobs=jobs, max_receive_count=max_receive_count):
        logger.error("job failed before its message goes to the DLQ")


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with invocation(context):  # no outside call may outlive the invocation (shared.deadline)
        response = process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    return dict(response)
