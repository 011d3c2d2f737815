"""Loads the org's schema from the project's own Salesforce metadata (SFDX source format).

The XML under `salesforce/force-app` is what salesbridge installs in a customer's org; the
folder `salesforce/org-fixtures` holds objects another vendor's managed package would bring
(improveit 360 for SalesPro). Reading both here means the sandbox can never drift from the
package: a field added to the package exists in the local org the moment its file does.

`load_schema(*dirs)` starts from `standard_objects()` and, for every folder given, adds the
custom objects (`objects/X__c/X__c.object-meta.xml`) first, then every
`objects/<Object>/fields/<Field>.field-meta.xml`, then links references both ways.
Malformed or unknown metadata raises `MetadataError` naming the file.

Where the documentation is silent (or we chose):
- Key prefixes of custom objects are assigned in sorted name order over everything loaded:
  a00, a01, ... (base 62, like real prefixes). A real org's prefixes depend on creation order.
- The child relationship of a custom lookup is the field's `relationshipName` + "__r"
  (with the field's namespace prefix in front when it has one: i360__Appointments__r); the
  parent relationship is the field name with __c replaced by __r.
- A master-detail field is required, its child relationship cascades deletes, and it is
  updateable only when `reparentableMasterDetail` is true. Master-detail children have no
  OwnerId. Custom settings have SetupOwnerId instead of OwnerId.
- Formula fields are not createable or updateable; their value is not computed here.
- Validation rules (`objects/<Object>/validationRules/*.validationRule-meta.xml`): only the
  formula `NOT($Permission.<CustomPermission>)` is evaluated (a user without the custom
  permission through one of their permission sets is refused, FIELD_CUSTOM_VALIDATION_EXCEPTION
  with the rule's errorMessage); any other active formula is refused at load rather than
  ignored. Inactive rules are skipped. The custom permissions of each permission set are read
  from its `<customPermissions>` (enabled only).
- Every custom object can hold Files and Notes (ContentDocumentLinks, Notes); Tasks and
  Events only when the object has `enableActivities`.
"""

from __future__ import annotations

import functools
import re
import string
from dataclasses import replace
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from sandboxes.salesforce.schema import FieldDef, Schema, SObjectDef, ValidationRule
from sandboxes.salesforce.standard_objects import (
    ACTIVITY_REFERENCES,
    ANY_RECORD_REFERENCES,
    add_child_relationship,
    standard_objects,
)

NS = "{http://soap.sforce.com/2006/04/metadata}"
REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DIR = REPO_ROOT / "salesforce" / "force-app"
ORG_FIXTURES_DIR = REPO_ROOT / "salesforce" / "org-fixtures"
_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


class MetadataError(ValueError):
    """Metadata the loader cannot make sense of; the message starts with the file's path."""


@functools.cache
def default_schema() -> Schema:
    """The local org: standard objects + salesbridge's package + the org fixtures.

    Shared by every caller: treat it as read-only (call `load_schema` for a private copy).
    """
    return load_schema(PACKAGE_DIR, ORG_FIXTURES_DIR)


def load_schema(*source_dirs: Path) -> Schema:
    objects = standard_objects()
    object_files = sorted(
        (path for d in source_dirs for path in _object_dirs(d).glob("*/*.object-meta.xml")),
        key=lambda path: path.parent.name,
    )
    activities: set[str] = set()
    for index, path in enumerate(object_files):
        sobject, has_activities = _custom_object(path, _key_prefix(index))
        if sobject.name in objects:
            raise MetadataError(f"{path}: object {sobject.name} is defined twice")
        objects[sobject.name] = sobject
        if has_activities:
            activities.add(sobject.name)

    schema = Schema(objects)
    relationships: list[tuple[Path, FieldDef, ChildSpec]] = []
    for directory in source_dirs:
        for path in sorted(_object_dirs(directory).glob("*/fields/*.field-meta.xml")):
            field, child = _custom_field(path, schema)
            owner = schema.objects[path.parent.parent.name]
            if owner.field(field.name) is not None:
                raise MetadataError(f"{path}: {owner.name}.{field.name} is defined twice")
            owner.fields[field.name] = field
            if child is not None:
                relationships.append((path, field, child))

    for path, field, child in relationships:
        _link_parent(schema, path, field, child)
    _open_any_record_references(schema, activities)
    for directory in source_dirs:
        for path in sorted(
            _object_dirs(directory).glob("*/validationRules/*.validationRule-meta.xml")
        ):
            ruled = schema.objects.get(path.parent.parent.name)
            if ruled is None:
                raise MetadataError(f"{path}: no object {path.parent.parent.name}")
            rule = _validation_rule(path)
            if rule is not None:
                schema.validation_rules.setdefault(ruled.name, []).append(rule)
        folder = directory / "main" / "default" / "permissionsets"
        for path in sorted(folder.glob("*.permissionset-meta.xml")):
            root = _parse(path, "PermissionSet")
            schema.custom_permissions[path.name.removesuffix(".permissionset-meta.xml")] = (
                frozenset(
                    _text(grant, "name") or ""
                    for grant in root.findall(f"{NS}customPermissions")
                    if (_text(grant, "enabled") or "").lower() == "true"
                )
            )
    return schema


_PERMISSION_FORMULA = re.compile(r"^\s*NOT\s*\(\s*\$Permission\.(\w+)\s*\)\s*$", re.IGNORECASE)


def _validation_rule(path: Path) -> ValidationRule | None:
    root = _parse(path, "ValidationRule")
    if (_text(root, "active") or "").lower() != "true":
        return None
    formula = _text(root, "errorConditionFormula") or ""
    match = _PERMISSION_FORMULA.match(formula)
    if match is None:
        raise MetadataError(
            f"{path}: the sandbox evaluates only NOT($Permission.<name>) formulas, not {formula!r}"
        )
    return ValidationRule(
        name=path.name.removesuffix(".validationRule-meta.xml"),
        custom_permission=match.group(1),
        message=_text(root, "errorMessage") or "",
        field=_text(root, "errorDisplayField"),
    )


# A custom reference's child side: (relationship name on the parent, cascade delete).
ChildSpec = tuple[str | None, bool]


def permission_sets(source_dir: Path = PACKAGE_DIR) -> list[dict[str, str]]:
    """The package's permission sets as PermissionSet rows (Name, Label, Description).

    The file's name is the set's API name (Metadata API, PermissionSet: `<name>.permissionset`);
    deploying the package creates them, so the local org has them from the start.
    """
    folder = source_dir / "main" / "default" / "permissionsets"
    rows = []
    for path in sorted(folder.glob("*.permissionset-meta.xml")):
        root = _parse(path, "PermissionSet")
        name = path.name.removesuffix(".permissionset-meta.xml")
        row = {"Name": name, "Label": _text(root, "label") or name}
        description = _text(root, "description")
        if description:
            row["Description"] = description
        rows.append(row)
    return rows


def _object_dirs(source_dir: Path) -> Path:
    objects = source_dir / "main" / "default" / "objects"
    if not objects.is_dir():
        raise MetadataError(f"{source_dir}: no main/default/objects folder")
    return objects


def _key_prefix(index: int) -> str:
    high, low = divmod(index, len(_BASE62))
    return "a" + _BASE62[high] + _BASE62[low]


# --- XML helpers ----------------------------------------------------------------------------


def _parse(path: Path, root_tag: str) -> Element:
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as error:
        raise MetadataError(f"{path}: not well-formed XML ({error})") from error
    if root.tag != NS + root_tag:
        raise MetadataError(f"{path}: expected <{root_tag}> in the metadata namespace")
    return root


def _text(element: Element, tag: str, default: str | None = None) -> str | None:
    child = element.find(NS + tag)
    return child.text.strip() if child is not None and child.text else default


def _flag(element: Element, tag: str, default: bool = False) -> bool:
    value = _text(element, tag)
    return default if value is None else value.strip().lower() == "true"


def _int(path: Path, element: Element, tag: str, default: int | None = None) -> int | None:
    value = _text(element, tag)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise MetadataError(f"{path}: <{tag}> is not a number: {value!r}") from None


# --- custom objects -------------------------------------------------------------------------


def _custom_object(path: Path, key_prefix: str) -> tuple[SObjectDef, bool]:
    name = path.parent.name
    if path.name != f"{name}.object-meta.xml" or not name.endswith("__c"):
        raise MetadataError(f"{path}: a custom object file is objects/X__c/X__c.object-meta.xml")
    root = _parse(path, "CustomObject")
    label = _text(root, "label")
    if label is None:
        raise MetadataError(f"{path}: <label> is missing")
    is_setting = root.find(NS + "customSettingsType") is not None
    sobject = SObjectDef(
        name=name,
        label=label,
        label_plural=_text(root, "pluralLabel", label) or label,
        key_prefix=key_prefix,
        custom=True,
    )
    for field in _standard_custom_fields(path, root, is_setting):
        sobject.fields[field.name] = field
    return sobject, _flag(root, "enableActivities")


def _standard_custom_fields(path: Path, root: Element, is_setting: bool) -> list[FieldDef]:
    """The fields every custom object has, before its own."""
    never_set: dict[str, Any] = {"createable": False, "updateable": False}
    fields = [
        FieldDef("Id", "id", "Record ID", length=18, nillable=False, **never_set),
        FieldDef("IsDeleted", "boolean", "Deleted", nillable=False, default=False, **never_set),
        _name_field(path, root, is_setting),
        FieldDef("CreatedDate", "datetime", "Created Date", nillable=False, **never_set),
        _user_reference("CreatedById", "CreatedBy", "Created By ID", **never_set),
        FieldDef("LastModifiedDate", "datetime", "Last Modified Date", nillable=False, **never_set),
        _user_reference("LastModifiedById", "LastModifiedBy", "Last Modified By ID", **never_set),
        FieldDef("SystemModstamp", "datetime", "System Modstamp", nillable=False, **never_set),
    ]
    if is_setting:
        fields.append(
            FieldDef(
                "SetupOwnerId",
                "reference",
                "Location ID",
                length=18,
                reference_to=("Profile", "User"),
                relationship_name="SetupOwner",
            )
        )
    elif _text(root, "sharingModel") != "ControlledByParent":
        # The owner-less case is a master-detail child; its sharing is ControlledByParent.
        fields.append(_user_reference("OwnerId", "Owner", "Owner ID"))
    return fields


def _user_reference(name: str, relationship: str, label: str, **options: Any) -> FieldDef:
    return FieldDef(
        name,
        "reference",
        label,
        length=18,
        reference_to=("User",),
        relationship_name=relationship,
        nillable=False,
        **options,
    )


def _name_field(path: Path, root: Element, is_setting: bool) -> FieldDef:
    if is_setting:
        return FieldDef("Name", "string", "Name", length=38, nillable=True)
    name_field = root.find(NS + "nameField")
    if name_field is None:
        raise MetadataError(f"{path}: <nameField> is missing")
    label = _text(name_field, "label", "Name") or "Name"
    kind = _text(name_field, "type")
    if kind == "AutoNumber":
        return FieldDef(
            "Name", "string", label, length=30, nillable=False, createable=False, updateable=False
        )
    if kind == "Text":
        return FieldDef("Name", "string", label, length=80)
    raise MetadataError(f"{path}: nameField type must be Text or AutoNumber, not {kind!r}")


# --- custom fields --------------------------------------------------------------------------

# Metadata field type -> (describe type, default length). Reference types are handled apart.
_SIMPLE_TYPES: dict[str, tuple[str, int | None]] = {
    "Text": ("string", None),
    "TextArea": ("textarea", 255),
    "LongTextArea": ("textarea", None),
    "Html": ("textarea", None),
    "EncryptedText": ("encryptedstring", None),
    "Checkbox": ("boolean", None),
    "Number": ("double", None),
    "Currency": ("currency", None),
    "Percent": ("percent", None),
    "Date": ("date", None),
    "DateTime": ("datetime", None),
    "Time": ("time", None),
    "Picklist": ("picklist", 255),
    "MultiselectPicklist": ("multipicklist", 4099),
    "Url": ("url", 255),
    "Email": ("email", 80),
    "Phone": ("phone", 40),
    "AutoNumber": ("string", 30),
}
_LENGTH_REQUIRED = {"Text", "LongTextArea", "Html", "EncryptedText"}
_NUMERIC = {"Number", "Currency", "Percent"}
_FORMULA_TYPES = {
    "Text": "string", "Number": "double", "Currency": "currency", "Percent": "percent",
    "Date": "date", "DateTime": "datetime", "Checkbox": "boolean", "Time": "time",
}  # fmt: skip


def _custom_field(path: Path, schema: Schema) -> tuple[FieldDef, ChildSpec | None]:
    object_name = path.parent.parent.name
    name = path.name.removesuffix(".field-meta.xml")
    if schema.objects.get(object_name) is None:
        raise MetadataError(f"{path}: no object {object_name} (standard or custom)")
    root = _parse(path, "CustomField")
    if _text(root, "fullName", name) != name:
        raise MetadataError(f"{path}: <fullName> does not match the file name")
    if not name.endswith("__c"):
        raise MetadataError(f"{path}: a custom field's name ends in __c")
    kind = _text(root, "type")
    label = _text(root, "label")
    if kind is None or label is None:
        raise MetadataError(f"{path}: <type> and <label> are required")

    common: dict[str, Any] = {
        "name": name,
        "label": label,
        "custom": True,
        "unique": _flag(root, "unique"),
        "external_id": _flag(root, "externalId"),
        "case_sensitive": _flag(root, "caseSensitive"),
    }
    if kind in ("Lookup", "MasterDetail"):
        return _reference_field(path, root, kind, common)
    if kind not in _SIMPLE_TYPES:
        raise MetadataError(f"{path}: unsupported field type {kind!r}")

    describe_type, default_length = _SIMPLE_TYPES[kind]
    field = FieldDef(type=describe_type, **common, **_shape(path, root, kind, default_length))
    formula_type = _text(root, "formulaType") if root.find(NS + "formula") is not None else None
    if formula_type is not None:
        field = replace(field, type=_FORMULA_TYPES.get(formula_type, describe_type))
    if formula_type is not None or kind == "AutoNumber":
        field = replace(field, createable=False, updateable=False, nillable=kind != "AutoNumber")
    return field, None


def _shape(path: Path, root: Element, kind: str, default_length: int | None) -> dict[str, Any]:
    """Length, precision, picklist values, required and default of a non-reference field."""
    shape: dict[str, Any] = {"length": _int(path, root, "length", default_length)}
    if kind in _LENGTH_REQUIRED and shape["length"] is None and root.find(NS + "formula") is None:
        raise MetadataError(f"{path}: a {kind} field needs <length>")
    if kind in _NUMERIC:
        shape["precision"] = _int(path, root, "precision", 18)
        shape["scale"] = _int(path, root, "scale", 0)
    if kind == "Checkbox":
        default = (_text(root, "defaultValue", "false") or "false").lower()
        if default not in ("true", "false"):
            raise MetadataError(f"{path}: a Checkbox defaultValue is true or false")
        return shape | {"default": default == "true", "nillable": False}
    if kind in ("Picklist", "MultiselectPicklist"):
        shape |= _picklist(path, root)
    if _flag(root, "required"):
        shape |= {"required": True, "nillable": False}
    return shape


def _picklist(path: Path, root: Element) -> dict[str, Any]:
    value_set = root.find(NS + "valueSet")
    definition = value_set.find(NS + "valueSetDefinition") if value_set is not None else None
    if value_set is None or definition is None:
        raise MetadataError(f"{path}: a picklist needs valueSet/valueSetDefinition")
    values, labels, default = [], [], None
    for value in definition.findall(NS + "value"):
        full_name = _text(value, "fullName")
        if full_name is None:
            raise MetadataError(f"{path}: a picklist value without <fullName>")
        values.append(full_name)
        labels.append(_text(value, "label") or full_name)
        if _flag(value, "default"):
            default = full_name
    return {
        "picklist_values": tuple(values),
        "picklist_labels": tuple(labels),
        "restricted_picklist": _flag(value_set, "restricted"),
        "default": default,
    }


def _reference_field(
    path: Path, root: Element, kind: str, common: dict[str, Any]
) -> tuple[FieldDef, ChildSpec]:
    target = _text(root, "referenceTo")
    if target is None:
        raise MetadataError(f"{path}: a {kind} field needs <referenceTo>")
    master_detail = kind == "MasterDetail"
    field = FieldDef(
        type="reference",
        length=18,
        reference_to=(target,),
        relationship_name=common["name"].removesuffix("__c") + "__r",
        required=master_detail or _flag(root, "required"),
        nillable=not (master_detail or _flag(root, "required")),
        updateable=not master_detail or _flag(root, "reparentableMasterDetail"),
        **common,
    )
    return field, (_text(root, "relationshipName"), master_detail)


def _link_parent(schema: Schema, path: Path, field: FieldDef, child: ChildSpec) -> None:
    relationship, cascade = child
    parent = schema.sobject(field.reference_to[0])
    if parent is None:
        raise MetadataError(f"{path}: <referenceTo> names no known object: {field.reference_to[0]}")
    # Canonical spelling of the target, whatever the case in the XML.
    owner = schema.objects[path.parent.parent.name]
    owner.fields[field.name] = replace(field, reference_to=(parent.name,))
    if relationship is None:
        if cascade:
            raise MetadataError(f"{path}: a MasterDetail field needs <relationshipName>")
        return
    namespace = field.name.split("__")[0] + "__" if field.name.count("__") > 1 else ""
    try:
        add_child_relationship(
            parent, f"{namespace}{relationship}__r", owner.name, field.name, cascade
        )
    except ValueError as error:
        raise MetadataError(f"{path}: {error}") from None


def _open_any_record_references(schema: Schema, activities: set[str]) -> None:
    """Let Files, Notes (and, where enabled, Tasks and Events) attach to custom objects."""
    custom = sorted(name for name, o in schema.objects.items() if o.custom and not _setting(o))
    for references, parents in (
        (ANY_RECORD_REFERENCES, custom),
        (ACTIVITY_REFERENCES, [name for name in custom if name in activities]),
    ):
        for child_name, field_name, relationship in references:
            child = schema.objects[child_name]
            field = child.fields[field_name]
            child.fields[field_name] = replace(field, reference_to=(*field.reference_to, *parents))
            if relationship is None:
                continue
            for parent in parents:
                add_child_relationship(
                    schema.objects[parent], relationship, child_name, field_name, True
                )


def _setting(sobject: SObjectDef) -> bool:
    return sobject.field("SetupOwnerId") is not None
