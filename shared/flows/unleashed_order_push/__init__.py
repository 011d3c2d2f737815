"""Send to Unleashed (seed 000): a Salesforce opportunity becomes an Unleashed sales order."""

from shared.flow import Flow

FLOW = Flow(
    name="unleashed_order_push",
    title="Salesforce opportunities -> Unleashed sales orders (Send to Unleashed)",
    seed="000",
    sources=("salesforce",),
    systems=("salesforce", "unleashed"),
    functions=(
        "UnleashedSendPageFunction",
        "UnleashedOrderWorkerFunction",
        "UnleashedOrderStatusFunction",
        "UnleashedPricebookSyncFunction",
    ),
    queues=("UnleashedOrderQueue",),
    schedules=("UnleashedOrderStatusFunction", "UnleashedPricebookSyncFunction"),
)
