"""SuiteQL over REST, as far as the `DeletedRecord` table needs it.

NetSuite: "Executing SuiteQL Queries Through REST Web Services" (help section_157909186990)
and "Using SuiteQL with SuiteTalk REST Web Services" (section_158394344595):
`POST /services/rest/query/v1/suiteql` with `Prefer: transient` and `{"q": "<SuiteQL>"}`;
`limit` and `offset` in the URL ("Collection Paging", section_156414087576: 1000 rows a
page by default and at most); the answer is `{links, count, hasMore, items, offset,
totalResults}` and each item carries its own (empty) `links` beside the selected columns.
The `DeletedRecord` table is the analytics data source's deletion log (columns as in Tim
Dietrich's documented query: `deleteddate`, `type`, `recordid`, `deletedby`, `context`).

What this sandbox understands (anything else is refused as NetSuite refuses a bad query,
400 INVALID_PARAMETER "Invalid search query ..."):

    SELECT col [AS alias] | TO_CHAR(col, 'fmt') [AS alias], ...
    FROM DeletedRecord
    [WHERE cond AND cond ...]      cond: operand (= | <> | != | < | <= | > | >=) operand
                                   operand: column | 'text' | number
                                            | TO_TIMESTAMP('text', 'fmt') | TO_DATE(...)
    [ORDER BY col [ASC | DESC], ...]

Formats use Oracle's YYYY MM DD HH24 MI SS and "quoted" literals.

Where the documentation is silent (choices made here):
- `type` holds the record type id in lower case (`salesorder`), as SuiteScript's
  `record.Type.SALES_ORDER` spells it; the value NetSuite stores is UNCONFIRMED.
- Values come back as strings; a null column is left out of its item; a date-time selected
  without TO_CHAR reads in the account's date format (M/D/YYYY), which is why callers
  select `TO_CHAR(deleteddate, ...)`. Times are the account's time zone, here UTC.
- `Prefer: transient` is sent by every documented example; its absence is not refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sandboxes.netsuite.errors import NetSuiteError

DELETED_RECORD_COLUMNS = frozenset(
    {
        "context",
        "deletedby",
        "deleteddate",
        "iscustomlist",
        "iscustomrecord",
        "iscustomtransaction",
        "name",
        "recordid",
        "scriptid",
        "type",
    }
)
_TOKEN = re.compile(r"\s*(?:('(?:[^']|'')*')|(<=|>=|<>|!=|[=<>(),*])|([A-Za-z_][\w.]*)|(-?\d+))")
_FORMAT_TOKENS = [("YYYY", "%Y"), ("HH24", "%H"), ("MM", "%m"), ("DD", "%d"), ("MI", "%M")]
_FORMAT_TOKENS += [("SS", "%S")]
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def invalid_suiteql(reason: str) -> NetSuiteError:
    return NetSuiteError(
        400,
        "INVALID_PARAMETER",
        "Invalid search query. Detailed unprocessed description follows. "
        f"Search error occurred: {reason}",
    )


@dataclass(frozen=True)
class _Column:
    name: str
    alias: str
    format: str | None = None  # TO_CHAR's format, as strftime


Row = dict[str, Any]
Operand = Callable[[Row], Any]


@dataclass(frozen=True)
class SuiteQuery:
    columns: list[_Column]
    where: list[Callable[[Row], bool]]
    order: list[tuple[str, bool]]  # column, descending

    def run(self, rows: list[Row]) -> list[dict[str, str]]:
        matching = [row for row in rows if all(cond(row) for cond in self.where)]
        for column, descending in reversed(self.order):  # stable sorts, last key first
            matching.sort(key=partial(_sort_value, column), reverse=descending)
        return [self._render(row) for row in matching]

    def _render(self, row: Row) -> dict[str, str]:
        rendered: dict[str, str] = {}
        for column in self.columns:
            value = row.get(column.name)
            if value is None:
                continue
            if isinstance(value, datetime):
                moment = value.astimezone(UTC)
                text = moment.strftime(column.format) if column.format else _account_date(moment)
            else:
                text = str(value)
            rendered[column.alias] = text
        return rendered


def parse_suiteql(text: str) -> SuiteQuery:
    """Compile a query over `DeletedRecord`; refuse what this sandbox does not emulate."""
    tokens = _tokenize(text)
    parser = _Parser(tokens)
    query = parser.query()
    if not parser.at_end():
        raise invalid_suiteql(f"Unexpected token '{parser.peek()}'.")
    return query


def _tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise invalid_suiteql(f"Unexpected character at position {position}.")
        tokens.append(match.group(0).strip())
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.position = 0

    def at_end(self) -> bool:
        return self.position >= len(self.tokens)

    def peek(self) -> str:
        return self.tokens[self.position] if not self.at_end() else ""

    def take(self) -> str:
        if self.at_end():
            raise invalid_suiteql("Unexpected end of query.")
        token = self.tokens[self.position]
        self.position += 1
        return token

    def keyword(self, word: str) -> bool:
        if self.peek().upper() == word:
            self.position += 1
            return True
        return False

    def expect(self, token: str) -> None:
        if self.take().upper() != token:
            raise invalid_suiteql(f"Expected '{token}'.")

    def query(self) -> SuiteQuery:
        self.expect("SELECT")
        columns = [self.select_item()]
        while self.keyword(","):
            columns.append(self.select_item())
        self.expect("FROM")
        table = self.take()
        if table.lower() != "deletedrecord":
            raise invalid_suiteql(f"Record '{table}' was not found.")
        where: list[Callable[[Row], bool]] = []
        if self.keyword("WHERE"):
            where.append(self.condition())
            while self.keyword("AND"):
                where.append(self.condition())
        order: list[tuple[str, bool]] = []
        if self.keyword("ORDER"):
            self.expect("BY")
            order.append(self.order_item())
            while self.keyword(","):
                order.append(self.order_item())
        return SuiteQuery(columns, where, order)

    def column(self) -> str:
        name = self.take().lower()
        if name not in DELETED_RECORD_COLUMNS:
            raise invalid_suiteql(f"Field '{name}' for record 'deletedRecord' was not found.")
        return name

    def select_item(self) -> _Column:
        if self.peek().upper() == "TO_CHAR":
            self.take()
            self.expect("(")
            name = self.column()
            self.expect(",")
            fmt = _strftime(_literal(self.take()))
            self.expect(")")
            alias = name
        else:
            name = self.column()
            fmt = None
            alias = name
        if self.keyword("AS"):
            alias = self.take().lower()
        return _Column(name, alias, fmt)

    def order_item(self) -> tuple[str, bool]:
        name = self.column()
        if self.keyword("DESC"):
            return name, True
        self.keyword("ASC")
        return name, False

    def condition(self) -> Callable[[Row], bool]:
        left = self.operand()
        operator = self.take()
        if operator not in _COMPARE:
            raise invalid_suiteql(f"Unsupported operator '{operator}'.")
        right = self.operand()
        compare = _COMPARE[operator]

        def holds(row: Row) -> bool:
            a, b = left(row), right(row)
            if a is None or b is None:
                return False  # SQL: a comparison with NULL is never true
            try:
                return compare(a, b)
            except TypeError as exc:
                raise invalid_suiteql("Incompatible types in a comparison.") from exc

        return holds

    def operand(self) -> Operand:
        token = self.take()
        if token.startswith("'"):
            text = _literal(token)
            return lambda row: text
        if re.fullmatch(r"-?\d+", token):
            number = int(token)
            return lambda row: number
        if token.upper() in ("TO_TIMESTAMP", "TO_DATE"):
            self.expect("(")
            value = _literal(self.take())
            self.expect(",")
            fmt = _strftime(_literal(self.take()))
            self.expect(")")
            try:
                moment = datetime.strptime(value, fmt).replace(tzinfo=UTC)
            except ValueError as exc:
                raise invalid_suiteql(f"'{value}' does not match its format.") from exc
            return lambda row: moment
        self.position -= 1
        name = self.column()
        return lambda row: row.get(name)


def _literal(token: str) -> str:
    if not (token.startswith("'") and token.endswith("'") and len(token) >= 2):
        raise invalid_suiteql(f"Expected a quoted string, found '{token}'.")
    return token[1:-1].replace("''", "'")


def _strftime(oracle_format: str) -> str:
    """Oracle's datetime format model -> strftime, for the elements this sandbox knows."""
    out, rest = "", oracle_format
    while rest:
        if rest.startswith('"'):
            end = rest.find('"', 1)
            if end < 0:
                raise invalid_suiteql("Unterminated literal in a date format.")
            out += rest[1:end].replace("%", "%%")
            rest = rest[end + 1 :]
            continue
        for element, directive in _FORMAT_TOKENS:
            if rest.upper().startswith(element):
                out += directive
                rest = rest[len(element) :]
                break
        else:
            if rest[0] in " -:/.,":
                out += rest[0]
                rest = rest[1:]
            else:
                raise invalid_suiteql(f"Unsupported date format element in '{oracle_format}'.")
    return out


def _sort_value(column: str, row: Row) -> tuple[int, Any]:
    value = row.get(column)
    if value is None:
        return (1, "")  # Oracle sorts NULLs last in ascending order
    if isinstance(value, str) and value.isdigit():
        return (0, int(value))
    return (0, value)


def _account_date(moment: datetime) -> str:
    return f"{moment.month}/{moment.day}/{moment.year}"
