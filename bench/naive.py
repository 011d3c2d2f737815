"""The per-record flow a typical connector runs for one NetSuite order, for comparison only.

Every lookup and every record is its own REST call through simple-salesforce, as iPaaS
"flow" steps make them (one step per record, no composite, no cache between orders):

1. query the account by NetSuite id (and create it when missing);
2. query the price book entry of each distinct product of the order (the order's own lines
   share the answer: a fair connector does not ask twice for the same product);
3. query the opportunity by NetSuite id, then create or update it;
4. when the opportunity existed, query its lines; create or update each line.

So a new order of 10 lines over 8 products of a known customer costs
1 + 8 + 1 + 1 + 10 = 21 calls. The benchmark compares that with salesbridge's figure on
the same sandbox. Not production code: no retries, no error translation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from simple_salesforce import Salesforce, SFType
from simple_salesforce.format import format_soql

from shared.adapters.salesforce.connection import connection_from_secret

NETSUITE_ID = "NetSuite_Id__c"
ITEM_ID = "NetSuite_Item_Id__c"
LINE_KEY = "NetSuite_Line_Key__c"


@dataclass(frozen=True)
class NaiveLine:
    line: int
    item_id: str
    quantity: float
    rate: float


@dataclass(frozen=True)
class NaiveOrder:
    """What the flow needs of a NetSuite sales order (as the REST Record API renders it)."""

    order_id: str
    tran_id: str
    tran_date: str
    customer_id: str
    customer_name: str
    lines: tuple[NaiveLine, ...]

    @classmethod
    def from_netsuite(cls, order: dict[str, Any]) -> NaiveOrder:
        lines = tuple(
            NaiveLine(int(row["line"]), str(row["item"]["id"]), row["quantity"], row["rate"])
            for row in order["item"]["items"]
            if row.get("quantity")
        )
        entity = order["entity"]
        return cls(
            order_id=str(order["id"]),
            tran_id=str(order["tranId"]),
            tran_date=str(order["tranDate"])[:10],
            customer_id=str(entity["id"]),
            customer_name=str(entity.get("refName") or entity["id"]),
            lines=lines,
        )


def connect(secret: dict[str, Any], ca_bundle: str) -> Salesforce:
    """The same OAuth connection salesbridge's workers use (one token request)."""
    return connection_from_secret(secret, ca_bundle).client()


def sync_order(sf: Salesforce, order: NaiveOrder) -> str:
    """Write one order the per-record way; answers the opportunity id."""
    account_id = _account(sf, order)
    entries = {item: _price_book_entry(sf, item) for item in {x.item_id for x in order.lines}}
    opportunity_id, existed = _opportunity(sf, order, account_id, entries)
    existing = line_ids(sf, opportunity_id) if existed else {}
    for line in order.lines:
        key = f"{order.order_id}-{line.line}"
        fields = {"Quantity": line.quantity, "UnitPrice": line.rate}
        if key in existing:
            sobject(sf, "OpportunityLineItem").update(existing[key], fields)
        else:
            entry_id = entries[line.item_id]["Id"]
            sobject(sf, "OpportunityLineItem").create(
                {
                    **fields,
                    LINE_KEY: key,
                    "OpportunityId": opportunity_id,
                    "PricebookEntryId": entry_id,
                }
            )
    return opportunity_id


def sobject(sf: Salesforce, name: str) -> SFType:
    """`sf.Account` and friends, typed (simple-salesforce's attribute access is dynamic)."""
    return cast(SFType, getattr(sf, name))


def _account(sf: Salesforce, order: NaiveOrder) -> str:
    soql = format_soql("SELECT Id FROM Account WHERE NetSuite_Id__c = {}", order.customer_id)
    rows = sf.query(soql)["records"]
    if rows:
        return str(rows[0]["Id"])
    created = sobject(sf, "Account").create(
        {"Name": order.customer_name, NETSUITE_ID: order.customer_id}
    )
    return str(created["id"])


def _price_book_entry(sf: Salesforce, item_id: str) -> dict[str, Any]:
    soql = format_soql(
        "SELECT Id, Pricebook2Id FROM PricebookEntry "
        "WHERE Product2.NetSuite_Item_Id__c = {} AND Pricebook2.IsStandard = true",
        item_id,
    )
    rows = sf.query(soql)["records"]
    if not rows:
        raise LookupError(f"no standard price book entry for NetSuite item {item_id}")
    return dict(rows[0])


def _opportunity(
    sf: Salesforce, order: NaiveOrder, account_id: str, entries: dict[str, dict[str, Any]]
) -> tuple[str, bool]:
    soql = format_soql("SELECT Id FROM Opportunity WHERE NetSuite_Id__c = {}", order.order_id)
    rows = sf.query(soql)["records"]
    fields = {
        "Name": f"{order.customer_name} {order.tran_id}",
        "StageName": "Closed Won",
        "CloseDate": order.tran_date,
        "AccountId": account_id,
    }
    if rows:
        sobject(sf, "Opportunity").update(rows[0]["Id"], fields)
        return str(rows[0]["Id"]), True
    book = next(iter(entries.values()))["Pricebook2Id"] if entries else None
    created = sobject(sf, "Opportunity").create(
        {**fields, NETSUITE_ID: order.order_id, "Pricebook2Id": book}
    )
    return str(created["id"]), False


def line_ids(sf: Salesforce, opportunity_id: str) -> dict[str, str]:
    soql = format_soql(
        "SELECT Id, NetSuite_Line_Key__c FROM OpportunityLineItem WHERE OpportunityId = {}",
        opportunity_id,
    )
    return {str(r[LINE_KEY]): str(r["Id"]) for r in sf.query(soql)["records"] if r.get(LINE_KEY)}
