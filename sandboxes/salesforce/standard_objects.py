"""The standard objects salesbridge's scenarios touch, as describe reports them.

A single-currency Enterprise Edition org (no CurrencyIsoCode anywhere) with Notes, Files
(Content) and enhanced Notes enabled. Each object is a short table of fields built with
the helpers below; system fields come from `_system_fields`. Child relationships are one
table (`_CHILD_RELATIONSHIPS`) because their names are irregular and worth seeing together.

Fields whose value Salesforce derives (Opportunity.IsWon, OpportunityLineItem.TotalPrice's
ListPrice, Contact.Name, ...) are declared here as not createable/updateable; computing
them is the record store's job. It can use `OPPORTUNITY_STAGES` and
`TASK_CLOSED_STATUSES` for the stage- and status-driven ones.

Where the documentation is silent (or we chose to simplify):
- Polymorphic references list only objects this org models: Task/Event.WhoId -> Contact
  (no Lead), OwnerId -> User (no Group/queues), and "any record" fields such as
  ContentDocumentLink.LinkedEntityId list the standard objects below; the metadata loader
  extends them to every custom object (`ANY_RECORD_REFERENCES`, `ACTIVITY_REFERENCES`).
- Compound fields (BillingAddress, MailingAddress, Name parts of User) are left out: the
  components are what integrations read and write.
- Standard picklists that are restricted in a real org (StageName, Task.Status, ShareType,
  Visibility, ...) are restricted here; open ones keep the org's default values but accept
  others. User's locale picklists hold a representative subset, so they are not restricted.
- ContentNote shares key prefix 069 with ContentDocument (a note *is* a document with
  FileType SNOTE); `Schema.by_key_prefix("069")` answers ContentDocument.
- Audit fields (CreatedDate, CreatedById, ...) are not createable: we do not model the
  "Set Audit Fields upon Record Creation" permission.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from sandboxes.salesforce.schema import ChildRelationship, FieldDef, SObjectDef

# --- field helpers ------------------------------------------------------------------------


def _label(name: str) -> str:
    """A describe-like label from an API name: "BillingPostalCode" -> "Billing Postal Code"."""
    if name.endswith("Id") and len(name) > 2:
        name = name[:-2] + " ID"
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)


def _field(name: str, type_: str, **options: Any) -> FieldDef:
    options.setdefault("label", _label(name))
    return FieldDef(name=name, type=type_, **options)


def text(name: str, length: int = 255, **options: Any) -> FieldDef:
    return _field(name, "string", length=length, **options)


def textarea(name: str, length: int = 32000, **options: Any) -> FieldDef:
    return _field(name, "textarea", length=length, **options)


def boolean(name: str, default: bool = False, **options: Any) -> FieldDef:
    # Checkboxes are never null: absent on create means the default.
    return _field(name, "boolean", default=default, nillable=False, **options)


def number(name: str, precision: int, scale: int, type_: str = "double", **opts: Any) -> FieldDef:
    return _field(name, type_, precision=precision, scale=scale, **opts)


def integer(name: str, digits: int = 9, **options: Any) -> FieldDef:
    return _field(name, "int", precision=digits, scale=0, **options)


def money(name: str, precision: int = 18, scale: int = 2, **options: Any) -> FieldDef:
    return number(name, precision, scale, "currency", **options)


def picklist(name: str, values: tuple[str, ...], **options: Any) -> FieldDef:
    options.setdefault("length", 255)
    return _field(name, "picklist", picklist_values=values, **options)


def restricted(name: str, values: tuple[str, ...], **options: Any) -> FieldDef:
    return picklist(name, values, restricted_picklist=True, **options)


def ref(name: str, to: str | tuple[str, ...], relationship: str, **options: Any) -> FieldDef:
    targets = (to,) if isinstance(to, str) else to
    return _field(
        name,
        "reference",
        length=18,
        reference_to=targets,
        relationship_name=relationship,
        **options,
    )


def required(field: FieldDef) -> FieldDef:
    return replace(field, required=True, nillable=False)


def readonly(field: FieldDef) -> FieldDef:
    """Set by Salesforce, never by the caller."""
    return replace(field, createable=False, updateable=False)


def create_only(field: FieldDef) -> FieldDef:
    """Settable on insert, fixed afterwards (e.g. OpportunityLineItem.OpportunityId)."""
    return replace(field, updateable=False)


def phone(name: str, **options: Any) -> FieldDef:
    return _field(name, "phone", length=40, **options)


def email(name: str, length: int = 80, **options: Any) -> FieldDef:
    return _field(name, "email", length=length, **options)


def url(name: str, length: int = 255, **options: Any) -> FieldDef:
    return _field(name, "url", length=length, **options)


def date(name: str, **options: Any) -> FieldDef:
    return _field(name, "date", **options)


def datetime(name: str, **options: Any) -> FieldDef:
    return _field(name, "datetime", **options)


def _system_fields(owner: bool = True, audit: bool = True) -> list[FieldDef]:
    """Id, IsDeleted, the audit quartet, SystemModstamp and (when the object has one) OwnerId."""
    fields = [
        readonly(_field("Id", "id", length=18, nillable=False)),
        readonly(boolean("IsDeleted")),
    ]
    if audit:
        fields += [
            readonly(datetime("CreatedDate", nillable=False)),
            readonly(ref("CreatedById", "User", "CreatedBy", nillable=False)),
            readonly(datetime("LastModifiedDate", nillable=False)),
            readonly(ref("LastModifiedById", "User", "LastModifiedBy", nillable=False)),
        ]
    fields.append(readonly(datetime("SystemModstamp", nillable=False)))
    if owner:
        # Not nillable, yet not required: the store defaults it to the calling user.
        fields.append(ref("OwnerId", "User", "Owner", nillable=False))
    return fields


def _address(prefix: str) -> list[FieldDef]:
    return [
        textarea(f"{prefix}Street", 255),
        text(f"{prefix}City", 40),
        text(f"{prefix}State", 80),
        text(f"{prefix}PostalCode", 20),
        text(f"{prefix}Country", 80),
        number(f"{prefix}Latitude", 18, 15),
        number(f"{prefix}Longitude", 18, 15),
    ]


# --- picklist values and stage rules ------------------------------------------------------


@dataclass(frozen=True)
class OpportunityStage:
    name: str
    probability: int
    forecast_category: str
    is_closed: bool
    is_won: bool


# The default OpportunityStage set of a new org.
OPPORTUNITY_STAGES: tuple[OpportunityStage, ...] = (
    OpportunityStage("Prospecting", 10, "Pipeline", False, False),
    OpportunityStage("Qualification", 10, "Pipeline", False, False),
    OpportunityStage("Needs Analysis", 20, "Pipeline", False, False),
    OpportunityStage("Value Proposition", 50, "Pipeline", False, False),
    OpportunityStage("Id. Decision Makers", 60, "Pipeline", False, False),
    OpportunityStage("Perception Analysis", 70, "Pipeline", False, False),
    OpportunityStage("Proposal/Price Quote", 75, "Pipeline", False, False),
    OpportunityStage("Negotiation/Review", 90, "Pipeline", False, False),
    OpportunityStage("Closed Won", 100, "Closed", True, True),
    OpportunityStage("Closed Lost", 0, "Omitted", True, False),
)
FORECAST_CATEGORIES = ("Omitted", "Pipeline", "Best Case", "Commit", "Closed")
TASK_STATUSES = ("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred")
TASK_CLOSED_STATUSES = ("Completed",)
PRIORITIES = ("High", "Normal", "Low")
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
ACTIVITY_TYPES = ("Call", "Email", "Meeting", "Other")
INDUSTRIES = (
    "Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications",
    "Construction", "Consulting", "Education", "Electronics", "Energy", "Engineering",
    "Entertainment", "Environmental", "Finance", "Food & Beverage", "Government", "Healthcare",
    "Hospitality", "Insurance", "Machinery", "Manufacturing", "Media", "Not For Profit",
    "Recreation", "Retail", "Shipping", "Technology", "Telecommunications", "Transportation",
    "Utilities", "Other",
)  # fmt: skip
ACCOUNT_TYPES = (
    "Prospect", "Customer - Direct", "Customer - Channel", "Channel Partner / Reseller",
    "Installation Partner", "Technology Partner", "Other",
)  # fmt: skip

# --- the objects ----------------------------------------------------------------------------


def _account() -> list[FieldDef]:
    return [
        *_system_fields(),
        required(text("Name", 255, label="Account Name")),
        text("AccountNumber", 40),
        text("Site", 80, label="Account Site"),
        ref("ParentId", "Account", "Parent"),
        readonly(ref("MasterRecordId", "Account", "MasterRecord")),
        picklist("Type", ACCOUNT_TYPES, label="Account Type"),
        picklist("Industry", INDUSTRIES),
        picklist("Rating", ("Hot", "Warm", "Cold")),
        picklist("Ownership", ("Public", "Private", "Subsidiary", "Other")),
        picklist("AccountSource", LEAD_SOURCES),
        money("AnnualRevenue", 18, 0),
        integer("NumberOfEmployees", 8, label="Employees"),
        phone("Phone"),
        phone("Fax"),
        url("Website"),
        text("TickerSymbol", 20),
        text("Sic", 20, label="SIC Code"),
        textarea("Description"),
        *_address("Billing"),
        *_address("Shipping"),
        readonly(date("LastActivityDate")),
    ]


def _contact() -> list[FieldDef]:
    return [
        *_system_fields(),
        ref("AccountId", "Account", "Account"),
        readonly(ref("MasterRecordId", "Contact", "MasterRecord")),
        picklist("Salutation", ("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.", "Mx.")),
        text("FirstName", 40),
        required(text("LastName", 80)),
        readonly(text("Name", 121, label="Full Name", nillable=False)),
        text("Title", 128),
        text("Department", 80),
        email("Email"),
        phone("Phone", label="Business Phone"),
        phone("MobilePhone"),
        phone("Fax", label="Business Fax"),
        phone("HomePhone"),
        phone("OtherPhone"),
        text("AssistantName", 40),
        phone("AssistantPhone"),
        ref("ReportsToId", "Contact", "ReportsTo"),
        picklist("LeadSource", LEAD_SOURCES),
        date("Birthdate"),
        boolean("HasOptedOutOfEmail", label="Email Opt Out"),
        boolean("HasOptedOutOfFax", label="Fax Opt Out"),
        boolean("DoNotCall"),
        textarea("Description"),
        *_address("Mailing"),
        *_address("Other"),
        readonly(date("LastActivityDate")),
    ]


def _user() -> list[FieldDef]:
    time_zones = ("America/Los_Angeles", "America/New_York", "Europe/London", "GMT",
                  "Australia/Sydney", "Pacific/Auckland")  # fmt: skip
    locales = ("en_US", "en_GB", "en_AU", "en_NZ", "fr_FR", "fr_CA")
    languages = ("en_US", "en_GB", "fr", "de", "es")
    encodings = ("UTF-8", "ISO-8859-1")
    return [
        *_system_fields(owner=False),
        required(text("Username", 80, unique=True)),
        text("FirstName", 40),
        required(text("LastName", 80)),
        readonly(text("Name", 121, label="Full Name", nillable=False)),
        required(text("Alias", 8)),
        required(email("Email", 128)),
        # Defaulted from the username when absent, as in a real org.
        text("CommunityNickname", 40, label="Nickname", nillable=False),
        boolean("IsActive", default=True, label="Active"),
        required(ref("ProfileId", "Profile", "Profile")),
        ref("UserRoleId", "UserRole", "UserRole", label="Role ID"),
        ref("ManagerId", "User", "Manager"),
        readonly(picklist("UserType", ("Standard", "PowerPartner", "CspLitePortal", "Guest"))),
        text("Title", 80),
        text("CompanyName", 80),
        text("Division", 80),
        text("Department", 80),
        text("EmployeeNumber", 20),
        text("FederationIdentifier", 512, label="SAML Federation ID"),
        phone("Phone"),
        phone("MobilePhone", label="Mobile"),
        phone("Fax"),
        textarea("Street", 255),
        text("City", 40),
        text("State", 80),
        text("PostalCode", 20, label="Zip/Postal Code"),
        text("Country", 80),
        required(picklist("TimeZoneSidKey", time_zones, label="Time Zone")),
        required(picklist("LocaleSidKey", locales, label="Locale")),
        required(picklist("EmailEncodingKey", encodings, label="Email Encoding")),
        required(picklist("LanguageLocaleKey", languages, label="Language")),
        readonly(datetime("LastLoginDate")),
    ]


def _profile() -> list[FieldDef]:
    return [
        *_system_fields(owner=False),
        required(text("Name", 255)),
        text("Description", 255),
        readonly(picklist("UserType", ("Standard", "PowerPartner", "CspLitePortal", "Guest"))),
    ]


def _user_role() -> list[FieldDef]:
    return [
        *_system_fields(owner=False),
        required(text("Name", 80)),
        text("DeveloperName", 80),
        ref("ParentRoleId", "UserRole", "ParentRole"),
        text("RollupDescription", 80, label="Description"),
    ]


def _permission_set() -> list[FieldDef]:
    # Object Reference, PermissionSet: Name is the API name, Label what Setup shows. A profile's
    # own permission set (IsOwnedByProfile) is not modelled: every row here is a real set.
    return [
        *_system_fields(owner=False),
        required(text("Name", 80)),
        required(text("Label", 80)),
        text("Description", 255),
        readonly(boolean("IsOwnedByProfile")),
        readonly(boolean("IsCustom", default=True)),
        text("NamespacePrefix", 15),
    ]


def _permission_set_assignment() -> list[FieldDef]:
    # Object Reference, PermissionSetAssignment: who holds which set (no audit fields but
    # SystemModstamp; assignments to permission set groups are not modelled).
    return [
        *_system_fields(owner=False, audit=False),
        required(create_only(ref("AssigneeId", "User", "Assignee"))),
        required(create_only(ref("PermissionSetId", "PermissionSet", "PermissionSet"))),
        readonly(boolean("IsActive", default=True)),
        datetime("ExpirationDate"),
    ]


def _opportunity() -> list[FieldDef]:
    return [
        *_system_fields(),
        ref("AccountId", "Account", "Account"),
        ref("ContactId", "Contact", "Contact"),
        ref("Pricebook2Id", "Pricebook2", "Pricebook2", label="Price Book ID"),
        required(text("Name", 120)),
        textarea("Description"),
        required(
            restricted(
                "StageName",
                tuple(s.name for s in OPPORTUNITY_STAGES),
                length=40,
                label="Stage",
            )
        ),
        money("Amount"),
        number("Probability", 3, 0, "percent", label="Probability (%)"),
        readonly(money("ExpectedRevenue", label="Expected Amount")),
        number("TotalOpportunityQuantity", 18, 2, label="Quantity"),
        required(date("CloseDate")),
        picklist(
            "Type",
            (
                "Existing Customer - Upgrade",
                "Existing Customer - Replacement",
                "Existing Customer - Downgrade",
                "New Customer",
            ),
            label="Opportunity Type",
        ),
        text("NextStep", 255),
        picklist("LeadSource", LEAD_SOURCES),
        readonly(boolean("IsClosed", label="Closed")),
        readonly(boolean("IsWon", label="Won")),
        # Defaulted from the stage when absent; the store derives it.
        restricted(
            "ForecastCategoryName", FORECAST_CATEGORIES, length=40, label="Forecast Category"
        ),
        readonly(boolean("HasOpportunityLineItem", label="Has Line Item")),
        readonly(boolean("HasOpenActivity")),
        readonly(boolean("HasOverdueTask")),
        readonly(integer("FiscalQuarter", 2)),
        readonly(integer("FiscalYear", 4)),
        readonly(text("Fiscal", 6, label="Fiscal Period")),
        readonly(date("LastActivityDate")),
    ]


def _opportunity_line_item() -> list[FieldDef]:
    return [
        *_system_fields(owner=False),
        required(create_only(ref("OpportunityId", "Opportunity", "Opportunity"))),
        # One of PricebookEntryId and Product2Id is needed on create; the store checks that.
        create_only(ref("PricebookEntryId", "PricebookEntry", "PricebookEntry")),
        create_only(ref("Product2Id", "Product2", "Product2", label="Product ID")),
        readonly(text("Name", 376, label="Opportunity Product Name")),
        readonly(text("ProductCode", 255)),
        required(number("Quantity", 12, 2)),
        # UnitPrice or TotalPrice (not both) on create; Discount is a percentage.
        money("UnitPrice", label="Sales Price"),
        money("TotalPrice"),
        readonly(money("ListPrice")),
        readonly(money("Subtotal")),
        number("Discount", 5, 2, "percent"),
        text("Description", 255, label="Line Description"),
        date("ServiceDate", label="Date"),
        integer("SortOrder"),
    ]


def _product() -> list[FieldDef]:
    return [
        *_system_fields(owner=False),
        required(text("Name", 255, label="Product Name")),
        text("ProductCode", 255),
        textarea("Description", 4000, label="Product Description"),
        boolean("IsActive", label="Active"),
        picklist("Family", (), label="Product Family"),
        picklist("QuantityUnitOfMeasure", ("Each",), label="Quantity Unit Of Measure"),
        text("StockKeepingUnit", 180, label="Product SKU"),
        url("DisplayUrl", 1000),
        readonly(boolean("IsArchived", label="Archived")),
    ]


def _pricebook() -> list[FieldDef]:
    return [
        *_system_fields(owner=False),
        required(text("Name", 255, label="Price Book Name")),
        boolean("IsActive", label="Active"),
        readonly(boolean("IsStandard", label="Is Standard Price Book")),
        text("Description", 255),
        readonly(boolean("IsArchived", label="Archived")),
    ]


def _pricebook_entry() -> list[FieldDef]:
    return [
        *_system_fields(owner=False),
        readonly(text("Name", 255, label="Product Name")),
        required(create_only(ref("Pricebook2Id", "Pricebook2", "Pricebook2"))),
        required(create_only(ref("Product2Id", "Product2", "Product2"))),
        required(money("UnitPrice", label="List Price")),
        boolean("IsActive", label="Active"),
        boolean("UseStandardPrice", label="Use Standard Price"),
        readonly(text("ProductCode", 255)),
        readonly(boolean("IsArchived", label="Archived")),
    ]


_ANY_RECORD = ("Account", "Contact", "Opportunity", "Product2", "User")


def _content_version() -> list[FieldDef]:
    return [
        *_system_fields(),
        # Set on insert to add a new version to an existing document.
        create_only(ref("ContentDocumentId", "ContentDocument", "ContentDocument")),
        # Salesforce derives Title from PathOnClient when absent, so it is not "required".
        text("Title", 255, nillable=False),
        create_only(text("PathOnClient", 500)),
        create_only(_field("VersionData", "base64")),
        create_only(ref("FirstPublishLocationId", _ANY_RECORD, "FirstPublishLocation")),
        textarea("Description", 1000),
        text("ReasonForChange", 1000),
        textarea("TagCsv", 2000, label="Tags"),
        url("ContentUrl", 1300),
        create_only(restricted("ContentLocation", ("S", "E", "L"), default="S", nillable=False)),
        create_only(restricted("Origin", ("C", "H"), default="C", nillable=False)),
        restricted("SharingOption", ("A", "R"), default="A", nillable=False),
        restricted("SharingPrivacy", ("N", "P"), default="N", nillable=False),
        create_only(boolean("IsMajorVersion", default=True)),
        readonly(boolean("IsLatest")),
        readonly(text("VersionNumber", 20)),
        readonly(integer("ContentSize", 10, label="Size")),
        readonly(text("FileType", 20)),
        readonly(text("FileExtension", 40)),
        readonly(text("Checksum", 50)),
        readonly(restricted("PublishStatus", ("U", "P", "R"))),
        datetime("ContentModifiedDate"),
    ]


def _content_document() -> list[FieldDef]:
    # Never inserted directly: inserting a ContentVersion without ContentDocumentId makes one.
    fields = [
        *_system_fields(),
        text("Title", 255, nillable=False),
        textarea("Description", 1000),
        restricted("SharingOption", ("A", "R"), nillable=False),
        restricted("SharingPrivacy", ("N", "P"), nillable=False),
        readonly(ref("LatestPublishedVersionId", "ContentVersion", "LatestPublishedVersion")),
        readonly(integer("ContentSize", 10, label="Size")),
        readonly(text("FileType", 20)),
        readonly(text("FileExtension", 40)),
        readonly(restricted("PublishStatus", ("U", "P", "R"))),
        readonly(boolean("IsArchived")),
        readonly(date("ArchivedDate")),
        readonly(datetime("ContentModifiedDate")),
    ]
    return [replace(field, createable=False) for field in fields]


def _content_document_link() -> list[FieldDef]:
    # No CreatedDate/CreatedById/LastModified* on this object, only SystemModstamp.
    return [
        *_system_fields(owner=False, audit=False),
        required(create_only(ref("ContentDocumentId", "ContentDocument", "ContentDocument"))),
        required(create_only(ref("LinkedEntityId", _ANY_RECORD, "LinkedEntity"))),
        restricted("ShareType", ("V", "C", "I"), default="V", nillable=False),
        restricted("Visibility", ("AllUsers", "InternalUsers", "SharedUsers"), default="AllUsers"),
    ]


def _note() -> list[FieldDef]:
    return [
        *_system_fields(),
        required(create_only(ref("ParentId", _ANY_RECORD[:4], "Parent"))),
        required(text("Title", 80)),
        boolean("IsPrivate", label="Private"),
        textarea("Body"),
    ]


def _content_note() -> list[FieldDef]:
    return [
        *_system_fields(),
        required(text("Title", 255)),
        _field("Content", "base64"),
        readonly(text("TextPreview", 300)),
        readonly(text("FileType", 20)),
        readonly(text("FileExtension", 40)),
        readonly(integer("ContentSize", 10)),
        readonly(boolean("IsReadOnly")),
        readonly(ref("LatestPublishedVersionId", "ContentVersion", "LatestPublishedVersion")),
        readonly(restricted("SharingPrivacy", ("N", "P"), nillable=False, default="N")),
        readonly(datetime("ContentModifiedDate")),
    ]


def _activity(subtypes: tuple[str, ...]) -> list[FieldDef]:
    """Fields Task and Event share."""
    return [
        *_system_fields(),
        ref("WhoId", "Contact", "Who", label="Name ID"),
        ref("WhatId", ("Account", "Opportunity"), "What", label="Related To ID"),
        readonly(ref("AccountId", "Account", "Account")),
        _field("Subject", "combobox", length=255),
        picklist("Type", ACTIVITY_TYPES),
        textarea("Description"),
        date("ActivityDate", label="Due Date Only"),
        datetime("ReminderDateTime", label="Reminder Date/Time"),
        boolean("IsReminderSet", label="Reminder Set"),
        create_only(restricted(f"{subtypes[0]}Subtype", subtypes)),
    ]


def _task() -> list[FieldDef]:
    return [
        *_activity(("Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn")),
        restricted("Status", TASK_STATUSES, default="Not Started", nillable=False, length=40),
        restricted("Priority", PRIORITIES, default="Normal", nillable=False, length=40),
        readonly(boolean("IsClosed", label="Closed")),
        readonly(boolean("IsHighPriority", label="High Priority")),
        readonly(datetime("CompletedDateTime")),
        integer("CallDurationInSeconds", 8, label="Call Duration"),
        restricted("CallType", ("Internal", "Inbound", "Outbound")),
        text("CallDisposition", 255, label="Call Result"),
    ]


def _event() -> list[FieldDef]:
    return [
        *_activity(("Event",)),
        text("Location", 255),
        boolean("IsAllDayEvent", label="All-Day Event"),
        datetime("ActivityDateTime", label="Due Date Time"),
        datetime("StartDateTime"),
        datetime("EndDateTime"),
        integer("DurationInMinutes", 8, label="Duration"),
        restricted("ShowAs", ("Busy", "OutOfOffice", "Free"), default="Busy", label="Show Time As"),
        boolean("IsPrivate", label="Private"),
    ]


# name, label, plural label, key prefix, fields
_OBJECTS: tuple[tuple[str, str, str, str, Any], ...] = (
    ("Account", "Account", "Accounts", "001", _account),
    ("Contact", "Contact", "Contacts", "003", _contact),
    ("User", "User", "Users", "005", _user),
    ("Profile", "Profile", "Profiles", "00e", _profile),
    ("UserRole", "Role", "Roles", "00E", _user_role),
    ("PermissionSet", "Permission Set", "Permission Sets", "0PS", _permission_set),
    ("PermissionSetAssignment", "Permission Set Assignment", "Permission Set Assignments",
     "0Pa", _permission_set_assignment),
    ("Opportunity", "Opportunity", "Opportunities", "006", _opportunity),
    ("OpportunityLineItem", "Opportunity Product", "Opportunity Product", "00k",
     _opportunity_line_item),
    ("Product2", "Product", "Products", "01t", _product),
    ("Pricebook2", "Price Book", "Price Books", "01s", _pricebook),
    ("PricebookEntry", "Price Book Entry", "Price Book Entries", "01u", _pricebook_entry),
    ("ContentVersion", "Content Version", "Content Versions", "068", _content_version),
    ("ContentDocument", "Content Document", "Content Documents", "069", _content_document),
    ("ContentDocumentLink", "Content Document Link", "Content Document Link", "06A",
     _content_document_link),
    ("ContentNote", "Note", "Notes", "069", _content_note),
    ("Note", "Note", "Notes", "002", _note),
    ("Task", "Task", "Tasks", "00T", _task),
    ("Event", "Event", "Events", "00U", _event),
)  # fmt: skip

# parent, relationship name, child, child's reference field, cascade delete
_CHILD_RELATIONSHIPS: tuple[tuple[str, str, str, str, bool], ...] = (
    ("Account", "ChildAccounts", "Account", "ParentId", False),
    ("Account", "Contacts", "Contact", "AccountId", True),
    ("Account", "Opportunities", "Opportunity", "AccountId", True),
    ("Contact", "Opportunities", "Opportunity", "ContactId", False),
    ("Contact", "DirectReports", "Contact", "ReportsToId", False),
    ("User", "ManagedUsers", "User", "ManagerId", False),
    ("Profile", "Users", "User", "ProfileId", False),
    ("UserRole", "Users", "User", "UserRoleId", False),
    ("User", "PermissionSetAssignments", "PermissionSetAssignment", "AssigneeId", True),
    ("PermissionSet", "Assignments", "PermissionSetAssignment", "PermissionSetId", True),
    ("Pricebook2", "Opportunities", "Opportunity", "Pricebook2Id", False),
    ("Pricebook2", "PricebookEntries", "PricebookEntry", "Pricebook2Id", True),
    ("Product2", "PricebookEntries", "PricebookEntry", "Product2Id", True),
    ("Opportunity", "OpportunityLineItems", "OpportunityLineItem", "OpportunityId", True),
    ("PricebookEntry", "OpportunityLineItems", "OpportunityLineItem", "PricebookEntryId", False),
    ("ContentDocument", "ContentVersions", "ContentVersion", "ContentDocumentId", True),
    ("ContentDocument", "ContentDocumentLinks", "ContentDocumentLink", "ContentDocumentId", True),
)

# Reference fields that may point at (almost) any record, with the child relationship name
# each parent gets. The loader adds every custom object to them.
ANY_RECORD_REFERENCES: tuple[tuple[str, str, str | None], ...] = (
    ("ContentDocumentLink", "LinkedEntityId", "ContentDocumentLinks"),
    ("Note", "ParentId", "Notes"),
    ("ContentVersion", "FirstPublishLocationId", None),  # no child relationship in describe
)
# The same for activities: only objects with activities enabled.
ACTIVITY_REFERENCES: tuple[tuple[str, str, str | None], ...] = (
    ("Task", "WhatId", "Tasks"),
    ("Event", "WhatId", "Events"),
)
_WHO_REFERENCES: tuple[tuple[str, str, str | None], ...] = (
    ("Task", "WhoId", "Tasks"),
    ("Event", "WhoId", "Events"),
)


def standard_objects() -> dict[str, SObjectDef]:
    """Fresh definitions of every standard object (callers may extend them)."""
    objects = {
        name: SObjectDef(
            name=name,
            label=label,
            label_plural=plural,
            key_prefix=prefix,
            fields={f.name: f for f in build()},
        )
        for name, label, plural, prefix, build in _OBJECTS
    }
    for parent, relationship, child, field_name, cascade in _CHILD_RELATIONSHIPS:
        add_child_relationship(objects[parent], relationship, child, field_name, cascade)
    for child, field_name, name in (*ANY_RECORD_REFERENCES, *ACTIVITY_REFERENCES, *_WHO_REFERENCES):
        if name is None:
            continue
        for parent in objects[child].fields[field_name].reference_to:
            add_child_relationship(objects[parent], name, child, field_name, True)
    return objects


def add_child_relationship(
    parent: SObjectDef, name: str, child: str, field_name: str, cascade_delete: bool
) -> None:
    if parent.child_relationship(name) is not None:
        raise ValueError(f"{parent.name} already has a child relationship named {name}")
    parent.child_relationships[name] = ChildRelationship(name, child, field_name, cascade_delete)
