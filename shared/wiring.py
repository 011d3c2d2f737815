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
from typing import TYPE_CHECKING, Any

from shared.config import built_from_secret, load_settings, resources

if TYPE_CHECKING:
    from shared.adapters.aws.queues import SqsQueue
    from shared.adapters.aws.stores.app_credentials import CredentialStore
    from shared.adapters.aws.stores.cursors import CursorStore
    from shared.adapters.aws.stores.hold import BudgetHoldStore
    from shared.adapters.aws.stores.jobs import JobStore
    from shared.adapters.aws.stores.links import LinkStore
    from shared.adapters.intacct.client import IntacctClient
    from shared.adapters.netsuite.client import NetsuiteClient
    from shared.adapters.salesforce.companies import SalesforceCompanyBook
    from shared.adapters.salesforce.console_sign_in import SalesforceSignIn
    from shared.adapters.salesforce.opportunity_writer import OpportunityWriter
    from shared.adapters.salesforce.sales_documents import SalesDocuments
    from shared.adapters.salesforce.unleashed_orders import UnleashedOpportunities
    from shared.adapters.salesforce.won_opportunities import WonOpportunities
    from shared.adapters.unleashed.account import UnleashedOrders
    from shared.adapters.unleashed.customers import UnleashedCustomerBook
    from shared.app_credentials import AppCredentials, AppUser
    from shared.console.service import Console
    from shared.flows.intacct_documents.poll import DocumentPoll
    from shared.flows.intacct_documents.service import DocumentCreation
    from shared.flows.netsuite_orders_to_salesforce.service import OrderSync
    from shared.flows.salesforce_orders_to_netsuite.service import OrderExport
    from shared.flows.salespro_appointments.ports import AppointmentSource
    from shared.flows.salespro_appointments.service import Appointments
    from shared.flows.salespro_documents.ports import FileDestination
    from shared.flows.salespro_documents.service import DocumentRequests, DocumentUploader
    from shared.flows.unleashed_companies.service import CustomerSync
    from shared.flows.unleashed_order_push.page import SendPage
    from shared.flows.unleashed_order_push.pricebook import PriceBookSync
    from shared.flows.unleashed_order_push.service import OrderPush
    from shared.flows.unleashed_order_push.status_poll import StatusPoll
    from shared.settings import Settings

# -- state (DynamoDB) and queues (SQS) ------------------------------------------------------------


@cache
def jobs() -> JobStore:
    from shared.adapters.aws.stores.jobs import JobStore

    env = resources()
    return JobStore(env.require("jobs_table"), counts_table=env.job_counts_table)


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
def salespro_credentials() -> CredentialStore:
    from shared.adapters.aws.stores.app_credentials import CredentialStore

    return CredentialStore(resources().require("salespro_credentials_table"))


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


# -- the operator console -------------------------------------------------------------------------


@cache
def console() -> Console:
    """The console over this deployment's tables and the flows' queues (every declared flow)."""
    import json

    from shared.adapters.aws.dead_letters import SqsDeadLetters
    from shared.adapters.aws.stores.audit import AuditStore
    from shared.adapters.aws.stores.job_counts import JobCountsStore
    from shared.adapters.aws.stores.job_index import JobIndexStore
    from shared.clock import real_utc_now
    from shared.console.service import Console
    from shared.flow import declared_flows

    env = resources()
    return Console(
        flows=declared_flows(),
        index=JobIndexStore(env.require("jobs_table")),
        counts=JobCountsStore(env.require("job_counts_table")),
        jobs=jobs(),
        audit=AuditStore(env.require("audit_table")),
        dead_letters=SqsDeadLetters(json.loads(env.console_queues or "{}")),
        hold=budget_hold(),
        settings=settings,
        clock=real_utc_now,
    )


def console_secret() -> dict[str, Any]:
    """{session_key, login_url, consumer_key, consumer_secret}: see README, the console."""
    from shared.config import get_secret_json

    return get_secret_json(resources().require("console_secret"))


def console_sign_in() -> SalesforceSignIn:
    """ "Sign in with Salesforce" with the External Client App named in the console secret."""
    from shared.adapters.salesforce.console_sign_in import SalesforceSignIn

    return built_from_secret(
        resources().require("console_secret"),
        lambda secret: SalesforceSignIn(
            str(secret.get("login_url", "")),
            str(secret.get("consumer_key", "")),
            str(secret.get("consumer_secret", "")),
        ),
    )


# -- SalesPro (seed 001) --------------------------------------------------------------------------


def app_credentials() -> AppCredentials:
    """Issue, revoke and check SalesPro app credentials (the console and `ops` use it)."""
    from shared.app_credentials import AppCredentials

    return AppCredentials(salespro_credentials())


def salesforce_connection_for(user: AppUser) -> Any:
    """The Salesforce connection as the user's mode says: per_user signs a JWT with the
    user's Salesforce username as its subject; single_sign_on uses the integration user."""
    from shared.adapters.salesforce.connection import SalesforceConnection, connection_from_secret
    from shared.app_credentials import SignOnMode
    from shared.http import ca_bundle

    integration = built_from_secret(
        resources().require("salesforce_secret"),
        lambda secret: connection_from_secret(secret, ca_bundle()),
    )
    if user.mode is SignOnMode.SINGLE_SIGN_ON:
        return integration
    username = user.salesforce_username or ""
    connection = _user_connections.get(username)
    if connection is None or connection.credentials.consumer_key != (
        integration.credentials.consumer_key
    ):
        credentials = integration.credentials.model_copy(
            update={"auth": "jwt", "username": username}
        )
        connection = SalesforceConnection(credentials, session=integration.session)
        _user_connections[username] = connection
    return connection


def salesforce_files_for(user: AppUser) -> FileDestination:
    from shared.adapters.salesforce.files import SalesforceFiles

    return SalesforceFiles(salesforce_connection_for(user))


def salesforce_appointments_for(user: AppUser) -> AppointmentSource:
    from shared.adapters.salesforce.appointments import SalesforceAppointments

    return SalesforceAppointments(salesforce_connection_for(user))


def appointments() -> Appointments:
    from shared.flows.salespro_appointments.service import Appointments

    return Appointments(settings().salespro_appointments, salesforce_appointments_for)


_user_connections: dict[str, Any] = {}


@cache
def salespro_documents_bucket() -> Any:
    from shared.adapters.aws.documents import DocumentBucket

    return DocumentBucket(resources().require("salespro_documents_bucket"))


def document_requests() -> DocumentRequests:
    from shared.flows.salespro_documents.service import DocumentRequests

    return DocumentRequests(salespro_documents_bucket(), settings().salespro_documents)


def document_uploader() -> DocumentUploader:
    from shared.adapters.aws.email import SesMailer
    from shared.flows.salespro_documents.service import DocumentUploader

    return DocumentUploader(
        storage=salespro_documents_bucket(),
        salesforce_for=salesforce_files_for,
        mailer=SesMailer(resources().require("salespro_backup_sender")),
        jobs=jobs(),
        settings=settings().salespro_documents,
    )


# -- Sage Intacct sales documents (seed 004) ------------------------------------------------------


@cache
def intacct_document_queue() -> SqsQueue:
    from shared.adapters.aws.queues import SqsQueue

    return SqsQueue(resources().require("intacct_document_queue_url"))


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


# -- Unleashed companies and contacts, two-way (seed 003) ------------------------------------------


@cache
def unleashed_customer_queue() -> SqsQueue:
    from shared.adapters.aws.queues import SqsQueue

    return SqsQueue(resources().require("unleashed_customer_queue_url"))


def unleashed_customers() -> UnleashedCustomerBook:
    from shared.adapters.unleashed.client import client_from_secret
    from shared.adapters.unleashed.customers import UnleashedCustomerBook

    return built_from_secret(
        resources().require("unleashed_secret"),
        lambda secret: UnleashedCustomerBook(client_from_secret(secret)),
    )


def salesforce_companies() -> SalesforceCompanyBook:
    from shared.adapters.salesforce.companies import SalesforceCompanyBook
    from shared.adapters.salesforce.connection import connection_from_secret
    from shared.http import ca_bundle

    return built_from_secret(
        resources().require("salesforce_secret"),
        lambda secret: SalesforceCompanyBook(connection_from_secret(secret, ca_bundle())),
    )


def customer_sync() -> CustomerSync:
    from shared.flows.unleashed_companies.service import CustomerSync

    return CustomerSync(
        unleashed=unleashed_customers(),
        salesforce=salesforce_companies(),
        jobs=jobs(),
        links=links(),
        settings=settings().unleashed_companies,
        max_receive_count=max_receive_count(),
    )
