"""The SOQL engine of the local Salesforce org: parse, check against the schema, evaluate.

`execute(soql, schema, source)` is the whole interface. The record store supplies rows through
`RecordSource`; the HTTP layer turns the `QueryResult` into `/query` pages. The work happens in
three steps, each in its own module:

1. `soql_parser.parse` turns the text into a typed syntax tree (MALFORMED_QUERY on bad syntax).
2. `_Execution.plan` binds that tree to the schema: every field path is resolved to canonical
   names and `FieldDef`s, every WHERE comparison is type-checked and compiled into a Python
   predicate (`soql_values` does the typed comparisons). Unknown objects, fields and
   relationships fail here, before any row is read, as they do in Salesforce.
3. `_Execution.run` filters, sorts, slices and shapes rows exactly like the REST API:
   `attributes` first, keys in SELECT order, parents as nested objects (null when the reference
   is empty), child subqueries as `{"totalSize", "done", "records"}` (null when empty).

Where the documentation is silent (choices made here):
- Relative date literals are evaluated in UTC with weeks starting on Sunday (en_US locale).
- `Id = ''` (and other id/reference fields) is treated as `= null`, not as an invalid id.
- A 15-character id literal equals its 18-character form; ids compare on their first 15
  (case-sensitive) characters.
- `!=`, `NOT IN` and EXCLUDES match rows whose value is null; `<`, `>`, LIKE never do.
  (Booleans are never null: `= null` means `= false`, as the SOQL guide says.)
- String ordering ignores case; equal keys keep the store's order (a stable sort).
- Polymorphic parents (`What.Name`) are checked against the first target object that has the
  field; the nested `attributes.type` is the referenced record's own object.
- Errors about a place in the query carry Salesforce's caret prefix
  (`\n<line>\n   ^\nERROR at Row:r:Column:c\n<message>`) quoting the whole line, where
  Salesforce sometimes quotes only a window of a long line.
- Wordings chosen, not verified against a live org: "invalid operator on <type> field" (LIKE,
  or < > on booleans and multipicklists), "includes or excludes operator only valid on
  multipicklist field", "COUNT() must be the only element in the SELECT list", "Bind variables
  only allowed in Apex code" (its case), "value of filter criterion for field 'X' is not a valid
  date", "field 'X' can not be filtered in query call" / "can not be sorted in a query call",
  and the two semi-join shape messages.
- A semi-join or anti-join subquery is evaluated once per query; its field must be an id or
  reference field.
- Not supported: GROUP BY / HAVING, aggregate functions other than COUNT, TYPEOF, USING SCOPE,
  FIELDS(), FORMAT()/toLabel()/convertCurrency(), WITH DATA CATEGORY, the OFFSET-in-subquery
  and 50,000-row limits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

from sandboxes.salesforce.errors import SalesforceApiError
from sandboxes.salesforce.schema import ChildRelationship, FieldDef, Schema, SObjectDef
from sandboxes.salesforce.soql_parser import (
    BoolOp,
    ChildQuery,
    Comparison,
    Condition,
    Count,
    FieldPath,
    Not,
    OrderItem,
    Query,
    Value,
    parse,
    query_error,
)
from sandboxes.salesforce.soql_values import (
    ID_TYPES,
    TEXT_TYPES,
    LiteralTypeError,
    compare,
    includes,
    like_regex,
    literal_key,
    row_key,
    sort_key,
)

MAX_OFFSET = 2000
# Long text areas can be neither filtered nor sorted. A custom text area longer than 255 is
# always a long one; standard text areas of up to 4,000 (Product2.Description) are plain ones.
LONG_TEXT_LENGTH = {True: 255, False: 4000}  # keyed by FieldDef.custom

Record = dict[str, Any]
Predicate = Callable[[Record], bool]


class RecordSource(Protocol):
    def records(self, sobject: str, include_deleted: bool = False) -> Iterable[Record]: ...

    def get_by_id(self, record_id: str) -> Record | None: ...


@dataclass
class QueryResult:
    total_size: int
    records: list[Record]  # API-shaped; all rows (LIMIT/OFFSET applied), paging is the caller's
    sobject: str


def execute(
    soql: str,
    schema: Schema,
    source: RecordSource,
    *,
    api_version: str = "59.0",
    include_deleted: bool = False,
    now: datetime | None = None,
) -> QueryResult:
    """Run one SOQL query; SalesforceApiError (HTTP 400) for anything Salesforce would refuse."""
    execution = _Execution(soql, schema, source, api_version, include_deleted, now)
    return execution.run(parse(soql))


# ---------------------------------------------------------------------------------------------
# The bound plan
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoundPath:
    """A field path resolved against the schema: `Account.Owner.Name` from Opportunity."""

    relationships: tuple[FieldDef, ...]  # the reference fields walked (AccountId, OwnerId)
    field: FieldDef  # the field read at the end (User.Name)

    @property
    def names(self) -> tuple[str, ...]:
        """Canonical output keys: relationship names then the field name."""
        return (*(str(ref.relationship_name) for ref in self.relationships), self.field.name)

    @property
    def text(self) -> str:
        return ".".join(self.names)


@dataclass
class BoundChild:
    relationship: ChildRelationship
    plan: Plan


@dataclass
class BoundCount:
    path: BoundPath | None  # None for COUNT()
    alias: str


@dataclass(frozen=True)
class BoundOrder:
    path: BoundPath
    descending: bool
    nulls_first: bool


Column = BoundPath | BoundChild | BoundCount


@dataclass
class Plan:
    sobject: SObjectDef
    columns: list[Column]
    where: Predicate | None
    order_by: list[BoundOrder]
    limit: int | None
    offset: int | None
    counts: list[BoundCount] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Execution
# ---------------------------------------------------------------------------------------------


class _Execution:
    """One query's run: binds the syntax tree to the schema, then reads and shapes rows."""

    def __init__(
        self,
        soql: str,
        schema: Schema,
        source: RecordSource,
        api_version: str,
        include_deleted: bool,
        now: datetime | None,
    ) -> None:
        self.soql = soql
        self.schema = schema
        self.source = source
        self.api_version = api_version
        self.include_deleted = include_deleted
        now = now or datetime.now(UTC)
        self.today: date = (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(UTC).date()
        self._parents: dict[str, Record | None] = {}
        self._children: dict[tuple[str, str], dict[str, list[Record]]] = {}

    def run(self, query: Query) -> QueryResult:
        sobject = self.sobject(query)
        _check_implementation_restrictions(query, sobject)
        plan = self.plan(query, sobject)
        rows = self.select(plan, self.rows_of(sobject.name))
        if plan.counts and plan.counts[0].path is None:
            return QueryResult(len(rows), [], sobject.name)
        if plan.counts:
            return QueryResult(1, [self.aggregate(plan, rows)], sobject.name)
        return QueryResult(len(rows), [self.shape(plan, row) for row in rows], sobject.name)

    def error(self, pos: int, code: str, message: str) -> SalesforceApiError:
        return query_error(self.soql, pos, code, message)

    def sobject(self, query: Query) -> SObjectDef:
        found = self.schema.sobject(query.sobject)
        if found is None:
            raise self.error(
                query.sobject_pos,
                "INVALID_TYPE",
                f"sObject type '{query.sobject}' is not supported. If you are attempting to use "
                "a custom object, be sure to append the '__c' after the entity name. Please "
                "reference your WSDL or the describe call for the appropriate names.",
            )
        return found

    # -- binding -------------------------------------------------------------------------------

    def plan(self, query: Query, sobject: SObjectDef) -> Plan:
        if query.offset is not None and query.offset > MAX_OFFSET:
            raise SalesforceApiError(
                400, "NUMBER_OUTSIDE_VALID_RANGE", f"Maximum SOQL offset allowed is {MAX_OFFSET}"
            )
        columns = self.bind_columns(query, sobject)
        counts = [column for column in columns if isinstance(column, BoundCount)]
        return Plan(
            sobject=sobject,
            columns=columns,
            where=None if query.where is None else self.predicate(query.where, sobject, query),
            order_by=[self.bind_order(item, sobject, query) for item in query.order_by],
            limit=query.limit,
            offset=query.offset,
            counts=counts,
        )

    def bind_columns(self, query: Query, sobject: SObjectDef) -> list[Column]:
        columns: list[Column] = []
        seen: set[str] = set()
        unnamed = 0  # unaliased aggregates are named expr0, expr1 ...
        for item in query.items:
            if isinstance(item, ChildQuery):
                columns.append(self.bind_child(item.query, sobject))
                continue
            if isinstance(item, Count):
                path = None if item.path is None else self.resolve(item.path, sobject, query)
                columns.append(BoundCount(path, item.alias or f"expr{unnamed}"))
                unnamed += item.alias is None
                continue
            path = self.resolve(item, sobject, query)
            if path.text.lower() in seen:
                raise SalesforceApiError(
                    400, "INVALID_FIELD", f"duplicate field selected: {path.text}"
                )
            seen.add(path.text.lower())
            columns.append(path)
        self.check_aggregates(query, columns)
        return columns

    def check_aggregates(self, query: Query, columns: list[Column]) -> None:
        counts = [item for item in query.items if isinstance(item, Count)]
        if not counts:
            return
        if any(item.path is None for item in counts) and len(query.items) > 1:
            raise self.error(
                counts[0].pos,
                "MALFORMED_QUERY",
                "COUNT() must be the only element in the SELECT list",
            )
        plain = next((c for c in columns if isinstance(c, BoundPath)), None)
        if plain is not None:
            raise self.error(
                query.pos,
                "MALFORMED_QUERY",
                f"Field must be grouped or aggregated: {plain.field.name}",
            )

    def bind_child(self, child: Query, parent: SObjectDef) -> BoundChild:
        relationship = parent.child_relationship(child.sobject)
        sobject = self.schema.sobject(relationship.child_sobject) if relationship else None
        if relationship is None or sobject is None:
            raise self.error(
                child.sobject_pos,
                "INVALID_TYPE",
                f"Didn't understand relationship '{child.sobject}' in FROM part of query call. "
                "If you are attempting to use a custom relationship, be sure to append the "
                "'__r' after the custom relationship name. Please reference your WSDL or the "
                "describe call for the appropriate names.",
            )
        return BoundChild(relationship, self.plan(child, sobject))

    def resolve(self, path: FieldPath, sobject: SObjectDef, query: Query) -> BoundPath:
        """Walk `Account.Owner.Name` through the schema to canonical definitions."""
        parts = list(path.parts)
        if query.alias and len(parts) > 1 and parts[0].lower() == query.alias.lower():
            parts = parts[1:]
        current = sobject
        relationships: list[FieldDef] = []
        for part in parts[:-1]:
            reference = current.parent_relationship(part)
            target = self.parent_sobject(reference, parts[len(relationships) + 1 :])
            if reference is None or target is None:
                raise self.error(
                    path.pos,
                    "INVALID_FIELD",
                    f"Didn't understand relationship '{part}' in field path. If you are "
                    "attempting to use a custom relationship, be sure to append the '__r' after "
                    "the custom relationship name. Please reference your WSDL or the describe "
                    "call for the appropriate names.",
                )
            relationships.append(reference)
            current = target
        found = current.field(parts[-1])
        if found is None:
            raise self.error(
                path.pos,
                "INVALID_FIELD",
                f"No such column '{parts[-1]}' on entity '{current.name}'. If you are "
                "attempting to use a custom field, be sure to append the '__c' after the custom "
                "field name. Please reference your WSDL or the describe call for the "
                "appropriate names.",
            )
        return BoundPath(tuple(relationships), found)

    def parent_sobject(self, reference: FieldDef | None, rest: list[str]) -> SObjectDef | None:
        """The object a reference points to; for polymorphic ones, the first knowing `rest`."""
        if reference is None:
            return None
        targets = [t for t in map(self.schema.sobject, reference.reference_to) if t is not None]
        for target in targets:
            nxt = rest[0]
            known = target.field(nxt) if len(rest) == 1 else target.parent_relationship(nxt)
            if known is not None:
                return target
        return targets[0] if targets else None

    def bind_order(self, item: OrderItem, sobject: SObjectDef, query: Query) -> BoundOrder:
        bound = self.resolve(item.path, sobject, query)
        if bound.field.type == "multipicklist" or _is_long_text(bound.field):
            raise self.error(
                item.path.pos,
                "INVALID_FIELD",
                f"field '{bound.field.name}' can not be sorted in a query call",
            )
        return BoundOrder(bound, item.descending, item.nulls_first)

    # -- WHERE -----------------------------------------------------------------------------

    def predicate(self, condition: Condition, sobject: SObjectDef, query: Query) -> Predicate:
        if isinstance(condition, BoolOp):
            if condition.operator == "OR" and _has_semi_join(condition):
                raise SalesforceApiError(
                    400,
                    "MALFORMED_QUERY",
                    "Semi join sub-selects are not allowed with the 'OR' operator",
                )
            parts = [self.predicate(c, sobject, query) for c in condition.operands]
            if condition.operator == "AND":
                return lambda row: all(part(row) for part in parts)
            return lambda row: any(part(row) for part in parts)
        if isinstance(condition, Not):
            inner = self.predicate(condition.operand, sobject, query)
            return lambda row: not inner(row)
        return self.comparison(condition, sobject, query)

    def comparison(self, comparison: Comparison, sobject: SObjectDef, query: Query) -> Predicate:
        path = self.resolve(comparison.path, sobject, query)
        self.check_operator(comparison, path)
        if comparison.subquery is not None:
            return self.semi_join(comparison, path)
        keys = [self.literal(path, value) for value in comparison.values]

        def key_of(row: Record) -> Any:
            return row_key(path.field, self.read(row, path))

        match comparison.operator:
            case "LIKE" if keys[0] is None:
                return lambda row: False  # LIKE null matches nothing
            case "LIKE":
                pattern = like_regex(comparison.values[0].like_pattern, path.field.case_sensitive)
                return lambda row: _like(pattern, self.read(row, path))
            case "IN":
                return lambda row: any(compare("=", key_of(row), key) for key in keys)
            case "NOT IN":
                return lambda row: not any(compare("=", key_of(row), key) for key in keys)
            case "INCLUDES":
                return lambda row: includes(key_of(row), keys)
            case "EXCLUDES":
                return lambda row: not includes(key_of(row), keys)
        operator, key = comparison.operator, keys[0]
        return lambda row: compare(operator, key_of(row), key)

    def literal(self, path: BoundPath, value: Value) -> Any:
        try:
            return literal_key(path.field, path.text, value, self.today)
        except LiteralTypeError as problem:
            raise self.error(value.pos, problem.error_code, problem.message) from None

    def check_operator(self, comparison: Comparison, path: BoundPath) -> None:
        """Operator/field-type combinations Salesforce refuses (INVALID_QUERY_FILTER_OPERATOR)."""
        kind, operator = path.field.type, comparison.operator
        problem = None
        if _is_long_text(path.field):
            raise self.error(
                comparison.path.pos,
                "INVALID_FIELD",
                f"field '{path.field.name}' can not be filtered in query call",
            )
        if operator == "LIKE" and kind not in TEXT_TYPES:
            problem = f"invalid operator on {'id' if kind in ID_TYPES else kind} field"
        elif operator in ("INCLUDES", "EXCLUDES") and kind != "multipicklist":
            problem = "includes or excludes operator only valid on multipicklist field"
        elif operator in ("<", "<=", ">", ">=") and kind in ("boolean", "multipicklist"):
            problem = f"invalid operator on {kind} field"
        if problem is not None:
            raise self.error(comparison.pos, "INVALID_QUERY_FILTER_OPERATOR", problem)

    def semi_join(self, comparison: Comparison, path: BoundPath) -> Predicate:
        """`Id IN (SELECT AccountId FROM Opportunity ...)`: the inner ids, read once."""
        inner = comparison.subquery
        assert inner is not None
        if path.field.type not in ID_TYPES:
            raise self.error(
                comparison.path.pos,
                "INVALID_FIELD",
                f"The left operand field '{path.text}' in a semi join must be an id or "
                "reference field",
            )
        sobject = self.sobject(inner)
        _check_implementation_restrictions(inner, sobject)
        if inner.where is not None and _has_semi_join(inner.where):
            raise SalesforceApiError(
                400, "MALFORMED_QUERY", "Nesting of semi join sub-selects is not supported"
            )
        plan = self.plan(inner, sobject)
        selected = plan.columns[0] if len(plan.columns) == 1 else None
        if not isinstance(selected, BoundPath) or selected.field.type not in ID_TYPES:
            raise self.error(
                inner.pos,
                "MALFORMED_QUERY",
                "a semi join subquery must select exactly one id or reference field",
            )
        found = {
            row_key(selected.field, self.read(row, selected))
            for row in self.select(plan, self.rows_of(sobject.name))
        }
        found.discard(None)
        negate = comparison.operator == "NOT IN"
        return lambda row: (row_key(path.field, self.read(row, path)) in found) != negate

    # -- rows ----------------------------------------------------------------------------------

    def rows_of(self, sobject: str) -> list[Record]:
        rows = self.source.records(sobject, include_deleted=self.include_deleted)
        return [row for row in rows if self.include_deleted or not row.get("IsDeleted")]

    def select(self, plan: Plan, rows: list[Record]) -> list[Record]:
        """WHERE, ORDER BY, OFFSET and LIMIT, in that order."""
        if plan.where is not None:
            rows = [row for row in rows if plan.where(row)]
        rows = self.sort(plan.order_by, rows)
        start = plan.offset or 0
        end = None if plan.limit is None else start + plan.limit
        return rows[start:end]

    def sort(self, order_by: list[BoundOrder], rows: list[Record]) -> list[Record]:
        """Stable sorts from the last key to the first; nulls placed per NULLS FIRST/LAST."""
        rows = list(rows)
        for order in reversed(order_by):
            # With reverse=True the flag's order flips too, so nulls first needs flag 1 there.
            null_flag = 0 if order.nulls_first != order.descending else 1

            def key(row: Record, order: BoundOrder = order, null_flag: int = null_flag) -> Any:
                value = sort_key(order.path.field, self.read(row, order.path))
                return (null_flag, 0) if value is None else (1 - null_flag, value)

            rows.sort(key=key, reverse=order.descending)
        return rows

    def read(self, row: Record | None, path: BoundPath) -> Any:
        for reference in path.relationships:
            row = self.parent(row, reference)
            if row is None:
                return None
        return None if row is None else row.get(path.field.name)

    def parent(self, row: Record | None, reference: FieldDef) -> Record | None:
        record_id = None if row is None else row.get(reference.name)
        if not record_id:
            return None
        if record_id not in self._parents:
            self._parents[record_id] = self.source.get_by_id(record_id)
        return self._parents[record_id]

    def children(self, relationship: ChildRelationship, parent_id: str) -> list[Record]:
        """Child rows of one parent, grouped for all parents on first use."""
        index_key = (relationship.child_sobject, relationship.field)
        if index_key not in self._children:
            grouped: dict[str, list[Record]] = {}
            for row in self.rows_of(relationship.child_sobject):
                owner = row.get(relationship.field)
                if owner:
                    grouped.setdefault(str(owner)[:15], []).append(row)
            self._children[index_key] = grouped
        return self._children[index_key].get(parent_id[:15], [])

    # -- shaping -------------------------------------------------------------------------------

    def shape(self, plan: Plan, row: Record) -> Record:
        shaped: Record = {"attributes": self.attributes(plan.sobject.name, row.get("Id"))}
        for column in plan.columns:
            if isinstance(column, BoundPath):
                self.place(shaped, row, column)
            elif isinstance(column, BoundChild):
                shaped[column.relationship.name] = self.child_result(column, row)
        return shaped

    def place(self, shaped: Record, row: Record, path: BoundPath) -> None:
        """Put one selected value into the output, creating parent objects along the way."""
        target, current = shaped, row
        for reference in path.relationships:
            name = str(reference.relationship_name)
            parent = self.parent(current, reference)
            if name not in target:
                target[name] = None if parent is None else self.parent_stub(parent, reference)
            if target[name] is None or parent is None:
                return
            target, current = target[name], parent
        target[path.field.name] = current.get(path.field.name)

    def parent_stub(self, parent: Record, reference: FieldDef) -> Record:
        record_id = str(parent.get("Id") or "")
        found = self.schema.by_key_prefix(record_id[:3])
        sobject = found.name if found else (reference.reference_to or ("",))[0]
        return {"attributes": self.attributes(sobject, record_id)}

    def child_result(self, child: BoundChild, row: Record) -> Record | None:
        rows = self.select(child.plan, self.children(child.relationship, str(row.get("Id"))))
        if not rows:
            return None  # Salesforce answers null, not an empty list, for no child rows
        records = [self.shape(child.plan, child_row) for child_row in rows]
        return {"totalSize": len(records), "done": True, "records": records}

    def aggregate(self, plan: Plan, rows: list[Record]) -> Record:
        result: Record = {"attributes": {"type": "AggregateResult"}}
        for count in plan.counts:
            counted = count.path
            if counted is None:
                result[count.alias] = len(rows)
            else:
                result[count.alias] = sum(self.read(row, counted) is not None for row in rows)
        return result

    def attributes(self, sobject: str, record_id: Any) -> Record:
        url = f"/services/data/v{self.api_version}/sobjects/{sobject}/{record_id}"
        return {"type": sobject, "url": url}


def _check_implementation_restrictions(query: Query, sobject: SObjectDef) -> None:
    """Objects Salesforce refuses to scan whole (as a top-level query; children are fine)."""
    if sobject.name != "ContentDocumentLink":
        return
    where = query.where
    clauses = where.operands if isinstance(where, BoolOp) and where.operator == "AND" else [where]
    if not any(
        isinstance(clause, Comparison)
        and clause.operator in ("=", "IN")
        and clause.path.parts[-1].lower() in ("contentdocumentid", "linkedentityid")
        for clause in clauses
    ):
        raise SalesforceApiError(
            400,
            "MALFORMED_QUERY",
            "Implementation restriction: ContentDocumentLink requires a filter by a single Id on "
            "ContentDocumentId or LinkedEntityId using the equals operator or multiple Id's "
            "using the IN operator.",
        )


def _has_semi_join(condition: Condition) -> bool:
    if isinstance(condition, Comparison):
        return condition.subquery is not None
    if isinstance(condition, Not):
        return _has_semi_join(condition.operand)
    return any(_has_semi_join(operand) for operand in condition.operands)


def _is_long_text(definition: FieldDef) -> bool:
    limit = LONG_TEXT_LENGTH[definition.custom]
    return definition.type == "textarea" and (definition.length or 0) > limit


def _like(pattern: Any, raw: Any) -> bool:
    return raw is not None and pattern.fullmatch(str(raw)) is not None
