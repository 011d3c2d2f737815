"""The company's books: customers, items, transaction definitions, documents and payments.

Everything a request can change lives in one `Company`, so a `transaction="true"`
operation can work on a deep copy and either keep it or throw it away. Writes validate
first and mutate last, so a failing function outside a transaction changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sandboxes.intacct import errors

CENT = Decimal("0.01")
DOCUMENT_STATES = ("Draft", "Pending", "Closed", "Partially Converted", "Converted")


def utc_now() -> datetime:
    """Timestamps are naive UTC with whole seconds, as they render on the wire."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT)


def price(value: Decimal) -> Decimal:
    """Unit prices keep their precision but show at least cents (59 -> 59.00)."""
    exponent = value.as_tuple().exponent
    return money(value) if isinstance(exponent, int) and exponent > -2 else value


@dataclass
class TransactionDefinition:
    name: str
    prefix: str
    posts_to_ar: bool = False
    default_state: str = "Pending"
    next_number: int = 1
    recordno: int = 0


@dataclass
class Customer:
    recordno: int
    customer_id: str
    name: str
    status: str = "active"
    modified: datetime = field(default_factory=utc_now)


@dataclass
class Item:
    recordno: int
    item_id: str
    name: str
    base_price: Decimal
    status: str = "active"
    modified: datetime = field(default_factory=utc_now)


@dataclass
class LineSpec:
    item_id: str
    quantity: Decimal
    unit: str = "Each"
    price: Decimal | None = None
    memo: str = ""
    discsurchargememo: str = ""
    location_id: str = ""
    department_id: str = ""


@dataclass
class Line:
    recordno: int
    line_no: int
    item_id: str
    item_desc: str
    quantity: Decimal
    unit: str
    price: Decimal
    memo: str
    discsurchargememo: str
    location_id: str
    department_id: str

    @property
    def total(self) -> Decimal:
        return money(self.quantity * self.price)


@dataclass
class DocumentSpec:
    definition: str
    customer_id: str
    created: date
    lines: list[LineSpec]
    docno: str | None = None
    ponumber: str = ""
    termname: str = ""
    due: date | None = None
    message: str = ""
    currency: str = "USD"
    state: str | None = None


@dataclass
class Document:
    recordno: int
    definition: str
    docno: str
    customer_id: str
    created: date
    due: date | None
    state: str
    ponumber: str
    termname: str
    message: str
    currency: str
    lines: list[Line]
    modified: datetime
    ar_recordno: int | None = None

    @property
    def docid(self) -> str:
        return f"{self.definition}-{self.docno}"

    @property
    def total(self) -> Decimal:
        return money(sum((line.total for line in self.lines), Decimal(0)))


@dataclass
class Application:
    recordno: int
    payment_key: int
    ar_recordno: int
    amount: Decimal


@dataclass
class Payment:
    recordno: int
    customer_id: str
    method: str
    paid_on: date
    docnumber: str
    description: str
    currency: str
    applications: list[Application]
    modified: datetime
    state: str = "Complete"

    @property
    def total(self) -> Decimal:
        return money(sum((a.amount for a in self.applications), Decimal(0)))


@dataclass(frozen=True)
class AuditEntry:
    user_id: str
    access_time: datetime
    access_mode: str
    source: str
    object_type: str
    object_key: str


@dataclass
class Company:
    customers: dict[str, Customer] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    definitions: dict[str, TransactionDefinition] = field(default_factory=dict)
    documents: dict[int, Document] = field(default_factory=dict)
    payments: dict[int, Payment] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    # The gateway's clock (aware UTC); a transaction's deep copy shares it (SandboxClock).
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC), compare=False)

    def now(self) -> datetime:
        """Timestamps are naive UTC with whole seconds, as they render on the wire."""
        return self.clock().astimezone(UTC).replace(tzinfo=None, microsecond=0)

    def next_id(self, sequence: str) -> int:
        self.counters[sequence] = self.counters.get(sequence, 0) + 1
        return self.counters[sequence]

    # -- master data -----------------------------------------------------------------------

    def add_customer(self, customer_id: str, name: str) -> Customer:
        customer = Customer(self.next_id("CUSTOMER"), customer_id, name, modified=self.now())
        self.customers[customer_id] = customer
        return customer

    def add_item(self, item_id: str, name: str, base_price: Decimal) -> Item:
        item = Item(self.next_id("ITEM"), item_id, name, price(base_price), modified=self.now())
        self.items[item_id] = item
        return item

    def add_definition(self, definition: TransactionDefinition) -> TransactionDefinition:
        existing = self.definitions.get(definition.name)
        definition.recordno = existing.recordno if existing else self.next_id("SODOCUMENTPARAMS")
        if existing:
            definition.next_number = max(definition.next_number, existing.next_number)
        self.definitions[definition.name] = definition
        return definition

    # -- Order Entry documents --------------------------------------------------------------

    def create_document(self, spec: DocumentSpec, modified: datetime | None = None) -> Document:
        definition = self._definition(spec.definition)
        customer = self._customer(spec.customer_id)
        items = self._line_items(spec.lines)
        if spec.state not in (None, "Draft", "Pending"):
            raise errors.document_rejected(
                "create", f"Invalid state '{spec.state}': new transactions are Draft or Pending."
            )
        state = spec.state or definition.default_state
        docno = spec.docno or self._next_docno(definition)
        if self.find_document(f"{definition.name}-{docno}") is not None:
            raise errors.document_rejected(
                "create",
                f"Another {definition.name} with the document number {docno} already exists.",
                "Use a different document number, or leave it out to number automatically.",
            )
        document = Document(
            recordno=self.next_id("SODOCUMENT"),
            definition=definition.name,
            docno=docno,
            customer_id=customer.customer_id,
            created=spec.created,
            due=spec.due,
            state=state,
            ponumber=spec.ponumber,
            termname=spec.termname,
            message=spec.message,
            currency=spec.currency,
            lines=[],
            modified=modified or self.now(),
        )
        document.lines = [
            self._line(number, line, item) for number, (line, item) in enumerate(items, 1)
        ]
        if definition.posts_to_ar:
            document.ar_recordno = self.next_id("ARINVOICE")
        self.documents[document.recordno] = document
        return document

    def update_document(
        self, document: Document, header: dict[str, Any], new_lines: list[LineSpec]
    ) -> Document:
        """Header fields that are not None replace the stored ones; new lines are appended."""
        resolved = self._line_items(new_lines, "update") if new_lines else []
        for name, value in header.items():
            if value is not None:
                setattr(document, name, value)
        start = len(document.lines) + 1
        document.lines.extend(
            self._line(start + offset, spec, item) for offset, (spec, item) in enumerate(resolved)
        )
        document.modified = self.now()
        return document

    def delete_document(
        self, docid: str, user_id: str = "Admin", when: datetime | None = None
    ) -> Document:
        """Deletes a document as a user does in the UI; the audit trail keeps the deletion."""
        document = self.find_document(docid)
        if document is None:
            raise ValueError(f"no document {docid}")
        if self.paid_on(document) > 0:
            raise ValueError(f"{docid} has payments applied; reverse them before deleting it")
        del self.documents[document.recordno]
        self.audit.append(
            AuditEntry(
                user_id=user_id,
                access_time=when or self.now(),
                access_mode="Deleted",
                source="ui",
                object_type="sodocument",
                object_key=str(document.recordno),
            )
        )
        return document

    def find_document(self, docid: str) -> Document | None:
        return next((d for d in self.documents.values() if d.docid == docid), None)

    def _definition(self, name: str) -> TransactionDefinition:
        definition = self.definitions.get(name)
        if definition is None:
            raise errors.document_rejected(
                "create",
                f"Invalid transaction definition '{name}'.",
                "Use a Sales transaction definition that exists in this company.",
            )
        return definition

    def _customer(self, customer_id: str) -> Customer:
        customer = self.customers.get(customer_id)
        if customer is None or customer.status != "active":
            raise errors.document_rejected(
                "create", f"Invalid Customer '{customer_id}' specified.", "Use a valid customer."
            )
        return customer

    def _line_items(
        self, lines: list[LineSpec], action: str = "create"
    ) -> list[tuple[LineSpec, Item]]:
        if not lines:
            raise errors.document_rejected(action, "A transaction needs at least one line.")
        resolved = []
        for number, line in enumerate(lines, 1):
            item = self.items.get(line.item_id)
            if item is None or item.status != "active":
                raise errors.document_rejected(
                    action,
                    f"Invalid Item '{line.item_id}' on line {number}.",
                    "Use an active item.",
                )
            resolved.append((line, item))
        return resolved

    def _next_docno(self, definition: TransactionDefinition) -> str:
        while True:
            docno = f"{definition.prefix}{definition.next_number:04d}"
            definition.next_number += 1
            if self.find_document(f"{definition.name}-{docno}") is None:
                return docno

    def _line(self, number: int, spec: LineSpec, item: Item) -> Line:
        return Line(
            recordno=self.next_id("SODOCUMENTENTRY"),
            line_no=number,
            item_id=item.item_id,
            item_desc=item.name,
            quantity=spec.quantity,
            unit=spec.unit or "Each",
            price=item.base_price if spec.price is None else price(spec.price),
            memo=spec.memo,
            discsurchargememo=spec.discsurchargememo,
            location_id=spec.location_id,
            department_id=spec.department_id,
        )

    # -- AR payments ---------------------------------------------------------------------------

    def paid_on(self, document: Document) -> Decimal:
        if document.ar_recordno is None:
            return Decimal("0.00")
        return money(
            sum(
                (
                    a.amount
                    for p in self.payments.values()
                    for a in p.applications
                    if a.ar_recordno == document.ar_recordno
                ),
                Decimal(0),
            )
        )

    def record_payment(
        self,
        invoice_docid: str,
        amount: Decimal,
        method: str,
        paid_on: date,
        docnumber: str = "",
        description: str = "",
        modified: datetime | None = None,
    ) -> Payment:
        invoice = self.find_document(invoice_docid)
        if invoice is None or invoice.ar_recordno is None:
            raise ValueError(f"{invoice_docid} is not a posted invoice")
        due = invoice.total - self.paid_on(invoice)
        if amount <= 0 or amount > due:
            raise ValueError(f"payment {amount} does not fit the {due} due on {invoice_docid}")
        recordno = self.next_id("ARPYMT")
        application = Application(
            self.next_id("ARPYMTDETAIL"), recordno, invoice.ar_recordno, money(amount)
        )
        payment = Payment(
            recordno=recordno,
            customer_id=invoice.customer_id,
            method=method,
            paid_on=paid_on,
            docnumber=docnumber,
            description=description,
            currency=invoice.currency,
            applications=[application],
            modified=modified or self.now(),
        )
        self.payments[recordno] = payment
        return payment

    # -- records as the API shows them --------------------------------------------------

    def records(self, object_name: str) -> list[dict[str, Any]]:
        """Every record of one object, as field dicts in RECORDNO order."""
        rows = {
            "SODOCUMENT": lambda: [self.document_record(d) for d in self.documents.values()],
            "SODOCUMENTENTRY": lambda: [
                self.line_record(d, line) for d in self.documents.values() for line in d.lines
            ],
            "ARPYMT": lambda: [self.payment_record(p) for p in self.payments.values()],
            "ARPYMTDETAIL": lambda: [
                self.application_record(p, a)
                for p in self.payments.values()
                for a in p.applications
            ],
            "CUSTOMER": lambda: [self.customer_record(c) for c in self.customers.values()],
            "ITEM": lambda: [_item_record(i) for i in self.items.values()],
            "SODOCUMENTPARAMS": lambda: [_definition_record(d) for d in self.definitions.values()],
            "AUDITHISTORY": lambda: [_audit_record(e) for e in self.audit],
        }[object_name]()
        # audit entries have no RECORDNO: they stay in the order they happened
        return sorted(rows, key=lambda row: row.get("RECORDNO", 0))

    def owned_records(self, object_name: str, recordno: int) -> list[dict[str, Any]]:
        if object_name == "SODOCUMENT":
            document = self.documents[recordno]
            return [self.line_record(document, line) for line in document.lines]
        if object_name == "ARPYMT":
            payment = self.payments[recordno]
            return [self.application_record(payment, a) for a in payment.applications]
        return []

    def customer_record(self, customer: Customer) -> dict[str, Any]:
        # TOTALDUE: what the customer owes on its posted invoices. Like an invoice's TOTALDUE,
        # it moves with payments without touching WHENMODIFIED.
        due = sum(
            (
                d.total - self.paid_on(d)
                for d in self.documents.values()
                if d.customer_id == customer.customer_id and d.ar_recordno is not None
            ),
            Decimal(0),
        )
        return {
            "RECORDNO": customer.recordno,
            "CUSTOMERID": customer.customer_id,
            "NAME": customer.name,
            "STATUS": customer.status,
            "TOTALDUE": money(due),
            "WHENMODIFIED": customer.modified,
        }

    def document_record(self, document: Document) -> dict[str, Any]:
        customer = self.customers.get(document.customer_id)
        paid = self.paid_on(document)
        return {
            "RECORDNO": document.recordno,
            "DOCNO": document.docno,
            "DOCID": document.docid,
            "DOCPARID": document.definition,
            "STATE": document.state,
            "WHENCREATED": document.created,
            "WHENDUE": document.due,
            "WHENMODIFIED": document.modified,
            "CUSTVENDID": document.customer_id,
            "CUSTVENDNAME": customer.name if customer else "",
            "PONUMBER": document.ponumber,
            "TERM.NAME": document.termname,
            "MESSAGE": document.message,
            "CURRENCY": document.currency,
            "TOTAL": document.total,
            "TOTALPAID": paid,
            "TOTALDUE": money(document.total - paid),
            "PRRECORDKEY": document.ar_recordno,
        }

    @staticmethod
    def line_record(document: Document, line: Line) -> dict[str, Any]:
        return {
            "RECORDNO": line.recordno,
            "DOCHDRNO": document.recordno,
            "DOCHDRID": document.docid,
            "LINE_NO": line.line_no,
            "ITEMID": line.item_id,
            "ITEMDESC": line.item_desc,
            "QUANTITY": line.quantity,
            "UNIT": line.unit,
            "PRICE": line.price,
            "TOTAL": line.total,
            "MEMO": line.memo,
            "DISCSURCHARGEMEMO": line.discsurchargememo,
            "LOCATIONID": line.location_id,
            "DEPARTMENTID": line.department_id,
            "WHENCREATED": document.created,
            "WHENMODIFIED": document.modified,
        }

    def payment_record(self, payment: Payment) -> dict[str, Any]:
        customer = self.customers.get(payment.customer_id)
        return {
            "RECORDNO": payment.recordno,
            "CUSTOMERID": payment.customer_id,
            "CUSTOMERNAME": customer.name if customer else "",
            "PAYMENTMETHOD": payment.method,
            "WHENPAID": payment.paid_on,
            "WHENCREATED": payment.paid_on,
            "DOCNUMBER": payment.docnumber,
            "DESCRIPTION": payment.description,
            "CURRENCY": payment.currency,
            "TOTALENTERED": payment.total,
            "TOTALPAID": payment.total,
            "STATE": payment.state,
            "WHENMODIFIED": payment.modified,
        }

    @staticmethod
    def application_record(payment: Payment, application: Application) -> dict[str, Any]:
        return {
            "RECORDNO": application.recordno,
            "PAYMENTKEY": payment.recordno,
            "RECORDKEY": application.ar_recordno,
            "TRX_PAYMENTAMOUNT": application.amount,
            "PAYMENTAMOUNT": application.amount,
            "WHENMODIFIED": payment.modified,
        }


def _audit_record(entry: AuditEntry) -> dict[str, Any]:
    return {
        "USERID": entry.user_id,
        "ACCESSTIME": entry.access_time,
        "ACCESSMODE": entry.access_mode,
        "SOURCE": entry.source,
        "OBJECTTYPE": entry.object_type,
        "OBJECTKEY": entry.object_key,
    }


def _item_record(item: Item) -> dict[str, Any]:
    return {
        "RECORDNO": item.recordno,
        "ITEMID": item.item_id,
        "NAME": item.name,
        "BASEPRICE": item.base_price,
        "STATUS": item.status,
        "WHENMODIFIED": item.modified,
    }


def _definition_record(definition: TransactionDefinition) -> dict[str, Any]:
    return {
        "RECORDNO": definition.recordno,
        "DOCID": definition.name,
        "SEQUENCE": definition.prefix,
        "STATUS": "active",
    }
