"""Sage Intacct's Order Entry and AR as this flow's `IntacctBooks`, over the XML gateway.

    has_customer        readByQuery CUSTOMER  CUSTOMERID = '<id>'                  1 request
    create_customer     create CUSTOMER (uniqueid, control id from the customer id) 1 request
    create_document     create_sotransaction (uniqueid, the caller's control id)    1 request
                        a repeated control id: readByQuery SODOCUMENT by PONUMBER   +1
    document            readByQuery SODOCUMENT + readByQuery SODOCUMENTENTRY        1 request
    changed_documents   readByQuery SODOCUMENT WHENMODIFIED >= since (+ readMore)   1 (+pages)
    changed_many        the same for several types, each a function of ONE request   1 (+pages)
    changes             changed_many + payment details + AUDITHISTORY deletions     1 (+pages)
    lines_of            readByQuery SODOCUMENTENTRY DOCHDRID IN (...) (+ readMore)   1 (+pages)
    payments_of         readByQuery ARPYMTDETAIL RECORDKEY IN (...), then ARPYMT     2 (+pages)
    customer_balances   readByQuery CUSTOMER CUSTOMERID IN (...): TOTALDUE           1 (+pages)
    payments_changed    readByQuery ARPYMTDETAIL of ARPYMT modified since            see there

Where the documentation is silent (choices made here):
- Timestamps in queries and answers are read as UTC (mm/dd/yyyy hh:mm:ss).
- The reference number (`referenceno`, PONUMBER) of a document made from Salesforce holds the
  control id that created it, so a create whose answer was lost and is refused as a repeated
  control id finds the document it made.
- IN lists are sent 200 values at a time (a query is a string in the request).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree.ElementTree import Element, SubElement

import httpx

from shared.adapters.intacct.gateway import (
    DuplicateControlId,
    Function,
    Gateway,
    IntacctCredentials,
    Result,
)
from shared.errors import ConfigurationError, RetryableError
from shared.flows.intacct_documents.models import (
    Changes,
    DocumentLine,
    IntacctDocument,
    NewDocument,
    Payment,
)

PAGE_SIZE = 1000  # readByQuery's maximum
MAX_IN_VALUES = 200
HEADER_FIELDS = (
    "RECORDNO", "DOCID", "DOCPARID", "DOCNO", "STATE", "CUSTVENDID", "WHENCREATED", "WHENDUE",
    "WHENMODIFIED", "TOTAL", "TOTALPAID", "TOTALDUE", "PONUMBER", "PRRECORDKEY",
)  # fmt: skip
LINE_FIELDS = (
    "RECORDNO", "DOCHDRID", "LINE_NO", "ITEMID", "ITEMDESC", "QUANTITY", "PRICE", "TOTAL",
)  # fmt: skip


def quoted(value: str) -> str:
    """A readByQuery string literal: single quotes escaped with backslashes (Intacct's docs)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%m/%d/%Y %H:%M:%S")


def _element(tag: str, **children: str) -> Element:
    element = Element(tag)
    for name, value in children.items():
        SubElement(element, name).text = value
    return element


def read_by_query(
    object_name: str, fields: Sequence[str], query: str, page_size: int = PAGE_SIZE, **extra: str
) -> Element:
    return _element(
        "readByQuery",
        object=object_name,
        fields=",".join(dict.fromkeys(fields)),
        query=query,
        pagesize=str(page_size),
        **extra,
    )


class IntacctClient:
    def __init__(self, gateway: Gateway, *, page_size: int = PAGE_SIZE) -> None:
        self.gateway = gateway
        self.page_size = page_size

    @property
    def requests(self) -> int:
        return self.gateway.requests

    # -- customers ---------------------------------------------------------------------------

    def has_customer(self, customer_id: str) -> bool:
        query = f"CUSTOMERID = {quoted(customer_id)}"
        rows = self._records(self._query("CUSTOMER", ["RECORDNO"], query), "customer")
        return bool(rows)

    def create_customer(self, customer_id: str, name: str) -> None:
        customer = Element("CUSTOMER")
        SubElement(customer, "CUSTOMERID").text = customer_id
        SubElement(customer, "NAME").text = name
        SubElement(SubElement(customer, "DISPLAYCONTACT"), "PRINTAS").text = name
        create = Element("create")
        create.append(customer)
        try:
            self.gateway.run(
                [Function("customer", create)], control_id=f"customer-{customer_id}", unique=True
            )
        except DuplicateControlId:
            return  # made by an earlier attempt whose answer was lost

    # -- sales documents ---------------------------------------------------------------------

    def create_document(self, control_id: str, document: NewDocument) -> str:
        element = Element("create_sotransaction")
        SubElement(element, "transactiontype").text = document.transaction_type
        created = SubElement(element, "datecreated")
        for tag, value in (
            ("year", f"{document.created.year:04d}"),
            ("month", f"{document.created.month:02d}"),
            ("day", f"{document.created.day:02d}"),
        ):
            SubElement(created, tag).text = value
        SubElement(element, "customerid").text = document.customer_id
        SubElement(element, "referenceno").text = document.reference
        items = SubElement(element, "sotransitems")
        for line in document.lines:
            item = SubElement(items, "sotransitem")
            SubElement(item, "itemid").text = line.item_id
            SubElement(item, "quantity").text = str(line.quantity)
            SubElement(item, "price").text = str(line.price)
            if line.memo:
                SubElement(item, "memo").text = line.memo[:1000]
        try:
            [result] = self.gateway.run(
                [Function("create", element)], control_id=control_id, unique=True
            )
        except DuplicateControlId:
            return self._made_by(control_id, document)
        key = result.key()
        if not key:
            raise RetryableError("Intacct created the document but answered no key")
        return key

    def _made_by(self, control_id: str, document: NewDocument) -> str:
        query = f"PONUMBER = {quoted(document.reference)}"
        rows = self._records(
            self._query("SODOCUMENT", ["DOCID"], query, docparid=document.transaction_type),
            "sodocument",
        )
        if not rows:
            raise ConfigurationError(
                f"Intacct ran control id {control_id} before, but no {document.transaction_type} "
                f"has the reference {document.reference}: was it edited or deleted in Intacct?"
            )
        return rows[0]["DOCID"]

    def document(
        self, key: str, *, header_fields: Sequence[str], detail_fields: Sequence[str]
    ) -> IntacctDocument | None:
        header = self._query(
            "SODOCUMENT", [*HEADER_FIELDS, *header_fields], f"DOCID = {quoted(key)}"
        )
        lines = self._query(
            "SODOCUMENTENTRY", [*LINE_FIELDS, *detail_fields], f"DOCHDRID = {quoted(key)}"
        )
        results = self.gateway.run(
            [Function("header", header), Function("lines", lines)], control_id=f"read-{key}"
        )
        headers = list(self._pages(results[0], "sodocument"))
        if not headers:
            return None
        found = [
            parse_line(row, detail_fields) for row in self._pages(results[1], "sodocumententry")
        ]
        return parse_document(headers[0], header_fields, lines=found)

    def changed_documents(
        self, transaction_type: str, since: datetime, header_fields: Sequence[str]
    ) -> list[IntacctDocument]:
        return self.changed_many({transaction_type: header_fields}, since)[transaction_type]

    def changed_many(
        self, types: dict[str, Sequence[str]], since: datetime
    ) -> dict[str, list[IntacctDocument]]:
        """Each type's documents modified at or after `since`: ONE request (one function per
        type, each with its own result set), then readMore for the types with more pages."""
        if not types:
            return {}
        query = f"WHENMODIFIED >= {quoted(timestamp(since))}"
        functions = [
            Function(
                f"type{index}",
                self._query(
                    "SODOCUMENT", [*HEADER_FIELDS, *fields], query, docparid=transaction_type
                ),
            )
            for index, (transaction_type, fields) in enumerate(types.items())
        ]
        results = self.gateway.run(functions, control_id=f"changed-{timestamp(since)}")
        return {
            transaction_type: [
                parse_document(row, fields) for row in self._pages(result, "sodocument")
            ]
            for (transaction_type, fields), result in zip(types.items(), results, strict=True)
        }

    def changes(
        self,
        types: dict[str, Sequence[str]],
        since: datetime,
        *,
        paid_since: datetime | None = None,
        deleted_since: datetime | None = None,
    ) -> Changes:
        """Everything a poll reads, in ONE request (a function per question, each with its own
        result set), then readMore for the answers with more pages:

        - per type, the documents modified since `since` (SODOCUMENT by DOCPARID);
        - the payment details modified since `paid_since` (payments do not move an invoice's
          WHENMODIFIED);
        - the sales documents deleted since `deleted_since`: a deleted record can no longer be
          read, so its deletion is found in the audit trail, AUDITHISTORY with ACCESSMODE
          'Deleted' (developer.intacct.com/api/company-console/audit-trails/)."""
        query = f"WHENMODIFIED >= {quoted(timestamp(since))}"
        functions = [
            Function(
                f"type{index}",
                self._query(
                    "SODOCUMENT", [*HEADER_FIELDS, *fields], query, docparid=transaction_type
                ),
            )
            for index, (transaction_type, fields) in enumerate(types.items())
        ]
        if paid_since is not None:
            paid_query = f"WHENMODIFIED >= {quoted(timestamp(paid_since))}"
            fields = ["RECORDNO", "RECORDKEY", "WHENMODIFIED"]
            functions.append(Function("paid", self._query("ARPYMTDETAIL", fields, paid_query)))
        if deleted_since is not None:
            deleted_query = (
                "OBJECTTYPE = 'sodocument' AND ACCESSMODE IN ('Deleted', 'Delete Event') "
                f"AND ACCESSTIME >= {quoted(timestamp(deleted_since))}"
            )
            fields = ["OBJECTKEY", "ACCESSTIME"]
            functions.append(
                Function("deleted", self._query("AUDITHISTORY", fields, deleted_query))
            )
        if not functions:
            return Changes(documents={})
        results = iter(self.gateway.run(functions, control_id=f"changes-{timestamp(since)}"))
        documents = {
            transaction_type: [
                parse_document(row, fields) for row in self._pages(next(results), "sodocument")
            ]
            for transaction_type, fields in types.items()
        }
        paid = []
        if paid_since is not None:
            paid = [
                (f"{row['RECORDNO']}@{row.get('WHENMODIFIED', '')}", int(row["RECORDKEY"]))
                for row in self._pages(next(results), "arpymtdetail")
                if row.get("RECORDKEY")
            ]
        deleted = []
        if deleted_since is not None:
            deleted = [
                (int(row["OBJECTKEY"]), _timestamp(row.get("ACCESSTIME", "")))
                for row in self._pages(next(results), "audithistory")
                if row.get("OBJECTKEY", "").isdigit()
            ]
        return Changes(documents=documents, paid=paid, deleted=deleted)

    def lines_of(
        self, keys: Sequence[str], detail_fields: Sequence[str]
    ) -> dict[str, list[DocumentLine]]:
        found: dict[str, list[DocumentLine]] = {key: [] for key in keys}
        for chunk in _chunks(list(keys)):
            query = f"DOCHDRID IN ({', '.join(quoted(k) for k in chunk)})"
            element = self._query("SODOCUMENTENTRY", [*LINE_FIELDS, *detail_fields], query)
            for row in self._records(element, "sodocumententry"):
                found.setdefault(row["DOCHDRID"], []).append(parse_line(row, detail_fields))
        return found

    def customer_balances(self, customer_ids: Sequence[str]) -> dict[str, Decimal]:
        """Each customer's open AR balance: CUSTOMER.TOTALDUE (the field Intacct's customer
        query example selects, developer.intacct.com/api/accounts-receivable/customers/)."""
        balances: dict[str, Decimal] = {}
        for chunk in _chunks(sorted(set(customer_ids))):
            query = f"CUSTOMERID IN ({', '.join(quoted(c) for c in chunk)})"
            element = self._query("CUSTOMER", ["CUSTOMERID", "TOTALDUE"], query)
            for row in self._records(element, "customer"):
                balances[row["CUSTOMERID"]] = _decimal(row.get("TOTALDUE", ""))
        return balances

    # -- payments ----------------------------------------------------------------------------

    def payments_of(self, ar_recordnos: Sequence[int]) -> dict[int, list[Payment]]:
        details: list[dict[str, str]] = []
        for chunk in _chunks([str(n) for n in ar_recordnos]):
            query = f"RECORDKEY IN ({', '.join(chunk)})"
            details += self._records(
                self._query(
                    "ARPYMTDETAIL", ["PAYMENTKEY", "RECORDKEY", "TRX_PAYMENTAMOUNT"], query
                ),
                "arpymtdetail",
            )
        payments = self._payment_headers({row["PAYMENTKEY"] for row in details})
        applied: dict[int, list[Payment]] = {n: [] for n in ar_recordnos}
        for row in details:
            header = payments.get(row["PAYMENTKEY"], {})
            applied.setdefault(int(row["RECORDKEY"]), []).append(
                Payment(
                    key=row["PAYMENTKEY"],
                    paid_on=_date(header.get("WHENPAID", "")),
                    amount=_decimal(row.get("TRX_PAYMENTAMOUNT", "")),
                    method=header.get("PAYMENTMETHOD", ""),
                    reference=header.get("DOCNUMBER", ""),
                )
            )
        return applied

    def invoices_paid_since(self, since: datetime) -> list[tuple[str, int]]:
        """(payment detail version, AR invoice record number) of the payment details modified
        since `since` (payments do not move an invoice's WHENMODIFIED)."""
        query = f"WHENMODIFIED >= {quoted(timestamp(since))}"
        fields = ["RECORDNO", "RECORDKEY", "WHENMODIFIED"]
        rows = self._records(self._query("ARPYMTDETAIL", fields, query), "arpymtdetail")
        return [
            (f"{row['RECORDNO']}@{row.get('WHENMODIFIED', '')}", int(row["RECORDKEY"]))
            for row in rows
            if row.get("RECORDKEY")
        ]

    def documents_of_invoices(
        self, ar_recordnos: Sequence[int], header_fields: Sequence[str]
    ) -> list[IntacctDocument]:
        found: list[IntacctDocument] = []
        for chunk in _chunks([str(n) for n in ar_recordnos]):
            query = f"PRRECORDKEY IN ({', '.join(chunk)})"
            element = self._query("SODOCUMENT", [*HEADER_FIELDS, *header_fields], query)
            found += [
                parse_document(r, header_fields) for r in self._records(element, "sodocument")
            ]
        return found

    def _payment_headers(self, keys: set[str]) -> dict[str, dict[str, str]]:
        headers: dict[str, dict[str, str]] = {}
        for chunk in _chunks(sorted(keys)):
            query = f"RECORDNO IN ({', '.join(chunk)})"
            fields = ["RECORDNO", "WHENPAID", "PAYMENTMETHOD", "DOCNUMBER"]
            for row in self._records(self._query("ARPYMT", fields, query), "arpymt"):
                headers[row["RECORDNO"]] = row
        return headers

    # -- reading -----------------------------------------------------------------------------

    def _query(self, object_name: str, fields: Sequence[str], query: str, **extra: str) -> Element:
        return read_by_query(object_name, fields, query, self.page_size, **extra)

    def _records(self, element: Element, tag: str) -> list[dict[str, str]]:
        [result] = self.gateway.run([Function("read", element)], control_id=f"read-{tag}")
        return list(self._pages(result, tag))

    def _pages(self, result: Result, tag: str) -> Iterator[dict[str, str]]:
        """Every record of a readByQuery result, following readMore while numremaining > 0."""
        data = result.data
        while data is not None:
            for record in data.findall(tag):
                yield {child.tag: (child.text or "").strip() for child in record}
            remaining = int(data.get("numremaining") or "0")
            result_id = data.get("resultId") or ""
            if remaining <= 0 or not result_id:
                return
            more = _element("readMore", resultId=result_id)
            [page] = self.gateway.run([Function("more", more)], control_id=f"more-{result_id}")
            data = page.data


def parse_document(
    row: dict[str, str], header_fields: Sequence[str], *, lines: list[DocumentLine] | None = None
) -> IntacctDocument:
    return IntacctDocument(
        key=row["DOCID"],
        recordno=int(row["RECORDNO"]),
        transaction_type=row.get("DOCPARID", ""),
        number=row.get("DOCNO", ""),
        state=row.get("STATE", ""),
        customer_id=row.get("CUSTVENDID", ""),
        created=_date(row.get("WHENCREATED", "")),
        due=_date(row.get("WHENDUE", "")),
        modified=_timestamp(row.get("WHENMODIFIED", "")),
        total=_decimal(row.get("TOTAL", "")),
        total_paid=_decimal(row.get("TOTALPAID", "")),
        total_due=_decimal(row.get("TOTALDUE", "")),
        reference=row.get("PONUMBER", ""),
        ar_recordno=int(row["PRRECORDKEY"]) if row.get("PRRECORDKEY") else None,
        extra={name: row.get(name, "") for name in header_fields},
        lines=None if lines is None else tuple(lines),
    )


def parse_line(row: dict[str, str], detail_fields: Sequence[str]) -> DocumentLine:
    return DocumentLine(
        key=row["RECORDNO"],
        line_no=int(row.get("LINE_NO") or 0),
        item_id=row.get("ITEMID", ""),
        description=row.get("ITEMDESC", ""),
        quantity=_decimal(row.get("QUANTITY", "")),
        unit_price=_decimal(row.get("PRICE", "")),
        amount=_decimal(row.get("TOTAL", "")),
        extra={name: row.get(name, "") for name in detail_fields},
    )


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), MAX_IN_VALUES):
        yield values[start : start + MAX_IN_VALUES]


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text) if text else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def _date(text: str) -> date | None:
    for pattern in ("%m/%d/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _timestamp(text: str) -> datetime:
    for pattern in ("%m/%d/%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    return datetime.fromtimestamp(0, UTC)


def client_from_secret(secret: dict[str, Any], http: httpx.Client | None = None) -> IntacctClient:
    from shared.http import verify_setting

    try:
        credentials = IntacctCredentials.model_validate(secret)
    except ValueError as exc:
        raise ConfigurationError(f"Intacct connection secret is invalid: {exc}") from exc
    client = http or httpx.Client(verify=verify_setting(), timeout=httpx.Timeout(30.0, connect=5.0))
    return IntacctClient(Gateway(credentials, client))
