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
    from shared.adapters.netsuite.client import NetsuiteClient
    from shared.adapters.salesforce.opportunity_writer import OpportunityWriter
    from shared.adapters.salesforce.unleashed_orders import UnleashedOpportunities
    from shared.adapters.salesforce.won_opportunities import WonOpportunities
    from shared.adapters.unleashed.account import UnleashedOrders
    from shared.flows.netsuite_orders_to_salesforce.service import OrderSync
    from shared.flows.salesforce_orders_to_netsuite.service import OrderExport
    from shared.flows.unleashed_order_push.page import SendPage
    from shared.flows.unleashed_order_push.pricebook import PriceBookSync
    from shared.flows.unleashed_order_push.service import OrderPush
    from shared.flows.unleashed_order_push.status_poll import StatusPoll
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


# -- Send to Unleashed (seed 000) -------------------------------------------------------------


@cache
def unleashed_order_queue() -> SqsQueue:
    from shared.adapters.aws.queues import SqsQueue

    return SqsQueue(resources().require("unleashed_order_queue_url"))


def unleashed_orders() -> UnleashedOrders:
    from shared.adapters.unleashed.account import UnleashedOrders
    from shared.adapters.unleashed.client import client_from_secret

    return built_from_secret(
        resources().require("unleashed_secret"),
        lambda secret: UnleashedOrders(client_from_secret(secret)),
    )


def unleashed_opportunities() -> UnleashedOpportunities:
    from shared.adapters.salesforce.connection import connection_from_secret
    from shared.adapters.salesforce.unleashed_orders import UnleashedOpportunities
    from shared.http import ca_bundle

    return built_from_secret(
        resources().require("salesforce_secret"),
        lambda secret: UnleashedOpportunities(connection_from_secret(secret, ca_bundle())),
    )


def unleashed_canvas_secrets() -> list[str]:
    """The Canvas app's consumer secret, and the previous one during a rotation."""
    from shared.config import get_secret_json

    secret = get_secret_json(resources().require("unleashed_canvas_secret"))
    return [
        str(secret[k]) for k in ("consumer_secret", "consumer_secret_previous") if secret.get(k)
    ]


def unleashed_send_page() -> SendPage:
    from shared.flows.unleashed_order_push.page import SendPage

    return SendPage(
        salesforce=unleashed_opportunities(),
        unleashed=unleashed_orders(),
        jobs=jobs(),
        queue=unleashed_order_queue(),
        settings=settings().unleashed_order_push,
    )


def order_push() -> OrderPush:
    from shared.flows.unleashed_order_push.service import OrderPush

    return OrderPush(
        salesforce=unleashed_opportunities(),
        unleashed=unleashed_orders(),
        jobs=jobs(),
        links=links(),
        settings=settings().unleashed_order_push,
        max_receive_count=max_receive_count(),
    )


def unleashed_status_poll() -> StatusPoll:
    """Unleashed order statuses -> opportunities; releases sends held for the quota."""
    from shared.flows.unleashed_order_push.status_poll import StatusPoll

    return StatusPoll(
        unleashed=unleashed_orders(),
        salesforce=unleashed_opportunities(),
        links=links(),
        cursors=cursors(),
        held_jobs=jobs(),
        queue=unleashed_order_queue(),
    )


def unleashed_pricebook_sync() -> PriceBookSync:
    """Unleashed products and default sell prices -> the "Unleashed" price book."""
    from shared.adapters.salesforce.connection import connection_from_secret
    from shared.adapters.salesforce.unleashed_pricebook import UnleashedPriceBook
    from shared.config import get_secret_json
    from shared.flows.unleashed_order_push.pricebook import PriceBookSync
    from shared.http import ca_bundle

    # Built per run (a schedule every 30 minutes): the book's name comes from the settings,
    # and `built_from_secret` keeps one client per secret, not per adapter.
    secret = get_secret_json(resources().require("salesforce_secret"))
    book = UnleashedPriceBook(
        connection_from_secret(secret, ca_bundle()),
        book_name=settings().unleashed_order_push.pricebook_name,
    )
    return PriceBookSync(unleashed=unleashed_orders(), salesforce=book, cursors=cursors())
