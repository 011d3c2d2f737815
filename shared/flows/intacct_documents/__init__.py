"""Sage Intacct sales transactions <-> Salesforce (seed 004, Advanced CRM Integration).

"Create <Transaction>" buttons on the Opportunity create Intacct sales documents of the
"From Salesforce" types; Intacct documents of the "To Salesforce" types come back as
salesbridge's read-only sales document records (with lines, open balance and payments).
"""

from shared.flow import Flow

FLOW = Flow(
    name="intacct_documents",
    title="Sage Intacct sales transactions <-> Salesforce",
    seed="004",
    sources=("salesforce", "intacct"),
    systems=("salesforce", "intacct"),
    functions=(
        "IntacctDocumentRequestFunction",
        "IntacctDocumentWorkerFunction",
        "IntacctDocumentPollFunction",
    ),
    queues=("IntacctDocumentQueue",),
    schedules=("IntacctDocumentPollFunction",),
)
