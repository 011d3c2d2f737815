"""What this flow needs of the outside world: won opportunities from Salesforce (read, and
the export recorded back on them) and sales orders in NetSuite. Adapters implement them;
unit tests use fakes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from shared.flows.salesforce_orders_to_netsuite.models import ExportableOpportunity, ExportRecord
from shared.netsuite_records import SalesOrder


class OpportunitySource(Protocol):
    def opportunity_for_export(self, opportunity_id: str) -> ExportableOpportunity | None: ...
    def record_export(self, record: ExportRecord) -> None: ...


class OrderTarget(Protocol):
    def upsert_sales_order(self, external_id: str, body: dict[str, Any]) -> str: ...
    def sales_order(self, order_id: str) -> SalesOrder | None: ...


@dataclass(frozen=True)
class WonOpportunity:
    id: str
    last_modified: datetime


class WonOpportunities(Protocol):
    def won_not_exported_since(self, since: datetime) -> list[WonOpportunity]: ...
