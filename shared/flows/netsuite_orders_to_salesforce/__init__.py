"""NetSuite sales orders -> Salesforce opportunities (seed 002): the decisions and the mapping.

Pure domain code: no boto3, httpx or simple-salesforce. `decide` says whether an order
version syncs, `lines` turns NetSuite item lines (with discount, subtotal and description
items) into opportunity lines, `plan` builds the one all-or-nothing Salesforce write per
order, and `service` runs a batch of queued orders over the ports.
"""

from shared.flow import Flow

FLOW = Flow(
    name="netsuite_orders_to_salesforce",
    title="NetSuite sales orders -> Salesforce opportunities",
    seed="002",
    sources=("netsuite",),
    systems=("netsuite", "salesforce"),
    functions=(
        "NetsuiteWebhookFunction",
        "NetsuiteOrderWorkerFunction",
        "NetsuiteBackstopFunction",
        "NetsuiteReconcilerFunction",
    ),
    queues=("NetsuiteOrderQueue",),
    schedules=("NetsuiteBackstopFunction", "NetsuiteReconcilerFunction"),
)
