"""Typed comparison of stored values with SOQL literals.

A WHERE comparison is typed by its field, never by the literal: a number field takes a number,
a date field a date or a relative date literal, an id field a 15- or 18-character id. Both
sides are brought to one comparable "key" first (`row_key`, `literal_key`), so the operators
stay ordinary Python comparisons:

- text, picklist, email ...   -> casefolded text (SOQL = and LIKE ignore case, except on
                                 fields marked case-sensitive)
- id, reference               -> the first 15 characters (the case-sensitive id)
- numbers                     -> int / float
- boolean                     -> bool (a stored null counts as false, as in Salesforce)
- date / datetime             -> `date` / aware `datetime`; date literals become a `DateRange`
- multipicklist               -> frozenset of casefolded values
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sandboxes.salesforce.schema import FieldDef
from sandboxes.salesforce.soql_parser import DateLiteral, Value

TEXT_TYPES = frozenset(
    {"string", "textarea", "picklist", "combobox", "email", "phone", "url", "encryptedstring"}
)
ID_TYPES = frozenset({"id", "reference"})
NUMBER_TYPES = frozenset({"int", "double", "currency", "percent", "long"})

_ID_SHAPE = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")


class LiteralTypeError(Exception):
    """The literal does not suit the field; `error_code` and `message` are Salesforce's."""

    def __init__(self, error_code: str, message: str) -> None:
        super().__init__(message)
        self.error_code = error_code
        self.message = message


@dataclass(frozen=True)
class DateRange:
    """A half-open range [start, end) of dates or datetimes, from a literal such as THIS_MONTH."""

    start: Any
    end: Any


# ---------------------------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------------------------


def row_key(field: FieldDef, raw: Any) -> Any:
    """The comparable form of a stored value (None stays None, except booleans)."""
    kind = field.type
    if kind == "boolean":
        return bool(raw)
    if raw is None or raw == "":
        return None
    if kind in ID_TYPES:
        return str(raw)[:15]
    if kind in NUMBER_TYPES:
        return raw
    if kind == "date":
        return raw if isinstance(raw, date) else date.fromisoformat(str(raw)[:10])
    if kind == "datetime":
        return parse_datetime(raw)
    if kind == "multipicklist":
        return frozenset(part.casefold() for part in str(raw).split(";") if part)
    return str(raw) if field.case_sensitive else str(raw).casefold()


def sort_key(field: FieldDef, raw: Any) -> Any:
    """Like `row_key`, but ordering multipicklists by their text."""
    if field.type == "multipicklist":
        return None if raw in (None, "") else str(raw).casefold()
    return row_key(field, raw)


def parse_datetime(raw: Any) -> datetime:
    if isinstance(raw, datetime):
        return raw if raw.tzinfo else raw.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(str(raw))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def literal_key(field: FieldDef, path: str, literal: Value, today: date) -> Any:
    """The comparable form of a literal for `field`, or LiteralTypeError as Salesforce words it."""
    kind = field.type
    if literal.kind == "null":
        return False if kind == "boolean" else None  # a boolean = null means = false
    if kind in ID_TYPES:
        return _id_key(literal)
    if kind in TEXT_TYPES or kind == "multipicklist":
        _require(literal, "string", path, "string", quoted=True)
        text = str(literal.value)
        if kind == "multipicklist":
            return frozenset(part.casefold() for part in text.split(";") if part)
        return text if field.case_sensitive else text.casefold()
    if kind in NUMBER_TYPES:
        _require(literal, "number", path, "int" if kind == "int" else "double", quoted=False)
        return literal.value
    if kind == "boolean":
        _require(literal, "boolean", path, "boolean", quoted=False)
        return literal.value
    if kind in ("date", "datetime"):
        return _date_key(kind, path, literal, today)
    raise LiteralTypeError("INVALID_FIELD", f"field '{path}' can not be filtered in query call")


def _require(literal: Value, kind: str, path: str, type_name: str, *, quoted: bool) -> None:
    if literal.kind != kind:
        enclosed = "should be enclosed in quotes" if quoted else "should not be enclosed in quotes"
        raise LiteralTypeError(
            "INVALID_FIELD",
            f"value of filter criterion for field '{path}' must be of type {type_name} and "
            f"{enclosed}",
        )


def _id_key(literal: Value) -> str | None:
    if literal.kind != "string":
        raise LiteralTypeError(
            "INVALID_QUERY_FILTER_OPERATOR", f"invalid ID field: {literal.value}"
        )
    text = str(literal.value)
    if text == "":
        return None  # Salesforce treats Id = '' like Id = null
    if not _ID_SHAPE.match(text):
        raise LiteralTypeError("INVALID_QUERY_FILTER_OPERATOR", f"invalid ID field: {text}")
    return text[:15]


def _date_key(kind: str, path: str, literal: Value, today: date) -> Any:
    if literal.kind == "date_literal":
        assert isinstance(literal.value, DateLiteral)
        first, after_last = date_literal_range(literal.value, today)
        if kind == "date":
            return DateRange(first, after_last)
        return DateRange(_midnight(first), _midnight(after_last))
    if kind == "date" and literal.kind == "date":
        return _valid_date(str(literal.value), path)
    if kind == "datetime" and literal.kind == "datetime":
        return parse_datetime(literal.value)
    type_name = "date" if kind == "date" else "dateTime"
    raise LiteralTypeError(
        "INVALID_FIELD",
        f"value of filter criterion for field '{path}' must be of type {type_name} and "
        "should not be enclosed in quotes",
    )


def _valid_date(text: str, path: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise LiteralTypeError(
            "INVALID_FIELD", f"value of filter criterion for field '{path}' is not a valid date"
        ) from None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


# ---------------------------------------------------------------------------------------------
# Operators
# ---------------------------------------------------------------------------------------------


def compare(operator: str, key: Any, literal: Any) -> bool:
    """`key operator literal` with SOQL's null rules: only = null and != null match nulls."""
    if literal is None:
        return (key is None) if operator == "=" else (key is not None and operator == "!=")
    if key is None:
        return operator == "!="
    if isinstance(literal, DateRange):
        return _compare_range(operator, key, literal)
    match operator:
        case "=":
            return bool(key == literal)
        case "!=":
            return bool(key != literal)
        case "<":
            return bool(key < literal)
        case "<=":
            return bool(key <= literal)
        case ">":
            return bool(key > literal)
        case ">=":
            return bool(key >= literal)
    raise ValueError(operator)


def _compare_range(operator: str, key: Any, period: DateRange) -> bool:
    """= means within the period; < before it starts; > after it ends (Salesforce docs)."""
    match operator:
        case "=":
            return bool(period.start <= key < period.end)
        case "!=":
            return not period.start <= key < period.end
        case "<":
            return bool(key < period.start)
        case "<=":
            return bool(key < period.end)
        case ">":
            return bool(key >= period.end)
        case ">=":
            return bool(key >= period.start)
    raise ValueError(operator)


def includes(key: frozenset[str] | None, wanted: list[frozenset[str]]) -> bool:
    """INCLUDES: some listed term is present; a term 'A;B' needs both A and B."""
    return key is not None and any(term <= key for term in wanted)


def like_regex(pattern: str, case_sensitive: bool = False) -> re.Pattern[str]:
    """LIKE: % any run, _ one character, backslash escapes the next character."""
    parts: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if char == "\\":
            parts.append(re.escape(next(chars, "\\")))
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL if case_sensitive else re.IGNORECASE | re.DOTALL)


# ---------------------------------------------------------------------------------------------
# Relative date literals (UTC; weeks start on Sunday as in the en_US locale)
# ---------------------------------------------------------------------------------------------


def date_literal_range(literal: DateLiteral, today: date) -> tuple[date, date]:
    """The literal's period as [first day, day after the last day)."""
    n = literal.n or 0
    day = timedelta(days=1)
    week = _week_start(today)
    month = today.replace(day=1)
    quarter = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    year = today.replace(month=1, day=1)
    periods: dict[str, tuple[date, date]] = {
        "YESTERDAY": (today - day, today),
        "TODAY": (today, today + day),
        "TOMORROW": (today + day, today + 2 * day),
        "LAST_WEEK": (week - 7 * day, week),
        "THIS_WEEK": (week, week + 7 * day),
        "NEXT_WEEK": (week + 7 * day, week + 14 * day),
        "LAST_MONTH": (_add_months(month, -1), month),
        "THIS_MONTH": (month, _add_months(month, 1)),
        "NEXT_MONTH": (_add_months(month, 1), _add_months(month, 2)),
        "LAST_QUARTER": (_add_months(quarter, -3), quarter),
        "THIS_QUARTER": (quarter, _add_months(quarter, 3)),
        "NEXT_QUARTER": (_add_months(quarter, 3), _add_months(quarter, 6)),
        "LAST_YEAR": (_add_months(year, -12), year),
        "THIS_YEAR": (year, _add_months(year, 12)),
        "NEXT_YEAR": (_add_months(year, 12), _add_months(year, 24)),
        # LAST_N_DAYS includes today: LAST_N_DAYS:1 is yesterday and today.
        "LAST_90_DAYS": (today - 90 * day, today + day),
        "LAST_N_DAYS": (today - n * day, today + day),
        # NEXT_N_DAYS starts tomorrow and runs n days.
        "NEXT_90_DAYS": (today + day, today + 91 * day),
        "NEXT_N_DAYS": (today + day, today + (n + 1) * day),
        "N_DAYS_AGO": (today - n * day, today - (n - 1) * day),
        "LAST_N_WEEKS": (week - 7 * n * day, week),
        "NEXT_N_WEEKS": (week + 7 * day, week + 7 * (n + 1) * day),
        "LAST_N_MONTHS": (_add_months(month, -n), month),
        "NEXT_N_MONTHS": (_add_months(month, 1), _add_months(month, n + 1)),
        "LAST_N_QUARTERS": (_add_months(quarter, -3 * n), quarter),
        "NEXT_N_QUARTERS": (_add_months(quarter, 3), _add_months(quarter, 3 * (n + 1))),
        "LAST_N_YEARS": (_add_months(year, -12 * n), year),
        "NEXT_N_YEARS": (_add_months(year, 12), _add_months(year, 12 * (n + 1))),
    }
    return periods[literal.name]


def _week_start(day: date) -> date:
    return day - timedelta(days=(day.weekday() + 1) % 7)  # Monday is 0; Sunday starts the week


def _add_months(first_of_month: date, months: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(first_of_month.day, calendar.monthrange(year, month + 1)[1]))
