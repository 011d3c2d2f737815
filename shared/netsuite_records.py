"""NetSuite records as salesbridge reads them from the REST Record API.

The adapter (`shared.adapters.netsuite.client`) turns REST JSON into these models; the domain never
sees the wire. Only the fields salesbridge uses are modelled; the rest is ignored, so a new
NetSuite field never breaks a sync. Custom body fields keep their NetSuite script ids.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

# Custom body fields salesbridge deploys on the sales order (see netsuite/ SDF project).
OPPORTUNITY_ID_FIELD = "custbody_sb_sf_opportunity_id"
SEND_TO_SALESFORCE_FIELD = "custbody_sb_send_to_salesforce"
ORIGIN_FIELD = "custbody_sb_origin"
SYNC_STATUS_FIELD = "custbody_sb_sync_status"
ORIGIN_SALESFORCE = "Salesforce"


class Ref(BaseModel):
    """A NetSuite reference: `{"id": "...", "refName": "..."}`."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    id: str
    name: str | None = Field(None, alias="refName")


class SalesOrderLine(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    line: int
    item: Ref
    # InvtPart, NonInvtPart, Service, OthCharge, Discount, Subtotal, Description, ...
    item_type: str = Field(alias="itemType")
    quantity: Decimal | None = None
    rate: Decimal | None = None  # for a percentage discount line: the percentage (e.g. -10)
    amount: Decimal | None = None
    description: str | None = None
    price_level: Ref | None = Field(None, alias="price")


class SalesOrder(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    id: str
    tran_id: str | None = Field(None, alias="tranId")  # the order number, e.g. SO1001
    entity: Ref  # the customer
    tran_date: str | None = Field(None, alias="tranDate")  # YYYY-MM-DD
    status: Ref | None = None  # e.g. {"id": "Pending Fulfillment", ...}
    order_status: Ref | None = Field(None, alias="orderStatus")  # letter A..H
    currency: Ref | None = None
    memo: str | None = None
    other_ref_num: str | None = Field(None, alias="otherRefNum")  # the customer's PO
    subtotal: Decimal | None = None
    discount_total: Decimal | None = Field(None, alias="discountTotal")
    discount_item: Ref | None = Field(None, alias="discountItem")
    discount_rate: Decimal | None = Field(None, alias="discountRate")  # header discount
    total: Decimal | None = None
    external_id: str | None = Field(None, alias="externalId")
    last_modified: datetime = Field(alias="lastModifiedDate")
    lines: tuple[SalesOrderLine, ...] = ()
    custom: dict[str, object] = Field(
        default_factory=dict, description="custbody_* fields, by script id"
    )

    @property
    def version(self) -> str:
        """The order's version: lastModifiedDate in UTC to the second (as webhooks carry)."""
        return self.last_modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Address(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    street: str | None = Field(None, alias="addr1")
    street2: str | None = Field(None, alias="addr2")
    city: str | None = None
    state: str | None = None
    postcode: str | None = Field(None, alias="zip")
    country: str | None = None


class Customer(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    id: str
    entity_id: str | None = Field(None, alias="entityId")
    company_name: str | None = Field(None, alias="companyName")
    email: str | None = None
    phone: str | None = None
    url: str | None = None
    is_inactive: bool = Field(False, alias="isInactive")
    sales_rep: Ref | None = Field(None, alias="salesRep")
    billing_address: Address | None = None
    shipping_address: Address | None = None
    last_modified: datetime | None = Field(None, alias="lastModifiedDate")


class DeletedRecord(BaseModel):
    """One entry of NetSuite's deletion log (SuiteQL's `DeletedRecord` table)."""

    model_config = ConfigDict(frozen=True)

    record_id: str
    deleted_at: datetime

    @property
    def version(self) -> str:
        """The moment of deletion as webhooks carry versions (UTC, to the second)."""
        return self.deleted_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
