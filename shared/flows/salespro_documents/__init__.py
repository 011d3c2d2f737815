"""SalesPro documents (seed 001): the field-sales app's contracts, proposals and other
documents reach the Salesforce record as Files, or the rule's backup recipients by e-mail."""

from shared.flow import Flow

FLOW = Flow(
    name="salespro_documents",
    title="SalesPro documents -> Salesforce Files (36 MB guard, backup e-mail)",
    seed="001",
    sources=("salespro",),
    systems=("salesforce", "ses"),
    functions=("SalesproDocumentsApiFunction", "SalesproDocumentUploaderFunction"),
    queues=("SalesproDocumentQueue",),
)
