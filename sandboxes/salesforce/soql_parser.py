"""SOQL text to a typed syntax tree: a small tokenizer and a recursive-descent parser.

The parser knows only the grammar; whether `Account.Name` exists, or whether a value suits a
field, is decided later against the schema (see `soql.py`). Every node keeps the offset of
its first character so that later errors can point at it the way Salesforce does:

    \\nSELECT Id FORM Account\\n          ^\\nERROR at Row:1:Column:11\\nunexpected token: 'FORM'

Grammar (keywords in any case):

    query      := SELECT item (',' item)* FROM name [alias] [WHERE condition]
                  [WITH name] [ORDER BY order (',' order)*] [LIMIT int] [OFFSET int]
                  [FOR name (',' name)*]
    item       := path | COUNT '(' [path] ')' [alias] | '(' query ')'
    condition  := unary (AND unary)* | unary (OR unary)*
    unary      := NOT unary | '(' condition ')' | comparison
    comparison := path op value | path [NOT] IN '(' (values | query) ')'
                | path LIKE string | path (INCLUDES | EXCLUDES) '(' strings ')'
    order      := path [ASC | DESC] [NULLS (FIRST | LAST)]

As in Salesforce, AND and OR cannot be mixed at one level without parentheses: `a AND b OR c`
is a MALFORMED_QUERY at the OR.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal as TypingLiteral

from sandboxes.salesforce.errors import SalesforceApiError

# ---------------------------------------------------------------------------------------------
# Syntax tree
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldPath:
    parts: tuple[str, ...]  # as written: ("Account", "Owner", "Name")
    pos: int

    @property
    def text(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class DateLiteral:
    name: str  # upper case: TODAY, LAST_N_DAYS ...
    n: int | None = None  # the number after ':' for the N_ literals


ValueKind = TypingLiteral["string", "number", "boolean", "null", "date", "datetime", "date_literal"]


@dataclass(frozen=True)
class Value:
    kind: ValueKind
    value: object  # str, int | float, bool, None, "YYYY-MM-DD", datetime text, DateLiteral
    pos: int
    like_pattern: str = ""  # strings only: the text with \% and \_ kept escaped, for LIKE


@dataclass(frozen=True)
class Comparison:
    path: FieldPath
    operator: str  # = != < <= > >= LIKE IN NOT IN INCLUDES EXCLUDES
    values: tuple[Value, ...] = ()  # one for scalar operators, several for IN / INCLUDES
    subquery: Query | None = None  # a semi-join (IN) or anti-join (NOT IN)
    pos: int = 0


@dataclass(frozen=True)
class BoolOp:
    operator: TypingLiteral["AND", "OR"]
    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    operand: Condition


Condition = Comparison | BoolOp | Not


@dataclass(frozen=True)
class Count:
    path: FieldPath | None  # None for COUNT()
    alias: str | None
    pos: int


@dataclass(frozen=True)
class ChildQuery:
    query: Query  # its `sobject` is a child relationship name such as "Contacts"


SelectItem = FieldPath | Count | ChildQuery


@dataclass(frozen=True)
class OrderItem:
    path: FieldPath
    descending: bool
    nulls_first: bool


@dataclass(frozen=True)
class Query:
    items: tuple[SelectItem, ...]
    sobject: str
    sobject_pos: int
    alias: str | None = None
    where: Condition | None = None
    order_by: tuple[OrderItem, ...] = ()
    limit: int | None = None
    offset: int | None = None
    offset_pos: int = 0
    pos: int = 0


# ---------------------------------------------------------------------------------------------
# Errors pointing into the query text
# ---------------------------------------------------------------------------------------------


def query_error(soql: str, pos: int, error_code: str, message: str) -> SalesforceApiError:
    """A 400 whose message quotes the offending line with a caret, as Salesforce does."""
    before = soql[:pos]
    row = before.count("\n") + 1
    line_start = before.rfind("\n") + 1
    column = pos - line_start + 1
    line_end = soql.find("\n", pos)
    line = soql[line_start : line_end if line_end >= 0 else len(soql)]
    text = f"\n{line}\n{' ' * (column - 1)}^\nERROR at Row:{row}:Column:{column}\n{message}"
    return SalesforceApiError(400, error_code, text)


# ---------------------------------------------------------------------------------------------
# Tokenizer
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # ident string number date datetime op punct eof
    text: str  # the source text (decoded value for strings)
    pos: int
    like_pattern: str = ""

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "ident" else ""


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
   |(?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))
   |(?P<date>\d{4}-\d{2}-\d{2})(?![\w:])
   |(?P<number>[+-]?(?:\d+(?:\.\d+)?|\.\d+))(?![\w.])
   |(?P<ident>[A-Za-z_][A-Za-z0-9_]*)
   |(?P<op>!=|<>|<=|>=|=|<|>)
   |(?P<punct>[(),.:])
    """,
    re.VERBOSE,
)

# Escapes allowed in quoted strings. \% and \_ stay escaped for LIKE, and mean % and _ elsewhere.
_STRING_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}
_STRING_ESCAPES.update({c: c for c in "'\"\\"})


def tokenize(soql: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(soql):
        if soql[pos] == "'":
            token, pos = _read_string(soql, pos)
            tokens.append(token)
            continue
        match = _TOKEN.match(soql, pos)
        if match is None:
            raise query_error(soql, pos, "MALFORMED_QUERY", f"unexpected token: '{soql[pos]}'")
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(Token("eof", "<EOF>", len(soql)))
    return tokens


def _read_string(soql: str, start: int) -> tuple[Token, int]:
    """A single-quoted string: its value, and its LIKE pattern with wildcard escapes kept."""
    value: list[str] = []
    pattern: list[str] = []
    pos = start + 1
    while pos < len(soql):
        char = soql[pos]
        if char == "'":
            return Token("string", "".join(value), start, "".join(pattern)), pos + 1
        if char != "\\":
            value.append(char)
            pattern.append(char)
            pos += 1
            continue
        escaped = soql[pos + 1 : pos + 2]
        if escaped in ("%", "_"):
            value.append(escaped)
            pattern.append("\\" + escaped)
        elif escaped in _STRING_ESCAPES:
            decoded = _STRING_ESCAPES[escaped]
            value.append(decoded)
            pattern.append("\\\\" if decoded == "\\" else decoded)
        else:
            raise query_error(
                soql,
                start,
                "MALFORMED_QUERY",
                f"Invalid string literal '{soql[start + 1 : pos + 2]}'. "
                f"Illegal character sequence '\\{escaped}' in string literal.",
            )
        pos += 2
    raise query_error(soql, start, "MALFORMED_QUERY", f"unexpected token: '{soql[start:]}'")


# ---------------------------------------------------------------------------------------------
# Parser
# ---------------------------------------------------------------------------------------------

_CLAUSE_KEYWORDS = frozenset(
    {"WHERE", "WITH", "ORDER", "LIMIT", "OFFSET", "FOR", "GROUP", "HAVING", "USING", "UPDATE"}
)
_IGNORED_WITH = frozenset({"SECURITY_ENFORCED", "USER_MODE", "SYSTEM_MODE"})
_FOR_OPTIONS = frozenset({"VIEW", "REFERENCE", "UPDATE"})
_COMPARISON_OPERATORS = frozenset({"=", "!=", "<>", "<", "<=", ">", ">="})

DATE_LITERALS = frozenset(
    [
        "YESTERDAY",
        "TODAY",
        "TOMORROW",
        "LAST_WEEK",
        "THIS_WEEK",
        "NEXT_WEEK",
        "LAST_MONTH",
        "THIS_MONTH",
        "NEXT_MONTH",
        "LAST_90_DAYS",
        "NEXT_90_DAYS",
        "LAST_QUARTER",
        "THIS_QUARTER",
        "NEXT_QUARTER",
        "LAST_YEAR",
        "THIS_YEAR",
        "NEXT_YEAR",
    ]
)
DATE_LITERALS_WITH_N = frozenset(  # written NAME:n
    [
        "LAST_N_DAYS",
        "NEXT_N_DAYS",
        "N_DAYS_AGO",
        "LAST_N_WEEKS",
        "NEXT_N_WEEKS",
        "LAST_N_MONTHS",
        "NEXT_N_MONTHS",
        "LAST_N_QUARTERS",
        "NEXT_N_QUARTERS",
        "LAST_N_YEARS",
        "NEXT_N_YEARS",
    ]
)


def parse(soql: str) -> Query:
    """Parse one SOQL statement; MALFORMED_QUERY (HTTP 400) on any syntax error."""
    parser = _Parser(soql)
    query = parser.query()
    parser.expect_end()
    return query


class _Parser:
    def __init__(self, soql: str) -> None:
        self.soql = soql
        self.tokens = tokenize(soql)
        self.index = 0

    # -- token helpers ------------------------------------------------------------------------

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.token
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def at_keyword(self, *keywords: str) -> bool:
        return self.token.upper in keywords

    def at_punct(self, char: str) -> bool:
        return self.token.kind == "punct" and self.token.text == char

    def unexpected(self, token: Token | None = None) -> SalesforceApiError:
        token = token or self.token
        return query_error(
            self.soql, token.pos, "MALFORMED_QUERY", f"unexpected token: '{token.text}'"
        )

    def expect_keyword(self, keyword: str) -> Token:
        if not self.at_keyword(keyword):
            raise self.unexpected()
        return self.advance()

    def expect_punct(self, char: str) -> Token:
        if not self.at_punct(char):
            raise self.unexpected()
        return self.advance()

    def expect_ident(self) -> Token:
        if self.token.kind != "ident":
            raise self.unexpected()
        return self.advance()

    def expect_integer(self) -> int:
        if self.token.kind != "number" or not self.token.text.isdigit():
            raise self.unexpected()
        return int(self.advance().text)

    def expect_end(self) -> None:
        if self.token.kind != "eof":
            raise self.unexpected()

    # -- query ---------------------------------------------------------------------------------

    def query(self) -> Query:
        start = self.expect_keyword("SELECT").pos
        items = [self.select_item()]
        while self.at_punct(","):
            self.advance()
            items.append(self.select_item())
        self.expect_keyword("FROM")
        sobject = self.expect_ident()
        alias = None
        if self.token.kind == "ident" and self.token.upper not in _CLAUSE_KEYWORDS:
            alias = self.advance().text
        where = None
        if self.at_keyword("WHERE"):
            self.advance()
            where = self.condition()
        if self.at_keyword("WITH"):
            self.advance()
            if self.token.upper not in _IGNORED_WITH:
                raise self.unexpected()
            self.advance()
        order_by: list[OrderItem] = []
        if self.at_keyword("ORDER"):
            self.advance()
            self.expect_keyword("BY")
            order_by.append(self.order_item())
            while self.at_punct(","):
                self.advance()
                order_by.append(self.order_item())
        limit = offset = None
        if self.at_keyword("LIMIT"):
            self.advance()
            limit = self.expect_integer()
        offset_pos = self.token.pos
        if self.at_keyword("OFFSET"):
            self.advance()
            offset_pos = self.token.pos
            offset = self.expect_integer()
        if self.at_keyword("FOR"):
            self.for_clause()
        return Query(
            items=tuple(items),
            sobject=sobject.text,
            sobject_pos=sobject.pos,
            alias=alias,
            where=where,
            order_by=tuple(order_by),
            limit=limit,
            offset=offset,
            offset_pos=offset_pos,
            pos=start,
        )

    def for_clause(self) -> None:
        """FOR VIEW / FOR REFERENCE / FOR UPDATE only bookkeep in Salesforce: accepted, ignored."""
        self.advance()
        while True:
            if self.token.upper not in _FOR_OPTIONS:
                raise self.unexpected()
            self.advance()
            if not self.at_punct(","):
                return
            self.advance()

    def select_item(self) -> SelectItem:
        if self.at_punct("("):
            self.advance()
            child = self.query()
            self.expect_punct(")")
            return ChildQuery(child)
        if self.at_keyword("COUNT") and self.peek().kind == "punct" and self.peek().text == "(":
            return self.count()
        return self.path()

    def count(self) -> Count:
        pos = self.advance().pos
        self.expect_punct("(")
        path = None if self.at_punct(")") else self.path()
        self.expect_punct(")")
        alias = None
        if self.token.kind == "ident" and self.token.upper != "FROM":
            alias = self.advance().text
        return Count(path, alias, pos)

    def path(self) -> FieldPath:
        first = self.expect_ident()
        parts = [first.text]
        while self.at_punct("."):
            self.advance()
            parts.append(self.expect_ident().text)
        return FieldPath(tuple(parts), first.pos)

    def order_item(self) -> OrderItem:
        path = self.path()
        descending = False
        if self.at_keyword("ASC", "DESC"):
            descending = self.advance().upper == "DESC"
        nulls_first = not descending
        if self.at_keyword("NULLS"):
            self.advance()
            if not self.at_keyword("FIRST", "LAST"):
                raise self.unexpected()
            nulls_first = self.advance().upper == "FIRST"
        return OrderItem(path, descending, nulls_first)

    # -- WHERE ---------------------------------------------------------------------------------

    def condition(self) -> Condition:
        operands = [self.unary()]
        joiner = self.token.upper if self.at_keyword("AND", "OR") else None
        while joiner is not None and self.at_keyword("AND", "OR"):
            if self.token.upper != joiner:
                raise self.unexpected()  # mixing AND and OR needs parentheses
            self.advance()
            operands.append(self.unary())
        if joiner is None:
            return operands[0]
        return BoolOp("AND" if joiner == "AND" else "OR", tuple(operands))

    def unary(self) -> Condition:
        if self.at_keyword("NOT"):
            self.advance()
            return Not(self.unary())
        if self.at_punct("("):
            self.advance()
            inner = self.condition()
            self.expect_punct(")")
            return inner
        return self.comparison()

    def comparison(self) -> Comparison:
        path = self.path()
        operator_token = self.token
        if operator_token.kind == "op" and operator_token.text in _COMPARISON_OPERATORS:
            self.advance()
            operator = "!=" if operator_token.text == "<>" else operator_token.text
            return Comparison(path, operator, (self.value(),), pos=operator_token.pos)
        if self.at_keyword("LIKE"):
            self.advance()
            return Comparison(path, "LIKE", (self.value(),), pos=operator_token.pos)
        if self.at_keyword("NOT") and self.peek().upper == "IN":
            self.advance()
            self.advance()
            return self.in_list(path, "NOT IN", operator_token.pos)
        if self.at_keyword("IN"):
            self.advance()
            return self.in_list(path, "IN", operator_token.pos)
        if self.at_keyword("INCLUDES", "EXCLUDES"):
            operator = self.advance().upper
            self.expect_open_list()
            values = self.value_list()
            return Comparison(path, operator, values, pos=operator_token.pos)
        raise self.unexpected()

    def in_list(self, path: FieldPath, operator: str, pos: int) -> Comparison:
        self.expect_open_list()
        if self.at_keyword("SELECT"):
            subquery = self.query()
            self.expect_punct(")")
            return Comparison(path, operator, subquery=subquery, pos=pos)
        return Comparison(path, operator, self.value_list(), pos=pos)

    def value_list(self) -> tuple[Value, ...]:
        """Values up to and including the closing parenthesis (the '(' is already read)."""
        values = [self.value()]
        while self.at_punct(","):
            self.advance()
            values.append(self.value())
        self.expect_punct(")")
        return tuple(values)

    def value(self) -> Value:
        if self.at_punct(":"):
            raise self.bind_variable()
        token = self.token
        if token.kind == "string":
            self.advance()
            return Value("string", token.text, token.pos, token.like_pattern)
        if token.kind == "number":
            self.advance()
            number = float(token.text) if "." in token.text else int(token.text)
            return Value("number", number, token.pos)
        if token.kind in ("date", "datetime"):
            self.advance()
            return Value("date" if token.kind == "date" else "datetime", token.text, token.pos)
        keyword = token.upper
        if keyword in ("TRUE", "FALSE"):
            self.advance()
            return Value("boolean", keyword == "TRUE", token.pos)
        if keyword == "NULL":
            self.advance()
            return Value("null", None, token.pos)
        if keyword in DATE_LITERALS:
            self.advance()
            return Value("date_literal", DateLiteral(keyword), token.pos)
        if keyword in DATE_LITERALS_WITH_N:
            self.advance()
            self.expect_punct(":")
            return Value("date_literal", DateLiteral(keyword, self.expect_integer()), token.pos)
        if token.kind == "ident":
            raise self.bind_variable()  # a field on the right (`A__c > B__c`) reads as a bind
        raise self.unexpected()

    def bind_variable(self) -> SalesforceApiError:
        return query_error(
            self.soql, self.token.pos, "MALFORMED_QUERY", "Bind variables only allowed in Apex code"
        )

    def expect_open_list(self) -> None:
        if self.at_punct(":"):
            raise self.bind_variable()
        self.expect_punct("(")


__all__ = [
    "BoolOp",
    "ChildQuery",
    "Comparison",
    "Condition",
    "Count",
    "DateLiteral",
    "FieldPath",
    "Not",
    "OrderItem",
    "Query",
    "SelectItem",
    "Value",
    "parse",
    "query_error",
    "tokenize",
]
