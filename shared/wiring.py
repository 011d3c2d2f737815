"""The composition root: every store, queue, client and service a handler needs, built here.

Handlers call these providers at invocation time (`wiring.jobs()`), never at import, so
importing a handler stays cheap (each provider imports its adapter's libraries on first use)
and tests replace a provider with `monkeypatch.setattr(wiring, "jobs", lambda: fake)`.
Stores and queues are cached per container (`functools.cache`); clients are rebuilt only when
their secret changes (`shared.config.built_from_secret`); the settings document is re-read
within its cache age (`shared.config.load_settings`).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from shared.config import built_from_secret, load_settings, resources

if TYPE_CHECKING:
    from shared.adapters.aws.queues import SqsQueue
    from shared.adapters.aws.stores.cursors import CursorStore
    from shared.adapters.aws.stores.hold import BudgetHoldStore
    from shared.adapters.aws.stores.jobs import JobStore
    from shared.adapters.aws.stores.links import LinkStore
    from shared.adapters.intacct.client import IntacctClient
    from shared.adapters.netsuite.client import NetsuiteClient
    from shared.adapters.salesforce.opportunity_writer import OpportunityWriter
    from shared.adapters.salesforce.sales_documents import SalesDocuments
    from shared.adapters.salesforce.won_opportunities import WonOpportunities
    from shared.flows.intacct_documents.poll import DocumentPoll
    from shared.flows.intacct_documents.service import DocumentCreation
    from shared.flows.netsuite_orders_to_salesforce.service import OrderSync
    from shared.flows.salesforce_orders_to_netsuite.service import OrderExport
    from shared.settings import Settings

# -- state (DynamoDB) and queues (SQS) ------------------------------------------------------------


@cache
def jobs() -> JobStore:
    from shared.adapters.aws.stores.jobs import JobStore

    return JobStore(resources().require("jobs_table"))


@cache
def links() -> LinkStore:
    from shared.adapters.aws.stores.links import LinkStore

    return LinkStore(resources().require("links_table"))


@cache
def cursors() -> CursorStore:
    from shared.adapters.aws.stores.cursors import CursorStore

    return CursorStore(resources().require("cursors_table"))


@cache
def budget_hold() -> BudgetHoldStore:
    from shared.adapters.aws.stores.hold import BudgetHoldStore

    return BudgetHoldStore(cursors())


@cache
def netsuite_order_queue() -> SqsQueue:
    from shared.adapters.aws.queues import SqsQueue

    return SqsQueue(resources().require("netsuite_order_queue_url"))


@cache
def salesforce_opportunity_queue() -> SqsQueue:
    from shared.adapters.aws.queues import SqsQueue

    return SqsQueue(resources().require("salesforce_opportunity_queue_url"))


@cache
def intacct_document_queue() -> SqsQueue:
    from shared.adapters.aws.queues import SqsQueue

    return SqsQueue(resources().require("intacct_document_queue_url"))


def max_receive_count() -> int:
    return resources().max_receive_count


def settings() -> Settings:
    return load_settings()


# -- outside systems ------------------------------------------------------------------------------


def netsuite() -> NetsuiteClient:
    from shared.adapters.netsuite.client import client_from_secret

    return built_from_secret(resources().require("netsuite_secret"), client_from_secret)


def opportunity_writer() -> OpportunityWriter:
    from shared.adapters.salesforce.connection import connection_from_secret
    from shared.adapters.salesforce.opportunity_writer import OpportunityWriter
    from shared.http import ca_bundle

    return built_from_secret(
        resources().require("salesforce_secret"),
        lambda secret: OpportunityWriter(connection_from_secret(secret, ca_bundle())),
    )


def won_opportunities() -> WonOpportunities:
    from shared.adapters.salesforce.connection import connection_from_secret
    from shared.adapters.salesforce.won_opportunities import WonOpportunities
    from shared.http import ca_bundle

    return built_from_secret(
        resources().require("salesforce_secret"),
        lambda secret: WonOpportunities(connection_from_secret(secret, ca_bundle())),
    )


def intacct() -> IntacctClient:
    from shared.adapters.intacct.client import client_from_secret

    return built_from_secret(resources().require("intacct_secret"), client_from_secret)


def sales_documents() -> SalesDocuments:
    from shared.adapters.salesforce.connection import connection_from_secret
    from shared.adapters.salesforce.sales_documents import SalesDocuments
    from shared.http import ca_bundle

    return built_from_secret(
        resources().require("salesforce_secret"),
        lambda secret: SalesDocuments(connection_from_secret(secret, ca_bundle())),
    )


# -- services -------------------------------------------------------------------------------------


def order_sync() -> OrderSync:
    """NetSuite orders -> Salesforce opportunities, over this invocation's settings."""
    from shared.flows.netsuite_orders_to_salesforce.service import OrderSync

    return OrderSync(
        netsuite=netsuite(),
        salesforce=opportunity_writer(),
        jobs=jobs(),
        links=links(),
        hold=budget_hold(),
        settings=settings().netsuite_orders_to_salesforce,
        max_receive_count=max_receive_count(),
    )


def order_export() -> OrderExport:
    """Salesforce won opportunities -> NetSuite sales orders."""
    from shared.flows.salesforce_orders_to_netsuite.service import OrderExport

    return OrderExport(
        salesforce=won_opportunities(),
        netsuite=netsuite(),
        jobs=jobs(),
        links=links(),
        max_receive_count=max_receive_count(),
    )


def document_creation() -> DocumentCreation:
    """Create <Transaction>: Intacct sales documents from opportunities."""
    from shared.flows.intacct_documents.service import DocumentCreation

    return DocumentCreation(
        salesforce=sales_documents(),
        intacct=intacct(),
        jobs=jobs(),
        settings=settings().intacct_documents,
        max_receive_count=max_receive_count(),
    )


def document_poll(correlation_id: str) -> DocumentPoll:
    """Intacct documents of the To Salesforce types -> their read-only Salesforce records."""
    from shared.flows.intacct_documents.poll import DocumentPoll

    return DocumentPoll(
        intacct=intacct(),
        salesforce=sales_documents(),
        jobs=jobs(),
        cursors=cursors(),
        settings=settings().intacct_documents,
        correlation_id=correlation_id,
    )
