"""SuiteQL over the deletion log: the documented request and answer shapes (NetSuite help
"Executing SuiteQL Queries Through REST Web Services", "Collection Paging")."""

from __future__ import annotations

from typing import Any

import httpx

from sandboxes.common import LocalCA, SandboxAdmin
from sandboxes.netsuite.demo import demo_seed

QUERY = (
    "SELECT recordid, type, TO_CHAR(deleteddate, 'YYYY-MM-DD HH24:MI:SS') AS deleted "
    "FROM DeletedRecord WHERE type = 'salesorder' "
    "AND deleteddate >= TO_TIMESTAMP('2026-01-02 00:00:00', 'YYYY-MM-DD HH24:MI:SS') "
    "ORDER BY deleteddate DESC, recordid"
)


def suiteql(ns: httpx.Client, conn: dict[str, Any], q: str, params: str = "") -> httpx.Response:
    return ns.post(
        f"{conn['rest_base_url']}/query/v1/suiteql{params}",
        json={"q": q},
        headers={"Prefer": "transient"},
    )


def seed_log(admin: SandboxAdmin) -> None:
    admin.seed(
        {
            "deletedRecords": [
                {"recordid": "1", "type": "salesorder", "deleteddate": "2026-01-01T09:00:00Z"},
                {"recordid": "2", "type": "salesorder", "deleteddate": "2026-01-02T09:00:00Z"},
                {"recordid": "3", "type": "customer", "deleteddate": "2026-01-03T09:00:00Z"},
                {"recordid": "4", "type": "salesorder", "deleteddate": "2026-01-04T09:00:00Z"},
            ]
        }
    )


def test_a_query_answers_the_documented_page(
    ns: httpx.Client, conn: dict[str, Any], admin: SandboxAdmin
) -> None:
    seed_log(admin)

    answer = suiteql(ns, conn, QUERY, "?limit=1")

    assert answer.status_code == 200, answer.text
    page = answer.json()
    assert set(page) == {"links", "count", "hasMore", "items", "offset", "totalResults"}
    assert (page["count"], page["hasMore"], page["offset"], page["totalResults"]) == (1, True, 0, 2)
    assert page["items"] == [
        {"links": [], "recordid": "4", "type": "salesorder", "deleted": "2026-01-04 09:00:00"}
    ]
    assert {link["rel"] for link in page["links"]} == {"next", "last", "self"}

    last = suiteql(ns, conn, QUERY, "?limit=1&offset=1").json()
    assert [i["recordid"] for i in last["items"]] == ["2"] and last["hasMore"] is False


def test_deleting_an_order_logs_it(
    ns: httpx.Client, conn: dict[str, Any], admin: SandboxAdmin
) -> None:
    order_id = admin.seed(demo_seed())["salesOrders"][0]
    assert ns.delete(f"salesOrder/{order_id}").status_code == 204

    rows = suiteql(ns, conn, "SELECT recordid, type, deleteddate FROM DeletedRecord").json()
    [row] = rows["items"]
    assert (row["recordid"], row["type"]) == (order_id, "salesorder")
    assert "/" in row["deleteddate"]  # without TO_CHAR: the account's date format


def test_what_the_sandbox_does_not_know_is_refused_as_a_bad_query(
    ns: httpx.Client, conn: dict[str, Any]
) -> None:
    for q in (
        "SELECT id FROM transaction",
        "SELECT nosuchcolumn FROM DeletedRecord",
        "SELECT recordid FROM DeletedRecord WHERE recordid LIKE '1%'",
        "",
    ):
        answer = suiteql(ns, conn, q)
        assert answer.status_code == 400, q
        assert answer.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_PARAMETER"


def test_the_query_is_signed_like_every_call(conn: dict[str, Any], ca: LocalCA) -> None:
    url = f"{conn['rest_base_url']}/query/v1/suiteql"
    with httpx.Client(verify=ca.client_context()) as unsigned:
        answer = unsigned.post(url, json={"q": "SELECT recordid FROM DeletedRecord"})
    assert answer.status_code == 401
