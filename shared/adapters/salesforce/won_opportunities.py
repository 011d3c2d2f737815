"""Closed Won opportunities for the NetSuite export: one query in, one write back.

    opportunity_for_export   GET /query  Opportunity + Account + (OpportunityLineItems with
                             PricebookEntry.Product2) in ONE SOQL statement
    won_not_exported_since   GET /query  won opportunities to export modified since a moment
                             (the export backstop), ONE SOQL statement (+ its pages)
    record_export            PATCH /composite/sobjects (sObject Collections update, allOrNone)
                             the opportunity's NetSuite_Id__c / NetSuite_Order_Number__c and
                             every line's NetSuite_Line_Key__c in ONE call

Errors are translated as in `shared.adapters.salesforce.errors`: 401 after a refresh,
429, 5xx, lock contention and timeouts are retryable; an exhausted daily budget is
`BudgetExhausted`; everything else is permanent. No simple-salesforce or requests exception
leaves this module. SOQL values are bound with `format_soql`.

Where the documentation is silent (choices made here):
- The child subquery returns at most 200 lines in its first batch (the SOQL guide's
  relationship query limits); more are read by following its `nextRecordsUrl`, each page a call.
- A collection update carries at most 200 records: an opportunity with more than 199 lines
  is written in several calls (the opportunity in the first, so it is never left half-done
  without its NetSuite id while lines already have keys).
- With `allOrNone: true` Salesforce answers 200 with per-record `success: false` when any
  record fails; the first real error decides (the others say ALL_OR_NONE_OPERATION_ROLLED_BACK).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from simple_salesforce.api import Salesforce
from simple_salesforce.format import format_soql

from shared.adapters.salesforce.connection import Connection, all_rows, next_page
from shared.adapters.salesforce.errors import RETRYABLE_CODES, call_translated
from shared.deadline import call_timeout
from shared.errors import (
    PermanentError,
    RetryableError,
)
from shared.flows.salesforce_orders_to_netsuite.models import (
    ExportableOpportunity,
    ExportRecord,
    OpportunityLine,
)
from shared.flows.salesforce_orders_to_netsuite.ports import WonOpportunity
from shared.observability import shape_of, vendor_message

T = TypeVar("T")

DEFAULT_TIMEOUT_SECONDS = 30.0
MAX_RECORDS_PER_COLLECTION = 200
ROLLED_BACK = "ALL_OR_NONE_OPERATION_ROLLED_BACK"

EXPORT_SOQL = (
    "SELECT Id, Name, IsWon, CloseDate, Description, Skip_Export_to_NetSuite__c, "
    "NetSuite_Id__c, AccountId, Account.Name, Account.NetSuite_Id__c, "
    "(SELECT Id, Quantity, UnitPrice, Discount, Description, NetSuite_Line_Key__c, "
    "PricebookEntry.Product2.Name, PricebookEntry.Product2.NetSuite_Item_Id__c "
    "FROM OpportunityLineItems ORDER BY SortOrder, CreatedDate) "
    "FROM Opportunity WHERE Id = {}"
)
WON_NOT_EXPORTED_SOQL = (
    "SELECT Id, LastModifiedDate FROM Opportunity "
    "WHERE IsWon = true AND Skip_Export_to_NetSuite__c = false AND NetSuite_Id__c = null "
    "AND LastModifiedDate >= {} ORDER BY LastModifiedDate"
)


class WonOpportunities:
    """The export's `OpportunitySource` over one Salesforce org (see the module docstring).

    `api_calls` counts the HTTP requests made (tests and benchmarks read it).
    """

    def __init__(self, connection: Connection, *, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self.connection = connection
        self.timeout = timeout
        self.api_calls = 0

    def opportunity_for_export(self, opportunity_id: str) -> ExportableOpportunity | None:
        soql = format_soql(EXPORT_SOQL, opportunity_id)
        timeout = call_timeout(self.timeout, "a Salesforce query")
        page = self._request(lambda sf: sf.query(soql, timeout=timeout))
        records = page.get("records") or []
        if not records:
            return None
        row = records[0]
        return parse_opportunity(row, self._child_rows(row.get("OpportunityLineItems")))

    def won_not_exported_since(self, since: datetime) -> list[WonOpportunity]:
        moment = (since if since.tzinfo else since.replace(tzinfo=UTC)).astimezone(UTC)
        soql = format_soql(WON_NOT_EXPORTED_SOQL, moment.replace(microsecond=0))
        timeout = call_timeout(self.timeout, "a Salesforce query")
        page = self._request(lambda sf: sf.query(soql, timeout=timeout))
        rows = list(page.get("records") or [])
        while not page.get("done", True) and page.get("nextRecordsUrl"):
            page = self._request(self._next_page(page["nextRecordsUrl"]))
            rows.extend(page.get("records") or [])
        return [
            WonOpportunity(str(row["Id"]), _salesforce_datetime(str(row["LastModifiedDate"])))
            for row in rows
        ]

    def record_export(self, record: ExportRecord) -> None:
        records: list[dict[str, Any]] = [
            {
                "attributes": {"type": "Opportunity"},
                "id": record.opportunity_id,
                "NetSuite_Id__c": record.netsuite_id,
                "NetSuite_Order_Number__c": record.order_number,
            },
            *(
                {
                    "attributes": {"type": "OpportunityLineItem"},
                    "id": line_id,
                    "NetSuite_Line_Key__c": key,
                }
                for line_id, key in record.line_keys.items()
            ),
        ]
        for start in range(0, len(records), MAX_RECORDS_PER_COLLECTION):
            self._update(records[start : start + MAX_RECORDS_PER_COLLECTION])

    # -- calls ----------------------------------------------------------------------------------

    def _child_rows(self, child: dict[str, Any] | None) -> list[dict[str, Any]]:
        return all_rows(child, lambda url: self._request(self._next_page(url)))

    def _next_page(self, url: str) -> Callable[[Salesforce], Any]:
        return next_page(url, call_timeout(self.timeout, "a Salesforce query"))

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
        fields = ", ".join(real[0].get("fields") or [])
        text = f"Salesforce refused the write-back: {code}{f' ({fields})' if fields else ''}: "
        text += vendor_message(str(real[0].get("message", "")))
        raise RetryableError(text) if code in RETRYABLE_CODES else PermanentError(text)

    def _request(self, operation: Callable[[Salesforce], T]) -> T:
        """One HTTP call through the connection, counted, with every failure translated."""

        def counted(sf: Salesforce) -> T:
            self.api_calls += 1
            return operation(sf)

        return call_translated(self.connection, counted)


# -- parsing -----------------------------------------------------------------------------------


def parse_opportunity(
    row: dict[str, Any], line_rows: list[dict[str, Any]]
) -> ExportableOpportunity:
    account = row.get("Account") or {}
    return ExportableOpportunity(
        id=str(row["Id"]),
        name=str(row.get("Name") or ""),
        is_won=bool(row.get("IsWon")),
        skip_export=bool(row.get("Skip_Export_to_NetSuite__c")),
        netsuite_id=row.get("NetSuite_Id__c") or None,
        close_date=row.get("CloseDate"),
        description=row.get("Description") or None,
        account_id=row.get("AccountId"),
        account_name=account.get("Name"),
        account_netsuite_id=account.get("NetSuite_Id__c") or None,
        lines=tuple(parse_line(line) for line in line_rows),
    )


def parse_line(row: dict[str, Any]) -> OpportunityLine:
    product = (row.get("PricebookEntry") or {}).get("Product2") or {}
    discount = row.get("Discount")
    return OpportunityLine(
        id=str(row["Id"]),
        quantity=_decimal(row.get("Quantity")),
        unit_price=_decimal(row.get("UnitPrice")),
        discount_percent=None if discount is None else _decimal(discount),
        description=row.get("Description") or None,
        product_name=product.get("Name"),
        netsuite_item_id=product.get("NetSuite_Item_Id__c") or None,
        line_key=row.get("NetSuite_Line_Key__c") or None,
    )


def _decimal(value: Any) -> Decimal:
    # Through str: JSON numbers arrive as floats, and 0.1 must stay 0.1.
    return Decimal(str(value)) if value is not None else Decimal(0)


def _salesforce_datetime(value: str) -> datetime:
    """Salesforce writes datetimes as 2026-11-22T09:41:07.000+0000."""
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")
