"""The `q` filter of record collections: `field OPERATOR value`, joined by AND / OR, with ().

NetSuite runs these through N/query, so operators depend on the field's type (dates take
AFTER / ON_OR_AFTER ..., strings IS / CONTAIN / START_WITH ..., numbers EQUAL / GREATER ...,
booleans IS; every operator has a `_NOT` twin). Field names are case-insensitive
(`lastmodifieddate` works as well as `lastModifiedDate`); a reference field compares by id.

Dates follow N/query's formats rather than ISO: the account date format (here M/D/YYYY),
optionally with a time (`8/4/2026 03:00`, `8/4/2026 3:00 pm`). ISO 8601 is accepted too.
A value covers the span its precision names: "8/4/2026" is the whole day, so
`ON_OR_AFTER "8/4/2026"` includes all of the 4th and `AFTER "8/4/2026"` starts on the 5th.
The account's time zone is UTC.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sandboxes.netsuite.errors import NetSuiteError

Predicate = Callable[[dict[str, Any]], bool]

_TOKEN = re.compile(r'\s*(?:([()\[\],])|"((?:[^"\\]|\\.)*)"|([^\s()\[\],"]+))')
_NO_VALUE = {"EMPTY"}
_MANY_VALUES = {"ANY_OF", "BETWEEN", "WITHIN"}


def invalid_query(reason: str) -> NetSuiteError:
    detail = (
        "Invalid search query. Detailed unprocessed description follows. "
        f"Search error occurred: {reason}"
    )
    return NetSuiteError(400, "INVALID_PARAMETER", detail, query_param="q")


class _Token:
    def __init__(self, text: str, quoted: bool) -> None:
        self.text = text
        self.quoted = quoted


def parse_query(text: str, fields: set[str]) -> Predicate:
    """Compile `q` into a predicate over a record's filterable values (lowercase keys)."""
    parser = _Parser(_tokenize(text), {f.lower() for f in fields})
    predicate = parser.expression()
    if not parser.at_end():
        raise invalid_query(f"Unexpected token '{parser.peek()}'.")
    return predicate


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise invalid_query("Invalid or unsupported search.")
        punct, quoted, bare = match.groups()
        if quoted is not None:
            tokens.append(_Token(quoted.replace('\\"', '"'), quoted=True))
        else:
            tokens.append(_Token(punct or bare, quoted=False))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Token], fields: set[str]) -> None:
        self.tokens = tokens
        self.fields = fields
        self.position = 0

    def at_end(self) -> bool:
        return self.position >= len(self.tokens)

    def peek(self) -> str:
        return "" if self.at_end() else self.tokens[self.position].text

    def take(self) -> _Token:
        if self.at_end():
            raise invalid_query("Unexpected end of query.")
        token = self.tokens[self.position]
        self.position += 1
        return token

    def keyword(self, word: str) -> bool:
        token = None if self.at_end() else self.tokens[self.position]
        if token is not None and not token.quoted and token.text.upper() == word:
            self.position += 1
            return True
        return False

    def expression(self) -> Predicate:
        left = self.conjunction()
        while self.keyword("OR"):
            right = self.conjunction()
            left = _either(left, right)
        return left

    def conjunction(self) -> Predicate:
        left = self.factor()
        while self.keyword("AND"):
            right = self.factor()
            left = _both(left, right)
        return left

    def factor(self) -> Predicate:
        if self.keyword("("):
            inner = self.expression()
            if not self.keyword(")"):
                raise invalid_query("Missing closing parenthesis.")
            return inner
        return self.condition()

    def condition(self) -> Predicate:
        field = self.take().text.lower()
        if field not in self.fields:
            raise invalid_query(f"Field '{field}' for record type is not filterable.")
        operator = self.take().text.upper()
        negate = operator.endswith("_NOT")
        base = operator.removesuffix("_NOT")
        values = self.values(base)
        test = _operator(base, values, operator)
        return lambda record: test(record.get(field)) != negate

    def values(self, operator: str) -> list[str]:
        if operator in _NO_VALUE:
            return []
        if self.keyword("["):
            values = [self.take().text]
            while self.keyword(","):
                values.append(self.take().text)
            if not self.keyword("]"):
                raise invalid_query("Missing closing bracket.")
            return values
        values = [self.take().text]
        while operator in _MANY_VALUES and self.keyword(","):
            values.append(self.take().text)
        return values


def _either(left: Predicate, right: Predicate) -> Predicate:
    return lambda record: left(record) or right(record)


def _both(left: Predicate, right: Predicate) -> Predicate:
    return lambda record: left(record) and right(record)


def _operator(name: str, values: list[str], spelled: str) -> Callable[[Any], bool]:
    if name == "EMPTY":
        return lambda value: value in (None, "", [])
    if name in _DATE_OPERATORS:
        start, end = parse_query_date(values[0])
        return _date_test(name, start, end)
    if name in _STRING_OPERATORS:
        return _string_test(name, values[0])
    if name in _NUMBER_OPERATORS:
        return _number_test(name, values)
    raise invalid_query(f"Unknown operator '{spelled}'.")


_DATE_OPERATORS = {"AFTER", "BEFORE", "ON", "ON_OR_AFTER", "ON_OR_BEFORE"}
_STRING_OPERATORS = {"IS", "CONTAIN", "START_WITH", "END_WITH", "ENDWITH"}
_NUMBER_OPERATORS = {
    "EQUAL",
    "GREATER",
    "GREATER_OR_EQUAL",
    "LESS",
    "LESS_OR_EQUAL",
    "ANY_OF",
    "BETWEEN",
    "WITHIN",
}


def _date_test(name: str, start: datetime, end: datetime) -> Callable[[Any], bool]:
    def test(value: Any) -> bool:
        if not isinstance(value, datetime):
            return False
        match name:
            case "AFTER":
                return value >= end
            case "BEFORE":
                return value < start
            case "ON":
                return start <= value < end
            case "ON_OR_AFTER":
                return value >= start
            case _:  # ON_OR_BEFORE
                return value < end

    return test


def _string_test(name: str, wanted: str) -> Callable[[Any], bool]:
    def test(value: Any) -> bool:
        if isinstance(value, bool):
            return str(value).lower() == wanted.lower()
        text = "" if value is None else str(value).lower()
        target = wanted.lower()
        match name:
            case "IS":
                return text == target
            case "CONTAIN":
                return target in text
            case "START_WITH":
                return text.startswith(target)
            case _:  # END_WITH
                return text.endswith(target)

    return test


def _number_test(name: str, raw: list[str]) -> Callable[[Any], bool]:
    try:
        numbers = [float(v) for v in raw]
    except ValueError as exc:
        raise invalid_query(f"Invalid number value '{raw}'.") from exc

    def test(value: Any) -> bool:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return False
        match name:
            case "EQUAL":
                return number == numbers[0]
            case "GREATER":
                return number > numbers[0]
            case "GREATER_OR_EQUAL":
                return number >= numbers[0]
            case "LESS":
                return number < numbers[0]
            case "LESS_OR_EQUAL":
                return number <= numbers[0]
            case "ANY_OF":
                return number in numbers
            case _:  # BETWEEN / WITHIN, inclusive
                return numbers[0] <= number <= numbers[-1]

    return test


_US_DATE = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4})"
    r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]m)?)?$",
    re.IGNORECASE,
)


def parse_query_date(text: str) -> tuple[datetime, datetime]:
    """The span [start, end) a date value names, at the precision it was written with."""
    match = _US_DATE.match(text.strip())
    if match:
        return _us_span(match)
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise invalid_query(f"Invalid date value '{text}'.") from exc
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    if "T" not in text and " " not in text.strip():
        return moment, moment + timedelta(days=1)
    precision = timedelta(seconds=1) if text.count(":") >= 2 else timedelta(minutes=1)
    return moment, moment + precision


def _us_span(match: re.Match[str]) -> tuple[datetime, datetime]:
    month, day, year, hour, minute, second, meridiem = match.groups()
    day_start = datetime(int(year), int(month), int(day), tzinfo=UTC)
    if hour is None:
        return day_start, day_start + timedelta(days=1)
    hours = int(hour) % 12 + (12 if (meridiem or "").lower() == "pm" else 0)
    if not meridiem:
        hours = int(hour)
    start = day_start + timedelta(hours=hours, minutes=int(minute), seconds=int(second or 0))
    precision = timedelta(seconds=1) if second else timedelta(minutes=1)
    return start, start + precision
