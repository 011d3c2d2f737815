"""The org's database: records, their validation, and the business rules the project meets.

`Org` keeps every record as a dict keyed by canonical field names holding wire-format values
(dates "2026-11-22", datetimes "2026-11-22T02:17:32.000+0000", numbers as JSON numbers), so
what the REST layer and SOQL read is exactly what Salesforce would answer. Deletes are soft
(`IsDeleted`), which is what `queryAll` sees.

Writes are copy-on-write per record: a change replaces the record's dict rather than
mutating it, and every replacement notes the dict it replaced in an undo journal. A
checkpoint is the journal's length, so opening a transaction costs nothing whatever the size
of the org, and a rollback puts back only the records the block touched (newest first).
Every public write runs in its own transaction, so a rule failing half-way (an opportunity
line whose roll-up fails) leaves nothing behind. Transactions nest: an inner one is a
savepoint; the journal is emptied when the outermost one ends.

Fields that are looked up by value (external ids, unique fields, and references, which
give a parent's children) are indexed, value -> record ids, and the index moves with every
record put and every record restored, so an upsert by external id, a uniqueness check, an
opportunity's lines or a cascade delete costs the same in an org of ten records or ten
thousand.

`Org` is also the `RecordSource` SOQL reads: `records(sobject, include_deleted)` and
`get_by_id(id)`.

Validation order on a write: unknown field (INVALID_FIELD), not createable/updateable
(INVALID_FIELD_FOR_INSERT_UPDATE), value types (JSON_PARSER_ERROR), each field's own rules
(STRING_TOO_LONG, restricted picklists, numeric range, references), required fields,
uniqueness, then the object's business rules. The first failure is raised.

Where the documentation is silent (choices made here):
- A well-formed id of the wrong object in a reference field is FIELD_INTEGRITY_EXCEPTION
  "<Label>: id value of incorrect type: <id>"; a malformed one is MALFORMED_ID with the same
  wording; a missing record is INVALID_CROSS_REFERENCE_KEY "invalid cross reference id".
- A string that cannot become the field's type (number, date, boolean) is JSON_PARSER_ERROR
  worded like Salesforce's JSON deserializer; a JSON object or list for a scalar field is
  INVALID_TYPE_ON_FIELD_IN_RECORD "<Label>: value not of required type: <value>".
- OpportunityLineItem.Discount outside 0..100 is NUMBER_OUTSIDE_VALID_RANGE.
- A line given TotalPrice keeps it; UnitPrice becomes TotalPrice / (Quantity * (1 - Discount%)).
- Opportunity.Amount is the sum of its live lines while it has any; when the last line goes
  it becomes 0 (Salesforce decrements it line by line). Updates to Amount are then ignored,
  as documented; changing Pricebook2Id on an opportunity with lines is refused.
- Deleting the standard price book is DELETE_FAILED.
- ContentVersion inserts create the ContentDocument and, with FirstPublishLocationId, one
  ContentDocumentLink (ShareType "V", Visibility "AllUsers"); the owner's own link that
  Salesforce also creates is not modelled.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import PurePosixPath
from threading import RLock
from typing import Any

from sandboxes.salesforce import ids
from sandboxes.salesforce.errors import SalesforceApiError
from sandboxes.salesforce.schema import FieldDef, Schema, SObjectDef

Record = dict[str, Any]

SYSTEM_FIELDS = (
    "Id",
    "IsDeleted",
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
)
STANDARD_PRICEBOOK_NAME = "Standard Price Book"
STANDARD_PROFILES = (
    "System Administrator",
    "Standard User",
    "Minimum Access - API Only Integrations",
)
VERSION_DATA_PATH = "/services/data/v{version}/sobjects/ContentVersion/{id}/VersionData"
DEFAULT_API_VERSION = "59.0"

# Default probability of the standard opportunity stages (Setup > Opportunity Stages).
STAGE_PROBABILITY = {
    "Prospecting": 10,
    "Qualification": 10,
    "Needs Analysis": 20,
    "Value Proposition": 50,
    "Id. Decision Makers": 60,
    "Perception Analysis": 70,
    "Proposal/Price Quote": 75,
    "Negotiation/Review": 90,
    "Closed Won": 100,
    "Closed Lost": 0,
}

NUMBER_TYPES = {"int", "double", "currency", "percent", "long"}
TEXT_TYPES = {
    "string",
    "textarea",
    "picklist",
    "multipicklist",
    "email",
    "phone",
    "url",
    "combobox",
    "encryptedstring",
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def format_datetime(moment: datetime) -> str:
    """Salesforce's datetime wire format: milliseconds and a +0000 offset."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def utc_now() -> datetime:
    return datetime.now(UTC)


class MultipleMatches(Exception):
    """Several records hold the external id an upsert named (HTTP 300)."""

    def __init__(self, sobject: str, record_ids: list[str]) -> None:
        super().__init__(f"{len(record_ids)} {sobject} records match")
        self.sobject = sobject
        self.record_ids = record_ids


@dataclass
class Transaction:
    """Handle given by `Org.transaction()`; `rollback()` undoes the block's writes."""

    _org: Org
    _checkpoint: int  # the undo journal's length when the block began
    rolled_back: bool = False

    def rollback(self) -> None:
        self._org._restore(self._checkpoint)
        self.rolled_back = True


@dataclass
class _Write:
    """One record on its way in: the object, the values given, and who writes them."""

    sobject: SObjectDef
    values: Record
    user_id: str | None
    old: Record | None = None  # the stored record, for updates
    extra: dict[str, Any] = field(default_factory=dict)
    trusted: bool = False  # seeding: validation rules do not apply


class Org:
    """The records of one org and the rules they obey. Thread-safe through `lock`."""

    def __init__(
        self,
        schema: Schema,
        *,
        lock: RLock | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.schema = schema
        self.lock = lock or RLock()
        self.clock = clock
        self._ids = ids.IdFactory()
        self._tables: dict[str, dict[str, Record]] = {}
        self._blobs: dict[str, bytes] = {}
        self._index: dict[str, str] = {}  # record id -> sobject name
        # (sobject, field) -> looked-up value -> ids of the records holding it (deleted too)
        self._values: dict[tuple[str, str], dict[Any, dict[str, None]]] = {}
        self._indexed: dict[str, list[FieldDef]] = {}
        # (table or "blobs", record id, what was there before or _ABSENT), oldest first
        self._journal: list[tuple[str, str, Any]] = []
        self._depth = 0
        self.reset()

    # -- lifecycle ---------------------------------------------------------------------------

    def reset(self) -> None:
        """Empty the org, then seed the standard price book (every org has one)."""
        with self.lock:
            self._tables = {name: {} for name in self.schema.objects}
            self._blobs = {}
            self._index = {}
            self._indexed = {
                name: [f for f in definition.fields.values() if _looked_up_by_value(f)]
                for name, definition in self.schema.objects.items()
            }
            self._values = {
                (name, f.name): {} for name, fields in self._indexed.items() for f in fields
            }
            self._journal = []
            if self.schema.sobject("Pricebook2") is not None:
                self.insert_trusted(
                    "Pricebook2",
                    {"Name": STANDARD_PRICEBOOK_NAME, "IsStandard": True, "IsActive": True},
                )
            if self.schema.sobject("Profile") is not None:
                for name in STANDARD_PROFILES:
                    self.insert_trusted("Profile", {"Name": name})

    def profile_id(self, name: str) -> str | None:
        found = (
            self.find_by_field("Profile", "Name", name) if self.schema.sobject("Profile") else []
        )
        return str(found[0]["Id"]) if found else None

    @property
    def standard_pricebook_id(self) -> str | None:
        book = next(
            (r for r in self.records("Pricebook2") if r.get("IsStandard")),
            None,
        )
        return None if book is None else str(book["Id"])

    # -- transactions ------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Everything written inside is undone if the block raises or calls `rollback()`."""
        with self.lock:
            tx = Transaction(self, len(self._journal))
            self._depth += 1
            try:
                yield tx
            except BaseException:
                self._restore(tx._checkpoint)
                raise
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._journal.clear()  # committed (or rolled back): nothing left to undo
            if tx.rolled_back:
                self._restore(tx._checkpoint)

    def _restore(self, checkpoint: int) -> None:
        """Put back, newest first, every record and blob replaced since `checkpoint`."""
        while len(self._journal) > checkpoint:
            table, record_id, before = self._journal.pop()
            if table == _BLOBS:
                if before is _ABSENT:
                    self._blobs.pop(record_id, None)
                else:
                    self._blobs[record_id] = before
            else:
                self._place(table, record_id, None if before is _ABSENT else before)

    def _put(self, sobject: str, record: Record) -> None:
        """Store a new version of a record (never mutated afterwards), noting the old one."""
        record_id = record["Id"]
        before = self._tables[sobject].get(record_id, _ABSENT)
        if self._depth:
            self._journal.append((sobject, record_id, before))
        self._place(sobject, record_id, record)

    def _put_blob(self, version_id: str, content: bytes) -> None:
        if self._depth:
            self._journal.append((_BLOBS, version_id, self._blobs.get(version_id, _ABSENT)))
        self._blobs[version_id] = content

    def _place(self, sobject: str, record_id: str, record: Record | None) -> None:
        """Make `record` (None: no record) the stored one, keeping the value index in step."""
        table = self._tables[sobject]
        old = table.get(record_id)
        for fdef in self._indexed.get(sobject, ()):
            old_key = None if old is None else _index_key(fdef, old.get(fdef.name))
            new_key = None if record is None else _index_key(fdef, record.get(fdef.name))
            if old_key == new_key:
                continue
            holders = self._values[(sobject, fdef.name)]
            if old_key is not None:
                holders.get(old_key, {}).pop(record_id, None)
                if not holders.get(old_key, True):
                    del holders[old_key]
            if new_key is not None:
                holders.setdefault(new_key, {})[record_id] = None
        if record is None:
            table.pop(record_id, None)
            self._index.pop(record_id, None)
        else:
            table[record_id] = record
            self._index[record_id] = sobject

    def _holding(self, sobject: str, fdef: FieldDef, value: Any) -> list[Record]:
        """Live records whose indexed field `fdef` holds `value` (compared as the index does)."""
        key = _index_key(fdef, value)
        holders = self._values[(sobject, fdef.name)].get(key, {}) if key is not None else {}
        table = self._tables[sobject]
        return [table[i] for i in holders if not table[i].get("IsDeleted")]

    def _is_indexed(self, sobject: str, fdef: FieldDef) -> bool:
        return (sobject, fdef.name) in self._values

    # -- reading (the RecordSource protocol) -------------------------------------------------

    def records(self, sobject: str, include_deleted: bool = False) -> Iterable[Record]:
        definition = self.schema.sobject(sobject)
        if definition is None:
            return []
        with self.lock:
            rows = list(self._tables.get(definition.name, {}).values())
        return rows if include_deleted else [r for r in rows if not r.get("IsDeleted")]

    def get_by_id(self, record_id: str) -> Record | None:
        """The record (deleted ones too, with IsDeleted true) for a 15- or 18-character id."""
        canonical = ids.normalize(record_id)
        if canonical is None:
            return None
        with self.lock:
            sobject = self._index.get(canonical)
            return None if sobject is None else self._tables[sobject].get(canonical)

    def sobject_of(self, record_id: str) -> SObjectDef | None:
        """The object an id belongs to, from its key prefix (whether or not it exists)."""
        canonical = ids.normalize(record_id)
        return None if canonical is None else self.schema.by_key_prefix(canonical[:3])

    def blob(self, version_id: str) -> bytes | None:
        canonical = ids.normalize(version_id)
        return None if canonical is None else self._blobs.get(canonical)

    def find_by_field(self, sobject: str, field_name: str, value: Any) -> list[Record]:
        """Live records whose `field_name` equals `value` (text compared ignoring case)."""
        definition = self._sobject(sobject)
        fdef = definition.field(field_name)
        if fdef is None:
            return []
        coerced = self._coerce(definition, fdef, value)
        with self.lock:
            if self._is_indexed(definition.name, fdef):
                return self._holding(definition.name, fdef, coerced)
        wanted = _comparable(fdef, coerced)
        return [
            r
            for r in self.records(definition.name)
            if r.get(fdef.name) is not None and _comparable(fdef, r[fdef.name]) == wanted
        ]

    # -- writing -----------------------------------------------------------------------------

    def create(self, sobject: str, values: Record, *, user_id: str | None = None) -> str:
        """Insert one record as a user would through the API; answers the new id."""
        with self.transaction():
            definition = self._sobject(sobject)
            write = _Write(definition, self._accept(definition, values, "create"), user_id)
            return self._insert(write)

    def insert_trusted(self, sobject: str, values: Record, *, user_id: str | None = None) -> str:
        """Insert bypassing createable checks: seeding and records the org makes itself."""
        with self.transaction():
            definition = self._sobject(sobject)
            write = _Write(definition, self._accept(definition, values, None), user_id)
            write.trusted = True
            return self._insert(write)

    def update(self, record_id: str, values: Record, *, user_id: str | None = None) -> None:
        with self.transaction():
            old = self._live_record(record_id)
            definition = self._sobject(self._index[old["Id"]])
            write = _Write(definition, self._accept(definition, values, "update"), user_id, old)
            self._update(write)

    def delete(self, record_id: str, *, user_id: str | None = None) -> None:
        with self.transaction():
            old = self._live_record(record_id)
            self._delete(self._sobject(self._index[old["Id"]]), old, user_id)

    def upsert(
        self,
        sobject: str,
        field_name: str,
        value: Any,
        values: Record,
        *,
        user_id: str | None = None,
        update_only: bool = False,
    ) -> tuple[str, bool]:
        """Create or update by external id; answers (id, created). Raises MultipleMatches."""
        definition = self._sobject(sobject)
        fdef = definition.field(field_name)
        if fdef is None or not fdef.external_id:
            raise SalesforceApiError(
                404,
                "NOT_FOUND",
                f"Provided external ID field does not exist or is not accessible: {field_name}",
            )
        with self.transaction():
            matches = self.find_by_field(definition.name, fdef.name, value)
            if len(matches) > 1:
                raise MultipleMatches(definition.name, [m["Id"] for m in matches])
            if matches:
                self.update(matches[0]["Id"], values, user_id=user_id)
                return str(matches[0]["Id"]), False
            if update_only:
                raise SalesforceApiError(404, "NOT_FOUND", "The requested resource does not exist")
            return self.create(definition.name, {**values, fdef.name: value}, user_id=user_id), True

    # -- the write pipeline -----------------------------------------------------------------

    def _insert(self, write: _Write) -> str:
        definition = write.sobject
        record: Record = {name: None for name in definition.fields}
        for fdef in definition.fields.values():
            if fdef.default is not None:
                record[fdef.name] = fdef.default
            elif fdef.type == "boolean":
                record[fdef.name] = False
        record.update(write.values)
        write.values = record
        self._rules(definition.name, "before_insert")(write)
        self._check_required(definition, record)
        self._check_validation_rules(write)
        record_id = self._ids.new(definition.key_prefix)
        self._check_unique(definition, record, record_id)
        stamp = format_datetime(self.clock())
        record.update({"Id": record_id, "IsDeleted": False})
        for name in ("CreatedDate", "LastModifiedDate", "SystemModstamp"):
            self._set_if_defined(definition, record, name, stamp)
        for name in ("CreatedById", "LastModifiedById"):
            self._set_if_defined(definition, record, name, write.user_id)
        if definition.field("OwnerId") is not None and not record.get("OwnerId"):
            record["OwnerId"] = write.user_id
        self._put(definition.name, record)
        write.values = record
        self._rules(definition.name, "after_insert")(write)
        return record_id

    def _update(self, write: _Write) -> None:
        definition, old = write.sobject, write.old
        assert old is not None
        self._rules(definition.name, "before_update")(write)
        self._check_validation_rules(write)
        record = {**old, **write.values}
        for name, value in write.values.items():
            fdef = definition.field(name)
            if fdef is not None and value is None and fdef.required:
                raise _required_missing([fdef.name])
        self._check_unique(definition, record, old["Id"])
        stamp = format_datetime(self.clock())
        for name in ("LastModifiedDate", "SystemModstamp"):
            self._set_if_defined(definition, record, name, stamp)
        self._set_if_defined(definition, record, "LastModifiedById", write.user_id)
        self._put(definition.name, record)
        write.values = record
        self._rules(definition.name, "after_update")(write)

    def _delete(self, definition: SObjectDef, old: Record, user_id: str | None) -> None:
        self._rules(definition.name, "before_delete")(_Write(definition, {}, user_id, old))
        self._write_fields(old["Id"], {"IsDeleted": True})
        for relation in definition.child_relationships.values():
            if relation.cascade_delete or (definition.name, relation.child_sobject) in _CASCADES:
                for child in self._children(relation.child_sobject, relation.field, old["Id"]):
                    self._delete(self._sobject(relation.child_sobject), child, user_id)
        self._rules(definition.name, "after_delete")(_Write(definition, {}, user_id, old))

    def _write_fields(self, record_id: str, changes: Record) -> None:
        """Set fields the org maintains itself (roll-ups, flags), without validation."""
        sobject = self._index[record_id]
        self._put(sobject, {**self._tables[sobject][record_id], **changes})

    def _children(self, sobject: str, field_name: str, parent_id: str) -> list[Record]:
        """Live `sobject` records whose reference `field_name` holds `parent_id`."""
        definition = self._sobject(sobject)
        fdef = definition.field(field_name)
        if fdef is not None and self._is_indexed(definition.name, fdef):
            return self._holding(definition.name, fdef, parent_id)
        return [r for r in self.records(definition.name) if r.get(field_name) == parent_id]

    def _set_if_defined(
        self, definition: SObjectDef, record: Record, name: str, value: Any
    ) -> None:
        if definition.field(name) is not None:
            record[name] = value

    def _sobject(self, name: str) -> SObjectDef:
        definition = self.schema.sobject(name)
        if definition is None:
            raise SalesforceApiError(
                404, "NOT_FOUND", f"The requested resource does not exist: sObject type '{name}'"
            )
        return definition

    def _live_record(self, record_id: str) -> Record:
        record = self.get_by_id(record_id)
        if record is None:
            if ids.normalize(record_id) is None:
                raise SalesforceApiError(400, "MALFORMED_ID", f"malformed id {record_id}", ["Id"])
            raise SalesforceApiError(404, "NOT_FOUND", "The requested resource does not exist")
        if record.get("IsDeleted"):
            raise SalesforceApiError(404, "ENTITY_IS_DELETED", "entity is deleted")
        return record

    # -- field validation -------------------------------------------------------------------

    def _accept(self, definition: SObjectDef, values: Record, action: str | None) -> Record:
        """Canonical names and coerced values, or the first validation error."""
        accepted: Record = {}
        not_writable: list[str] = []
        for name, value in values.items():
            if name == "attributes":
                continue
            fdef = definition.field(name)
            related = None if fdef is not None else definition.parent_relationship(name)
            if related is not None and isinstance(value, dict):
                fdef, value = related, self._foreign_key(related, value)
            if fdef is None:
                raise SalesforceApiError(
                    400,
                    "INVALID_FIELD",
                    f"No such column '{name}' on sobject of type {definition.name}",
                )
            if action == "create" and not fdef.createable:
                not_writable.append(fdef.name)
            if action == "update" and not fdef.updateable:
                not_writable.append(fdef.name)
            accepted[fdef.name] = value
        if not_writable:
            raise SalesforceApiError(
                400,
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                f"Unable to create/update fields: {', '.join(not_writable)}. Please check the "
                "security settings of this field and verify that it is read/write for your "
                "profile or permission set.",
                not_writable,
            )
        for name, value in list(accepted.items()):
            fdef = definition.fields[name]
            accepted[name] = None if value is None else self._coerce(definition, fdef, value)
            if accepted[name] is not None:
                self._check_value(definition, fdef, accepted[name])
        return accepted

    def _foreign_key(self, fdef: FieldDef, reference: dict[str, Any]) -> str:
        """`"Account__r": {"Ext__c": "v"}` in a body: the id of the one parent holding that
        external id (REST API Developer Guide, "Insert or Update (Upsert) a Record Using an
        External ID", associating a record by a foreign key external id)."""
        given = {k: v for k, v in reference.items() if k != "attributes"}
        target = self._sobject(fdef.reference_to[0]) if fdef.reference_to else None
        if target is None or len(given) != 1:
            raise SalesforceApiError(
                400, "INVALID_FIELD", f"Invalid foreign key reference for {fdef.name}"
            )
        [(field_name, value)] = given.items()
        key = target.field(field_name)
        if key is None or not (key.external_id or key.name == "Id"):
            raise SalesforceApiError(
                400,
                "INVALID_FIELD",
                f"Field name provided, {field_name} is not an External ID or indexed field for "
                f"{target.name}",
            )
        matches = [
            r for r in self.find_by_field(target.name, key.name, value) if not r.get("IsDeleted")
        ]
        if not matches:
            raise SalesforceApiError(
                400,
                "INVALID_FIELD",
                f"Foreign key external ID: {value} not found for field {key.name} in entity "
                f"{target.name}",
                [fdef.name],
            )
        if len(matches) > 1:
            raise SalesforceApiError(
                400,
                "INVALID_FIELD",
                f"More than 1 record found for External ID field: {key.name}",
                [fdef.name],
            )
        return str(matches[0]["Id"])

    def _coerce(self, definition: SObjectDef, fdef: FieldDef, value: Any) -> Any:
        if isinstance(value, dict | list):
            raise SalesforceApiError(
                400,
                "INVALID_TYPE_ON_FIELD_IN_RECORD",
                f"{_label(fdef)}: value not of required type: {value}",
                [fdef.name],
            )
        kind = fdef.type
        if kind in NUMBER_TYPES:
            return _to_number(fdef, value)
        if kind == "boolean":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false"):
                return value.lower() == "true"
            raise _parser_error("boolean", value)
        if kind == "date":
            if isinstance(value, str) and _DATE.match(value) and _valid_date(value):
                return value
            raise _parser_error("date", value)
        if kind == "datetime":
            parsed = _parse_datetime(value) if isinstance(value, str) else None
            if parsed is None:
                raise _parser_error("datetime", value)
            return format_datetime(parsed)
        if kind in ("id", "reference"):
            return str(value)
        if kind == "base64":
            return value
        return value if isinstance(value, str) else _json_text(value)

    def _check_value(self, definition: SObjectDef, fdef: FieldDef, value: Any) -> None:
        kind = fdef.type
        if kind in TEXT_TYPES and fdef.length and len(value) > fdef.length:
            raise SalesforceApiError(
                400,
                "STRING_TOO_LONG",
                f"{_label(fdef)}: data value too large: {value} (max length={fdef.length})",
                [fdef.name],
            )
        if kind in ("picklist", "multipicklist") and fdef.restricted_picklist:
            allowed = set(fdef.picklist_values)
            chosen = value.split(";") if kind == "multipicklist" else [value]
            bad = next((c for c in chosen if c not in allowed), None)
            if bad is not None:
                raise SalesforceApiError(
                    400,
                    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                    f"{_label(fdef)}: bad value for restricted picklist field: {bad}",
                    [fdef.name],
                )
        if kind == "email" and value and not _EMAIL.match(value):
            raise SalesforceApiError(
                400,
                "INVALID_EMAIL_ADDRESS",
                f"{_label(fdef)}: invalid email address: {value}",
                [fdef.name],
            )
        if kind in NUMBER_TYPES and fdef.precision:
            digits = fdef.precision - (fdef.scale or 0)
            if abs(value) >= 10**digits:
                raise _out_of_range(fdef, value)
        if kind == "reference":
            self._check_reference(fdef, value)

    def _check_reference(self, fdef: FieldDef, value: str) -> None:
        canonical = ids.normalize(value)
        if canonical is None:
            raise SalesforceApiError(
                400,
                "MALFORMED_ID",
                f"{_label(fdef)}: id value of incorrect type: {value}",
                [fdef.name],
            )
        target = self.schema.by_key_prefix(canonical[:3])
        allowed = {name.lower() for name in fdef.reference_to}
        if target is None or (allowed and target.name.lower() not in allowed):
            raise SalesforceApiError(
                400,
                "FIELD_INTEGRITY_EXCEPTION",
                f"{_label(fdef)}: id value of incorrect type: {value}",
                [fdef.name],
            )
        record = self.get_by_id(canonical)
        if record is None:
            raise SalesforceApiError(
                400,
                "INVALID_CROSS_REFERENCE_KEY",
                "invalid cross reference id",
                [fdef.name],
            )
        if record.get("IsDeleted"):
            raise SalesforceApiError(400, "ENTITY_IS_DELETED", "entity is deleted", [fdef.name])

    def _check_required(self, definition: SObjectDef, record: Record) -> None:
        missing = [
            f.name
            for f in definition.fields.values()
            if f.required and f.name not in SYSTEM_FIELDS and record.get(f.name) in (None, "")
        ]
        if missing:
            raise _required_missing(missing)

    def _check_unique(self, definition: SObjectDef, record: Record, record_id: str) -> None:
        for fdef in definition.fields.values():
            if not fdef.unique or record.get(fdef.name) in (None, ""):
                continue
            for other in self._holding(definition.name, fdef, record[fdef.name]):
                if other["Id"] != record_id:
                    raise SalesforceApiError(
                        400,
                        "DUPLICATE_VALUE",
                        f"duplicate value found: {fdef.name} duplicates value on record "
                        f"with id: {other['Id']}",
                    )

    # -- validation rules (metadata.py: the NOT($Permission.X) kind) --------------------------

    def _check_validation_rules(self, write: _Write) -> None:
        """Custom validation rules run after system validation and before-save rules (Apex
        Developer Guide, "Triggers and Order of Execution"); the first that fires refuses."""
        rules = self.schema.validation_rules.get(write.sobject.name, [])
        if not rules or write.trusted:
            return
        held = self._custom_permissions_of(write.user_id)
        for rule in rules:
            if rule.custom_permission.lower() not in held:
                raise SalesforceApiError(
                    400,
                    "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                    rule.message,
                    [rule.field] if rule.field else [],
                )

    def _custom_permissions_of(self, user_id: str | None) -> set[str]:
        if user_id is None or self.schema.sobject("PermissionSetAssignment") is None:
            return set()
        held: set[str] = set()
        for assignment in self.find_by_field("PermissionSetAssignment", "AssigneeId", user_id):
            permission_set = self.get_by_id(str(assignment.get("PermissionSetId")))
            if permission_set is not None:
                granted = self.schema.custom_permissions.get(str(permission_set.get("Name")), ())
                held.update(name.lower() for name in granted)
        return held

    # -- business rules ---------------------------------------------------------------------

    def _rules(self, sobject: str, moment: str) -> Callable[[_Write], None]:
        rule = getattr(self, f"_{moment}_{sobject.lower()}", None)
        return rule if rule is not None else _no_rule

    # Pricebook2: exactly one standard book, which cannot be deleted.

    def _before_delete_pricebook2(self, write: _Write) -> None:
        assert write.old is not None
        if write.old.get("IsStandard"):
            raise SalesforceApiError(
                400, "DELETE_FAILED", "The standard price book cannot be deleted."
            )

    # PricebookEntry: a custom price needs the product's active standard price first.

    def _before_insert_pricebookentry(self, write: _Write) -> None:
        record = write.values
        book = self.get_by_id(record.get("Pricebook2Id") or "")
        product = self.get_by_id(record.get("Product2Id") or "")
        if book is None or product is None:
            return  # required-field checks report it
        entries = self._children("PricebookEntry", "Product2Id", product["Id"])
        if any(e["Pricebook2Id"] == book["Id"] for e in entries):
            raise SalesforceApiError(
                400,
                "DUPLICATE_VALUE",
                "This price definition already exists in this price book",
            )
        if not book.get("IsStandard"):
            standard = next(
                (e for e in entries if e["Pricebook2Id"] == self.standard_pricebook_id), None
            )
            if standard is None or not standard.get("IsActive"):
                raise SalesforceApiError(
                    400,
                    "STANDARD_PRICE_NOT_DEFINED",
                    "Before creating a custom price, create a standard price.",
                )
            if record.get("UseStandardPrice"):
                record["UnitPrice"] = standard.get("UnitPrice")
        self._set_if_defined(write.sobject, record, "Name", product.get("Name"))
        self._set_if_defined(write.sobject, record, "ProductCode", product.get("ProductCode"))

    # Opportunity: closed/won flags follow the stage; Amount follows the lines.

    def _before_insert_opportunity(self, write: _Write) -> None:
        given = write.values.get("Probability") is not None
        self._apply_stage(write.sobject, write.values, probability_given=given)

    def _before_update_opportunity(self, write: _Write) -> None:
        assert write.old is not None
        has_lines = bool(self._lines_of(write.old["Id"]))
        if has_lines:
            write.values.pop("Amount", None)  # documented: ignored, not rejected
            new_book = write.values.get("Pricebook2Id", write.old.get("Pricebook2Id"))
            if new_book != write.old.get("Pricebook2Id"):
                raise SalesforceApiError(
                    400,
                    "FIELD_INTEGRITY_EXCEPTION",
                    "field integrity exception: Pricebook2Id (cannot change the price book of "
                    "an opportunity with line items)",
                    ["Pricebook2Id"],
                )
        if "StageName" in write.values:
            self._apply_stage(
                write.sobject, write.values, probability_given="Probability" in write.values
            )

    def _apply_stage(self, definition: SObjectDef, values: Record, probability_given: bool) -> None:
        stage = values.get("StageName")
        if stage is None:
            return
        self._set_if_defined(definition, values, "IsClosed", stage.startswith("Closed"))
        self._set_if_defined(definition, values, "IsWon", stage == "Closed Won")
        if not probability_given and stage in STAGE_PROBABILITY:
            self._set_if_defined(definition, values, "Probability", STAGE_PROBABILITY[stage])

    def _lines_of(self, opportunity_id: str) -> list[Record]:
        return self._children("OpportunityLineItem", "OpportunityId", opportunity_id)

    def _refresh_opportunity(self, opportunity_id: str | None) -> None:
        """Amount follows the lines while there are any; ExpectedRevenue follows Amount."""
        opportunity = self.get_by_id(opportunity_id or "")
        if opportunity is None or opportunity.get("IsDeleted"):
            return
        definition = self._sobject("Opportunity")
        lines = self._lines_of(opportunity["Id"])
        changes: Record = {}
        if lines or opportunity.get("HasOpportunityLineItem"):
            changes["Amount"] = round(sum(float(x.get("TotalPrice") or 0) for x in lines), 2)
        changes["HasOpportunityLineItem"] = bool(lines)
        amount = changes.get("Amount", opportunity.get("Amount"))
        probability = opportunity.get("Probability")
        if amount is not None and probability is not None:
            changes["ExpectedRevenue"] = round(float(amount) * float(probability) / 100, 2)
        self._write_fields(opportunity["Id"], self._known_fields(definition.name, changes))

    def _after_insert_opportunity(self, write: _Write) -> None:
        self._refresh_opportunity(write.values["Id"])

    def _after_update_opportunity(self, write: _Write) -> None:
        self._refresh_opportunity(write.values["Id"])

    # OpportunityLineItem: the entry decides product and list price; totals are derived.

    def _before_insert_opportunitylineitem(self, write: _Write) -> None:
        line = write.values
        if not line.get("PricebookEntryId"):
            raise _integrity(
                "PricebookEntryId, unknown (versions 3.0 and higher must specify pricebook "
                "entry id; others must specify product id)",
                ["PricebookEntryId", "unknown"],
            )
        opportunity = self.get_by_id(line.get("OpportunityId") or "")
        entry = self.get_by_id(line["PricebookEntryId"])
        if opportunity is None or entry is None:
            return  # required-field and reference checks report it
        if not entry.get("IsActive"):
            raise _integrity("PricebookEntryId (pricebook entry is inactive)", ["PricebookEntryId"])
        book_id = opportunity.get("Pricebook2Id")
        if book_id is None:
            book = self.get_by_id(entry["Pricebook2Id"])
            if book is None or not book.get("IsActive"):
                raise _integrity(
                    "PricebookEntryId (pricebook entry is in an inactive pricebook)",
                    ["PricebookEntryId"],
                )
            # Documented: the API gives the opportunity the entry's price book.
            self._write_fields(opportunity["Id"], {"Pricebook2Id": entry["Pricebook2Id"]})
        elif book_id != entry["Pricebook2Id"]:
            raise _integrity(
                "PricebookEntryId (pricebook entry is in a different pricebook than the one "
                "assigned to the opportunity)",
                ["PricebookEntryId"],
            )
        self._set_if_defined(write.sobject, line, "Product2Id", entry.get("Product2Id"))
        self._set_if_defined(write.sobject, line, "ListPrice", entry.get("UnitPrice"))
        if line.get("UnitPrice") is None and line.get("TotalPrice") is None:
            raise _integrity(
                "TotalPrice (must specify either TotalPrice or UnitPrice)", ["TotalPrice"]
            )
        self._price_line(write.sobject, line, given=dict(line))
        product = self.get_by_id(entry.get("Product2Id") or "")
        if product is not None:
            name = f"{opportunity.get('Name', '')} {product.get('Name', '')}".strip()
            self._set_if_defined(write.sobject, line, "Name", name[:376])

    def _after_insert_opportunitylineitem(self, write: _Write) -> None:
        self._refresh_opportunity(write.values.get("OpportunityId"))

    def _before_update_opportunitylineitem(self, write: _Write) -> None:
        assert write.old is not None
        merged = {**write.old, **write.values}
        if "UnitPrice" in write.values and "TotalPrice" not in write.values:
            merged["TotalPrice"] = None
        if "TotalPrice" in write.values and "UnitPrice" not in write.values:
            merged["UnitPrice"] = None
        self._price_line(write.sobject, merged, given=write.values)
        for name in ("UnitPrice", "TotalPrice", "Subtotal", "Discount", "Quantity"):
            if write.sobject.field(name) is not None:
                write.values[name] = merged.get(name)

    def _after_update_opportunitylineitem(self, write: _Write) -> None:
        self._refresh_opportunity(write.values.get("OpportunityId"))

    def _after_delete_opportunitylineitem(self, write: _Write) -> None:
        assert write.old is not None
        self._refresh_opportunity(write.old.get("OpportunityId"))

    def _price_line(self, definition: SObjectDef, line: Record, given: Record) -> None:
        """TotalPrice = Quantity x UnitPrice x (1 - Discount%); exactly one price may be given."""
        if given.get("UnitPrice") is not None and given.get("TotalPrice") is not None:
            raise _integrity(
                "TotalPrice (cannot set both TotalPrice and UnitPrice)",
                ["TotalPrice", "UnitPrice"],
            )
        discount = float(line.get("Discount") or 0)
        if not 0 <= discount <= 100:
            fdef = definition.field("Discount")
            raise _out_of_range(fdef or FieldDef("Discount", "percent"), discount)
        quantity = _decimal(line.get("Quantity"))
        keep = 1 - _decimal(discount) / 100
        if line.get("TotalPrice") is not None and line.get("UnitPrice") is None:
            total = _decimal(line["TotalPrice"])
            line["UnitPrice"] = _money(total / (quantity * keep)) if quantity and keep else 0.0
        else:
            line["TotalPrice"] = _money(quantity * _decimal(line.get("UnitPrice")) * keep)
        self._set_if_defined(
            definition, line, "Subtotal", _money(quantity * _decimal(line["UnitPrice"]))
        )

    # ContentVersion: each insert is a version of a ContentDocument, made on the first.

    def _before_insert_contentversion(self, write: _Write) -> None:
        version = write.values
        data = version.get("VersionData")
        if data is None and not version.get("ContentUrl"):
            raise _required_missing(["VersionData"])
        if not version.get("PathOnClient") and not version.get("ContentUrl"):
            raise _required_missing(["PathOnClient"])
        content = _decode_blob(data) if data is not None else b""
        write.extra["content"] = content
        path = PurePosixPath(version.get("PathOnClient") or "")
        extension = path.suffix.lstrip(".").lower()
        if not version.get("Title"):
            version["Title"] = path.stem or "Untitled"
        updates = {
            "FileExtension": extension or None,
            "FileType": extension.upper() or "UNKNOWN",
            "ContentSize": len(content),
            "Checksum": hashlib.md5(content, usedforsecurity=False).hexdigest(),
            "IsLatest": True,
            "VersionNumber": "1",
        }
        document_id = version.get("ContentDocumentId")
        if document_id:
            previous = [
                v
                for v in self.records("ContentVersion")
                if v.get("ContentDocumentId") == document_id
            ]
            updates["VersionNumber"] = str(len(previous) + 1)
            for old in previous:
                self._write_fields(old["Id"], {"IsLatest": False})
        for name, value in updates.items():
            self._set_if_defined(write.sobject, version, name, value)
        version["VersionData"] = None  # replaced by the blob's URL once the id is known

    def _after_insert_contentversion(self, write: _Write) -> None:
        version = write.values
        version_id = version["Id"]
        self._put_blob(version_id, write.extra["content"])
        changes: Record = {
            "VersionData": VERSION_DATA_PATH.format(version=DEFAULT_API_VERSION, id=version_id)
        }
        document_id = version.get("ContentDocumentId")
        document_fields = {
            "Title": version.get("Title"),
            "FileExtension": version.get("FileExtension"),
            "FileType": version.get("FileType"),
            "ContentSize": version.get("ContentSize"),
            "LatestPublishedVersionId": version_id,
        }
        if self.schema.sobject("ContentDocument") is not None:
            document = self._known_fields("ContentDocument", document_fields)
            if document_id:
                self._write_fields(document_id, document)
            else:
                document_id = self.insert_trusted(
                    "ContentDocument", document, user_id=write.user_id
                )
                changes["ContentDocumentId"] = document_id
        self._write_fields(version_id, changes)
        location = version.get("FirstPublishLocationId")
        if location and document_id and self.schema.sobject("ContentDocumentLink") is not None:
            self.insert_trusted(
                "ContentDocumentLink",
                {
                    "ContentDocumentId": document_id,
                    "LinkedEntityId": location,
                    "ShareType": "V",
                    "Visibility": "AllUsers",
                },
                user_id=write.user_id,
            )

    def _known_fields(self, sobject: str, values: Record) -> Record:
        definition = self._sobject(sobject)
        return {k: v for k, v in values.items() if definition.field(k) is not None}

    # ContentDocumentLink: one link per document and record.

    def _before_insert_contentdocumentlink(self, write: _Write) -> None:
        link = write.values
        document, entity = link.get("ContentDocumentId"), link.get("LinkedEntityId")
        if not document or not entity:
            return
        for other in self.records("ContentDocumentLink"):
            if other.get("ContentDocumentId") == document and other.get("LinkedEntityId") == entity:
                raise SalesforceApiError(
                    400,
                    "DUPLICATE_VALUE",
                    f"Document with ID: {document} is already linked with the entity with ID: "
                    f"{entity}",
                )


# Cascades Salesforce applies even when a hand-made schema does not flag them.
_CASCADES = {
    ("Opportunity", "OpportunityLineItem"),
    ("ContentDocument", "ContentVersion"),
    ("ContentDocument", "ContentDocumentLink"),
}


def _no_rule(write: _Write) -> None:
    return None


_ABSENT = object()  # in the journal: there was no record (or blob) under that id
_BLOBS = "(blobs)"  # the journal's name for ContentVersion contents


def _looked_up_by_value(fdef: FieldDef) -> bool:
    return fdef.external_id or fdef.unique or fdef.type == "reference"


def _index_key(fdef: FieldDef, value: Any) -> Any:
    """What the index files a value under: references exactly (ids are case-sensitive),
    text ignoring case unless the field is case-sensitive; None and "" are not filed."""
    if value is None or value == "" or isinstance(value, dict | list):
        return None
    return value if fdef.type == "reference" else _comparable(fdef, value)


def _label(fdef: FieldDef) -> str:
    return fdef.label or fdef.name


def _comparable(fdef: FieldDef, value: Any) -> Any:
    if isinstance(value, str) and not fdef.case_sensitive:
        return value.lower()
    return value


def _required_missing(names: list[str]) -> SalesforceApiError:
    return SalesforceApiError(
        400, "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(names)}]", names
    )


def _integrity(detail: str, fields: list[str]) -> SalesforceApiError:
    return SalesforceApiError(
        400, "FIELD_INTEGRITY_EXCEPTION", f"field integrity exception: {detail}", fields
    )


def _out_of_range(fdef: FieldDef, value: float) -> SalesforceApiError:
    return SalesforceApiError(
        400,
        "NUMBER_OUTSIDE_VALID_RANGE",
        f"{_label(fdef)}: value outside of valid range on numeric field: {value}",
        [fdef.name],
    )


def _parser_error(kind: str, value: Any) -> SalesforceApiError:
    kind = {"currency": "double", "percent": "double"}.get(kind, kind)
    shown = "VALUE_STRING" if isinstance(value, str) else type(value).__name__.upper()
    return SalesforceApiError(
        400,
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {kind} from {shown} value {value} or request may be "
        "missing a required field",
    )


def _to_number(fdef: FieldDef, value: Any) -> int | float:
    number: float
    if isinstance(value, bool):
        raise _parser_error(fdef.type, value)
    if isinstance(value, int | float):
        number = value
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise _parser_error(fdef.type, value) from None
    else:
        raise _parser_error(fdef.type, value)
    if not math.isfinite(number):
        raise _out_of_range(fdef, number)
    if fdef.type in ("int", "long"):
        if number != int(number):
            raise _parser_error(fdef.type, value)
        return int(number)
    if fdef.scale is not None:
        return round(float(number), fdef.scale)
    return float(number)


def _valid_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _parse_datetime(value: str) -> datetime | None:
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    if re.search(r"[+-]\d{4}$", text):
        text = text[:-2] + ":" + text[-2:]
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _decode_blob(data: Any) -> bytes:
    if isinstance(data, bytes):
        return data
    try:
        return base64.b64decode(str(data), validate=True)
    except (binascii.Error, ValueError):
        raise SalesforceApiError(
            400,
            "JSON_PARSER_ERROR",
            "Cannot deserialize instance of base64 from VALUE_STRING value or request may be "
            "missing a required field",
        ) from None


def _json_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def _money(amount: Decimal) -> float:
    """Currency is kept to the cent, rounded half up as Salesforce does (not banker's)."""
    return float(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
