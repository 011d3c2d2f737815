"""The org's schema: standard objects plus the project's own metadata (one source of truth).

These dataclasses are the contract between the schema loader, the record store, SOQL and
the HTTP layer. Salesforce names are case-insensitive, so lookups go through `Schema.sobject`
and `SObjectDef.field`, which accept any case and return the canonical definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldDef:
    name: str  # canonical API name, e.g. "NetSuite_Id__c"
    type: str  # describe type: id string textarea boolean int double currency percent date
    # datetime picklist multipicklist reference email phone url base64 ...
    label: str = ""
    length: int | None = None  # character limit for string-like types
    precision: int | None = None  # total digits for numbers
    scale: int | None = None  # digits after the decimal point
    required: bool = False  # REQUIRED_FIELD_MISSING when absent on create
    unique: bool = False  # DUPLICATE_VALUE when another record holds the value
    case_sensitive: bool = False  # for unique text
    external_id: bool = False  # usable in upsert URLs and relationship references
    picklist_values: tuple[str, ...] = ()
    picklist_labels: tuple[str, ...] = ()  # beside picklist_values; empty: labels are values
    restricted_picklist: bool = False
    reference_to: tuple[str, ...] = ()  # target objects of a reference field
    relationship_name: str | None = None  # "Account" for AccountId, "Foo__r" for Foo__c
    createable: bool = True
    updateable: bool = True
    nillable: bool = True
    default: Any = None  # value stored on create when the field is absent
    custom: bool = False


@dataclass(frozen=True)
class ChildRelationship:
    name: str  # e.g. "OpportunityLineItems"
    child_sobject: str  # e.g. "OpportunityLineItem"
    field: str  # the child's reference field, e.g. "OpportunityId"
    cascade_delete: bool = False


@dataclass
class SObjectDef:
    name: str
    label: str
    label_plural: str
    key_prefix: str  # first three characters of every id of this object
    custom: bool = False
    fields: dict[str, FieldDef] = field(default_factory=dict)
    child_relationships: dict[str, ChildRelationship] = field(default_factory=dict)

    def field(self, name: str) -> FieldDef | None:
        found = self.fields.get(name)
        if found is not None:
            return found
        lowered = name.lower()
        return next((f for n, f in self.fields.items() if n.lower() == lowered), None)

    def child_relationship(self, name: str) -> ChildRelationship | None:
        lowered = name.lower()
        return next((r for n, r in self.child_relationships.items() if n.lower() == lowered), None)

    def parent_relationship(self, name: str) -> FieldDef | None:
        """The reference field whose relationship name is `name` (Account -> AccountId)."""
        lowered = name.lower()
        return next(
            (
                f
                for f in self.fields.values()
                if f.relationship_name and f.relationship_name.lower() == lowered
            ),
            None,
        )


@dataclass(frozen=True)
class ValidationRule:
    """An active validation rule of the narrow kind the sandbox evaluates: the record is
    refused unless the writing user holds `custom_permission` (formula
    `NOT($Permission.<name>)`)."""

    name: str
    custom_permission: str
    message: str
    field: str | None = None  # errorDisplayField


@dataclass
class Schema:
    objects: dict[str, SObjectDef] = field(default_factory=dict)
    # object name -> its active validation rules; permission set name -> custom permissions
    validation_rules: dict[str, list[ValidationRule]] = field(default_factory=dict)
    custom_permissions: dict[str, frozenset[str]] = field(default_factory=dict)

    def sobject(self, name: str) -> SObjectDef | None:
        found = self.objects.get(name)
        if found is not None:
            return found
        lowered = name.lower()
        return next((o for n, o in self.objects.items() if n.lower() == lowered), None)

    def by_key_prefix(self, key_prefix: str) -> SObjectDef | None:
        return next((o for o in self.objects.values() if o.key_prefix == key_prefix), None)
