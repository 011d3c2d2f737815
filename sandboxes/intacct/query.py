"""Record filters: the SQL-like `readByQuery` string and the `query` function's XML filter.

Both compile to a `Predicate` over a record dict. Literals are typed by the field they are
compared with (a date field reads '10/01/2026', a timestamp '10/01/2026 14:30:00'), so
`WHENMODIFIED > '11/01/2026 00:00:00'` compares instants, not strings. As Intacct documents,
string comparisons are case-sensitive unless the `query` function asks otherwise, and a
comparison with an empty (NULL) value is never true.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from typing import Any
from xml.etree.ElementTree import Element

from sandboxes.intacct import errors, schema

Predicate = Callable[[dict[str, Any]], bool]

_COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<>": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}


class FilterBuilder:
    """Makes predicates for one object, checking field names and typing literals."""

    def __init__(self, object_name: str, case_insensitive: bool = False) -> None:
        self.object_name = object_name
        self.case_insensitive = case_insensitive

    def field(self, name: str) -> tuple[str, schema.Kind]:
        kind = schema.field_kind(self.object_name, name)
        if kind is None:
            raise errors.query_failed(
                f"Invalid field '{name}' for object {self.object_name} in query"
            )
        return name.upper(), kind

    def literal(self, kind: schema.Kind, text: str) -> Any:
        try:
            value = schema.coerce(kind, text)
        except ValueError as exc:
            raise errors.query_failed(f"Invalid {kind} value '{text}' in query") from exc
        return self._fold(schema.comparable(value))

    def _fold(self, value: Any) -> Any:
        return value.lower() if self.case_insensitive and isinstance(value, str) else value

    def _value(self, record: dict[str, Any], name: str) -> Any:
        value = record.get(name)
        return None if value is None else self._fold(schema.comparable(value))

    def compare(self, field: str, op: str, text: str) -> Predicate:
        name, kind = self.field(field)
        target = self.literal(kind, text)
        compare = _COMPARATORS[op]

        def predicate(record: dict[str, Any]) -> bool:
            value = self._value(record, name)
            return value is not None and compare(value, target)

        return predicate

    def member(self, field: str, texts: Sequence[str], negate: bool) -> Predicate:
        name, kind = self.field(field)
        targets = [self.literal(kind, text) for text in texts]

        def predicate(record: dict[str, Any]) -> bool:
            value = self._value(record, name)
            return value is not None and (value in targets) != negate

        return predicate

    def between(self, field: str, low: str, high: str) -> Predicate:
        name, kind = self.field(field)
        lower, upper = self.literal(kind, low), self.literal(kind, high)

        def predicate(record: dict[str, Any]) -> bool:
            value = self._value(record, name)
            return value is not None and lower <= value <= upper

        return predicate

    def like(self, field: str, pattern: str, negate: bool) -> Predicate:
        name, _ = self.field(field)
        flags = re.IGNORECASE if self.case_insensitive else 0
        regex = re.compile(_like_to_regex(pattern), flags | re.DOTALL)

        def predicate(record: dict[str, Any]) -> bool:
            value = record.get(name)
            if value is None:
                return False
            return bool(regex.fullmatch(schema.render(value))) != negate

        return predicate

    def null(self, field: str, negate: bool) -> Predicate:
        name, _ = self.field(field)
        return lambda record: (record.get(name) in (None, "")) != negate


def _like_to_regex(pattern: str) -> str:
    return "".join(
        ".*" if char == "%" else "." if char == "_" else re.escape(char) for char in pattern
    )


def match_all(predicates: Sequence[Predicate]) -> Predicate:
    return lambda record: all(p(record) for p in predicates)


def match_any(predicates: Sequence[Predicate]) -> Predicate:
    return lambda record: any(p(record) for p in predicates)


def match_everything(record: dict[str, Any]) -> bool:
    return True


# -- readByQuery: "DOCPARID = 'Sales Invoice' AND (TOTAL > 100 OR CUSTVENDID IN ('A','B'))"


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:\\.|[^'\\])*')
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<op><=|>=|<>|!=|=|<|>)
      | (?P<punct>[(),])
      | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
    )""",
    re.VERBOSE,
)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise errors.query_failed(f"Invalid query near '{text[position : position + 20]}'")
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "string":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        elif kind == "word":
            upper = value.upper()
            if upper in {"AND", "OR", "NOT", "IN", "LIKE", "IS", "NULL"}:
                kind, value = "keyword", upper
        tokens.append((kind, value))
        position = match.end()
    return tokens


class _QueryParser:
    """Recursive descent: or_expr := and_expr (OR and_expr)*; and_expr := factor (AND factor)*."""

    def __init__(self, text: str, builder: FilterBuilder) -> None:
        self.tokens = _tokenize(text)
        self.position = 0
        self.builder = builder

    def parse(self) -> Predicate:
        if not self.tokens:
            return match_everything
        predicate = self._or()
        if self.position != len(self.tokens):
            raise errors.query_failed(f"Invalid query: unexpected '{self._peek()[1]}'")
        return predicate

    def _peek(self) -> tuple[str, str]:
        return self.tokens[self.position] if self.position < len(self.tokens) else ("end", "")

    def _take(self, kind: str, value: str | None = None) -> str:
        token_kind, token_value = self._peek()
        if token_kind != kind or (value is not None and token_value != value):
            wanted = value or kind
            raise errors.query_failed(f"Invalid query: expected {wanted} near '{token_value}'")
        self.position += 1
        return token_value

    def _accept(self, kind: str, value: str) -> bool:
        if self._peek() == (kind, value):
            self.position += 1
            return True
        return False

    def _or(self) -> Predicate:
        parts = [self._and()]
        while self._accept("keyword", "OR"):
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else match_any(parts)

    def _and(self) -> Predicate:
        parts = [self._factor()]
        while self._accept("keyword", "AND"):
            parts.append(self._factor())
        return parts[0] if len(parts) == 1 else match_all(parts)

    def _factor(self) -> Predicate:
        if self._accept("keyword", "NOT"):
            inner = self._factor()
            return lambda record: not inner(record)
        if self._accept("punct", "("):
            inner = self._or()
            self._take("punct", ")")
            return inner
        return self._comparison()

    def _literal(self) -> str:
        kind, value = self._peek()
        if kind not in ("string", "number"):
            raise errors.query_failed(f"Invalid query: expected a value near '{value}'")
        self.position += 1
        return value

    def _comparison(self) -> Predicate:
        field = self._take("word")
        if self._accept("keyword", "IS"):
            negate = self._accept("keyword", "NOT")
            self._take("keyword", "NULL")
            return self.builder.null(field, negate)
        negate = self._accept("keyword", "NOT")
        if self._accept("keyword", "IN"):
            self._take("punct", "(")
            values = [self._literal()]
            while self._accept("punct", ","):
                values.append(self._literal())
            self._take("punct", ")")
            return self.builder.member(field, values, negate)
        if self._accept("keyword", "LIKE"):
            return self.builder.like(field, self._literal(), negate)
        if negate:
            raise errors.query_failed("Invalid query: NOT must precede IN or LIKE")
        op = self._take("op")
        return self.builder.compare(field, op, self._literal())


def parse_query_string(text: str, object_name: str) -> Predicate:
    return _QueryParser(text, FilterBuilder(object_name)).parse()


# -- the query function: <filter><and><equalto><field/><value/></equalto>...</and></filter>

_ELEMENT_OPERATORS = {
    "equalto": "=",
    "notequalto": "!=",
    "lessthan": "<",
    "lessthanorequalto": "<=",
    "greaterthan": ">",
    "greaterthanorequalto": ">=",
}


def parse_filter_element(element: Element, builder: FilterBuilder) -> Predicate:
    tag = element.tag.lower()
    if tag in ("and", "or"):
        parts = [parse_filter_element(child, builder) for child in element]
        if len(parts) < 2:
            raise errors.query_failed(f"<{tag}> needs at least two conditions")
        return match_all(parts) if tag == "and" else match_any(parts)
    field = (element.findtext("field") or "").strip()
    values = [value.text or "" for value in element.findall("value")]
    if not field:
        raise errors.query_failed(f"<{tag}> needs a <field>")
    if tag in _ELEMENT_OPERATORS and len(values) == 1:
        return builder.compare(field, _ELEMENT_OPERATORS[tag], values[0])
    if tag in ("in", "notin") and values:
        return builder.member(field, values, negate=tag == "notin")
    if tag in ("like", "notlike") and len(values) == 1:
        return builder.like(field, values[0], negate=tag == "notlike")
    if tag == "between" and len(values) == 2:
        return builder.between(field, values[0], values[1])
    if tag in ("isnull", "isnotnull"):
        return builder.null(field, negate=tag == "isnotnull")
    raise errors.query_failed(f"Invalid filter <{tag}>")
