"""Intacct sales documents as salesbridge's Salesforce records (the `SalesforceDocuments` port).

    opportunity_for_document  GET /query  the opportunity, its account, its product lines and
                              the sales documents already linked to it, in ONE SOQL statement
    record_customer_id        PATCH /sobjects/Account/<id>  (a customer created in Intacct)
    mark_deleted              GET /query (documents by Intacct_Record_No__c, not yet marked),
                              PATCH /composite/sobjects (State__c = Deleted in Intacct)
    post_documents            POST /composite/graph: ONE graph per document (all-or-nothing),
                              as many graphs per call as Salesforce allows (75 graphs, 500
                              nodes), counted as ONE API request. Nodes of a document's graph:

        doc        PATCH /sobjects/Intacct_Sales_Document__c/Intacct_Key__c/<DOCID>
                   (Account__r by Intacct_Customer_Id__c; Opportunity__c when known)
        line<i>    PATCH /sobjects/Intacct_Sales_Document_Line__c/Line_Key__c/<key>
                   Sales_Document__c @{doc.id} (the master-detail is reparentable, so an
                   update that names the same parent is accepted)
        pay<i>     PATCH /sobjects/Intacct_Payment__c/Intacct_Key__c/<payment:document>
        balance    PATCH /sobjects/Account/Intacct_Customer_Id__c/<id>  Intacct_Open_Balance__c
                   (the Account the document names: it exists, or the graph failed already)

Every record is written with `Read_Only__c` = true: the validation rule shipped with the
objects refuses users' edits and lets the integration user (the custom permission
Salesbridge_Integration_Writes) through.

Errors are translated as in `shared.adapters.salesforce.errors`. A graph that fails gives its
document the first real error; the others are written.

Where the documentation is silent (choices made here):
- An Account is found by its Intacct customer id (an external id): a document whose customer
  has no Account fails on its own with Salesforce's error, and is retried by the next poll.
- Line keys are the Intacct line record numbers, prefixed by the document key's record number
  so that keys stay unique across documents ("<RECORDNO>-<line RECORDNO>").
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from simple_salesforce.format import format_soql

from shared.adapters.salesforce.connection import Connection
from shared.adapters.salesforce.errors import call_translated
from shared.deadline import call_timeout
from shared.flows.intacct_documents.models import (
    OpportunityForDocument,
    ProductLine,
    SalesDocumentRecord,
)

DEFAULT_TIMEOUT_SECONDS = 30.0
MAX_GRAPHS_PER_CALL = 75
MAX_NODES_PER_CALL = 500

OPPORTUNITY_SOQL = (
    "SELECT Id, Name, CloseDate, AccountId, Account.Name, Account.Intacct_Customer_Id__c, "
    "(SELECT Id, Quantity, UnitPrice, TotalPrice, Description, PricebookEntry.Product2.Name, "
    "PricebookEntry.Product2.Intacct_Item_Id__c FROM OpportunityLineItems ORDER BY SortOrder), "
    "(SELECT Document_Type__c, Intacct_Key__c FROM Intacct_Sales_Documents__r) "
    "FROM Opportunity WHERE Id = {}"
)


def _wire(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def document_graph(record: SalesDocumentRecord, graph_id: str, api: str) -> dict[str, Any]:
    def upsert(
        ref: str, sobject: str, field: str, key: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "method": "PATCH",
            "url": f"{api}/sobjects/{sobject}/{field}/{quote(key, safe='')}",
            "referenceId": ref,
            "body": {name: _wire(value) for name, value in body.items()},
        }

    account = {"Intacct_Customer_Id__c": record.customer_id}
    header: dict[str, Any] = {**record.fields, "Read_Only__c": True, "Account__r": account}
    if record.opportunity_id:
        header["Opportunity__c"] = record.opportunity_id
    nodes = [upsert("doc", "Intacct_Sales_Document__c", "Intacct_Key__c", record.key, header)]
    for index, (key, fields) in enumerate(record.lines or ()):
        body = {**fields, "Sales_Document__c": "@{doc.id}"}
        nodes.append(
            upsert(f"line{index}", "Intacct_Sales_Document_Line__c", "Line_Key__c", key, body)
        )
    for index, (key, fields) in enumerate(record.payments):
        body = {**fields, "Sales_Document__c": "@{doc.id}", "Account__r": account}
        nodes.append(upsert(f"pay{index}", "Intacct_Payment__c", "Intacct_Key__c", key, body))
    if record.account_open_balance is not None:
        nodes.append(
            {
                "method": "PATCH",
                "url": f"{api}/sobjects/Account/Intacct_Customer_Id__c/"
                + quote(record.customer_id, safe=""),
                "referenceId": "balance",
                "body": {"Intacct_Open_Balance__c": _wire(record.account_open_balance)},
            }
        )
    return {"graphId": graph_id, "compositeRequest": nodes}


class SalesDocuments:
    def __init__(self, connection: Connection, *, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self.connection = connection
        self.timeout = timeout
        self.api = f"/services/data/v{connection.credentials.api_version}"

    def opportunity_for_document(self, opportunity_id: str) -> OpportunityForDocument | None:
        soql = format_soql(OPPORTUNITY_SOQL, opportunity_id)
        timeout = call_timeout(self.timeout, "a Salesforce query")
        answer = call_translated(self.connection, lambda sf: sf.query(soql, timeout=timeout))
        records = answer.get("records") or []
        if not records:
            return None
        row = records[0]
        account = row.get("Account") or {}
        lines = []
        for line in (row.get("OpportunityLineItems") or {}).get("records", []):
            product = ((line.get("PricebookEntry") or {}).get("Product2")) or {}
            quantity = Decimal(str(line.get("Quantity") or 0))
            total = Decimal(str(line.get("TotalPrice") or 0))
            unit = (total / quantity).quantize(Decimal("0.0001")) if quantity else Decimal(0)
            lines.append(
                ProductLine(
                    id=line["Id"],
                    product_name=product.get("Name") or "",
                    intacct_item_id=product.get("Intacct_Item_Id__c"),
                    quantity=quantity,
                    unit_price=unit.normalize() if unit == unit.to_integral() else unit,
                    description=line.get("Description") or "",
                )
            )
        documents = tuple(
            (d.get("Document_Type__c") or "", d.get("Intacct_Key__c") or "")
            for d in (row.get("Intacct_Sales_Documents__r") or {}).get("records", [])
        )
        close = row.get("CloseDate")
        return OpportunityForDocument(
            id=row["Id"],
            name=row.get("Name") or "",
            account_id=row.get("AccountId"),
            account_name=account.get("Name") or "",
            intacct_customer_id=account.get("Intacct_Customer_Id__c"),
            close_date=date.fromisoformat(close) if close else None,
            lines=tuple(lines),
            documents=documents,
        )

    def record_customer_id(self, account_id: str, customer_id: str) -> None:
        timeout = call_timeout(self.timeout, "a Salesforce update")
        call_translated(
            self.connection,
            lambda sf: sf.restful(
                f"sobjects/Account/{account_id}",
                method="PATCH",
                data=json.dumps({"Intacct_Customer_Id__c": customer_id}),
                timeout=timeout,
            ),
        )

    def post_documents(self, records: Sequence[SalesDocumentRecord]) -> dict[str, str | None]:
        graphs = [document_graph(r, f"g{i}", self.api) for i, r in enumerate(records)]
        by_graph = {f"g{i}": r.key for i, r in enumerate(records)}
        outcome: dict[str, str | None] = {}
        for payload in _pack(graphs):
            answer = self._post_graphs(payload)
            for graph in answer.get("graphs", []):
                key = by_graph.get(graph.get("graphId", ""))
                if key is not None:
                    outcome[key] = None if graph.get("isSuccessful") else _first_failure(graph)
        for key in by_graph.values():
            outcome.setdefault(key, "Salesforce did not answer this document's graph")
        return outcome

    def mark_deleted(self, recordnos: Sequence[int], state: str) -> list[str]:
        """One query for the records not yet marked, one collections update per 200 of them
        (nothing at all when none is in Salesforce)."""
        found: list[dict[str, Any]] = []
        for start in range(0, len(recordnos), 200):
            chunk = [str(n) for n in recordnos[start : start + 200]]
            soql = format_soql(
                "SELECT Id, Intacct_Key__c FROM Intacct_Sales_Document__c "
                "WHERE Intacct_Record_No__c IN {} AND State__c != {}",
                chunk,
                state,
            )
            answer = self._query_all(soql)
            found += answer.get("records") or []
        marked: list[str] = []
        for start in range(0, len(found), 200):
            rows = found[start : start + 200]
            body = {
                "allOrNone": False,
                "records": [
                    {
                        "attributes": {"type": "Intacct_Sales_Document__c"},
                        "id": row["Id"],
                        "State__c": state,
                    }
                    for row in rows
                ],
            }
            results = self._update_collection(body)
            marked += [
                row.get("Intacct_Key__c") or row["Id"]
                for row, result in zip(rows, results or [], strict=False)
                if isinstance(result, dict) and result.get("success")
            ]
        return marked

    def _query_all(self, soql: str) -> dict[str, Any]:
        timeout = call_timeout(self.timeout, "a Salesforce query")
        return dict(
            call_translated(self.connection, lambda sf: sf.query_all(soql, timeout=timeout))
        )

    def _update_collection(self, body: dict[str, Any]) -> list[Any]:
        timeout = call_timeout(self.timeout, "a Salesforce collections update")
        data = json.dumps(body)

        def update(sf: Any) -> list[Any]:
            answer = sf.restful("composite/sobjects", method="PATCH", data=data, timeout=timeout)
            return list(answer or [])

        return call_translated(self.connection, update)

    def _post_graphs(self, payload: list[dict[str, Any]]) -> dict[str, Any]:
        timeout = call_timeout(self.timeout, "a Salesforce composite graph")
        data = json.dumps({"graphs": payload})

        def post(sf: Any) -> dict[str, Any]:
            return dict(sf.restful("composite/graph", method="POST", data=data, timeout=timeout))

        return call_translated(self.connection, post)


def _pack(graphs: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    payloads: list[list[dict[str, Any]]] = []
    sizes: list[int] = []
    for graph in graphs:
        size = len(graph["compositeRequest"])
        for index, payload in enumerate(payloads):
            if sizes[index] + size <= MAX_NODES_PER_CALL and len(payload) < MAX_GRAPHS_PER_CALL:
                payload.append(graph)
                sizes[index] += size
                break
        else:
            payloads.append([graph])
            sizes.append(size)
    return payloads


def _first_failure(graph: dict[str, Any]) -> str:
    nodes = (graph.get("graphResponse") or {}).get("compositeResponse", [])
    for node in nodes:
        body = node.get("body")
        errors = body if isinstance(body, list) else []
        for error in errors:
            if isinstance(error, dict) and error.get("errorCode") != "PROCESSING_HALTED":
                return (
                    f"{node.get('referenceId')}: {error.get('errorCode')}: {error.get('message')}"
                )
    return "the graph failed"
