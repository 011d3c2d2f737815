"""Two-way sync of companies and contacts between Salesforce and Unleashed (seed 003)."""

from shared.flow import Flow

FLOW = Flow(
    name="unleashed_companies",
    title="Unleashed customers and contacts <-> Salesforce accounts and contacts",
    seed="003",
    sources=("unleashed", "salesforce"),
    systems=("unleashed", "salesforce"),
    functions=(
        "UnleashedCustomerWebhookFunction",
        "SalesforceCompanyWebhookFunction",
        "UnleashedCustomerWorkerFunction",
        "UnleashedCustomerBackstopFunction",
    ),
    queues=("UnleashedCustomerQueue",),
    schedules=("UnleashedCustomerBackstopFunction",),
)
