"""An Intacct document as salesbridge's Salesforce records, and the control ids of creates."""

from __future__ import annotations

from decimal import Decimal

from shared.flows.intacct_documents.events import type_code
from shared.flows.intacct_documents.models import IntacctDocument, SalesDocumentRecord
from shared.flows.intacct_documents.settings import TransactionSync

DELETED_STATE = "Deleted in Intacct"  # State__c of a record whose document was deleted there


def control_id(opportunity_id: str, transaction_type: str, version: str | None) -> str:
    """The control id of a create: one document per opportunity and type (one-to-one), or per
    opportunity, type and opportunity version (one-to-many: a later version may ask again).
    Also the document's reference number, so that a retry finds what it made."""
    base = f"sf-{opportunity_id}-{type_code(transaction_type)[:12]}"
    if version is None:
        return base
    return f"{base}-{version.replace('-', '').replace(':', '').rstrip('Z')}"[:60]


def sales_document_record(
    document: IntacctDocument,
    row: TransactionSync | None,
    *,
    opportunity_id: str | None,
    payment_details: bool,
    account_open_balance: Decimal | None = None,
) -> SalesDocumentRecord:
    fields: dict[str, object] = {
        "Name": document.key[:80],
        "Document_Type__c": document.transaction_type,
        "Document_Number__c": document.number,
        "Intacct_Record_No__c": str(document.recordno),
        "State__c": document.state,
        "Document_Date__c": document.created,
        "Due_Date__c": document.due,
        "Total__c": document.total,
        "Intacct_Modified__c": document.modified,
    }
    if payment_details:
        fields["Total_Paid__c"] = document.total_paid
        fields["Total_Due__c"] = document.total_due
    header_map = row.header_map if row else {}
    detail_map = row.detail_map if row else {}
    for intacct_field, salesforce_field in header_map.items():
        fields[salesforce_field] = document.extra.get(intacct_field) or None
    lines: tuple[tuple[str, dict[str, object]], ...] | None = None
    if document.lines is not None and (row is None or row.include_details):
        lines = tuple(
            (
                f"{document.recordno}-{line.key}",
                {
                    "Line_No__c": line.line_no,
                    "Item_Id__c": line.item_id,
                    "Description__c": line.description[:255],
                    "Quantity__c": line.quantity,
                    "Unit_Price__c": line.unit_price,
                    "Amount__c": line.amount,
                    **{sf: line.extra.get(ia) or None for ia, sf in detail_map.items()},
                },
            )
            for line in document.lines
        )
    payments: tuple[tuple[str, dict[str, object]], ...] = tuple(
        (
            f"{payment.key}-{document.recordno}",
            {
                "Name": f"{payment.method or 'Payment'} {payment.reference}".strip()[:80],
                "Payment_Date__c": payment.paid_on,
                "Amount__c": payment.amount,
                "Payment_Method__c": payment.method,
                "Reference__c": payment.reference,
            },
        )
        for payment in (document.payments or ())
        if payment_details
    )
    return SalesDocumentRecord(
        key=document.key,
        fields=fields,
        customer_id=document.customer_id,
        opportunity_id=opportunity_id,
        lines=lines,
        payments=payments,
        account_open_balance=account_open_balance if payment_details else None,
    )
