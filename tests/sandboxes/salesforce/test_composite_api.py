"""Composite, composite graph and sObject Collections end to end, through simple-salesforce.

Each test checks what a client sees (status, body shapes, Sforce-Limit-Info) and then what
the org holds afterwards (SOQL), so a rollback that only looks right in the response fails.
"""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sandboxes.common import SandboxAdmin

V = "/services/data/v59.0"
ROLLED_BACK = [
    {
        "errorCode": "PROCESSING_HALTED",
        "message": "The transaction was rolled back since another operation in the same "
        "transaction failed.",
    }
]


def node(ref: str, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    item = {"method": method, "url": f"{V}{path}", "referenceId": ref}
    return item if body is None else {**item, "body": body}


def usage(sf: Salesforce) -> int:
    return int(sf.api_usage["api-usage"].used)


def warm_up(sf: Salesforce) -> None:
    """A plain REST create through the client itself, so `sf.api_usage` is filled in."""
    sf.restful("sobjects/Account", method="POST", json={"Name": "Warm-up"})


def names(sf: Salesforce, sobject: str = "Account") -> list[str]:
    rows = sf.query_all(f"SELECT Name FROM {sobject} ORDER BY Name")["records"]
    return [row["Name"] for row in rows]


# -- composite -------------------------------------------------------------------------------


def test_references_chain_create_query_and_read_in_one_api_call(
    sf: Salesforce, admin: SandboxAdmin
) -> None:
    warm_up(sf)
    before = usage(sf)
    admin.clear_requests()

    result = sf.restful(
        "composite",
        method="POST",
        json={
            "allOrNone": True,
            "compositeRequest": [
                node("refAccount", "POST", "/sobjects/Account", {"Name": "Harbour Pine"}),
                node(
                    "refOpp",
                    "POST",
                    "/sobjects/Opportunity",
                    {
                        "Name": "First order",
                        "StageName": "Prospecting",
                        "CloseDate": "2026-12-01",
                        "AccountId": "@{refAccount.id}",
                    },
                ),
                node(
                    "refQuery",
                    "GET",
                    "/query?q=SELECT+Id,AccountId+FROM+Opportunity+WHERE+Id='@{refOpp.id}'",
                ),
                node("refRead", "GET", "/sobjects/Account/@{refQuery.records[0].AccountId}"),
            ],
        },
    )

    account, opportunity, query, read = result["compositeResponse"]
    assert account["httpStatusCode"] == 201 and account["referenceId"] == "refAccount"
    assert account["httpHeaders"] == {"Location": f"{V}/sobjects/Account/{account['body']['id']}"}
    assert opportunity["httpStatusCode"] == 201
    assert query["httpStatusCode"] == 200 and query["body"]["totalSize"] == 1
    assert read["httpStatusCode"] == 200
    assert read["body"]["Id"] == account["body"]["id"]
    assert read["body"]["Name"] == "Harbour Pine"
    assert usage(sf) == before + 1
    assert admin.requests()["by_endpoint"] == {"POST composite": 1}


def test_all_or_none_failure_undoes_earlier_writes(sf: Salesforce) -> None:
    result = sf.restful(
        "composite",
        method="POST",
        json={
            "allOrNone": True,
            "compositeRequest": [
                node("acc", "POST", "/sobjects/Account", {"Name": "Rolled back"}),
                node("opp", "POST", "/sobjects/Opportunity", {"Name": "No stage"}),
                node("acc2", "POST", "/sobjects/Account", {"Name": "Never run"}),
            ],
        },
    )

    first, failed, third = result["compositeResponse"]
    assert first == {
        "body": ROLLED_BACK,
        "httpHeaders": {},
        "httpStatusCode": 400,
        "referenceId": "acc",
    }
    assert failed["httpStatusCode"] == 400
    assert failed["body"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert third["body"] == ROLLED_BACK
    assert names(sf) == []


def test_partial_success_without_all_or_none(sf: Salesforce) -> None:
    result = sf.restful(
        "composite",
        method="POST",
        json={
            "allOrNone": False,
            "compositeRequest": [
                node("bad", "POST", "/sobjects/Account", {}),
                node(
                    "child",
                    "POST",
                    "/sobjects/Contact",
                    {"LastName": "X", "AccountId": "@{bad.id}"},
                ),
                node("good", "POST", "/sobjects/Account", {"Name": "Independent"}),
            ],
        },
    )

    bad, child, good = result["compositeResponse"]
    assert bad["body"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert child["httpStatusCode"] == 400
    assert child["body"] == [
        {
            "errorCode": "PROCESSING_HALTED",
            "message": "Invalid reference specified. No value for bad.id found in bad. "
            "Provided referenceId ('bad.id') must start with a letter or a number, and it can "
            "contain only letters, numbers and underscores ('_').",
        }
    ]
    assert good["httpStatusCode"] == 201
    assert names(sf) == ["Independent"]
    assert names(sf, "Contact") == []


def test_twenty_six_subrequests_are_refused_and_nothing_is_written(sf: Salesforce) -> None:
    items = [node(f"a{i}", "POST", "/sobjects/Account", {"Name": f"A{i}"}) for i in range(26)]

    result = sf.restful("composite", method="POST", json={"compositeRequest": items})

    assert result == {
        "compositeResponse": [
            {
                "body": [
                    {
                        "errorCode": "LIMIT_EXCEEDED",
                        "message": "The request can’t contain more than 25 operations.",
                    }
                ],
                "httpHeaders": {},
                "httpStatusCode": 400,
                "referenceId": None,
            }
        ]
    }
    assert names(sf) == []


def test_bad_reference_id_fails_the_whole_request(sf: Salesforce) -> None:
    item = node("refNewAccount[1]", "POST", "/sobjects/Account", {"Name": "Cloudy Consulting"})

    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.restful("composite", method="POST", json={"compositeRequest": [item]})

    assert raised.value.content[0]["errorCode"] == "JSON_PARSER_ERROR"
    assert names(sf) == []


def test_collections_inside_composite_count_once_and_obey_the_outer_all_or_none(
    sf: Salesforce,
) -> None:
    warm_up(sf)
    before = usage(sf)

    result = sf.restful(
        "composite",
        method="POST",
        json={
            "allOrNone": True,
            "compositeRequest": [
                node(
                    "newAccounts",
                    "POST",
                    "/composite/sobjects",
                    {
                        "allOrNone": False,
                        "records": [
                            {"attributes": {"type": "Account"}, "Name": "Northern Trail"},
                            {"attributes": {"type": "Account"}},
                        ],
                    },
                ),
                node("contact", "POST", "/sobjects/Contact", {"LastName": "Smith"}),
            ],
        },
    )

    collection, contact = result["compositeResponse"]
    assert collection["httpStatusCode"] == 200
    assert [item["success"] for item in collection["body"]] == [False, False]
    assert collection["body"][0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert contact["body"] == ROLLED_BACK
    assert names(sf) == ["Warm-up"]
    assert usage(sf) == before + 2  # the composite, then the query just above


def test_documented_reference_to_a_field_the_parent_did_not_select(sf: Salesforce) -> None:
    account = sf.Account.create({"Name": "City Medical Center"})["id"]
    contact = sf.Contact.create({"LastName": "Wong", "AccountId": account})["id"]
    parent = f"{V}/query?q=select Id, Account.Name from Contact where Id='{contact}'"
    child = (
        f"{V}/query?q=select Name from Account where Id = '@{{refContact.records[0].AccountId}}'"
    )

    result = sf.restful(
        "composite",
        method="POST",
        json={
            "compositeRequest": [
                {"method": "GET", "url": parent, "referenceId": "refContact"},
                {"method": "GET", "url": child, "referenceId": "refAccount"},
            ]
        },
    )

    found, failed = result["compositeResponse"]
    assert found["body"]["records"][0]["Account"]["Name"] == "City Medical Center"
    assert failed == {
        "body": [
            {
                "errorCode": "PROCESSING_HALTED",
                "message": "Invalid reference specified. No value for "
                "refContact.records[0].AccountId found in refContact. Provided referenceId "
                "('refContact.records[0].AccountId') must start with a letter or a number, and it "
                "can contain only letters, numbers and underscores ('_').",
            }
        ],
        "httpHeaders": {},
        "httpStatusCode": 400,
        "referenceId": "refAccount",
    }


@pytest.mark.parametrize("version, status", [("51.0", 400), ("52.0", 201)])
def test_documented_null_reference_behaviour_depends_on_the_version(
    sf: Salesforce, token: str, make_client: Any, version: str, status: int
) -> None:
    contact = sf.Contact.create({"LastName": "Wong"})["id"]
    old_or_new = make_client(token, version)

    result = old_or_new.restful(
        "composite",
        method="POST",
        json={
            "compositeRequest": [
                node("refContact", "GET", f"/sobjects/Contact/{contact}?fields=FirstName,LastName"),
                node(
                    "newContact",
                    "POST",
                    "/sobjects/Contact",
                    {"FirstName": "@{refContact.FirstName}", "LastName": "@{refContact.LastName}"},
                ),
            ]
        },
    )

    read, created = result["compositeResponse"]
    assert read["body"]["FirstName"] is None
    assert created["httpStatusCode"] == status


def test_update_and_delete_subrequests_answer_204_with_null_bodies(sf: Salesforce) -> None:
    account = sf.Account.create({"Name": "Before"})["id"]

    result = sf.restful(
        "composite",
        method="POST",
        json={
            "compositeRequest": [
                node("upd", "PATCH", f"/sobjects/Account/{account}", {"Name": "After"}),
                node("get", "GET", f"/sobjects/Account/{account}?fields=Name"),
                node("del", "DELETE", f"/sobjects/Account/{account}"),
            ]
        },
    )

    update, read, delete = result["compositeResponse"]
    assert (update["httpStatusCode"], update["body"]) == (204, None)
    assert read["body"]["Name"] == "After"
    assert (delete["httpStatusCode"], delete["body"]) == (204, None)
    assert names(sf) == []


def test_a_subrequest_may_not_set_authorization(sf: Salesforce) -> None:
    item = {**node("a", "GET", "/limits"), "httpHeaders": {"Authorization": "Bearer x"}}

    with pytest.raises(SalesforceMalformedRequest):
        sf.restful("composite", method="POST", json={"compositeRequest": [item]})


# -- composite graph -------------------------------------------------------------------------


def documented_graphs() -> dict[str, Any]:
    """The request body of the REST API guide's Composite Graph example."""
    return {
        "graphs": [
            {
                "graphId": "1",
                "compositeRequest": [
                    node(
                        "reference_id_account_1",
                        "POST",
                        "/sobjects/Account/",
                        {"name": "Cloudy Consulting"},
                    ),
                    node(
                        "reference_id_contact_1",
                        "POST",
                        "/sobjects/Contact/",
                        {
                            "FirstName": "Nellie",
                            "LastName": "Cashman",
                            "AccountId": "@{reference_id_account_1.id}",
                        },
                    ),
                    node(
                        "reference_id_opportunity_1",
                        "POST",
                        "/sobjects/Opportunity/",
                        {
                            "CloseDate": "2024-05-22",
                            "StageName": "Prospecting",
                            "Name": "Opportunity 1",
                            "AccountId": "@{reference_id_account_1.id}",
                        },
                    ),
                ],
            },
            {
                "graphId": "2",
                "compositeRequest": [
                    node(
                        "reference_id_account_2",
                        "POST",
                        "/sobjects/Account/",
                        {"name": "Easy Spaces"},
                    ),
                    node(
                        "reference_id_contact_2",
                        "POST",
                        "/sobjects/Contact/",
                        {
                            "FirstName": "Charlie",
                            "LastName": "Dawson",
                            "AccountId": "@{reference_id_account_2.id}",
                        },
                    ),
                ],
            },
        ]
    }


def test_documented_graph_example_succeeds_in_one_api_call(sf: Salesforce) -> None:
    warm_up(sf)
    before = usage(sf)

    result = sf.restful("composite/graph", method="POST", json=documented_graphs())

    assert usage(sf) == before + 1
    assert [(g["graphId"], g["isSuccessful"]) for g in result["graphs"]] == [
        ("1", True),
        ("2", True),
    ]
    first = result["graphs"][0]["graphResponse"]["compositeResponse"]
    assert [n["httpStatusCode"] for n in first] == [201, 201, 201]
    assert [n["referenceId"] for n in first] == [
        "reference_id_account_1",
        "reference_id_contact_1",
        "reference_id_opportunity_1",
    ]
    assert first[0]["httpHeaders"]["Location"].endswith(first[0]["body"]["id"])
    assert names(sf) == ["Cloudy Consulting", "Easy Spaces", "Warm-up"]
    contacts = sf.query("SELECT AccountId FROM Contact")["records"]
    assert len(contacts) == 2


def test_one_graph_failing_does_not_undo_another(sf: Salesforce) -> None:
    payload = documented_graphs()
    del payload["graphs"][1]["compositeRequest"][1]["body"]["LastName"]

    result = sf.restful("composite/graph", method="POST", json=payload)

    good, bad = result["graphs"]
    assert good["isSuccessful"] is True
    assert bad["isSuccessful"] is False
    account, contact = bad["graphResponse"]["compositeResponse"]
    assert account["body"] == ROLLED_BACK
    assert contact["body"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert names(sf) == ["Cloudy Consulting"]


@pytest.mark.parametrize("graphs, nodes", [(76, 1), (1, 501)])
def test_graph_limits_refuse_the_whole_call(sf: Salesforce, graphs: int, nodes: int) -> None:
    payload = {
        "graphs": [
            {
                "graphId": f"g{g}",
                "compositeRequest": [
                    node(f"n{n}", "POST", "/sobjects/Account", {"Name": f"{g}-{n}"})
                    for n in range(nodes)
                ],
            }
            for g in range(graphs)
        ]
    }

    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.restful("composite/graph", method="POST", json=payload)

    assert raised.value.content[0]["errorCode"] == "LIMIT_EXCEEDED"
    assert names(sf) == []


def order_graph(
    catalogue: dict[str, Any], account_key: str, lines: int, *, first_time: bool = True
) -> dict[str, Any]:
    """An Account, its Opportunity and `lines` line items, all upserted by external id.

    A line's OpportunityId and PricebookEntryId can be set on create only, so a repeat
    upsert of existing lines must leave them out.
    """
    entry = next(iter(catalogue["pricebook_entries"].values()))
    items = [
        node(
            "account",
            "PATCH",
            f"/sobjects/Account/NetSuite_Id__c/{account_key}",
            {"Name": "Alpine Trail Outfitters"},
        ),
        node(
            "order",
            "PATCH",
            "/sobjects/Opportunity/NetSuite_Id__c/SO-1001",
            {
                "Name": "SO-1001",
                "StageName": "Closed Won",
                "CloseDate": "2026-11-20",
                "AccountId": "@{account.id}",
                "Pricebook2Id": catalogue["standard_pricebook_id"],
            },
        ),
    ]
    items += [
        node(
            f"line{i}",
            "PATCH",
            f"/sobjects/OpportunityLineItem/NetSuite_Line_Key__c/SO-1001-{i}",
            {
                **(
                    {"OpportunityId": "@{order.id}", "PricebookEntryId": entry}
                    if first_time
                    else {}
                ),
                "Quantity": i,
                "UnitPrice": 10,
            },
        )
        for i in range(1, lines + 1)
    ]
    return {"graphs": [{"graphId": "SO-1001", "compositeRequest": items}]}


def test_account_opportunity_and_ten_lines_upserted_in_one_graph(
    sf: Salesforce, catalogue: dict[str, Any]
) -> None:
    payload = order_graph(catalogue, "C-42", lines=10)
    warm_up(sf)
    before = usage(sf)

    first = sf.restful("composite/graph", method="POST", json=payload)
    replayed = sf.restful("composite/graph", method="POST", json=payload)
    again = sf.restful(
        "composite/graph",
        method="POST",
        json=order_graph(catalogue, "C-42", lines=10, first_time=False),
    )

    assert usage(sf) == before + 3
    created = first["graphs"][0]["graphResponse"]["compositeResponse"]
    assert first["graphs"][0]["isSuccessful"] is True
    assert [n["httpStatusCode"] for n in created] == [201] * 12
    assert all(n["body"]["created"] is True for n in created)
    refused = replayed["graphs"][0]["graphResponse"]["compositeResponse"]
    assert replayed["graphs"][0]["isSuccessful"] is False
    assert refused[2]["body"][0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    updated = again["graphs"][0]["graphResponse"]["compositeResponse"]
    assert [n["httpStatusCode"] for n in updated] == [200] * 12
    assert [n["body"]["id"] for n in updated] == [n["body"]["id"] for n in created]
    order = sf.query("SELECT Id, Amount, Account.NetSuite_Id__c FROM Opportunity")["records"]
    assert len(order) == 1 and order[0]["Account"]["NetSuite_Id__c"] == "C-42"
    assert order[0]["Amount"] == sum(10 * i for i in range(1, 11))
    lines = sf.query(f"SELECT Id FROM OpportunityLineItem WHERE OpportunityId = '{order[0]['Id']}'")
    assert lines["totalSize"] == 10


def test_a_failing_line_rolls_back_the_whole_order_graph(
    sf: Salesforce, catalogue: dict[str, Any]
) -> None:
    payload = order_graph(catalogue, "C-43", lines=3)
    del payload["graphs"][0]["compositeRequest"][-1]["body"]["Quantity"]

    result = sf.restful("composite/graph", method="POST", json=payload)

    assert result["graphs"][0]["isSuccessful"] is False
    assert sf.query("SELECT Id FROM Opportunity")["totalSize"] == 0
    assert sf.query("SELECT Id FROM Account WHERE NetSuite_Id__c = 'C-43'")["totalSize"] == 0


# -- sObject Collections ---------------------------------------------------------------------


def accounts(*names_: str) -> list[dict[str, Any]]:
    return [{"attributes": {"type": "Account"}, "Name": name} for name in names_]


def test_collections_create_update_retrieve_and_delete(sf: Salesforce) -> None:
    before_create = sf.restful("composite/sobjects", method="POST", json={"records": accounts("A")})
    before = usage(sf)

    created = sf.restful(
        "composite/sobjects",
        method="POST",
        json={
            "records": [
                *accounts("B"),
                {"attributes": {"type": "Contact"}, "LastName": "Johnson", "FirstName": "Erica"},
            ]
        },
    )
    assert usage(sf) == before + 1
    assert [item["success"] for item in created] == [True, True]
    assert created[1]["id"].startswith("003") and created[0]["errors"] == []
    ids = [before_create[0]["id"], created[0]["id"]]

    updated = sf.restful(
        "composite/sobjects",
        method="PATCH",
        json={
            "records": [
                {"attributes": {"type": "Account"}, "id": ids[0], "NumberOfEmployees": 27000},
                {"attributes": {"type": "Contact"}, "id": ids[1], "Title": "Lead Engineer"},
            ]
        },
    )
    assert updated[0] == {"id": ids[0], "success": True, "errors": []}
    assert updated[1] == {
        "success": False,
        "errors": [
            {
                "statusCode": "MALFORMED_ID",
                "message": f"Contact ID: id value of incorrect type: {ids[1]}",
                "fields": ["Id"],
            }
        ],
    }

    missing = "001" + "0" * 12 + "AAA"
    retrieved = sf.restful(
        "composite/sobjects/Account",
        params={"ids": f"{ids[0]},{ids[1]},{missing}", "fields": "Id,Name,NumberOfEmployees"},
    )
    assert retrieved[0]["Name"] == "A" and retrieved[0]["NumberOfEmployees"] == 27000
    assert retrieved[1]["Name"] == "B"
    assert retrieved[2] is None

    deleted = sf.restful(
        "composite/sobjects", method="DELETE", params={"ids": ",".join(ids), "allOrNone": "true"}
    )
    assert deleted == [
        {"id": ids[0], "success": True, "errors": []},
        {"id": ids[1], "success": True, "errors": []},
    ]
    assert names(sf) == []


def test_collections_all_or_none_rolls_back_valid_records(sf: Salesforce) -> None:
    result = sf.restful(
        "composite/sobjects",
        method="POST",
        json={
            "allOrNone": True,
            "records": [*accounts("Kept?"), {"attributes": {"type": "Account"}}],
        },
    )

    assert result[0] == {
        "success": False,
        "errors": [
            {
                "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                "message": "Record rolled back because not all records were valid and the "
                "request was using AllOrNone header",
                "fields": [],
            }
        ],
    }
    assert result[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert names(sf) == []


def test_collections_refuse_201_records(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.restful(
            "composite/sobjects",
            method="POST",
            json={"records": accounts(*(f"A{i}" for i in range(201)))},
        )

    assert raised.value.content == [
        {
            "message": "record limit reached. cannot submit more than 200 records into this call",
            "errorCode": "EXCEEDED_ID_LIMIT",
            "fields": [],
        }
    ]
    assert names(sf) == []


def test_collections_upsert_by_external_id(sf: Salesforce) -> None:
    existing = sf.Account.create({"Name": "Old name", "NetSuite_Id__c": "BBB"})["id"]

    result = sf.restful(
        "composite/sobjects/Account/NetSuite_Id__c",
        method="PATCH",
        json={
            "allOrNone": False,
            "records": [
                {"attributes": {"type": "Account"}, "Name": "Company One", "NetSuite_Id__c": "AAA"},
                {"attributes": {"type": "Account"}, "Name": "Company Two", "NetSuite_Id__c": "BBB"},
                {"attributes": {"type": "Account"}, "Name": "No key"},
            ],
        },
    )

    assert result[0]["success"] is True and result[0]["created"] is True
    assert result[1] == {"id": existing, "success": True, "errors": [], "created": False}
    assert result[2]["success"] is False
    assert names(sf) == ["Company One", "Company Two"]


def test_documented_update_example_with_all_or_none(sf: Salesforce) -> None:
    account = sf.Account.create({"Name": "Acme", "NumberOfEmployees": 10})["id"]

    result = sf.restful(
        "composite/sobjects",
        method="PATCH",
        json={
            "allOrNone": True,
            "records": [
                {"attributes": {"type": "Account"}, "id": account, "NumberOfEmployees": 27000},
                {"attributes": {"type": "Contact"}, "id": account, "Title": "Lead Engineer"},
            ],
        },
    )

    assert result == [
        {
            "id": account,
            "success": False,
            "errors": [
                {
                    "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                    "message": "Record rolled back because not all records were valid and the "
                    "request was using AllOrNone header",
                    "fields": [],
                }
            ],
        },
        {
            "success": False,
            "errors": [
                {
                    "statusCode": "MALFORMED_ID",
                    "message": f"Contact ID: id value of incorrect type: {account}",
                    "fields": ["Id"],
                }
            ],
        },
    ]
    assert sf.Account.get(account)["NumberOfEmployees"] == 10
