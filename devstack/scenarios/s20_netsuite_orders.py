"""NetSuite sales orders become Salesforce opportunities, with their lines.

Harbour & Pine's NetSuite holds three demo orders; 1001 and 1002 are flagged "Send Order as
Salesforce Opportunity", 1003 is not. Saving an order in NetSuite fires the user event
webhook; salesbridge queues a job, reads the order, writes the opportunity with its lines in
one composite-graph call and writes the opportunity id back to the order (whose own save
event it then recognises as an echo). The story: a new order, the same event three times, a
second edit (one Salesforce call once prices are known), a change of lines by finance, an
order nobody flagged, and a cancellation.

Runs against whatever the stack holds after the earlier scenarios; it needs the demo data
(`make demo` seeds it) and nothing to fail, so it works at any time scale.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Callable
from typing import Any

import httpx

from devstack.scenarios import money, quantity
from shared.adapters.netsuite.client import NetsuiteCredentials, netsuite_http
from shared.netsuite_records import OPPORTUNITY_ID_FIELD

Say = Callable[[str], None]
BACKPACK = "504"  # Trailhead 55L Backpack's NetSuite item id


def netsuite_rest(stack: Any) -> httpx.Client:
    """NetSuite's REST record API, TBA-signed like salesbridge's own client, trusting the
    local CA (the scenario uses it as finance's integration would)."""
    credentials = NetsuiteCredentials.model_validate(stack.sandboxes["netsuite"].connection())
    verify = ssl.create_default_context(cafile=str(stack.ca.bundle_path))
    return netsuite_http(credentials, network=httpx.HTTPTransport(verify=verify))


def settle(stack: Any) -> None:
    """Deliver every NetSuite event and work the queues dry, the write-back's echo included."""
    netsuite = stack.sandbox_admin("netsuite")
    delivered = -1
    while True:
        flushed = netsuite._call("POST", "/flush", {"timeout": 30})
        stack.drain(timeout=120)
        if len(flushed["deliveries"]) == delivered:
            return
        delivered = len(flushed["deliveries"])


class _Story:
    def __init__(self, stack: Any, say: Say) -> None:
        self.stack = stack
        self.say = say
        self.netsuite = stack.sandbox_admin("netsuite")
        self.salesforce = stack.sandbox_admin("salesforce")
        self.dynamodb = stack.client("dynamodb")

    def save(self, order_id: str, **fields: Any) -> None:
        self.netsuite._call("POST", "/edit", {"id": order_id, "fields": fields})

    def order(self, order_id: str) -> dict[str, Any]:
        return next(o for o in self.netsuite.state()["salesOrders"] if o["id"] == order_id)

    def opportunities(self, order_id: str) -> list[dict[str, Any]]:
        rows = self.salesforce.state()["records"].get("Opportunity", [])
        return [r for r in rows if not r["IsDeleted"] and r["NetSuite_Id__c"] == order_id]

    def opportunity(self, order_id: str) -> dict[str, Any]:
        found = self.opportunities(order_id)
        assert len(found) == 1, f"{len(found)} opportunities for order {order_id}"
        return found[0]

    def lines(self, opportunity_id: str) -> dict[str, dict[str, Any]]:
        rows = self.salesforce.state()["records"].get("OpportunityLineItem", [])
        mine = [r for r in rows if not r["IsDeleted"] and r["OpportunityId"] == opportunity_id]
        return {r["NetSuite_Line_Key__c"]: r for r in mine}

    def api_usage(self) -> int:
        return int(self.salesforce.state()["api_usage"])

    def price_queries(self) -> int:
        recent = self.salesforce.requests()["recent"]
        return sum(1 for r in recent if r["endpoint"] == "query" and r["status"] != 401)

    def explain_calls(self, used: int, price_queries: int) -> None:
        if price_queries:
            self.say(
                f"  Salesforce API calls used: {used}: one query for the price book entries of "
                "products salesbridge had not priced yet (it keeps them for later orders), and "
                "one composite graph writing the opportunity with its lines"
            )
        else:
            self.say(
                f"  Salesforce API calls used: {used}: one composite graph (the products' "
                "price book entries were known already)"
            )

    def last_job(self, order_id: str) -> dict[str, Any]:
        table = self.stack.resources["JobsTable"].name
        items = [
            {key: next(iter(value.values())) for key, value in item.items()}
            for item in self.dynamodb.scan(TableName=table)["Items"]
            if item["record_key"]["S"] == f"salesorder:{order_id}"
        ]
        return max(items, key=lambda job: (job["version"], job["created_at"]))

    def show_lines(self, opportunity_id: str) -> None:
        for key, line in sorted(self.lines(opportunity_id).items()):
            self.say(
                f"    line {key}: {line['Name']}, {quantity(line['Quantity'])} at "
                f"{money(line['UnitPrice'])}, discount {quantity(line['Discount'])}%"
            )


def run(stack: Any, say: Say) -> str:
    story = _Story(stack, say)
    _new_order(story)
    _same_event_three_times(story)
    _a_second_edit(story)
    _finance_changes_the_lines(story)
    _an_order_nobody_flagged(story)
    _a_cancelled_order(story)
    return (
        "2 orders became opportunities; repeats, echoes and an unflagged order cost nothing; "
        "a cancellation closed one as lost"
    )


def _new_order(story: _Story) -> None:
    say = story.say
    say("A user saves sales order 1001 (Alpine Trail Outfitters), flagged for Salesforce")
    usage, queries = story.api_usage(), story.price_queries()
    story.save("1001", memo="Spring restock, confirmed by phone")
    settle(story.stack)
    opportunity = story.opportunity("1001")
    say(
        f"  Salesforce now has opportunity {opportunity['Id']} '{opportunity['Name']}': "
        f"{opportunity['StageName']}, amount {money(opportunity['Amount'])}"
    )
    say(
        f"  it is tagged NetSuite Originated, marked Skip export to NetSuite (so it never comes "
        f"back as a new order), and links to NetSuite order "
        f"{opportunity['NetSuite_Order_Number__c']}: {opportunity['NetSuite_Order_Record__c']}"
    )
    assert opportunity["NetSuite_Originated_Order__c"] and opportunity["Skip_Export_to_NetSuite__c"]
    story.show_lines(opportunity["Id"])
    assert set(story.lines(opportunity["Id"])) == {"1001-1", "1001-2"}
    assert all(line["Discount"] == 10 for line in story.lines(opportunity["Id"]).values())
    written_back = story.order("1001")[OPPORTUNITY_ID_FIELD]
    say(f"  NetSuite order 1001 now carries the opportunity id {written_back}")
    assert written_back == opportunity["Id"]
    echo = story.last_job("1001")
    say(f"  that write-back saves the order, which fires its event again: {echo['status']},")
    say(f"    because {_reason(echo)}")
    assert echo["status"] == "skipped"
    used = story.api_usage() - usage
    story.explain_calls(used, story.price_queries() - queries)
    assert used <= 2


def _same_event_three_times(story: _Story) -> None:
    say = story.say
    say("NetSuite delivers the event of order 1001 three more times")
    usage = story.api_usage()
    for _ in range(3):
        story.netsuite._call("POST", "/emit", {"id": "1001", "eventType": "edit"})
    settle(story.stack)
    opportunity = story.opportunity("1001")
    say(
        f"  still one opportunity with {len(story.lines(opportunity['Id']))} lines; "
        f"Salesforce API calls used: {story.api_usage() - usage} (the version was synced already)"
    )
    assert story.api_usage() == usage


def _a_second_edit(story: _Story) -> None:
    say = story.say
    say("A user edits order 1001 again: a new memo, which becomes the opportunity's description")
    usage, queries = story.api_usage(), story.price_queries()
    story.save("1001", memo="Spring restock, deliver before 1 March")
    settle(story.stack)
    opportunity = story.opportunity("1001")
    say(f"  the opportunity's description now reads '{opportunity['Description']}'")
    used = story.api_usage() - usage
    story.explain_calls(used, story.price_queries() - queries)
    assert used == 1


def _finance_changes_the_lines(story: _Story) -> None:
    say = story.say
    say("Finance changes order 1001: 8 tents instead of 6, no sleeping bags, 3 backpacks added")
    kept = [{"line": 1, "quantity": 8}, {"line": 3}, {"line": 4}, {"line": 5}]
    body = {"item": {"items": [*kept, {"item": {"id": BACKPACK}, "quantity": 3}]}}
    with netsuite_rest(story.stack) as rest:
        answer = rest.patch("salesOrder/1001?replace=item", json=body)
    assert answer.status_code == 204, answer.text
    usage, queries = story.api_usage(), story.price_queries()
    settle(story.stack)
    opportunity = story.opportunity("1001")
    story.show_lines(opportunity["Id"])
    lines = story.lines(opportunity["Id"])
    assert set(lines) == {"1001-1", "1001-6"} and lines["1001-1"]["Quantity"] == 8
    say(
        "  the sleeping bag line is deleted, nothing is doubled; amount now "
        f"{money(opportunity['Amount'])}"
    )
    used = story.api_usage() - usage
    story.explain_calls(used, story.price_queries() - queries)
    assert used <= 2


def _an_order_nobody_flagged(story: _Story) -> None:
    say = story.say
    say("A user saves order 1003 (Redwood Camping Supply), which nobody flagged for Salesforce")
    story.save("1003", memo="Phone order, call back Friday")
    settle(story.stack)
    job = story.last_job("1003")
    say(f"  the job is {job['status']}: {_reason(job)}; no Salesforce call")
    assert job["status"] == "skipped" and story.opportunities("1003") == []


def _a_cancelled_order(story: _Story) -> None:
    say = story.say
    say("Order 1002 (Coastal Kayak Co., header discount) is saved, then cancelled")
    story.save("1002", memo="Kayak season order, confirmed")
    settle(story.stack)
    opportunity = story.opportunity("1002")
    say(
        f"  opportunity '{opportunity['Name']}': {opportunity['StageName']}, amount "
        f"{money(opportunity['Amount'])} (the header discount spread over its lines)"
    )
    story.show_lines(opportunity["Id"])
    story.save("1002", orderStatus={"id": "C"})
    settle(story.stack)
    opportunity = story.opportunity("1002")
    say(
        f"  after the cancellation: {opportunity['StageName']} "
        f"(NetSuite status {opportunity['NetSuite_Order_Status__c']})"
    )
    assert opportunity["StageName"] == "Closed Lost"
    assert opportunity["NetSuite_Order_Status__c"] == "Cancelled"


def _reason(job: dict[str, Any]) -> str:
    return str(json.loads(job.get("detail") or "{}").get("reason", ""))
