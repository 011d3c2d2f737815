"""Salesforce originated orders (seed 002): a Closed Won opportunity becomes a NetSuite order."""

from shared.flow import Flow

FLOW = Flow(
    name="salesforce_orders_to_netsuite",
    title="Closed Won Salesforce opportunities -> NetSuite sales orders",
    seed="002",
    sources=("salesforce",),
    systems=("salesforce", "netsuite"),
    functions=(
        "SalesforceOpportunityWebhookFunction",
        "SalesforceOrderWorkerFunction",
        "SalesforceExportBackstopFunction",
    ),
    queues=("SalesforceOpportunityQueue",),
    schedules=("SalesforceExportBackstopFunction",),
)
