"""The local org's schema: standard objects plus salesbridge's SFDX metadata, loaded as one."""

from __future__ import annotations

from pathlib import Path

import pytest
from defusedxml import ElementTree

from sandboxes.salesforce.metadata import (
    NS,
    ORG_FIXTURES_DIR,
    PACKAGE_DIR,
    MetadataError,
    default_schema,
    load_schema,
)
from sandboxes.salesforce.schema import FieldDef, Schema
from sandboxes.salesforce.standard_objects import OPPORTUNITY_STAGES

FIELD_FILES = sorted(
    path
    for root in (PACKAGE_DIR, ORG_FIXTURES_DIR)
    for path in root.glob("main/default/objects/*/fields/*.field-meta.xml")
)


@pytest.fixture(scope="module")
def schema() -> Schema:
    return default_schema()


def field_of(schema: Schema, object_name: str, field_name: str) -> FieldDef:
    sobject = schema.sobject(object_name)
    assert sobject is not None, object_name
    field = sobject.field(field_name)
    assert field is not None, f"{object_name}.{field_name}"
    return field


# --- the project's metadata -----------------------------------------------------------------


def test_the_package_has_fields_to_check() -> None:
    assert len(FIELD_FILES) > 50


@pytest.mark.parametrize("path", FIELD_FILES, ids=lambda p: f"{p.parent.parent.name}.{p.stem}")
def test_every_field_file_is_in_the_default_schema_with_a_description(
    schema: Schema, path: Path
) -> None:
    field = field_of(schema, path.parent.parent.name, path.name.removesuffix(".field-meta.xml"))
    assert field.custom
    root = ElementTree.parse(path).getroot()
    description = root.find(NS + "description")
    assert description is not None and len(description.text or "") > 10
    assert field.label == root.find(NS + "label").text


@pytest.mark.parametrize(
    ("object_name", "field_name", "expected"),
    [
        (
            "Opportunity",
            "NetSuite_Id__c",
            {"type": "string", "length": 32, "external_id": True, "unique": True},
        ),
        (
            "Opportunity",
            "NetSuite_Originated_Order__c",
            {"type": "boolean", "default": False, "nillable": False},
        ),
        ("Opportunity", "NetSuite_Order_Record__c", {"type": "url", "length": 255}),
        (
            "Opportunity",
            "Unleashed_Order_Guid__c",
            {"type": "string", "length": 36, "external_id": True, "unique": True},
        ),
        (
            "Account",
            "Unleashed_Customer_Code__c",
            {"external_id": True, "unique": True, "case_sensitive": False},
        ),
        ("Account", "Intacct_Open_Balance__c", {"type": "currency", "precision": 16, "scale": 2}),
        ("Product2", "NetSuite_Item_Id__c", {"external_id": True, "unique": True}),
        ("Product2", "Unleashed_Product_Code__c", {"external_id": True, "unique": True}),
        (
            "OpportunityLineItem",
            "NetSuite_Line_Key__c",
            {"type": "string", "external_id": True, "unique": True},
        ),
        (
            "User",
            "Unleashed_Salesperson_Guid__c",
            {"type": "string", "external_id": True, "unique": False},
        ),
        (
            "Intacct_Sales_Document__c",
            "Intacct_Key__c",
            {"required": True, "nillable": False, "external_id": True},
        ),
        ("Intacct_Sales_Document__c", "Document_Date__c", {"type": "date"}),
        ("Intacct_Sales_Document__c", "Intacct_Modified__c", {"type": "datetime"}),
        (
            "Intacct_Sales_Document_Line__c",
            "Quantity__c",
            {"type": "double", "precision": 14, "scale": 4},
        ),
        (
            "Intacct_Sales_Document_Line__c",
            "Line_No__c",
            {"type": "double", "precision": 6, "scale": 0},
        ),
        ("i360__Appointment__c", "i360__Email__c", {"type": "email", "length": 80}),
        ("i360__Appointment__c", "i360__Phone__c", {"type": "phone", "length": 40}),
        ("i360__Appointment__c", "i360__Notes__c", {"type": "textarea", "length": 32768}),
        ("i360__Staff__c", "i360__Active__c", {"type": "boolean", "default": True}),
    ],
)
def test_custom_fields_keep_their_type_and_flags(
    schema: Schema, object_name: str, field_name: str, expected: dict[str, object]
) -> None:
    field = field_of(schema, object_name, field_name)
    assert {key: getattr(field, key) for key in expected} == expected


def test_the_integration_permission_set_grants_every_optional_package_field(
    schema: Schema,
) -> None:
    # A field without field-level security is invisible to the integration user; required
    # and master-detail fields cannot be granted (the deploy would fail), custom settings
    # are not records the integration writes.
    path = (
        PACKAGE_DIR / "main/default/permissionsets/Salesbridge_Integration.permissionset-meta.xml"
    )
    root = ElementTree.parse(path).getroot()
    granted = [
        (
            grant.findtext(NS + "field"),
            grant.findtext(NS + "readable"),
            grant.findtext(NS + "editable"),
        )
        for grant in root.findall(NS + "fieldPermissions")
    ]
    package_fields = [p for p in FIELD_FILES if p.is_relative_to(PACKAGE_DIR)]
    expected = []
    for field_path in package_fields:
        object_name = field_path.parent.parent.name
        field = field_of(schema, object_name, field_path.name.removesuffix(".field-meta.xml"))
        object_file = field_path.parent.parent / f"{object_name}.object-meta.xml"
        is_custom_setting = (
            object_file.is_file() and "<customSettingsType>" in object_file.read_text()
        )
        # Custom setting fields have no field-level security (Apex reads them in system mode).
        if not field.required and not is_custom_setting:
            expected.append((f"{object_name}.{field.name}", "true", "true"))
    assert sorted(granted) == sorted(expected)
    objects = {grant.findtext(NS + "object") for grant in root.findall(NS + "objectPermissions")}
    assert objects == {
        "Intacct_Sales_Document__c",
        "Intacct_Sales_Document_Line__c",
        "Intacct_Payment__c",
    }


def test_a_restricted_picklist_keeps_its_values(schema: Schema) -> None:
    field = field_of(schema, "Intacct_Sales_Document__c", "Document_Type__c")
    assert field.type == "picklist"
    assert field.restricted_picklist
    assert field.picklist_values == ("Sales Quote", "Sales Order", "Sales Invoice")
    result = field_of(schema, "i360__Appointment__c", "i360__Result__c")
    assert "Demo Sold" in result.picklist_values and not result.restricted_picklist


def test_master_detail_is_required_reparentable_and_cascades(schema: Schema) -> None:
    # reparentableMasterDetail is true: an upsert of an existing line may name its parent
    field = field_of(schema, "Intacct_Sales_Document_Line__c", "Sales_Document__c")
    assert (field.type, field.required, field.nillable, field.updateable) == (
        "reference",
        True,
        False,
        True,
    )
    assert field.reference_to == ("Intacct_Sales_Document__c",)
    assert field.relationship_name == "Sales_Document__r"
    lines = schema.objects["Intacct_Sales_Document__c"].child_relationship("lines__r")
    assert lines is not None
    assert (lines.child_sobject, lines.field, lines.cascade_delete) == (
        "Intacct_Sales_Document_Line__c",
        "Sales_Document__c",
        True,
    )
    # A master-detail child is owned through its master.
    assert schema.objects["Intacct_Sales_Document_Line__c"].field("OwnerId") is None


def test_lookups_are_navigable_both_ways(schema: Schema) -> None:
    document = schema.objects["Intacct_Sales_Document__c"]
    assert document.parent_relationship("Opportunity__r") == document.field("Opportunity__c")
    from_opportunity = schema.objects["Opportunity"].child_relationship(
        "Intacct_Sales_Documents__r"
    )
    assert from_opportunity is not None
    assert (from_opportunity.field, from_opportunity.cascade_delete) == ("Opportunity__c", False)
    payments = document.child_relationship("Payments__r")
    assert payments is not None and payments.child_sobject == "Intacct_Payment__c"


def test_a_managed_package_relationship_carries_its_namespace(schema: Schema) -> None:
    staff = schema.objects["i360__Staff__c"]
    appointments = staff.child_relationship("i360__Appointments__r")
    assert appointments is not None and appointments.field == "i360__Sales_Rep_1__c"
    rep = field_of(schema, "i360__Appointment__c", "i360__Sales_Rep_1__c")
    assert rep.relationship_name == "i360__Sales_Rep_1__r"


def test_every_relationship_points_at_a_real_field_and_object(schema: Schema) -> None:
    for sobject in schema.objects.values():
        for field in sobject.fields.values():
            if field.type == "reference":
                assert field.relationship_name, f"{sobject.name}.{field.name}"
                for target in field.reference_to:
                    assert target in schema.objects, f"{sobject.name}.{field.name} -> {target}"
        for relationship in sobject.child_relationships.values():
            child_field = field_of(schema, relationship.child_sobject, relationship.field)
            assert sobject.name in child_field.reference_to, (sobject.name, relationship)


def test_files_notes_and_activities_attach_to_custom_objects(schema: Schema) -> None:
    appointment = schema.objects["i360__Appointment__c"]
    assert {"ContentDocumentLinks", "Notes", "Tasks", "Events"} <= set(
        appointment.child_relationships
    )
    assert (
        "i360__Appointment__c"
        in field_of(schema, "ContentDocumentLink", "LinkedEntityId").reference_to
    )
    assert (
        "i360__Appointment__c"
        in field_of(schema, "ContentVersion", "FirstPublishLocationId").reference_to
    )
    # Lines were declared without activities, and custom settings hold no records to attach to.
    assert "Tasks" not in schema.objects["Intacct_Sales_Document_Line__c"].child_relationships
    assert "Salesbridge_Settings__c" not in field_of(schema, "Note", "ParentId").reference_to


def test_custom_objects_get_the_standard_fields(schema: Schema) -> None:
    document = schema.objects["Intacct_Sales_Document__c"]
    for name in ("Id", "IsDeleted", "CreatedDate", "CreatedById", "LastModifiedDate",
                 "LastModifiedById", "SystemModstamp"):  # fmt: skip
        field = document.field(name)
        assert field is not None and not field.createable and not field.updateable, name
    owner = document.field("OwnerId")
    assert owner is not None and owner.reference_to == ("User",) and owner.createable
    text_name = document.field("Name")
    assert text_name is not None
    assert (text_name.type, text_name.length, text_name.createable) == ("string", 80, True)
    auto = schema.objects["Intacct_Sales_Document_Line__c"].field("Name")
    assert auto is not None and not auto.createable and not auto.updateable
    setting = schema.objects["Salesbridge_Settings__c"]
    assert setting.field("SetupOwnerId") is not None and setting.field("OwnerId") is None


# --- key prefixes ---------------------------------------------------------------------------

STANDARD_PREFIXES = {
    "Account": "001", "Note": "002", "Contact": "003", "User": "005", "Opportunity": "006",
    "OpportunityLineItem": "00k", "Task": "00T", "Event": "00U", "Pricebook2": "01s",
    "Product2": "01t", "PricebookEntry": "01u", "ContentVersion": "068",
    "ContentDocument": "069", "ContentNote": "069", "ContentDocumentLink": "06A",
    "Profile": "00e", "UserRole": "00E",
}  # fmt: skip


def test_standard_key_prefixes(schema: Schema) -> None:
    actual = {name: schema.objects[name].key_prefix for name in STANDARD_PREFIXES}
    assert actual == STANDARD_PREFIXES
    assert schema.by_key_prefix("069").name == "ContentDocument"  # type: ignore[union-attr]


def test_custom_key_prefixes_follow_sorted_names(schema: Schema) -> None:
    custom = sorted(name for name, o in schema.objects.items() if o.custom)
    assert [schema.objects[name].key_prefix for name in custom] == [
        f"a0{i}" for i in range(len(custom))
    ]


def test_prefixes_are_unique_apart_from_content_note(schema: Schema) -> None:
    prefixes = [o.key_prefix for o in schema.objects.values() if o.name != "ContentNote"]
    assert len(prefixes) == len(set(prefixes))


# --- standard objects -----------------------------------------------------------------------


def test_opportunity_stages_and_derived_fields(schema: Schema) -> None:
    stage = field_of(schema, "Opportunity", "StageName")
    assert stage.required and stage.restricted_picklist
    assert {"Closed Won", "Closed Lost", "Prospecting"} <= set(stage.picklist_values)
    assert stage.picklist_values == tuple(s.name for s in OPPORTUNITY_STAGES)
    for derived in ("IsWon", "IsClosed", "ExpectedRevenue", "HasOpportunityLineItem"):
        field = field_of(schema, "Opportunity", derived)
        assert not field.createable and not field.updateable, derived
    assert field_of(schema, "Opportunity", "CloseDate").required
    assert "Closed" in field_of(schema, "Opportunity", "ForecastCategoryName").picklist_values


def test_single_currency_org_has_no_currency_iso_code(schema: Schema) -> None:
    assert all(o.field("CurrencyIsoCode") is None for o in schema.objects.values())


def test_opportunity_line_item_field_rules(schema: Schema) -> None:
    line = schema.objects["OpportunityLineItem"]
    opportunity = field_of(schema, "OpportunityLineItem", "OpportunityId")
    assert opportunity.required and opportunity.createable and not opportunity.updateable
    assert field_of(schema, "OpportunityLineItem", "Description").length == 255
    assert field_of(schema, "OpportunityLineItem", "Discount").type == "percent"
    for computed in ("ListPrice", "Subtotal", "Name", "ProductCode"):
        assert not field_of(schema, "OpportunityLineItem", computed).createable, computed
    assert line.field("OwnerId") is None
    items = schema.objects["Opportunity"].child_relationship("OpportunityLineItems")
    assert items is not None and items.cascade_delete


@pytest.mark.parametrize(
    ("parent", "relationship", "child", "field"),
    [
        ("Account", "Contacts", "Contact", "AccountId"),
        ("Account", "Opportunities", "Opportunity", "AccountId"),
        ("Account", "Notes", "Note", "ParentId"),
        ("Account", "Tasks", "Task", "WhatId"),
        ("Contact", "Tasks", "Task", "WhoId"),
        ("Opportunity", "OpportunityLineItems", "OpportunityLineItem", "OpportunityId"),
        ("Opportunity", "ContentDocumentLinks", "ContentDocumentLink", "LinkedEntityId"),
        ("Pricebook2", "PricebookEntries", "PricebookEntry", "Pricebook2Id"),
        ("Product2", "PricebookEntries", "PricebookEntry", "Product2Id"),
        ("ContentDocument", "ContentVersions", "ContentVersion", "ContentDocumentId"),
        ("ContentDocument", "ContentDocumentLinks", "ContentDocumentLink", "ContentDocumentId"),
    ],
)
def test_standard_child_relationships(
    schema: Schema, parent: str, relationship: str, child: str, field: str
) -> None:
    found = schema.objects[parent].child_relationship(relationship.upper())
    assert found is not None
    assert (found.name, found.child_sobject, found.field) == (relationship, child, field)


def test_system_fields_are_read_only(schema: Schema) -> None:
    for name in ("Id", "CreatedDate", "CreatedById", "LastModifiedDate", "SystemModstamp"):
        field = field_of(schema, "Account", name)
        assert not field.createable and not field.updateable, name
    owner = field_of(schema, "Account", "OwnerId")
    assert owner.createable and owner.updateable and owner.relationship_name == "Owner"
    # ContentDocumentLink has no audit fields at all.
    link = schema.objects["ContentDocumentLink"]
    assert link.field("CreatedDate") is None and link.field("SystemModstamp") is not None


def test_content_objects(schema: Schema) -> None:
    assert field_of(schema, "ContentVersion", "VersionData").type == "base64"
    assert not field_of(schema, "ContentVersion", "PathOnClient").updateable
    assert not field_of(schema, "ContentVersion", "ContentSize").createable
    share = field_of(schema, "ContentDocumentLink", "ShareType")
    assert share.picklist_values == ("V", "C", "I") and share.restricted_picklist
    visibility = field_of(schema, "ContentDocumentLink", "Visibility")
    assert visibility.picklist_values == ("AllUsers", "InternalUsers", "SharedUsers")
    assert not any(f.createable for f in schema.objects["ContentDocument"].fields.values())


def test_task_defaults(schema: Schema) -> None:
    assert field_of(schema, "Task", "Status").default == "Not Started"
    assert field_of(schema, "Task", "Priority").default == "Normal"
    assert "Completed" in field_of(schema, "Task", "Status").picklist_values
    assert field_of(schema, "Event", "DurationInMinutes").type == "int"


def test_names_are_case_insensitive(schema: Schema) -> None:
    assert field_of(schema, "OPPORTUNITY", "netsuite_id__C").name == "NetSuite_Id__c"


def test_default_schema_is_cached() -> None:
    assert default_schema() is default_schema()


def test_load_schema_returns_independent_copies() -> None:
    first, second = load_schema(PACKAGE_DIR), load_schema(PACKAGE_DIR)
    first.objects["Account"].fields.clear()
    assert second.objects["Account"].field("Name") is not None


# --- the loader on hand-written metadata ----------------------------------------------------

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
FIELD = XML_DECLARATION + '<CustomField xmlns="{ns}">{body}</CustomField>\n'
OBJECT = XML_DECLARATION + '<CustomObject xmlns="{ns}">{body}</CustomObject>\n'


def write_field(root: Path, object_name: str, name: str, body: str) -> Path:
    path = root / "main/default/objects" / object_name / "fields" / f"{name}.field-meta.xml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FIELD.format(ns=NS[1:-1], body=f"<fullName>{name}</fullName>{body}"))
    return path


def write_object(root: Path, name: str, body: str) -> Path:
    path = root / "main/default/objects" / name / f"{name}.object-meta.xml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(OBJECT.format(ns=NS[1:-1], body=body))
    return path


def test_each_metadata_type_maps_to_its_describe_type(tmp_path: Path) -> None:
    write_object(
        tmp_path,
        "Widget__c",
        "<label>Widget</label><pluralLabel>Widgets</pluralLabel>"
        "<nameField><label>Widget Number</label><type>AutoNumber</type></nameField>"
        "<sharingModel>ReadWrite</sharingModel>",
    )
    cases = {
        "Notes__c": ("<label>Notes</label><type>TextArea</type>", ("textarea", 255)),
        "Long__c": ("<label>Long</label><type>LongTextArea</type><length>5000</length>",
                    ("textarea", 5000)),
        "Rate__c": ("<label>Rate</label><type>Percent</type><precision>5</precision>"
                    "<scale>2</scale>", ("percent", None)),
        "Tags__c": ("<label>Tags</label><type>MultiselectPicklist</type><valueSet>"
                    "<valueSetDefinition><value><fullName>A</fullName><default>true</default>"
                    "</value><value><fullName>B</fullName></value></valueSetDefinition>"
                    "</valueSet>", ("multipicklist", 4099)),
        "Mail__c": ("<label>Mail</label><type>Email</type>", ("email", 80)),
        "When__c": ("<label>When</label><type>DateTime</type>", ("datetime", None)),
        "Double__c": ("<label>Double</label><type>Number</type><formula>1 + 1</formula>"
                      "<formulaType>Number</formulaType><precision>18</precision>"
                      "<scale>0</scale>", ("double", None)),
        "Code__c": ("<label>Code</label><type>Text</type><length>10</length>"
                    "<required>true</required><caseSensitive>true</caseSensitive>"
                    "<unique>true</unique>", ("string", 10)),
    }  # fmt: skip
    for name, (body, _) in cases.items():
        write_field(tmp_path, "Widget__c", name, body)
    write_field(
        tmp_path,
        "Account",
        "Main_Widget__c",
        "<label>Main Widget</label><type>Lookup</type><referenceTo>widget__c</referenceTo>"
        "<relationshipName>Accounts</relationshipName><deleteConstraint>SetNull</deleteConstraint>",
    )

    schema = load_schema(tmp_path)

    widget = schema.objects["Widget__c"]
    assert (widget.key_prefix, widget.custom, widget.label_plural) == ("a00", True, "Widgets")
    for name, (_, (describe_type, length)) in cases.items():
        field = widget.fields[name]
        assert (field.type, field.length) == (describe_type, length), name
    assert widget.fields["Tags__c"].default == "A"
    assert widget.fields["Tags__c"].picklist_values == ("A", "B")
    assert not widget.fields["Double__c"].createable
    code = widget.fields["Code__c"]
    assert (code.required, code.unique, code.case_sensitive) == (True, True, True)
    lookup = schema.objects["Account"].fields["Main_Widget__c"]
    assert (lookup.reference_to, lookup.relationship_name) == (("Widget__c",), "Main_Widget__r")
    accounts = widget.child_relationship("Accounts__r")
    assert accounts is not None and not accounts.cascade_delete


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<label>Broken<type>Text</type>", "not well-formed XML"),
        ("<label>Odd</label><type>Hologram</type>", "unsupported field type 'Hologram'"),
        ("<label>No length</label><type>Text</type>", "needs <length>"),
        ("<label>Bad</label><type>Lookup</type><referenceTo>Nothing__c</referenceTo>"
         "<relationshipName>X</relationshipName>", "names no known object"),
        ("<label>Size</label><type>Text</type><length>ten</length>", "is not a number"),
        ("<label>Flag</label><type>Checkbox</type><defaultValue>maybe</defaultValue>",
         "defaultValue is true or false"),
    ],
)  # fmt: skip
def test_malformed_field_fails_naming_the_file(tmp_path: Path, body: str, message: str) -> None:
    path = write_field(tmp_path, "Opportunity", "Broken__c", body)
    with pytest.raises(MetadataError) as raised:
        load_schema(tmp_path)
    assert str(raised.value).startswith(str(path))
    assert message in str(raised.value)


def test_field_of_an_unknown_object_fails_naming_the_file(tmp_path: Path) -> None:
    path = write_field(tmp_path, "Ghost__c", "Name__c", "<label>N</label><type>Text</type>")
    with pytest.raises(MetadataError, match="no object Ghost__c") as raised:
        load_schema(tmp_path)
    assert str(path) in str(raised.value)


def test_malformed_object_fails_naming_the_file(tmp_path: Path) -> None:
    path = write_object(tmp_path, "Thing__c", "<label>Thing</label><nameField><type>Wrong")
    with pytest.raises(MetadataError, match="not well-formed") as raised:
        load_schema(tmp_path)
    assert str(path) in str(raised.value)


def test_a_field_defined_twice_fails(tmp_path: Path) -> None:
    body = "<label>X</label><type>Text</type><length>5</length>"
    write_field(tmp_path, "Account", "NetSuite_Id__c", body)
    with pytest.raises(MetadataError, match="defined twice"):
        load_schema(PACKAGE_DIR, tmp_path)
