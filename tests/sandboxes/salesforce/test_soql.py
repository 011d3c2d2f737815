"""The SOQL engine against a small hand-built schema and an in-memory record source.

Given a few accounts, contacts, opportunities and line items, when a query runs, then the
rows, their REST shape, and the errors are those Salesforce gives.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from simple_salesforce.format import format_soql

from sandboxes.salesforce.errors import SalesforceApiError
from sandboxes.salesforce.schema import ChildRelationship, FieldDef, Schema, SObjectDef
from sandboxes.salesforce.soql import QueryResult, execute

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday; the week began Sunday 22nd


# ---------------------------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------------------------


def _id_field() -> FieldDef:
    return FieldDef("Id", "id", createable=False, updateable=False, nillable=False)


def _system_fields() -> list[FieldDef]:
    return [
        _id_field(),
        FieldDef("IsDeleted", "boolean", createable=False, updateable=False),
        FieldDef("CreatedDate", "datetime", createable=False, updateable=False),
    ]


def _ref(name: str, target: str, relationship: str, custom: bool = False) -> FieldDef:
    return FieldDef(
        name, "reference", reference_to=(target,), relationship_name=relationship, custom=custom
    )


def _sobject(
    name: str,
    prefix: str,
    fields: list[FieldDef],
    children: Iterable[ChildRelationship] = (),
) -> SObjectDef:
    return SObjectDef(
        name=name,
        label=name,
        label_plural=name + "s",
        key_prefix=prefix,
        fields={f.name: f for f in [*_system_fields(), *fields]},
        child_relationships={c.name: c for c in children},
    )


def build_schema() -> Schema:
    objects = [
        _sobject("User", "005", [FieldDef("Name", "string"), FieldDef("IsActive", "boolean")]),
        _sobject(
            "Account",
            "001",
            [
                FieldDef("Name", "string", length=255),
                FieldDef("Industry", "picklist", picklist_values=("Retail", "Manufacturing")),
                FieldDef("AnnualRevenue", "currency"),
                FieldDef("NumberOfEmployees", "int"),
                _ref("OwnerId", "User", "Owner"),
                _ref("ParentId", "Account", "Parent"),
                FieldDef("Regions__c", "multipicklist", custom=True),
                FieldDef("NetSuite_Id__c", "string", external_id=True, custom=True),
                FieldDef("Description", "textarea", length=32000),
                FieldDef("Is_Key__c", "boolean", custom=True),
            ],
            [
                ChildRelationship("Contacts", "Contact", "AccountId"),
                ChildRelationship("Opportunities", "Opportunity", "AccountId"),
                ChildRelationship("ChildAccounts", "Account", "ParentId"),
            ],
        ),
        _sobject(
            "Contact",
            "003",
            [
                FieldDef("FirstName", "string"),
                FieldDef("LastName", "string"),
                FieldDef("Email", "email"),
                FieldDef("Birthdate", "date"),
                _ref("AccountId", "Account", "Account"),
            ],
        ),
        _sobject(
            "Opportunity",
            "006",
            [
                FieldDef("Name", "string"),
                FieldDef("StageName", "picklist"),
                FieldDef("Amount", "currency"),
                FieldDef("CloseDate", "date"),
                _ref("AccountId", "Account", "Account"),
                _ref("Primary_Contact__c", "Contact", "Primary_Contact__r", custom=True),
            ],
            [ChildRelationship("OpportunityLineItems", "OpportunityLineItem", "OpportunityId")],
        ),
        _sobject(
            "OpportunityLineItem",
            "00k",
            [
                _ref("OpportunityId", "Opportunity", "Opportunity"),
                _ref("PricebookEntryId", "PricebookEntry", "PricebookEntry"),
                _ref("Product2Id", "Product2", "Product2"),
                FieldDef("Quantity", "double"),
                FieldDef("UnitPrice", "currency"),
            ],
        ),
        _sobject(
            "Product2",
            "01t",
            [FieldDef("Name", "string"), FieldDef("ProductCode", "string")],
        ),
        _sobject(
            "PricebookEntry",
            "01u",
            [_ref("Product2Id", "Product2", "Product2"), FieldDef("UnitPrice", "currency")],
        ),
    ]
    return Schema({o.name: o for o in objects})


SCHEMA = build_schema()


def make_id(prefix: str, number: int) -> str:
    """An 18-character id; digits only, so the case-safe suffix is AAA."""
    return f"{prefix}{number:012d}AAA"


USER = make_id("005", 1)
A1, A2, A3, A4 = (make_id("001", n) for n in (1, 2, 3, 4))
C1, C2, C3 = (make_id("003", n) for n in (1, 2, 3))
O1, O2, O3, O4 = (make_id("006", n) for n in (1, 2, 3, 4))
P1, P2 = make_id("01t", 1), make_id("01t", 2)
PBE1, PBE2 = make_id("01u", 1), make_id("01u", 2)
L1, L2, L3, L4 = (make_id("00k", n) for n in (1, 2, 3, 4))

TRICKY_NAME = 'O\'Brien \\ "Sons"\n100%_done'


def seed() -> dict[str, list[dict[str, Any]]]:
    def row(record_id: str, **values: Any) -> dict[str, Any]:
        return {"Id": record_id, "IsDeleted": False, **values}

    return {
        "User": [row(USER, Name="Ada Admin", IsActive=True)],
        "Account": [
            row(
                A1,
                Name="Acme Corp",
                Industry="Manufacturing",
                AnnualRevenue=5_000_000,
                NumberOfEmployees=250,
                OwnerId=USER,
                ParentId=None,
                Regions__c="EMEA;APAC",
                NetSuite_Id__c="NS-1",
                CreatedDate="2026-11-25T09:00:00.000+0000",
                Is_Key__c=True,
            ),
            row(
                A2,
                Name="globex",
                Industry=None,
                AnnualRevenue=1_200_000.5,
                NumberOfEmployees=None,
                OwnerId=USER,
                ParentId=A1,
                Regions__c="AMER",
                CreatedDate="2026-11-22T00:30:00.000+0000",
                Is_Key__c=None,
            ),
            row(
                A3,
                Name=TRICKY_NAME,
                Industry="Retail",
                AnnualRevenue=None,
                NumberOfEmployees=12,
                OwnerId=None,
                Regions__c=None,
                CreatedDate="2025-12-31T23:30:00.000+0000",
                Is_Key__c=False,
            ),
            {
                **row(A4, Name="Deleted Co", CreatedDate="2026-01-05T00:00:00.000+0000"),
                "IsDeleted": True,
            },
        ],
        "Contact": [
            row(C1, FirstName="Jane", LastName="Doe", AccountId=A1, Birthdate="1990-04-01"),
            row(C2, FirstName="John", LastName="Smith", AccountId=A1, Birthdate=None),
            row(C3, FirstName="Solo", LastName="Person", AccountId=None),
        ],
        "Opportunity": [
            row(
                O1,
                Name="Acme - Widgets",
                StageName="Closed Won",
                Amount=10000,
                CloseDate="2026-11-25",
                AccountId=A1,
                Primary_Contact__c=C1,
            ),
            row(
                O2,
                Name="Acme - Gears",
                StageName="Prospecting",
                Amount=500.5,
                CloseDate="2026-12-05",
                AccountId=A1,
                Primary_Contact__c=None,
            ),
            row(
                O3,
                Name="Globex deal",
                StageName="Closed Lost",
                Amount=None,
                CloseDate="2026-10-15",
                AccountId=A2,
            ),
            row(
                O4,
                Name="Orphan",
                StageName="Prospecting",
                Amount=42,
                CloseDate="2026-11-24",
                AccountId=None,
            ),
        ],
        "Product2": [
            row(P1, Name="Widget", ProductCode="WID"),
            row(P2, Name="Gear", ProductCode="GEA"),
        ],
        "PricebookEntry": [
            row(PBE1, Product2Id=P1, UnitPrice=100),
            row(PBE2, Product2Id=P2, UnitPrice=50),
        ],
        "OpportunityLineItem": [
            row(L1, OpportunityId=O1, PricebookEntryId=PBE1, Product2Id=P1, Quantity=10.0),
            row(L2, OpportunityId=O1, PricebookEntryId=PBE2, Product2Id=P2, Quantity=2.0),
            row(L3, OpportunityId=O2, PricebookEntryId=PBE2, Product2Id=P2, Quantity=5.0),
            {**row(L4, OpportunityId=O1, PricebookEntryId=PBE1, Quantity=99.0), "IsDeleted": True},
        ],
    }


class MemorySource:
    """The RecordSource port, as the record store will implement it."""

    def __init__(self, data: dict[str, list[dict[str, Any]]]) -> None:
        self.data = data
        self.calls: list[str] = []

    def records(self, sobject: str, include_deleted: bool = False) -> Iterable[dict[str, Any]]:
        self.calls.append(sobject)
        rows = self.data.get(sobject, [])
        return [r for r in rows if include_deleted or not r.get("IsDeleted")]

    def get_by_id(self, record_id: str) -> dict[str, Any] | None:
        for rows in self.data.values():
            for row in rows:
                if row["Id"][:15] == record_id[:15]:
                    return row
        return None


@pytest.fixture
def source() -> MemorySource:
    return MemorySource(seed())


def run(source: MemorySource, soql: str, **options: Any) -> QueryResult:
    return execute(soql, SCHEMA, source, now=NOW, **options)


def ids(result: QueryResult) -> list[str]:
    return [record["Id"] for record in result.records]


def names(result: QueryResult) -> list[str]:
    return [record["Name"] for record in result.records]


def refused(source: MemorySource, soql: str) -> SalesforceApiError:
    with pytest.raises(SalesforceApiError) as caught:
        run(source, soql)
    assert caught.value.status == 400
    return caught.value


# ---------------------------------------------------------------------------------------------
# Shape of the results
# ---------------------------------------------------------------------------------------------


def test_records_are_shaped_like_the_rest_api(source: MemorySource) -> None:
    result = execute(
        "select name, ID, industry from account where id = '" + A1 + "'",
        SCHEMA,
        source,
        api_version="61.0",
    )

    assert result.total_size == 1
    assert result.sobject == "Account"
    assert result.records == [
        {
            "attributes": {"type": "Account", "url": f"/services/data/v61.0/sobjects/Account/{A1}"},
            "Name": "Acme Corp",
            "Id": A1,
            "Industry": "Manufacturing",
        }
    ]
    assert list(result.records[0]) == ["attributes", "Name", "Id", "Industry"]


def test_missing_and_null_values_come_back_as_null(source: MemorySource) -> None:
    result = run(source, f"SELECT Industry, ParentId FROM Account WHERE Id = '{A3}'")

    assert result.records[0]["Industry"] == "Retail"
    assert result.records[0]["ParentId"] is None  # absent from the stored row


def test_parent_paths_nest_objects_with_their_own_attributes(source: MemorySource) -> None:
    result = run(
        source,
        "SELECT Id, Quantity, Opportunity.Account.Owner.Name, PricebookEntry.Product2.Name "
        f"FROM OpportunityLineItem WHERE Id = '{L1}'",
    )

    record = result.records[0]
    assert list(record) == ["attributes", "Id", "Quantity", "Opportunity", "PricebookEntry"]
    assert record["Opportunity"] == {
        "attributes": {
            "type": "Opportunity",
            "url": f"/services/data/v59.0/sobjects/Opportunity/{O1}",
        },
        "Account": {
            "attributes": {"type": "Account", "url": f"/services/data/v59.0/sobjects/Account/{A1}"},
            "Owner": {
                "attributes": {"type": "User", "url": f"/services/data/v59.0/sobjects/User/{USER}"},
                "Name": "Ada Admin",
            },
        },
    }
    assert record["PricebookEntry"]["Product2"]["Name"] == "Widget"


def test_fields_of_one_parent_share_one_nested_object(source: MemorySource) -> None:
    result = run(
        source,
        "SELECT AccountId, Account.Name, Name, account.INDUSTRY FROM Opportunity "
        f"WHERE Id = '{O1}'",
    )

    record = result.records[0]
    assert list(record) == ["attributes", "AccountId", "Account", "Name"]
    assert record["AccountId"] == A1
    assert record["Account"]["Name"] == "Acme Corp"
    assert record["Account"]["Industry"] == "Manufacturing"


def test_an_empty_reference_gives_a_null_parent_at_the_first_missing_level(
    source: MemorySource,
) -> None:
    orphan = run(source, f"SELECT Account.Owner.Name, Name FROM Opportunity WHERE Id = '{O4}'")
    no_owner = run(source, f"SELECT Account.Owner.Name FROM Opportunity WHERE AccountId = '{A2}'")
    unowned = run(source, f"SELECT Owner.Name, Parent.Name FROM Account WHERE Id = '{A3}'")

    assert orphan.records[0]["Account"] is None
    assert orphan.records[0]["Name"] == "Orphan"
    assert no_owner.records[0]["Account"]["Owner"]["Name"] == "Ada Admin"
    assert unowned.records[0]["Owner"] is None
    assert unowned.records[0]["Parent"] is None


def test_custom_relationships_use_the_r_name(source: MemorySource) -> None:
    result = run(
        source,
        "SELECT Name, Primary_Contact__r.LastName FROM Opportunity "
        "WHERE primary_contact__r.lastname = 'DOE'",
    )

    assert result.records[0]["Primary_Contact__r"]["LastName"] == "Doe"
    assert result.records[0]["Primary_Contact__r"]["attributes"]["type"] == "Contact"


def test_child_subquery_filters_orders_and_limits_per_parent(source: MemorySource) -> None:
    result = run(
        source,
        "SELECT Name, (SELECT Id, Quantity FROM OpportunityLineItems WHERE Quantity > 1 "
        "ORDER BY Quantity DESC LIMIT 1) FROM Opportunity "
        f"WHERE Id IN ('{O1}', '{O2}') ORDER BY Name",
    )

    gears, widgets = result.records
    assert widgets["OpportunityLineItems"] == {
        "totalSize": 1,
        "done": True,
        "records": [
            {
                "attributes": {
                    "type": "OpportunityLineItem",
                    "url": f"/services/data/v59.0/sobjects/OpportunityLineItem/{L1}",
                },
                "Id": L1,
                "Quantity": 10.0,
            }
        ],
    }
    assert gears["OpportunityLineItems"]["records"][0]["Id"] == L3


def test_child_rows_are_read_once_for_all_parents(source: MemorySource) -> None:
    run(source, "SELECT Id, (SELECT Id FROM OpportunityLineItems) FROM Opportunity")

    assert source.calls == ["Opportunity", "OpportunityLineItem"]


def test_an_empty_child_subquery_is_null_and_deleted_children_are_left_out(
    source: MemorySource,
) -> None:
    result = run(
        source,
        "SELECT Id, (SELECT Id FROM OpportunityLineItems) FROM Opportunity ORDER BY Name",
    )

    by_id = {record["Id"]: record["OpportunityLineItems"] for record in result.records}
    assert by_id[O3] is None
    assert by_id[O4] is None
    assert [line["Id"] for line in by_id[O1]["records"]] == [L1, L2]


def test_child_rows_carry_parent_paths_and_grandchildren(source: MemorySource) -> None:
    result = run(
        source,
        "SELECT Name, (SELECT Name, (SELECT Quantity, PricebookEntry.Product2.Name "
        "FROM OpportunityLineItems ORDER BY Quantity) FROM Opportunities ORDER BY Name) "
        f"FROM Account WHERE Id = '{A1}'",
    )

    opportunities = result.records[0]["Opportunities"]
    assert opportunities["totalSize"] == 2
    widgets = opportunities["records"][1]
    assert widgets["Name"] == "Acme - Widgets"
    lines = widgets["OpportunityLineItems"]["records"]
    assert [(line["Quantity"], line["PricebookEntry"]["Product2"]["Name"]) for line in lines] == [
        (2.0, "Gear"),
        (10.0, "Widget"),
    ]


def test_count_gives_the_total_size_without_records(source: MemorySource) -> None:
    everything = run(source, "SELECT COUNT() FROM Account")
    filtered = run(source, "select count() from Opportunity where StageName = 'Prospecting'")

    assert (everything.total_size, everything.records) == (3, [])
    assert filtered.total_size == 2


def test_count_of_a_field_is_an_aggregate_result(source: MemorySource) -> None:
    result = run(source, "SELECT COUNT(Id), COUNT(Industry) industries FROM Account")

    assert result.total_size == 1
    assert result.records == [
        {"attributes": {"type": "AggregateResult"}, "expr0": 3, "industries": 2}
    ]


# ---------------------------------------------------------------------------------------------
# WHERE
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Amount = 10000", ["Acme - Widgets"]),
        ("Amount != 10000", ["Acme - Gears", "Globex deal", "Orphan"]),
        ("Amount <> 10000", ["Acme - Gears", "Globex deal", "Orphan"]),
        ("Amount > 500.5", ["Acme - Widgets"]),
        ("Amount >= 500.5", ["Acme - Widgets", "Acme - Gears"]),
        ("Amount < 500.5", ["Orphan"]),
        ("Amount <= 500.5", ["Acme - Gears", "Orphan"]),
        ("Amount = null", ["Globex deal"]),
        ("Amount != null", ["Acme - Widgets", "Acme - Gears", "Orphan"]),
        ("Amount IN (42, 10000)", ["Acme - Widgets", "Orphan"]),
        ("Amount NOT IN (42, 10000)", ["Acme - Gears", "Globex deal"]),
        ("StageName = 'prospecting'", ["Acme - Gears", "Orphan"]),
        ("StageName IN ('CLOSED WON', 'closed lost')", ["Acme - Widgets", "Globex deal"]),
        ("Name LIKE 'acme%'", ["Acme - Widgets", "Acme - Gears"]),
        ("Name LIKE '%_ears'", ["Acme - Gears"]),
        ("Name LIKE 'Orpha_'", ["Orphan"]),
        ("Name LIKE 'Orph'", []),
        ("NOT Name LIKE 'Acme%'", ["Globex deal", "Orphan"]),
        ("Amount > 100 AND StageName = 'Prospecting'", ["Acme - Gears"]),
        (
            "Amount = 42 OR Amount = null OR Name = 'Acme - Gears'",
            ["Acme - Gears", "Globex deal", "Orphan"],
        ),
        ("(Amount = 42 OR Amount = null) AND Name LIKE 'G%'", ["Globex deal"]),
        ("Amount = 42 OR (Amount = null AND Name LIKE 'G%')", ["Globex deal", "Orphan"]),
        ("NOT (StageName = 'Prospecting' OR Amount = null)", ["Acme - Widgets"]),
        ("Account.Name = 'ACME CORP'", ["Acme - Widgets", "Acme - Gears"]),
        ("Account.Name != 'Acme Corp'", ["Globex deal", "Orphan"]),
        ("Account.Owner.Name = null", ["Orphan"]),
        ("Account.Is_Key__c = true", ["Acme - Widgets", "Acme - Gears"]),
        ("Account.Is_Key__c = false", ["Globex deal", "Orphan"]),
    ],
)
def test_where_operators(source: MemorySource, where: str, expected: list[str]) -> None:
    result = run(source, f"SELECT Name FROM Opportunity WHERE {where}")

    assert sorted(names(result)) == sorted(expected)


def test_a_null_boolean_counts_as_false(source: MemorySource) -> None:
    def matching(where: str) -> list[str]:
        return names(run(source, f"SELECT Name FROM Account WHERE {where} ORDER BY Name"))

    assert matching("Is_Key__c = false") == ["globex", TRICKY_NAME]
    assert matching("Is_Key__c = null") == ["globex", TRICKY_NAME]
    assert matching("Is_Key__c != null") == ["Acme Corp"]


def test_case_sensitive_fields_compare_with_case(source: MemorySource) -> None:
    schema = build_schema()
    account = schema.objects["Account"]
    account.fields["NetSuite_Id__c"] = FieldDef(
        "NetSuite_Id__c", "string", unique=True, case_sensitive=True, external_id=True
    )

    def matching(where: str) -> list[str]:
        return ids(execute(f"SELECT Id FROM Account WHERE {where}", schema, source))

    assert matching("NetSuite_Id__c = 'NS-1'") == [A1]
    assert matching("NetSuite_Id__c = 'ns-1'") == []
    assert matching("NetSuite_Id__c LIKE 'ns%'") == []
    assert matching("NetSuite_Id__c LIKE 'NS%'") == [A1]


def test_strings_compare_in_order_ignoring_case(source: MemorySource) -> None:
    result = run(source, "SELECT Name FROM Account WHERE Name > 'B' AND Name < 'H'")

    assert names(result) == ["globex"]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Regions__c INCLUDES ('emea')", [A1]),
        ("Regions__c INCLUDES ('AMER', 'APAC')", [A1, A2]),
        ("Regions__c INCLUDES ('EMEA;APAC')", [A1]),
        ("Regions__c INCLUDES ('EMEA;AMER')", []),
        ("Regions__c EXCLUDES ('EMEA')", [A2, A3]),
        ("Regions__c = 'APAC;EMEA'", [A1]),
        ("Regions__c = 'EMEA'", []),
    ],
)
def test_multipicklist_includes_and_excludes(
    source: MemorySource, where: str, expected: list[str]
) -> None:
    assert ids(run(source, f"SELECT Id FROM Account WHERE {where}")) == expected


def test_values_quoted_by_format_soql_find_the_record(source: MemorySource) -> None:
    soql = format_soql("SELECT Id, Name FROM Account WHERE Name = {}", TRICKY_NAME)
    assert "\\'" in soql and "\\\\" in soql and "\\n" in soql and '\\"' in soql

    result = run(source, soql)

    assert ids(result) == [A3]
    assert result.records[0]["Name"] == TRICKY_NAME


def test_format_soql_like_escapes_make_wildcards_literal(source: MemorySource) -> None:
    literal = run(
        source, format_soql("SELECT Id FROM Account WHERE Name LIKE '%{:like}'", "0%_done")
    )
    wildcard = run(source, "SELECT Id FROM Account WHERE Name LIKE '%0__done'")
    no_match = run(
        source, format_soql("SELECT Id FROM Account WHERE Name LIKE '%{:like}'", "0%xdone")
    )

    assert ids(literal) == [A3]
    assert ids(wildcard) == [A3]
    assert ids(no_match) == []


def test_format_soql_lists_booleans_and_nulls(source: MemorySource) -> None:
    soql = format_soql(
        "SELECT Id FROM Account WHERE Name IN {} AND Is_Key__c = {} AND ParentId = {}",
        ["Acme Corp", "globex", TRICKY_NAME],
        True,
        None,
    )

    assert ids(run(source, soql)) == [A1]


def test_15_character_ids_equal_their_18_character_form(source: MemorySource) -> None:
    by_short_id = run(source, f"SELECT Id FROM Account WHERE Id = '{A2[:15]}'")
    by_reference = run(source, f"SELECT Id FROM Opportunity WHERE AccountId IN ('{A1[:15]}')")
    by_parent_id = run(source, f"SELECT Id FROM Opportunity WHERE Account.Id = '{A2}'")

    assert ids(by_short_id) == [A2]
    assert by_short_id.records[0]["Id"] == A2  # always answered in 18 characters
    assert ids(by_reference) == [O1, O2]
    assert ids(by_parent_id) == [O3]


def test_ids_are_case_sensitive_in_their_first_15_characters(source: MemorySource) -> None:
    mixed = "001AbC000000001AAA"
    source.data["Account"].append({"Id": mixed, "Name": "Mixed", "IsDeleted": False})

    assert ids(run(source, f"SELECT Id FROM Account WHERE Id = '{mixed[:15]}'")) == [mixed]
    assert ids(run(source, f"SELECT Id FROM Account WHERE Id = '{mixed[:15].lower()}'")) == []


def test_ids_order_and_compare_for_chunked_reads(source: MemorySource) -> None:
    result = run(source, f"SELECT Id FROM Account WHERE Id > '{A1}' ORDER BY Id DESC LIMIT 5")

    assert ids(result) == [A3, A2]


def test_empty_id_literal_means_null(source: MemorySource) -> None:
    assert ids(run(source, "SELECT Id FROM Opportunity WHERE AccountId = ''")) == [O4]


def test_semi_join_and_anti_join(source: MemorySource) -> None:
    won = run(
        source,
        "SELECT Name FROM Account WHERE Id IN "
        "(SELECT AccountId FROM Opportunity WHERE StageName = 'Closed Won')",
    )
    without_opportunities = run(
        source, "SELECT Name FROM Account WHERE Id NOT IN (SELECT AccountId FROM Opportunity)"
    )
    contacts_of_big_accounts = run(
        source,
        "SELECT LastName FROM Contact WHERE AccountId IN "
        "(SELECT Id FROM Account WHERE AnnualRevenue > 2000000) ORDER BY LastName",
    )

    assert names(won) == ["Acme Corp"]
    assert names(without_opportunities) == [TRICKY_NAME]
    assert [r["LastName"] for r in contacts_of_big_accounts.records] == ["Doe", "Smith"]


def test_semi_join_reaches_through_a_parent_path(source: MemorySource) -> None:
    result = run(
        source,
        "SELECT Id FROM OpportunityLineItem WHERE OpportunityId IN "
        "(SELECT Id FROM Opportunity WHERE Account.Name = 'Acme Corp') ORDER BY Quantity",
    )

    assert ids(result) == [L2, L3, L1]


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("CloseDate = 2026-11-25", ["Acme - Widgets"]),
        ("CloseDate > 2026-11-24", ["Acme - Widgets", "Acme - Gears"]),
        ("CloseDate <= 2026-11-24", ["Globex deal", "Orphan"]),
        ("CloseDate = TODAY", ["Acme - Widgets"]),
        ("CloseDate = YESTERDAY", ["Orphan"]),
        ("CloseDate = TOMORROW", []),
        ("CloseDate > TODAY", ["Acme - Gears"]),
        ("CloseDate < TODAY", ["Globex deal", "Orphan"]),
        ("CloseDate >= TODAY", ["Acme - Widgets", "Acme - Gears"]),
        ("CloseDate <= YESTERDAY", ["Globex deal", "Orphan"]),
        ("CloseDate = THIS_WEEK", ["Acme - Widgets", "Orphan"]),
        ("CloseDate = LAST_WEEK", []),
        ("CloseDate = NEXT_WEEK", ["Acme - Gears"]),  # Sunday 29th to Saturday 5th
        ("CloseDate = THIS_MONTH", ["Acme - Widgets", "Orphan"]),
        ("CloseDate = LAST_MONTH", ["Globex deal"]),
        ("CloseDate = NEXT_MONTH", ["Acme - Gears"]),
        ("CloseDate > THIS_MONTH", ["Acme - Gears"]),
        ("CloseDate = LAST_YEAR", []),
        ("CloseDate = NEXT_YEAR", []),
        ("CloseDate = THIS_YEAR", ["Acme - Widgets", "Acme - Gears", "Globex deal", "Orphan"]),
        ("CloseDate = LAST_N_DAYS:1", ["Acme - Widgets", "Orphan"]),
        ("CloseDate = LAST_N_DAYS:45", ["Acme - Widgets", "Globex deal", "Orphan"]),
        ("CloseDate = NEXT_N_DAYS:10", ["Acme - Gears"]),
        ("CloseDate = NEXT_N_DAYS:9", []),
        ("CloseDate = THIS_QUARTER", ["Acme - Widgets", "Acme - Gears", "Globex deal", "Orphan"]),
        ("CloseDate IN (2026-11-24, 2026-10-15)", ["Globex deal", "Orphan"]),
        ("CloseDate != THIS_MONTH", ["Acme - Gears", "Globex deal"]),
    ],
)
def test_date_fields_and_date_literals(
    source: MemorySource, where: str, expected: list[str]
) -> None:
    result = run(source, f"SELECT Name FROM Opportunity WHERE {where}")

    assert sorted(names(result)) == sorted(expected)


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("CreatedDate = TODAY", [A1]),
        ("CreatedDate = THIS_WEEK", [A1, A2]),
        ("CreatedDate = LAST_YEAR", [A3]),
        ("CreatedDate < THIS_YEAR", [A3]),
        ("CreatedDate > 2026-11-25T08:59:59Z", [A1]),
        ("CreatedDate = 2026-11-25T09:00:00Z", [A1]),
        ("CreatedDate = 2026-11-25T10:00:00+01:00", [A1]),
        ("CreatedDate < 2026-01-01T00:30:00+01:00", []),  # the same instant as A3's
        ("CreatedDate <= 2026-01-01T00:30:00+01:00", [A3]),
        ("CreatedDate >= 2026-11-22T00:30:00.000Z", [A1, A2]),
    ],
)
def test_datetime_fields_and_literals(
    source: MemorySource, where: str, expected: list[str]
) -> None:
    assert ids(run(source, f"SELECT Id FROM Account WHERE {where}")) == expected


def test_format_soql_datetimes_and_dates_are_understood(source: MemorySource) -> None:
    since = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
    soql = format_soql("SELECT Id FROM Account WHERE CreatedDate >= {}", since)
    on_day = format_soql("SELECT Id FROM Opportunity WHERE CloseDate = {}", date(2026, 11, 24))

    assert ids(run(source, soql)) == [A1, A2]
    assert ids(run(source, on_day)) == [O4]


@time_machine.travel(datetime(2026, 11, 24, 23, 30, tzinfo=UTC), tick=False)
def test_today_defaults_to_the_current_utc_date(source: MemorySource) -> None:
    # What is tested is the default itself (no `now=`), so the process clock is moved to a
    # fixed instant: late in the UTC day, when most other zones are already on the 25th.
    result = execute("SELECT Id FROM Opportunity WHERE CloseDate = TODAY", SCHEMA, source)

    assert ids(result) == [O4]


# ---------------------------------------------------------------------------------------------
# ORDER BY, LIMIT, OFFSET, deleted rows
# ---------------------------------------------------------------------------------------------


def test_order_by_ascending_puts_nulls_first_and_descending_last(source: MemorySource) -> None:
    ascending = run(source, "SELECT Name FROM Opportunity ORDER BY Amount")
    descending = run(source, "SELECT Name FROM Opportunity ORDER BY Amount DESC")

    assert names(ascending) == ["Globex deal", "Orphan", "Acme - Gears", "Acme - Widgets"]
    assert names(descending) == ["Acme - Widgets", "Acme - Gears", "Orphan", "Globex deal"]


def test_order_by_nulls_first_and_last_override_the_default(source: MemorySource) -> None:
    asc_last = run(source, "SELECT Name FROM Opportunity ORDER BY Amount ASC NULLS LAST")
    desc_first = run(source, "SELECT Name FROM Opportunity ORDER BY Amount DESC NULLS FIRST")

    assert names(asc_last) == ["Orphan", "Acme - Gears", "Acme - Widgets", "Globex deal"]
    assert names(desc_first) == ["Globex deal", "Acme - Widgets", "Acme - Gears", "Orphan"]


def test_order_by_several_fields_and_parent_paths(source: MemorySource) -> None:
    result = run(
        source,
        "SELECT Name FROM Opportunity ORDER BY Account.Name DESC NULLS LAST, CloseDate ASC",
    )

    assert names(result) == ["Globex deal", "Acme - Widgets", "Acme - Gears", "Orphan"]


def test_order_by_text_ignores_case(source: MemorySource) -> None:
    result = run(source, "SELECT Name FROM Account WHERE Name != 'x' ORDER BY Name")

    assert names(result) == ["Acme Corp", "globex", TRICKY_NAME]


def test_limit_and_offset_slice_after_sorting(source: MemorySource) -> None:
    page = run(source, "SELECT Name FROM Opportunity ORDER BY Name LIMIT 2 OFFSET 1")
    tail = run(source, "SELECT Name FROM Opportunity ORDER BY Name OFFSET 3")
    nothing = run(source, "SELECT Name FROM Opportunity LIMIT 0")

    assert names(page) == ["Acme - Widgets", "Globex deal"]
    assert page.total_size == 2
    assert names(tail) == ["Orphan"]
    assert nothing.records == []


def test_offset_up_to_2000_is_allowed_beyond_is_refused(source: MemorySource) -> None:
    assert run(source, "SELECT Id FROM Account OFFSET 2000").records == []

    error = refused(source, "SELECT Id FROM Account LIMIT 10 OFFSET 2001")

    assert error.error_code == "NUMBER_OUTSIDE_VALID_RANGE"
    assert error.message == "Maximum SOQL offset allowed is 2000"


def test_deleted_rows_only_with_include_deleted(source: MemorySource) -> None:
    plain = run(source, "SELECT Id FROM Account")
    everything = run(source, "SELECT Id, IsDeleted FROM Account", include_deleted=True)
    only_deleted = run(
        source, "SELECT Id FROM Account WHERE IsDeleted = true", include_deleted=True
    )

    assert A4 not in ids(plain)
    assert ids(everything) == [A1, A2, A3, A4]
    assert ids(only_deleted) == [A4]


def test_deleted_rows_are_dropped_even_from_a_careless_source(source: MemorySource) -> None:
    class Careless(MemorySource):
        def records(self, sobject: str, include_deleted: bool = False) -> list[dict[str, Any]]:
            return self.data.get(sobject, [])

    assert A4 not in ids(run(Careless(seed()), "SELECT Id FROM Account"))


# ---------------------------------------------------------------------------------------------
# Syntax the integrations use
# ---------------------------------------------------------------------------------------------


def test_keywords_are_case_insensitive_and_extra_clauses_are_ignored(
    source: MemorySource,
) -> None:
    result = run(
        source,
        "select Id from Account where Name like 'acme%' with security_enforced "
        "order by Name asc nulls last limit 5 offset 0 for view",
    )

    assert ids(result) == [A1]


def test_multiline_queries_with_an_alias(source: MemorySource) -> None:
    result = run(
        source,
        "SELECT o.Name, o.Account.Name\n  FROM Opportunity o\n"
        " WHERE o.Amount > 1000\n ORDER BY o.Name",
    )

    assert result.records[0]["Name"] == "Acme - Widgets"
    assert result.records[0]["Account"]["Name"] == "Acme Corp"


def test_negative_and_decimal_numbers(source: MemorySource) -> None:
    assert len(run(source, "SELECT Id FROM Opportunity WHERE Amount > -1.5").records) == 3
    assert ids(run(source, "SELECT Id FROM Account WHERE AnnualRevenue = 1200000.5")) == [A2]


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


def test_syntax_error_points_at_the_unexpected_token(source: MemorySource) -> None:
    error = refused(source, "SELECT Id FORM Account")

    assert error.error_code == "MALFORMED_QUERY"
    assert error.message == (
        "\nSELECT Id FORM Account\n          ^\nERROR at Row:1:Column:11\nunexpected token: 'FORM'"
    )
    assert error.body() == [
        {"message": error.message, "errorCode": "MALFORMED_QUERY", "fields": []}
    ]


@pytest.mark.parametrize(
    ("soql", "token"),
    [
        ("SELECT Id FROM", "<EOF>"),
        ("SELECT Id, FROM Account", "Account"),
        ("UPDATE Account SET Name = 'x'", "UPDATE"),
        ("SELECT Id FROM Account WHERE Name = 'x' AND Amount = 1 OR Id = null", "OR"),
        ("SELECT Id FROM Account WHERE Name = 'x' OR Amount = 1 AND Id = null", "AND"),
        ("SELECT Id FROM Account WHERE Name == 'x'", "="),
        ('SELECT Id FROM Account WHERE Name = "x"', '"'),
        ("SELECT Id FROM Account LIMIT -1", "-1"),
        ("SELECT Id FROM Account OFFSET 5 LIMIT 1", "LIMIT"),
        ("SELECT Id FROM Account ORDER BY Name NULLS", "<EOF>"),
        ("SELECT Id FROM Account GROUP BY Name", "GROUP"),
        ("SELECT Id FROM Account WHERE CloseDate = LAST_N_DAYS", "<EOF>"),
    ],
)
def test_malformed_queries(source: MemorySource, soql: str, token: str) -> None:
    error = refused(source, soql)

    assert error.error_code == "MALFORMED_QUERY"
    assert error.message.endswith(f"\nunexpected token: '{token}'")


@pytest.mark.parametrize(
    "where",
    ["Name IN :names", "Name = :name", "Name = Acme", "AnnualRevenue > NumberOfEmployees"],
)
def test_bind_variables_and_field_comparisons_are_apex_only(
    source: MemorySource, where: str
) -> None:
    error = refused(source, f"SELECT Id FROM Account WHERE {where}")

    assert error.error_code == "MALFORMED_QUERY"
    assert error.message.endswith("\nBind variables only allowed in Apex code")


def test_unaliased_aggregates_are_numbered_in_order(source: MemorySource) -> None:
    result = run(source, "SELECT COUNT(Id), COUNT(Industry) n, COUNT(OwnerId) FROM Account")

    assert result.records[0] == {
        "attributes": {"type": "AggregateResult"},
        "expr0": 3,
        "n": 2,
        "expr1": 2,
    }


def test_error_position_counts_rows_and_columns(source: MemorySource) -> None:
    error = refused(source, "SELECT Id\nFROM Account\nWHERE Nme = 'x'")

    assert error.error_code == "INVALID_FIELD"
    assert error.message.startswith("\nWHERE Nme = 'x'\n      ^\nERROR at Row:3:Column:7\n")


def test_bad_string_escape_is_malformed(source: MemorySource) -> None:
    error = refused(source, "SELECT Id FROM Account WHERE Name = 'a\\qb'")

    assert error.error_code == "MALFORMED_QUERY"
    assert "Illegal character sequence '\\q' in string literal." in error.message


def test_unknown_field(source: MemorySource) -> None:
    error = refused(source, "SELECT Id, Foo FROM Account")

    assert error.error_code == "INVALID_FIELD"
    assert error.message == (
        "\nSELECT Id, Foo FROM Account\n           ^\nERROR at Row:1:Column:12\n"
        "No such column 'Foo' on entity 'Account'. If you are attempting to use a custom field, "
        "be sure to append the '__c' after the custom field name. Please reference your WSDL "
        "or the describe call for the appropriate names."
    )


@pytest.mark.parametrize(
    "soql",
    [
        "SELECT Account.Foo FROM Contact",
        "SELECT Id FROM Contact WHERE Account.Foo = 'x'",
        "SELECT Id FROM Contact ORDER BY Account.Foo",
        "SELECT Id, (SELECT Foo FROM Contacts) FROM Account",
    ],
)
def test_unknown_field_anywhere_names_its_entity(source: MemorySource, soql: str) -> None:
    error = refused(source, soql)

    assert error.error_code == "INVALID_FIELD"
    assert "No such column 'Foo' on entity" in error.message


def test_unknown_parent_relationship(source: MemorySource) -> None:
    error = refused(source, "SELECT Acount.Name FROM Contact")

    assert error.error_code == "INVALID_FIELD"
    assert error.message.endswith(
        "Didn't understand relationship 'Acount' in field path. If you are attempting to use a "
        "custom relationship, be sure to append the '__r' after the custom relationship name. "
        "Please reference your WSDL or the describe call for the appropriate names."
    )


def test_a_reference_field_is_not_a_relationship(source: MemorySource) -> None:
    error = refused(source, "SELECT Primary_Contact__c.Name FROM Opportunity")

    assert error.error_code == "INVALID_FIELD"
    assert "Didn't understand relationship 'Primary_Contact__c'" in error.message


def test_unknown_sobject(source: MemorySource) -> None:
    error = refused(source, "SELECT Id FROM Foo")

    assert error.error_code == "INVALID_TYPE"
    assert error.message == (
        "\nSELECT Id FROM Foo\n               ^\nERROR at Row:1:Column:16\n"
        "sObject type 'Foo' is not supported. If you are attempting to use a custom object, be "
        "sure to append the '__c' after the entity name. Please reference your WSDL or the "
        "describe call for the appropriate names."
    )


def test_unknown_sobject_in_a_semi_join(source: MemorySource) -> None:
    error = refused(source, "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Deal)")

    assert error.error_code == "INVALID_TYPE"


def test_unknown_child_relationship(source: MemorySource) -> None:
    error = refused(source, "SELECT Id, (SELECT Id FROM Contact) FROM Account")

    assert error.error_code == "INVALID_TYPE"
    assert error.message.endswith(
        "Didn't understand relationship 'Contact' in FROM part of query call. If you are "
        "attempting to use a custom relationship, be sure to append the '__r' after the custom "
        "relationship name. Please reference your WSDL or the describe call for the appropriate "
        "names."
    )


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("Amount LIKE '5%'", "invalid operator on currency field"),
        ("Id LIKE '001%'", "invalid operator on id field"),
        ("AccountId LIKE '001%'", "invalid operator on id field"),
        ("Name INCLUDES ('a')", "includes or excludes operator only valid on multipicklist field"),
        ("Id = 'abc'", "invalid ID field: abc"),
        ("AccountId IN ('" + A1 + "', 'nope')", "invalid ID field: nope"),
        ("AccountId = 5", "invalid ID field: 5"),
    ],
)
def test_invalid_filter_operators(source: MemorySource, where: str, message: str) -> None:
    error = refused(source, f"SELECT Id FROM Opportunity WHERE {where}")

    assert error.error_code == "INVALID_QUERY_FILTER_OPERATOR"
    assert error.message.endswith("\n" + message)


def test_boolean_and_multipicklist_fields_refuse_ordering_operators(source: MemorySource) -> None:
    boolean = refused(source, "SELECT Id FROM Account WHERE Is_Key__c > false")
    multi = refused(source, "SELECT Id FROM Account WHERE Regions__c < 'B'")

    assert boolean.error_code == multi.error_code == "INVALID_QUERY_FILTER_OPERATOR"
    assert boolean.message.endswith("invalid operator on boolean field")


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("CloseDate = '2026-11-25'", "'CloseDate' must be of type date and should not be enclosed"),
        ("CloseDate = 2026-11-25T00:00:00Z", "'CloseDate' must be of type date"),
        ("Amount = '5'", "'Amount' must be of type double and should not be enclosed in quotes"),
        ("Name = 5", "'Name' must be of type string and should be enclosed in quotes"),
        ("Account.CreatedDate > 2026-01-01", "'Account.CreatedDate' must be of type dateTime"),
        ("Account.Is_Key__c = 'true'", "'Account.Is_Key__c' must be of type boolean"),
        ("Account.NumberOfEmployees = 'x'", "'Account.NumberOfEmployees' must be of type int"),
    ],
)
def test_values_must_suit_the_field_type(source: MemorySource, where: str, message: str) -> None:
    error = refused(source, f"SELECT Id FROM Opportunity WHERE {where}")

    assert error.error_code == "INVALID_FIELD"
    assert f"value of filter criterion for field {message}" in error.message


def test_long_text_areas_can_be_neither_filtered_nor_sorted(source: MemorySource) -> None:
    filtered = refused(source, "SELECT Id FROM Account WHERE Description = 'x'")
    sorted_ = refused(source, "SELECT Id FROM Account ORDER BY Description")

    assert filtered.message.endswith("field 'Description' can not be filtered in query call")
    assert sorted_.message.endswith("field 'Description' can not be sorted in a query call")


def test_duplicate_fields_and_mixed_aggregates_are_refused(source: MemorySource) -> None:
    duplicate = refused(source, "SELECT Id, Name, id FROM Account")
    ungrouped = refused(source, "SELECT Name, COUNT(Id) FROM Account")
    count_with_fields = refused(source, "SELECT COUNT(), Name FROM Account")

    assert (duplicate.error_code, duplicate.message) == (
        "INVALID_FIELD",
        "duplicate field selected: Id",
    )
    assert ungrouped.message.endswith("Field must be grouped or aggregated: Name")
    assert count_with_fields.error_code == "MALFORMED_QUERY"


def test_semi_join_needs_an_id_on_both_sides(source: MemorySource) -> None:
    left = refused(source, "SELECT Id FROM Account WHERE Name IN (SELECT AccountId FROM Contact)")
    right = refused(source, "SELECT Id FROM Account WHERE Id IN (SELECT LastName FROM Contact)")

    assert left.error_code == "INVALID_FIELD"
    assert right.error_code == "MALFORMED_QUERY"


def test_semi_joins_cannot_be_ored_or_nested(source: MemorySource) -> None:
    ored = refused(
        source,
        "SELECT Id FROM Account WHERE Name = 'x' OR Id IN (SELECT AccountId FROM Contact)",
    )
    nested = refused(
        source,
        "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Id IN "
        "(SELECT Primary_Contact__c FROM Opportunity))",
    )

    assert (ored.error_code, ored.message) == (
        "MALFORMED_QUERY",
        "Semi join sub-selects are not allowed with the 'OR' operator",
    )
    assert nested.message == "Nesting of semi join sub-selects is not supported"


def test_errors_come_before_any_row_is_read(source: MemorySource) -> None:
    refused(source, "SELECT Id FROM Account WHERE Bogus__c = 1")

    assert source.calls == []


# ---------------------------------------------------------------------------------------------
# The org's real schema, when the schema loader is present
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def org_schema() -> Schema:
    metadata = pytest.importorskip("sandboxes.salesforce.metadata")
    schema: Schema = metadata.default_schema()
    return schema


def org_id(schema: Schema, sobject: str, number: int) -> str:
    definition = schema.sobject(sobject)
    assert definition is not None
    return make_id(definition.key_prefix, number)


def test_queries_against_the_default_schema(org_schema: Schema) -> None:
    account_id = org_id(org_schema, "Account", 7)
    opportunity_id = org_id(org_schema, "Opportunity", 7)
    source = MemorySource(
        {
            "Account": [{"Id": account_id, "Name": "Acme", "IsDeleted": False}],
            "Opportunity": [
                {
                    "Id": opportunity_id,
                    "Name": "Deal",
                    "AccountId": account_id,
                    "CloseDate": "2026-11-25",
                    "StageName": "Prospecting",
                    "NetSuite_Id__c": "4711",
                    "IsDeleted": False,
                }
            ],
        }
    )

    result = execute(
        "SELECT Id, Name, Account.Name, (SELECT Id FROM OpportunityLineItems) FROM Opportunity "
        "WHERE CloseDate = THIS_MONTH AND Account.Name LIKE 'ac%' ORDER BY Name LIMIT 10",
        org_schema,
        source,
        now=NOW,
    )
    by_external_id = execute(
        format_soql("SELECT Id FROM Opportunity WHERE NetSuite_Id__c IN {}", ["4711", "4712"]),
        org_schema,
        source,
    )
    count = execute(
        "SELECT COUNT() FROM Account WHERE Id IN (SELECT AccountId FROM Opportunity)",
        org_schema,
        source,
        now=NOW,
    )

    assert result.records[0]["Account"]["Name"] == "Acme"
    assert result.records[0]["OpportunityLineItems"] is None
    assert ids(by_external_id) == [opportunity_id]
    assert count.total_size == 1
    with pytest.raises(SalesforceApiError) as caught:
        execute("SELECT Nope__c FROM Opportunity", org_schema, source)
    assert caught.value.error_code == "INVALID_FIELD"


def test_polymorphic_parents_take_the_type_of_the_record(org_schema: Schema) -> None:
    opportunity_id = org_id(org_schema, "Opportunity", 1)
    task_id = org_id(org_schema, "Task", 1)
    source = MemorySource(
        {
            "Opportunity": [{"Id": opportunity_id, "Name": "Deal", "IsDeleted": False}],
            "Task": [
                {"Id": task_id, "Subject": "Call", "WhatId": opportunity_id, "IsDeleted": False}
            ],
        }
    )

    result = execute("SELECT Subject, What.Name, Who.Name FROM Task", org_schema, source)

    record = result.records[0]
    assert record["What"]["attributes"]["type"] == "Opportunity"
    assert record["What"]["Name"] == "Deal"
    assert record["Who"] is None


def test_custom_child_and_parent_relationships(org_schema: Schema) -> None:
    account_id = org_id(org_schema, "Account", 1)
    document_id = org_id(org_schema, "Intacct_Sales_Document__c", 1)
    line_ids = [org_id(org_schema, "Intacct_Sales_Document_Line__c", n) for n in (1, 2)]
    source = MemorySource(
        {
            "Account": [{"Id": account_id, "Name": "Acme", "IsDeleted": False}],
            "Intacct_Sales_Document__c": [
                {"Id": document_id, "Name": "SO-1", "Account__c": account_id, "IsDeleted": False}
            ],
            "Intacct_Sales_Document_Line__c": [
                {"Id": line_ids[0], "Sales_Document__c": document_id, "Line_No__c": 2.0},
                {"Id": line_ids[1], "Sales_Document__c": document_id, "Line_No__c": 1.0},
            ],
        }
    )

    result = execute(
        "SELECT Name, Account__r.Name, (SELECT Line_No__c FROM Lines__r ORDER BY Line_No__c) "
        "FROM Intacct_Sales_Document__c",
        org_schema,
        source,
    )

    record = result.records[0]
    assert record["Account__r"]["Name"] == "Acme"
    assert [line["Line_No__c"] for line in record["Lines__r"]["records"]] == [1.0, 2.0]


def test_content_document_links_need_an_id_filter(org_schema: Schema) -> None:
    account_id = org_id(org_schema, "Account", 1)
    document_id = org_id(org_schema, "ContentDocument", 1)
    link_id = org_id(org_schema, "ContentDocumentLink", 1)
    source = MemorySource(
        {
            "Account": [{"Id": account_id, "Name": "Acme", "IsDeleted": False}],
            "ContentDocument": [{"Id": document_id, "Title": "Quote", "IsDeleted": False}],
            "ContentDocumentLink": [
                {"Id": link_id, "ContentDocumentId": document_id, "LinkedEntityId": account_id}
            ],
        }
    )

    with pytest.raises(SalesforceApiError) as caught:
        execute("SELECT Id FROM ContentDocumentLink", org_schema, source)
    filtered = execute(
        "SELECT ContentDocument.Title FROM ContentDocumentLink "
        f"WHERE LinkedEntityId = '{account_id}'",
        org_schema,
        source,
    )
    as_children = execute(
        "SELECT Name, (SELECT ContentDocumentId FROM ContentDocumentLinks) FROM Account",
        org_schema,
        source,
    )
    as_semi_join = execute(
        "SELECT Title FROM ContentDocument WHERE Id IN (SELECT ContentDocumentId FROM "
        f"ContentDocumentLink WHERE LinkedEntityId IN ('{account_id}'))",
        org_schema,
        source,
    )

    assert caught.value.error_code == "MALFORMED_QUERY"
    assert caught.value.message == (
        "Implementation restriction: ContentDocumentLink requires a filter by a single Id on "
        "ContentDocumentId or LinkedEntityId using the equals operator or multiple Id's using "
        "the IN operator."
    )
    assert filtered.records[0]["ContentDocument"]["Title"] == "Quote"
    assert as_children.records[0]["ContentDocumentLinks"]["totalSize"] == 1
    assert [r["Title"] for r in as_semi_join.records] == ["Quote"]
