"""The REST Record API for sales orders and customers, as a client sees it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from authlib.oauth1.rfc5849 import client_auth

from sandboxes.common import SandboxAdmin
from sandboxes.netsuite import NetSuiteSandbox

SINGULAR = "application/vnd.oracle.resource+json; type=singular"
ORDER = {
    "entity": {"id": "101"},
    "memo": "Spring restock",
    "custbody_sb_send_to_salesforce": True,
    "custbody_sb_origin": "NetSuite",
    "item": {
        "items": [
            {"item": {"id": "501"}, "quantity": 4},
            {"item": {"id": "502"}, "quantity": 2, "rate": 45.5},
            {"item": {"id": "602"}},
            {"item": {"id": "601"}},
            {"item": {"id": "603"}, "description": "Deliver before May"},
        ]
    },
}


def create(ns: httpx.Client, body: dict[str, Any] = ORDER) -> str:
    response = ns.post("/salesOrder", json=body)
    assert response.status_code == 204, response.text
    return response.headers["Location"].rsplit("/", 1)[1]


def fetch(ns: httpx.Client, order_id: str, expand: bool = True) -> dict[str, Any]:
    params = {"expandSubResources": "true"} if expand else {}
    response = ns.get(f"/salesOrder/{order_id}", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_create_answers_204_with_location_and_no_body(
    ns: httpx.Client, catalog: dict[str, Any], conn: dict[str, Any]
) -> None:
    response = ns.post("/salesOrder", json=ORDER)

    assert response.status_code == 204
    assert response.content == b""
    assert response.headers["Location"] == f"{conn['record_base_url']}/salesOrder/1001"


def test_get_shows_header_fields_references_and_computed_totals(
    ns: httpx.Client, catalog: dict[str, Any], conn: dict[str, Any]
) -> None:
    order_id = create(ns)

    response = ns.get(f"/salesOrder/{order_id}", params={"expandSubResources": "true"})
    order = response.json()

    assert response.headers["Content-Type"] == SINGULAR
    assert order["links"] == [
        {"rel": "self", "href": f"{conn['record_base_url']}/salesOrder/{order_id}"}
    ]
    assert order["id"] == order_id
    assert order["tranId"] == "SO1001"
    assert order["entity"]["id"] == "101"
    assert order["entity"]["refName"] == "Alpine Trail Outfitters"
    assert order["status"] == {"id": "Pending Fulfillment", "refName": "Pending Fulfillment"}
    assert order["orderStatus"] == {"id": "B", "refName": "Pending Fulfillment"}
    assert order["currency"]["refName"] == "USD"
    assert order["custbody_sb_send_to_salesforce"] is True
    assert order["custbody_sb_origin"] == "NetSuite"
    assert order["lastModifiedDate"].endswith("Z")
    # 4 x 249 + 2 x 45.50 = 1087.00; the subtotal line sums both; -10 % of it = -108.70
    assert order["subtotal"] == 978.3
    assert order["total"] == 978.3
    assert "discountItem" not in order


def test_expanded_item_sublist_has_lines_with_types_and_amounts(
    ns: httpx.Client, catalog: dict[str, Any]
) -> None:
    order_id = create(ns)

    sublist = fetch(ns, order_id)["item"]

    assert sublist["count"] == sublist["totalResults"] == 5
    assert sublist["hasMore"] is False
    tent, service, subtotal, discount, note = sublist["items"]
    assert tent["links"][0]["href"].endswith(f"/salesOrder/{order_id}/item/1")
    assert tent["line"] == 1
    assert tent["item"]["refName"] == "TENT-2P"
    assert tent["item"]["links"][0]["href"].endswith("/inventoryItem/501")
    assert tent["itemType"] == {"id": "InvtPart", "refName": "InvtPart"}
    assert (tent["quantity"], tent["rate"], tent["amount"]) == (4.0, 249.0, 996.0)
    assert tent["price"]["refName"] == "Base Price"
    assert service["price"]["refName"] == "Custom"
    assert service["amount"] == 91.0
    assert subtotal["itemType"]["id"] == "Subtotal"
    assert subtotal["amount"] == 1087.0
    assert (discount["rate"], discount["amount"]) == (-10.0, -108.7)
    assert note["itemType"]["id"] == "Description"
    assert note["description"] == "Deliver before May"
    assert "amount" not in note


def test_without_expansion_the_sublist_is_a_link(ns: httpx.Client, catalog: dict[str, Any]) -> None:
    order_id = create(ns)

    item = fetch(ns, order_id, expand=False)["item"]

    assert list(item) == ["links"]
    assert item["links"][0]["href"].endswith(f"/salesOrder/{order_id}/item")
    lines = ns.get(f"/salesOrder/{order_id}/item").json()
    assert lines["totalResults"] == 5
    line = ns.get(f"/salesOrder/{order_id}/item/2").json()
    assert line["item"]["id"] == "502"


def test_patch_changes_only_given_fields_and_null_clears(
    ns: httpx.Client, catalog: dict[str, Any], conn: dict[str, Any]
) -> None:
    order_id = create(ns)
    before = fetch(ns, order_id)

    response = ns.patch(f"/salesOrder/{order_id}", json={"memo": None, "otherRefNum": "PO-7"})

    assert response.status_code == 204
    assert response.headers["Location"] == f"{conn['record_base_url']}/salesOrder/{order_id}"
    after = fetch(ns, order_id)
    assert "memo" not in after
    assert after["otherRefNum"] == "PO-7"
    assert after["custbody_sb_origin"] == before["custbody_sb_origin"]
    assert after["item"]["items"] == before["item"]["items"]
    assert after["lastModifiedDate"] > before["lastModifiedDate"]


def test_records_are_dated_by_the_account_clock(
    ns: httpx.Client,
    catalog: dict[str, Any],
    admin: SandboxAdmin,
    sandbox: NetSuiteSandbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The TBA window is checked against the same clock: the client signs by it too.
    monkeypatch.setattr(
        client_auth, "generate_timestamp", lambda: str(int(sandbox.clock.timestamp()))
    )
    start = datetime(2030, 1, 15, 23, 30, 5, tzinfo=UTC)
    admin.set_clock(now=start.isoformat())
    order_id = create(ns)
    admin.set_clock(advance_seconds=3600)
    assert ns.patch(f"/salesOrder/{order_id}", json={"memo": "later"}).status_code == 204

    order = ns.get(f"/salesOrder/{order_id}").json()

    assert order["createdDate"] == start.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert order["tranDate"] == start.date().isoformat()
    assert order["lastModifiedDate"] == (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_patch_lines_updates_by_line_key_and_appends_the_rest(
    ns: httpx.Client, catalog: dict[str, Any]
) -> None:
    order_id = create(ns)

    ns.patch(
        f"/salesOrder/{order_id}",
        json={"item": {"items": [{"line": 1, "quantity": 1}, {"item": {"id": "501"}}]}},
    ).raise_for_status()

    lines = fetch(ns, order_id)["item"]["items"]
    assert [line["line"] for line in lines] == [1, 2, 3, 4, 5, 6]
    assert lines[0]["amount"] == 249.0
    assert lines[5]["amount"] == 249.0


def test_patch_with_replace_drops_lines_left_out(ns: httpx.Client, catalog: dict[str, Any]) -> None:
    order_id = create(ns)

    ns.patch(
        f"/salesOrder/{order_id}",
        params={"replace": "item"},
        json={"item": {"items": [{"line": 2}, {"item": {"id": "501"}, "quantity": 2}]}},
    ).raise_for_status()

    order = fetch(ns, order_id)
    lines = order["item"]["items"]
    assert [(line["line"], line["item"]["id"]) for line in lines] == [(2, "502"), (6, "501")]
    assert order["total"] == 91.0 + 498.0


def test_header_discount_applies_to_the_subtotal(ns: httpx.Client, catalog: dict[str, Any]) -> None:
    order_id = create(
        ns,
        {
            "entity": {"id": "102"},
            "discountItem": {"id": "601"},
            "item": {"items": [{"item": {"id": "501"}, "quantity": 2}]},
        },
    )

    order = fetch(ns, order_id)

    assert order["discountItem"]["refName"] == "Loyalty Discount"
    assert order["discountRate"] == -10.0
    assert (order["subtotal"], order["discountTotal"], order["total"]) == (498.0, -49.8, 448.2)


def test_fixed_amount_discount_line(ns: httpx.Client, catalog: dict[str, Any]) -> None:
    body = {
        "entity": {"id": "102"},
        "item": {"items": [{"item": {"id": "501"}}, {"item": {"id": "604"}}]},
    }
    order = fetch(ns, create(ns, body))

    assert order["item"]["items"][1]["amount"] == -20.0
    assert order["total"] == 229.0


def test_status_can_be_set_to_closed_or_cancelled(
    ns: httpx.Client, catalog: dict[str, Any]
) -> None:
    order_id = create(ns)

    ns.patch(f"/salesOrder/{order_id}", json={"orderStatus": {"id": "C"}}).raise_for_status()

    assert fetch(ns, order_id)["status"]["refName"] == "Cancelled"


def test_delete_answers_204_then_404(ns: httpx.Client, catalog: dict[str, Any]) -> None:
    order_id = create(ns)

    assert ns.delete(f"/salesOrder/{order_id}").status_code == 204
    assert ns.get(f"/salesOrder/{order_id}").status_code == 404


def test_missing_record_is_nonexistent_id(ns: httpx.Client, catalog: dict[str, Any]) -> None:
    response = ns.get("/salesOrder/999999")

    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/vnd.oracle.resource+json")
    assert response.json() == {
        "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5",
        "title": "Not Found",
        "status": 404,
        "o:errorDetails": [
            {
                "detail": "The record instance does not exist. Provide a valid record instance ID.",
                "o:errorUrl": "/services/rest/record/v1/salesOrder/999999",
                "o:errorCode": "NONEXISTENT_ID",
            }
        ],
    }


def test_invalid_item_reference_points_at_the_line(
    ns: httpx.Client, catalog: dict[str, Any]
) -> None:
    # The example from NetSuite's "Error Handling in REST Web Services" page.
    body = {"entity": {"id": "101"}, "item": {"items": [{"item": {"id": 9999}, "amount": 1}]}}

    response = ns.post("/salesOrder", json=body)

    assert response.status_code == 400
    (detail,) = response.json()["o:errorDetails"]
    assert detail["o:errorCode"] == "INVALID_CONTENT"
    assert detail["o:errorPath"] == "item.items[0].item"
    assert "Invalid Field Value 9999 for the following field: item" in detail["detail"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"memo": "no customer"}, "USER_ERROR"),
        ({"entity": {"id": "101"}, "colour": "blue"}, "INVALID_CONTENT"),
        ({"entity": {"id": "101"}, "item": {"items": [{"quantity": 1}]}}, "USER_ERROR"),
    ],
)
def test_bad_bodies_are_refused(
    ns: httpx.Client, catalog: dict[str, Any], body: dict[str, Any], code: str
) -> None:
    response = ns.post("/salesOrder", json=body)

    assert response.status_code == 400
    assert response.json()["o:errorDetails"][0]["o:errorCode"] == code


def test_malformed_json_is_invalid_content(ns: httpx.Client, catalog: dict[str, Any]) -> None:
    response = ns.post(
        "/salesOrder", content=b"{not json", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_CONTENT"


def test_unknown_record_type(ns: httpx.Client) -> None:
    response = ns.get("/bad-path")

    assert response.status_code == 404
    assert (
        response.json()["o:errorDetails"][0]["detail"] == "Record type 'bad-path' does not exist."
    )


def test_external_id_addresses_the_record(ns: httpx.Client, catalog: dict[str, Any]) -> None:
    order_id = create(ns, {**ORDER, "externalId": "SF-006ABC"})

    assert fetch(ns, "eid:SF-006ABC")["id"] == order_id
    ns.patch("/salesOrder/eid:SF-006ABC", json={"memo": "via eid"}).raise_for_status()
    assert fetch(ns, order_id)["memo"] == "via eid"


def test_collection_pages_with_links(
    ns: httpx.Client, catalog: dict[str, Any], conn: dict[str, Any]
) -> None:
    ids = [create(ns) for _ in range(5)]

    page = ns.get("/salesOrder", params={"limit": 2, "offset": 2}).json()

    assert page["count"] == 2
    assert page["totalResults"] == 5
    assert page["hasMore"] is True
    assert page["offset"] == 2
    assert [item["id"] for item in page["items"]] == ids[2:4]
    assert list(page["items"][0]) == ["links", "id"]
    rels = {link["rel"]: link["href"] for link in page["links"]}
    assert rels["next"] == f"{conn['record_base_url']}/salesOrder?limit=2&offset=4"
    assert rels["self"].endswith("limit=2&offset=2")
    last = ns.get("/salesOrder", params={"limit": 2, "offset": 4}).json()
    assert (last["count"], last["hasMore"]) == (1, False)


def test_query_filters_on_last_modified_date(
    ns: httpx.Client, catalog: dict[str, Any], admin: SandboxAdmin
) -> None:
    first = create(ns)
    second = create(ns)
    ns.patch(f"/salesOrder/{second}", json={"memo": "later"}).raise_for_status()
    stamp = fetch(ns, second)["lastModifiedDate"]

    newer = ns.get("/salesOrder", params={"q": f'lastModifiedDate ON_OR_AFTER "{stamp}"'}).json()
    same_day = ns.get(
        "/salesOrder", params={"q": f'lastmodifieddate ON_OR_AFTER "{_us_date(stamp)}"'}
    ).json()
    combined = ns.get("/salesOrder", params={"q": f'memo IS "later" OR id EQUAL {first}'}).json()

    assert [item["id"] for item in newer["items"]] == [second]
    assert [item["id"] for item in same_day["items"]] == [first, second]
    assert [item["id"] for item in combined["items"]] == [first, second]


def test_bad_query_is_invalid_parameter(ns: httpx.Client, catalog: dict[str, Any]) -> None:
    create(ns)

    response = ns.get("/salesOrder", params={"q": "nosuchfield IS 3"})

    assert response.status_code == 400
    (detail,) = response.json()["o:errorDetails"]
    assert (detail["o:errorCode"], detail["o:errorQueryParam"]) == ("INVALID_PARAMETER", "q")


def test_customer_crud_and_expanded_addressbook(ns: httpx.Client, catalog: dict[str, Any]) -> None:
    response = ns.post(
        "/customer",
        json={
            "companyName": "Summit Gear Depot",
            "email": "purchasing@summitgear.example",
            "salesRep": {"id": "7"},
            "addressbook": {
                "items": [
                    {"addressbookaddress": {"addr1": "230 Peak Boulevard", "city": "Boulder"}}
                ]
            },
        },
    )
    assert response.status_code == 204
    customer_id = response.headers["Location"].rsplit("/", 1)[1]

    customer = ns.get(f"/customer/{customer_id}", params={"expandSubResources": "true"}).json()

    assert customer["companyName"] == "Summit Gear Depot"
    assert customer["salesRep"]["refName"] == "Maya Chen"
    assert customer["isInactive"] is False
    assert customer["defaultAddress"] == "230 Peak Boulevard\nBoulder"
    entry = customer["addressbook"]["items"][0]
    assert entry["addressbookaddress"]["city"] == "Boulder"
    assert (
        ns.patch(f"/customer/{customer_id}", json={"phone": "+1 303 555 0104"}).status_code == 204
    )
    assert ns.get(f"/customer/{customer_id}").json()["phone"] == "+1 303 555 0104"


def test_customer_with_orders_cannot_be_deleted(ns: httpx.Client, catalog: dict[str, Any]) -> None:
    create(ns)

    response = ns.delete("/customer/101")

    assert response.status_code == 400
    assert response.json()["o:errorDetails"][0]["o:errorCode"] == "USER_ERROR"


def test_items_are_readable_under_their_own_record_type(
    ns: httpx.Client, catalog: dict[str, Any]
) -> None:
    item = ns.get("/inventoryItem/501").json()

    assert item["itemId"] == "TENT-2P"
    assert item["basePrice"] == 249.0
    assert ns.get("/discountItem/601").json()["rate"] == "-10%"
    assert ns.get("/nonInventorySaleItem/501").status_code == 404


def _us_date(iso_stamp: str) -> str:
    year, month, day = iso_stamp[:10].split("-")
    return f"{int(month)}/{int(day)}/{year}"


def test_upsert_by_external_id_creates_then_updates(
    ns: httpx.Client, catalog: dict[str, Any]
) -> None:
    # Salesforce-originated orders: the Opportunity id as external id makes creation idempotent.
    first = ns.put("/salesOrder/eid:006AAA", json={**ORDER, "memo": "first"})
    second = ns.put("/salesOrder/eid:006AAA", json={"memo": "second"})

    assert (first.status_code, second.status_code) == (204, 204)
    assert first.headers["Location"] == second.headers["Location"]
    order = fetch(ns, "eid:006AAA")
    assert (order["externalId"], order["memo"]) == ("006AAA", "second")
    assert ns.get("/salesOrder").json()["totalResults"] == 1


def test_upsert_needs_an_external_id(ns: httpx.Client, catalog: dict[str, Any]) -> None:
    order_id = create(ns)

    response = ns.put(f"/salesOrder/{order_id}", json={"memo": "x"})

    assert response.status_code == 400


def test_external_ids_are_unique(ns: httpx.Client, catalog: dict[str, Any]) -> None:
    create(ns, {**ORDER, "externalId": "SF-1"})

    duplicate = ns.post("/salesOrder", json={**ORDER, "externalId": "SF-1"})
    malformed = ns.post("/salesOrder", json={**ORDER, "externalId": "has space"})

    assert duplicate.status_code == 400
    assert duplicate.json()["o:errorDetails"][0]["o:errorCode"] == "USER_ERROR"
    assert malformed.status_code == 400
