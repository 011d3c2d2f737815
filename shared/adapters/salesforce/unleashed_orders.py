"""Opportunities for Send to Unleashed: one query in, one write back (the flow's
`OpportunityStore` port).

    opportunity_for_send  GET /query: Opportunity + Account + OpportunityLineItems (with the
                          price book entry's product) in ONE SOQL statement
    record_send           PATCH /composite/sobjects (allOrNone): the opportunity's Unleashed
                          order number, Guid, status and error, and the Account's new
                          customer code and Guid, in ONE call
    record_statuses       the same collection update, 200 opportunities a call
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from simple_salesforce.api import Salesforce
from simple_salesforce.format import format_soql

from shared.adapters.salesforce.connection import Connection, all_rows, next_page
from shared.adapters.salesforce.errors import RETRYABLE_CODES, call_translated
from shared.deadline import call_timeout
from shared.errors import PermanentError, RetryableError
from shared.flows.unleashed_order_push.models import (
    AccountForSend,
    Address,
    OpportunityForSend,
    SendLine,
    SendResult,
)
from shared.observability import shape_of, vendor_message

T = TypeVar("T")
TIMEOUT_SECONDS = 20.0
PER_COLLECTION = 200
ROLLED_BACK = "ALL_OR_NONE_OPERATION_ROLLED_BACK"
ERROR_LENGTH = 255

SEND_SOQL = (
    "SELECT Id, Name, StageName, IsClosed, IsWon, LastModifiedDate, "
    "Unleashed_Order_Guid__c, Unleashed_Order_Number__c, Unleashed_Order_Status__c, "
    "AccountId, Account.Name, Account.Phone, Account.Website, "
    "Account.ShippingStreet, Account.ShippingCity, Account.ShippingState, "
    "Account.ShippingPostalCode, Account.ShippingCountry, "
    "Account.BillingStreet, Account.BillingCity, Account.BillingState, "
    "Account.BillingPostalCode, Account.BillingCountry, "
    "Account.Unleashed_Customer_Code__c, Account.Unleashed_Customer_Guid__c, "
    "(SELECT Id, Quantity, UnitPrice, ListPrice, Discount, Description, "
    "PricebookEntry.Product2.Name, PricebookEntry.Product2.Unleashed_Product_Code__c "
    "FROM OpportunityLineItems ORDER BY SortOrder, CreatedDate) "
    "FROM Opportunity WHERE Id = {}"
)


class UnleashedOpportunities:
    def __init__(self, connection: Connection, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.connection = connection
        self.timeout = timeout
        self.api_calls = 0

    def opportunity_for_send(self, opportunity_id: str) -> OpportunityForSend | None:
        soql = format_soql(SEND_SOQL, opportunity_id)
        timeout = call_timeout(self.timeout, "a Salesforce query")
        page = self._request(lambda sf: sf.query(soql, timeout=timeout))
        records = page.get("records") or []
        if not records:
            return None
        row = records[0]
        lines = all_rows(
            row.get("OpportunityLineItems"),
            lambda url: self._request(
                next_page(url, call_timeout(self.timeout, "a Salesforce query"))
            ),
        )
        return parse_opportunity(row, lines)

    def record_send(self, result: SendResult) -> None:
        opportunity: dict[str, Any] = {
            "attributes": {"type": "Opportunity"},
            "id": result.opportunity_id,
        }
        if result.order is not None:
            opportunity.update(
                {
                    "Unleashed_Order_Number__c": result.order.number,
                    "Unleashed_Order_Guid__c": result.order.guid,
                    "Unleashed_Order_Status__c": result.order.status,
                    "Unleashed_Send_Error__c": None,
                }
            )
        else:
            opportunity["Unleashed_Send_Error__c"] = (result.error or "")[:ERROR_LENGTH]
        records = [opportunity]
        if result.account_id and result.customer is not None:
            records.append(
                {
                    "attributes": {"type": "Account"},
                    "id": result.account_id,
                    "Unleashed_Customer_Code__c": result.customer.code,
                    "Unleashed_Customer_Guid__c": result.customer.guid,
                }
            )
        self._update(records)

    def record_statuses(self, statuses: dict[str, str]) -> None:
        records = [
            {"attributes": {"type": "Opportunity"}, "id": oid, "Unleashed_Order_Status__c": status}
            for oid, status in statuses.items()
        ]
        for start in range(0, len(records), PER_COLLECTION):
            self._update(records[start : start + PER_COLLECTION])

    def _update(self, records: list[dict[str, Any]]) -> None:
        data = json.dumps({"allOrNone": True, "records": records})
        timeout = call_timeout(self.timeout, "the Salesforce write-back")
        answer = self._request(
            lambda sf: sf.restful("composite/sobjects", method="PATCH", data=data, timeout=timeout)
        )
        if not isinstance(answer, list):
            raise PermanentError(f"Salesforce answered a collection update with {shape_of(answer)}")
        errors = [e for result in answer if not result.get("success") for e in result["errors"]]
        real = [e for e in errors if e.get("statusCode") != ROLLED_BACK] or errors
        if not real:
            return
        code = str(real[0].get("statusCode", ""))
        text = f"Salesforce refused the write-back: {code}: " + vendor_message(
            str(real[0].get("message", ""))
        )
        raise RetryableError(text) if code in RETRYABLE_CODES else PermanentError(text)

    def _request(self, operation: Callable[[Salesforce], T]) -> T:
        def counted(sf: Salesforce) -> T:
            self.api_calls += 1
            return operation(sf)

        return call_translated(self.connection, counted)


def parse_opportunity(row: dict[str, Any], line_rows: list[dict[str, Any]]) -> OpportunityForSend:
    account_row = row.get("Account")
    account = None
    if account_row and row.get("AccountId"):
        account = AccountForSend(
            id=str(row["AccountId"]),
            name=str(account_row.get("Name") or ""),
            phone=account_row.get("Phone"),
            website=account_row.get("Website"),
            shipping=_address(account_row, "Shipping"),
            billing=_address(account_row, "Billing"),
            unleashed_customer_code=account_row.get("Unleashed_Customer_Code__c") or None,
            unleashed_customer_guid=account_row.get("Unleashed_Customer_Guid__c") or None,
        )
    return OpportunityForSend(
        id=str(row["Id"]),
        name=str(row.get("Name") or ""),
        stage=str(row.get("StageName") or ""),
        is_closed=bool(row.get("IsClosed")),
        is_won=bool(row.get("IsWon")),
        last_modified=datetime.strptime(str(row["LastModifiedDate"]), "%Y-%m-%dT%H:%M:%S.%f%z"),
        account=account,
        lines=tuple(_line(line) for line in line_rows),
        unleashed_order_guid=row.get("Unleashed_Order_Guid__c") or None,
        unleashed_order_number=row.get("Unleashed_Order_Number__c") or None,
        unleashed_order_status=row.get("Unleashed_Order_Status__c") or None,
    )


def _address(row: dict[str, Any], kind: str) -> Address:
    return Address(
        street=row.get(f"{kind}Street"),
        city=row.get(f"{kind}City"),
        region=row.get(f"{kind}State"),
        postal_code=row.get(f"{kind}PostalCode"),
        country=row.get(f"{kind}Country"),
    )


def _line(row: dict[str, Any]) -> SendLine:
    product = (row.get("PricebookEntry") or {}).get("Product2") or {}
    return SendLine(
        id=str(row["Id"]),
        product_name=str(product.get("Name") or "a product"),
        product_code=product.get("Unleashed_Product_Code__c") or None,
        quantity=_decimal(row.get("Quantity")),
        unit_price=_decimal(row.get("UnitPrice")),
        list_price=None if row.get("ListPrice") is None else _decimal(row.get("ListPrice")),
        discount_percent=None if row.get("Discount") is None else _decimal(row.get("Discount")),
        description=row.get("Description") or None,
    )


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)
