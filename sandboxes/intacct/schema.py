"""The readable objects, their fields and how values look on the wire.

Records are plain dicts of Python values (str, int, Decimal, date, datetime, None) keyed
by field name; this module knows each field's kind, so queries compare typed values and
responses render them the way Intacct does (dates mm/dd/yyyy, timestamps
mm/dd/yyyy hh:mm:ss).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final, Literal

Kind = Literal["text", "integer", "decimal", "date", "timestamp"]

DATE_FORMAT: Final = "%m/%d/%Y"
TIMESTAMP_FORMAT: Final = "%m/%d/%Y %H:%M:%S"

_T: Final[Kind] = "text"
_I: Final[Kind] = "integer"
_D: Final[Kind] = "decimal"
_DT: Final[Kind] = "date"
_TS: Final[Kind] = "timestamp"

OBJECTS: Final[dict[str, dict[str, Kind]]] = {
    "SODOCUMENT": {
        "RECORDNO": _I,
        "DOCNO": _T,
        "DOCID": _T,
        "DOCPARID": _T,
        "STATE": _T,
        "WHENCREATED": _DT,
        "WHENDUE": _DT,
        "WHENMODIFIED": _TS,
        "CUSTVENDID": _T,
        "CUSTVENDNAME": _T,
        "PONUMBER": _T,
        "TERM.NAME": _T,
        "MESSAGE": _T,
        "CURRENCY": _T,
        "TOTAL": _D,
        "TOTALPAID": _D,
        "TOTALDUE": _D,
        "PRRECORDKEY": _I,
    },
    "SODOCUMENTENTRY": {
        "RECORDNO": _I,
        "DOCHDRNO": _I,
        "DOCHDRID": _T,
        "LINE_NO": _I,
        "ITEMID": _T,
        "ITEMDESC": _T,
        "QUANTITY": _D,
        "UNIT": _T,
        "PRICE": _D,
        "TOTAL": _D,
        "MEMO": _T,
        "DISCSURCHARGEMEMO": _T,
        "LOCATIONID": _T,
        "DEPARTMENTID": _T,
        "WHENCREATED": _DT,
        "WHENMODIFIED": _TS,
    },
    "ARPYMT": {
        "RECORDNO": _I,
        "CUSTOMERID": _T,
        "CUSTOMERNAME": _T,
        "PAYMENTMETHOD": _T,
        "WHENPAID": _DT,
        "WHENCREATED": _DT,
        "DOCNUMBER": _T,
        "DESCRIPTION": _T,
        "CURRENCY": _T,
        "TOTALENTERED": _D,
        "TOTALPAID": _D,
        "STATE": _T,
        "WHENMODIFIED": _TS,
    },
    "ARPYMTDETAIL": {
        "RECORDNO": _I,
        "PAYMENTKEY": _I,
        "RECORDKEY": _I,
        "TRX_PAYMENTAMOUNT": _D,
        "PAYMENTAMOUNT": _D,
        "WHENMODIFIED": _TS,
    },
    "CUSTOMER": {
        "RECORDNO": _I,
        "CUSTOMERID": _T,
        "NAME": _T,
        "STATUS": _T,
        # the customer's open AR balance (developer.intacct.com/api/accounts-receivable/customers/
        # queries CUSTOMER by TOTALDUE); read-only, derived from its posted invoices
        "TOTALDUE": _D,
        "WHENMODIFIED": _TS,
    },
    "ITEM": {
        "RECORDNO": _I,
        "ITEMID": _T,
        "NAME": _T,
        "BASEPRICE": _D,
        "STATUS": _T,
        "WHENMODIFIED": _TS,
    },
    # Audit trails (developer.intacct.com/api/company-console/audit-trails/): who changed
    # which record and when; ACCESSMODE "Deleted" is how a deletion shows, since a deleted
    # record can no longer be read. OBJECTKEY is the record's RECORDNO.
    "AUDITHISTORY": {
        "USERID": _T,
        "ACCESSTIME": _TS,
        "ACCESSMODE": _T,
        "SOURCE": _T,
        "OBJECTTYPE": _T,
        "OBJECTKEY": _T,
    },
    "SODOCUMENTPARAMS": {
        "RECORDNO": _I,
        "DOCID": _T,
        "SEQUENCE": _T,
        "STATUS": _T,
    },
}

# What `read` nests inside a record, as Intacct returns owned objects: (container, child).
OWNED: Final[dict[str, tuple[str, str]]] = {
    "SODOCUMENT": ("SODOCUMENTENTRIES", "sodocumententry"),
    "ARPYMT": ("ARPYMTDETAILS", "arpymtdetail"),
}


def canonical_object(name: str) -> str | None:
    """Object names are case-insensitive on the wire; answer the canonical name."""
    upper = name.strip().upper()
    return upper if upper in OBJECTS else None


def field_kind(object_name: str, field: str) -> Kind | None:
    return OBJECTS[object_name].get(field.upper())


def render(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(TIMESTAMP_FORMAT)
    if isinstance(value, date):
        return value.strftime(DATE_FORMAT)
    return str(value)


def coerce(kind: Kind, text: str) -> Any:
    """A literal from a query, typed like the field it is compared with.

    Raises ValueError when the literal cannot be read as that kind.
    """
    text = text.strip()
    match kind:
        case "integer":
            return int(text)
        case "decimal":
            try:
                return Decimal(text)
            except InvalidOperation as exc:
                raise ValueError(text) from exc
        case "date":
            return parse_date(text)
        case "timestamp":
            return parse_timestamp(text)
    return text


def parse_date(text: str) -> date:
    for pattern in (DATE_FORMAT, "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_timestamp(text: str) -> datetime:
    for pattern in (TIMESTAMP_FORMAT, DATE_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise ValueError(text)


def comparable(value: Any) -> Any:
    """Dates compare with timestamps by widening the date to midnight."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value
