"""The API functions: one handler per element name found inside `<function>`.

Each handler reads its request element, works on the company it is given (the live one,
or a copy when the operation is a transaction) and answers the elements that follow
`<controlid>` in its `<result>`: a `<key>` for writes, a `<data>` block for reads. Failures
are raised as `IntacctError` and placed in the result by the gateway.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Final
from xml.etree.ElementTree import Element

from sandboxes.intacct import errors, query, schema
from sandboxes.intacct.store import Company, DocumentSpec, LineSpec
from sandboxes.intacct.wire import add, record_element, text_of

READ_BY_QUERY_MAX_PAGE: Final = 1000
QUERY_MAX_PAGE: Final = 2000
DEFAULT_PAGE: Final = 100


@dataclass
class ResultSet:
    """A readByQuery snapshot that readMore pages through."""

    result_id: str
    object_name: str
    fields: list[str]
    rows: list[dict[str, Any]]
    page_size: int
    company_id: str
    expires_at: float
    position: int = 0


@dataclass
class ResultSets:
    sets: dict[str, ResultSet] = field(default_factory=dict)
    clock: Callable[[], float] = time.time  # the gateway's clock, in unix seconds

    def open(self, result: ResultSet) -> None:
        self._forget_expired()
        self.sets[result.result_id] = result

    def find(self, result_id: str, company_id: str) -> ResultSet | None:
        self._forget_expired()
        found = self.sets.get(result_id)
        return found if found is not None and found.company_id == company_id else None

    def latest_for(self, object_name: str, company_id: str) -> ResultSet | None:
        self._forget_expired()
        candidates = [
            r
            for r in self.sets.values()
            if r.object_name == object_name and r.company_id == company_id
        ]
        return candidates[-1] if candidates else None

    def close(self, result_id: str) -> None:
        self.sets.pop(result_id, None)

    def _forget_expired(self) -> None:
        now = self.clock()
        for result_id in [k for k, r in self.sets.items() if r.expires_at <= now]:
            del self.sets[result_id]


@dataclass
class Context:
    """What a function may use: the books, who is calling and the gateway's services."""

    company: Company
    company_id: str
    session_id: str
    location_id: str
    endpoint: str
    results: ResultSets
    result_seconds: float


Handler = Callable[[Element, Context], list[Element]]


# -- sessions ------------------------------------------------------------------------------


def get_api_session(request: Element, ctx: Context) -> list[Element]:
    data = Element("data")
    api = add(data, "api")
    add(api, "sessionid", ctx.session_id)
    add(api, "endpoint", ctx.endpoint)
    add(api, "locationid", ctx.location_id)
    return [data]


# -- generic create (developer.intacct.com, Accounts Receivable > Customers > Create Customer) --


def create(request: Element, ctx: Context) -> list[Element]:
    """`<create><CUSTOMER><CUSTOMERID/><NAME/><DISPLAYCONTACT><PRINTAS/>...` answers
    `<data listtype="objects" count="1"><customer><RECORDNO/><CUSTOMERID/></customer>`.
    Only CUSTOMER is offered here; NAME and DISPLAYCONTACT/PRINTAS are required (the docs),
    CUSTOMERID too (this company does not use document sequencing for customers)."""
    if len(request) != 1:
        raise errors.xml_parse_error("<create> holds exactly one object element")
    record = request[0]
    if record.tag != "CUSTOMER":
        raise errors.xml_parse_error(f"create of {record.tag} is not offered by this sandbox")
    customer_id = text_of(record, "CUSTOMERID")
    name = text_of(record, "NAME")
    if not customer_id or not name or not text_of(record, "DISPLAYCONTACT/PRINTAS"):
        raise errors.missing_element(
            "create CUSTOMER", "CUSTOMERID, NAME and DISPLAYCONTACT/PRINTAS"
        )
    if customer_id in ctx.company.customers:  # number and wording: the sandbox's choice
        raise errors.IntacctError(
            errors.ErrorDetail(
                "BL34000061",
                f"Another Customer with the given value(s) {customer_id} already exists",
                description="Duplicate value",
                correction="Use a unique value instead.",
            )
        )
    made = ctx.company.add_customer(customer_id, name)
    data = Element("data", listtype="objects", count="1")
    row = add(data, "customer")
    add(row, "RECORDNO", made.recordno)
    add(row, "CUSTOMERID", made.customer_id)
    return [data]


# -- Order Entry writes ---------------------------------------------------------------------


def create_sotransaction(request: Element, ctx: Context) -> list[Element]:
    spec = DocumentSpec(
        definition=_required(request, "create_sotransaction", "transactiontype"),
        customer_id=_required(request, "create_sotransaction", "customerid"),
        created=_required_date(request, "create_sotransaction", "datecreated"),
        lines=[_line_spec(item) for item in request.findall("sotransitems/sotransitem")],
        docno=text_of(request, "documentno") or None,
        ponumber=text_of(request, "referenceno"),
        termname=text_of(request, "termname"),
        due=_optional_date(request, "datedue"),
        message=text_of(request, "message"),
        currency=text_of(request, "currency") or "USD",
        state=text_of(request, "state") or None,
    )
    if request.find("sotransitems") is None:
        raise errors.missing_element("create_sotransaction", "sotransitems")
    document = ctx.company.create_document(spec)
    return [_key(document.docid)]


def update_sotransaction(request: Element, ctx: Context) -> list[Element]:
    key = request.get("key", "")
    document = ctx.company.find_document(key)
    if document is None:
        raise errors.document_rejected("update", f"Transaction '{key}' does not exist.")
    header: dict[str, Any] = {
        "created": _optional_date(request, "datecreated"),
        "ponumber": _stripped(request.findtext("referenceno")),
        "termname": _stripped(request.findtext("termname")),
        "due": _optional_date(request, "datedue"),
        "message": _stripped(request.findtext("message")),
        "state": _stripped(request.findtext("state")),
    }
    if header["state"] is not None and header["state"] not in ("Draft", "Pending", "Closed"):
        raise errors.document_rejected("update", f"Invalid state '{header['state']}'.")
    new_lines = [_line_spec(item) for item in request.findall("updatesotransitems/sotransitem")]
    ctx.company.update_document(document, header, new_lines)
    return [_key(document.docid)]


def _stripped(text: str | None) -> str | None:
    return None if text is None else text.strip()


def _key(value: str) -> Element:
    key = Element("key")
    key.text = value
    return key


def _line_spec(item: Element) -> LineSpec:
    item_id = text_of(item, "itemid")
    if not item_id:
        raise errors.missing_element("sotransitem", "itemid")
    return LineSpec(
        item_id=item_id,
        quantity=_decimal(item, "quantity", required=True) or Decimal(0),
        unit=text_of(item, "unit") or "Each",
        price=_decimal(item, "price"),
        memo=text_of(item, "memo"),
        discsurchargememo=text_of(item, "discsurchargememo"),
        location_id=text_of(item, "locationid"),
        department_id=text_of(item, "departmentid"),
    )


def _decimal(parent: Element, tag: str, required: bool = False) -> Decimal | None:
    text = text_of(parent, tag)
    if not text:
        if required:
            raise errors.missing_element("sotransitem", tag)
        return None
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise errors.document_rejected("create", f"Invalid {tag} '{text}'.") from exc


def _required(parent: Element, function: str, tag: str) -> str:
    value = text_of(parent, tag)
    if not value:
        raise errors.missing_element(function, tag)
    return value


def _required_date(parent: Element, function: str, tag: str) -> date:
    value = _optional_date(parent, tag)
    if value is None:
        raise errors.missing_element(function, tag)
    return value


def _optional_date(parent: Element, tag: str) -> date | None:
    block = parent.find(tag)
    if block is None:
        return None
    try:
        year, month, day = (int(text_of(block, part)) for part in ("year", "month", "day"))
        return date(year, month, day)
    except ValueError as exc:
        raise errors.document_rejected("create", f"Invalid date in <{tag}>.") from exc


# -- generic reads --------------------------------------------------------------------------


def _object(request: Element) -> str:
    name = text_of(request, "object")
    canonical = schema.canonical_object(name)
    if canonical is None:
        raise errors.object_not_found(name)
    return canonical


def _field_list(object_name: str, text: str) -> list[str]:
    known = list(schema.OBJECTS[object_name])
    if text.strip() in ("", "*"):
        return known
    fields = [name.strip().upper() for name in text.split(",") if name.strip()]
    for name in fields:
        if name not in known:
            raise errors.query_failed(f"Invalid field '{name}' for object {object_name}")
    return fields


def _xml_only(request: Element) -> None:
    wanted = (request.findtext("returnFormat") or "xml").strip().lower()
    if wanted != "xml":
        raise errors.query_failed(f"returnFormat '{wanted}' is not offered by this sandbox")


def _page_size(text: str, maximum: int) -> int:
    if not text.strip():
        return DEFAULT_PAGE
    try:
        size = int(text)
    except ValueError as exc:
        raise errors.query_failed(f"Invalid pagesize '{text}'") from exc
    if not 1 <= size <= maximum:
        raise errors.query_failed(f"pagesize must be between 1 and {maximum}")
    return size


def read(request: Element, ctx: Context) -> list[Element]:
    object_name = _object(request)
    fields = _field_list(object_name, request.findtext("fields") or "*")
    _xml_only(request)
    keys = [k.strip() for k in (request.findtext("keys") or "").split(",") if k.strip()]
    wanted = {int(k) for k in keys if k.isdigit()}
    definition = text_of(request, "docparid")
    rows = [
        row
        for row in ctx.company.records(object_name)
        if row["RECORDNO"] in wanted and (not definition or row.get("DOCPARID") == definition)
    ]
    data = Element("data", listtype=object_name, count=str(len(rows)))
    for row in rows:
        data.append(record_element(object_name, row, fields, _owned(ctx, object_name, row)))
    return [data]


def _owned(ctx: Context, object_name: str, row: dict[str, Any]) -> Element | None:
    if object_name not in schema.OWNED:
        return None
    container_tag, child_tag = schema.OWNED[object_name]
    child_object = child_tag.upper()
    container = Element(container_tag)
    for child in ctx.company.owned_records(object_name, row["RECORDNO"]):
        container.append(record_element(child_tag, child, schema.OBJECTS[child_object]))
    return container


def read_by_query(request: Element, ctx: Context) -> list[Element]:
    object_name = _object(request)
    fields = _field_list(object_name, request.findtext("fields") or "*")
    _xml_only(request)
    predicate = query.parse_query_string(request.findtext("query") or "", object_name)
    page_size = _page_size(request.findtext("pagesize") or "", READ_BY_QUERY_MAX_PAGE)
    definition = text_of(request, "docparid")
    rows = [
        row
        for row in ctx.company.records(object_name)
        if predicate(row) and (not definition or row.get("DOCPARID") == definition)
    ]
    result = ResultSet(
        result_id=_result_id(),
        object_name=object_name,
        fields=fields,
        rows=rows,
        page_size=page_size,
        company_id=ctx.company_id,
        expires_at=ctx.results.clock() + ctx.result_seconds,
    )
    return [_next_page(result, ctx, first=True)]


def read_more(request: Element, ctx: Context) -> list[Element]:
    result_id = text_of(request, "resultId")
    if result_id:
        result = ctx.results.find(result_id, ctx.company_id)
        if result is None:
            raise errors.bad_result_id(result_id)
    else:
        object_name = _object(request)
        result = ctx.results.latest_for(object_name, ctx.company_id)
        if result is None:
            raise errors.bad_result_id(object_name)
    return [_next_page(result, ctx, first=False)]


def _next_page(result: ResultSet, ctx: Context, first: bool) -> Element:
    page = result.rows[result.position : result.position + result.page_size]
    result.position += len(page)
    remaining = len(result.rows) - result.position
    if remaining:
        ctx.results.open(result)
    else:
        ctx.results.close(result.result_id)
    # A query answered in one page never gets a resultId (the SDK fixtures show "").
    shown_id = "" if first and not remaining else result.result_id
    tag = result.object_name.lower()
    data = Element(
        "data",
        listtype=tag,
        count=str(len(page)),
        totalcount=str(len(result.rows)),
        numremaining=str(remaining),
        resultId=shown_id,
    )
    for row in page:
        data.append(record_element(tag, row, result.fields))
    return data


def _result_id() -> str:
    return f"{secrets.randbelow(10**10):010d}{secrets.token_hex(12)}"


# -- the query function -----------------------------------------------------------------------


def query_function(request: Element, ctx: Context) -> list[Element]:
    object_name = _object(request)
    fields = _select(request, object_name)
    options = request.find("options")
    case_insensitive = options is not None and text_of(options, "caseinsensitive") == "true"
    builder = query.FilterBuilder(object_name, case_insensitive)
    filter_block = request.find("filter")
    predicate: query.Predicate = query.match_everything
    if filter_block is not None and len(filter_block):
        if len(filter_block) != 1:
            raise errors.query_failed("<filter> takes one condition; combine them with <and>/<or>")
        predicate = query.parse_filter_element(filter_block[0], builder)
    rows = [row for row in ctx.company.records(object_name) if predicate(row)]
    for field_name, descending in reversed(_ordering(request, builder)):
        rows.sort(key=_sort_key_for(field_name), reverse=descending)
    page_size = _page_size(request.findtext("pagesize") or "", QUERY_MAX_PAGE)
    offset = _offset(request.findtext("offset") or "")
    page = rows[offset : offset + page_size]
    data = Element(
        "data",
        listtype=object_name,
        totalcount=str(len(rows)),
        offset=str(offset),
        count=str(len(page)),
        numremaining=str(max(len(rows) - offset - len(page), 0)),
    )
    for row in page:
        data.append(record_element(object_name, row, fields))
    return [data]


def _select(request: Element, object_name: str) -> list[str]:
    select = request.find("select")
    names = [] if select is None else [(f.text or "").strip() for f in select]
    if select is not None and any(child.tag != "field" for child in select):
        raise errors.query_failed("Aggregates in <select> are not offered by this sandbox")
    if not names or "*" in names:
        raise errors.query_failed("<select> needs fields; returning all is not supported")
    builder = query.FilterBuilder(object_name)
    return [builder.field(name)[0] for name in names]


def _ordering(request: Element, builder: query.FilterBuilder) -> list[tuple[str, bool]]:
    block = request.find("orderby")
    if block is None:
        block = request.find("orderBy")
    if block is None:
        return []
    ordering = []
    for order in block.findall("order"):
        name, _ = builder.field(text_of(order, "field"))
        ordering.append((name, order.find("descending") is not None))
    return ordering


def _sort_key_for(field_name: str) -> Callable[[dict[str, Any]], tuple[int, Any]]:
    """Empty values sort first, as NULLs do in an ascending order."""

    def key(row: dict[str, Any]) -> tuple[int, Any]:
        value = row.get(field_name)
        return (0, "") if value is None else (1, schema.comparable(value))

    return key


def _offset(text: str) -> int:
    try:
        offset = int(text or 0)
    except ValueError as exc:
        raise errors.query_failed(f"Invalid offset '{text}'") from exc
    if offset < 0:
        raise errors.query_failed("offset must not be negative")
    return offset


HANDLERS: Final[dict[str, Handler]] = {
    "getAPISession": get_api_session,
    "create": create,
    "create_sotransaction": create_sotransaction,
    "update_sotransaction": update_sotransaction,
    "read": read,
    "readByQuery": read_by_query,
    "readMore": read_more,
    "query": query_function,
}
