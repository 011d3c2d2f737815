"""Issue 10: the operator console through the local stack, in headless Chromium and over HTTP.

An operator signs in with Salesforce (the sandbox's web server flow with PKCE), sees the
overview after orders synced, finds a failed order by its record key, reads why and what to
do, fixes the cause in Salesforce, retries it and sees it done; lifts a hold. A viewer cannot
act, nobody unauthenticated gets anything, a forged or altered Canvas request and a request
without the session's CSRF token are refused. axe-core finds no serious violation.
"""

# ruff: noqa: F811 - the module's fixtures come from test_netsuite_orders (one stack per module)
from __future__ import annotations

import json
import re
import ssl
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandboxes.salesforce.demo import OPERATOR, VIEWER
from shared.adapters.aws.stores.cursors import CursorStore
from shared.adapters.aws.stores.hold import BudgetHoldStore
from shared.canvas import sign_request
from tests.e2e.test_netsuite_orders import (  # noqa: F401 - fixtures
    ALPINE,
    Orders,
    _dynamodb_resource,
    orders,
    orders_stack,
    world,
)

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "console" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ROPE = {"Name": "Rope", "ProductCode": "ROPE-30M", "NetSuite_Item_Id__c": "509", "price": 29}


@pytest.fixture
def console_url(orders: Orders) -> str:
    url = orders.stack.console_url()
    assert url is not None
    return url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(ignore_https_errors=True)  # the sandbox's local CA
    opened = context.new_page()
    opened.on("dialog", lambda dialog: dialog.accept())
    yield opened
    context.close()


def failed_order(orders: Orders) -> str:
    """An order with an item Salesforce has no product for: it fails, a person must act."""
    orders.ns.seed({"items": [{"id": "509", "itemId": "ROPE-30M", "itemType": "InvtPart"}]})
    order_id = orders.new_order(ALPINE, [("509", 2)])
    orders.emit("1001")
    orders.settle()
    assert orders.jobs(order_id)[0]["status"] == "failed"
    return order_id


def no_serious_violations(page: Any) -> None:
    assert AXE.is_file(), "axe-core is installed by make (console/package.json): make e2e"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    serious = [
        (v["id"], v["help"]) for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_an_operator_finds_a_failed_order_fixes_it_and_retries_it(
    orders: Orders, console_url: str, page: Any
) -> None:
    order_id = failed_order(orders)
    orders.sf.configure(web_login_user=OPERATOR)

    page.goto(console_url)
    assert page.title().startswith("Sign in")
    page.click("#sign-in")
    page.wait_for_url(re.compile(r".*/console$"))
    assert page.locator("h1").inner_text() == "Overview"
    assert "NetSuite sales orders -> Salesforce opportunities" in page.locator("main").inner_text()
    assert "Olivia Operator (operator)" in page.locator("header").inner_text()
    no_serious_violations(page)

    page.click("text=Jobs")
    page.fill("#recordKey", f"salesorder:{order_id}")
    page.click("button:has-text('Find')")
    page.click(f"#jobs a:has-text('salesorder:{order_id}')")
    assert "NetSuite_Item_Id__c = 509" in page.locator("#reason").inner_text()
    assert "price book" in page.locator("#advice").inner_text()
    no_serious_violations(page)

    orders.sf.seed({"products": [ROPE]})  # the person fixes the catalogue
    page.click("button:has-text('Retry this job')")
    orders.settle()
    page.reload()
    assert "<td>done</td>" in page.locator("#facts").inner_html()
    assert len(orders.opportunities(order_id)) == 1

    page.click("text=Audit log")
    assert "replay" in page.locator("#audit").inner_text()
    assert OPERATOR in page.locator("#audit").inner_text()


def test_an_operator_lifts_the_salesforce_hold(orders: Orders, console_url: str, page: Any) -> None:
    hold_store(orders).hold("REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.")
    orders.sf.configure(web_login_user=OPERATOR)
    page.goto(f"{console_url}/auth/start")
    page.wait_for_url(re.compile(r".*/console$"))
    assert "Held since" in page.locator("#hold").inner_text()

    page.click("button:has-text('Lift the hold')")
    page.wait_for_url(re.compile(r".*/console$"))
    assert "Not held" in page.content()
    assert not hold_store(orders).active()


# -- over HTTP: who may do what ---------------------------------------------------------------


class Caller:
    """A browser without a browser: keeps the console's cookies by hand (httpx's jar does not
    send Secure cookies over the local stack's plain HTTP)."""

    def __init__(self, orders: Orders, console_url: str) -> None:
        self.url = console_url
        self.cookies: dict[str, str] = {}
        trust = ssl.create_default_context(cafile=str(orders.stack.ca.bundle_path))
        self.http = httpx.Client(verify=trust, timeout=30)
        self.csrf = ""

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = kwargs.pop("headers", {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        answer = self.http.request(method, path if "://" in path else self.url + path,
                                   headers=headers, **kwargs)  # fmt: skip
        for header in answer.headers.get_list("set-cookie"):
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
        return answer

    def sign_in(self) -> None:
        start = self.request("GET", "/auth/start")
        authorized = self.http.get(start.headers["Location"])  # the org approves at once
        callback = self.request("GET", authorized.headers["Location"])
        assert callback.status_code == 303, callback.text
        overview = self.request("GET", "")
        self.csrf = re.search(r'name="csrf" value="([^"]+)"', overview.text).group(1)  # type: ignore[union-attr]


def test_nothing_is_answered_without_a_session(orders: Orders, console_url: str) -> None:
    caller = Caller(orders, console_url)
    api = caller.request("GET", "/api/overview")
    assert api.status_code == 401 and api.json()["error"] == "unauthorized"
    html = caller.request("GET", "/jobs")
    assert html.status_code == 401 and "Sign in with Salesforce" in html.text
    caller.cookies["sb_console"] = "e30.bm90IGEgbWFj"  # "{}" with a made-up MAC
    assert caller.request("GET", "/api/jobs").status_code == 401
    posted = caller.request("POST", "/api/hold/lift")
    assert posted.status_code == 401


def test_a_viewer_sees_but_cannot_act(orders: Orders, console_url: str) -> None:
    hold_store(orders).hold("REQUEST_LIMIT_EXCEEDED")
    orders.sf.configure(web_login_user=VIEWER)
    viewer = Caller(orders, console_url)
    viewer.sign_in()

    assert viewer.request("GET", "/api/overview").status_code == 200
    refused = viewer.request("POST", "/api/hold/lift", headers={"X-CSRF-Token": viewer.csrf})
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    assert hold_store(orders).active()


def test_a_request_without_the_sessions_csrf_token_changes_nothing(
    orders: Orders, console_url: str
) -> None:
    hold_store(orders).hold("REQUEST_LIMIT_EXCEEDED")
    orders.sf.configure(web_login_user=OPERATOR)
    operator = Caller(orders, console_url)
    operator.sign_in()

    assert operator.request("POST", "/api/hold/lift").status_code == 403
    wrong = operator.request("POST", "/api/hold/lift", headers={"X-CSRF-Token": "guessed"})
    assert wrong.status_code == 403
    form = operator.request("POST", "/actions/lift-hold", data={"csrf": "guessed"})
    assert form.status_code == 403
    assert hold_store(orders).active()

    lifted = operator.request("POST", "/api/hold/lift", headers={"X-CSRF-Token": operator.csrf})
    assert lifted.status_code == 200 and not hold_store(orders).active()


def test_canvas_signed_requests_are_verified(orders: Orders, console_url: str) -> None:
    made = orders.sf._call(
        "POST", "/canvas/signed-request", {"app": "Salesbridge_Console", "user": OPERATOR}
    )
    caller = Caller(orders, console_url)
    signature, _, payload = made["signed_request"].partition(".")
    envelope = json.loads(__import__("base64").b64decode(payload))
    forged = sign_request(envelope, "not the app's consumer secret")
    envelope["context"]["user"]["userName"] = "mallory@elsewhere.example"
    altered = signature + "." + sign_request(envelope, "x").partition(".")[2]

    for refused in (forged, altered, ""):
        answer = caller.request("POST", "/canvas", data={"signed_request": refused})
        assert answer.status_code == 401 and "sb_console" not in caller.cookies

    genuine = caller.request("POST", "/canvas", data={"signed_request": made["signed_request"]})
    assert genuine.status_code == 200 and "Overview" in genuine.text
    set_cookie = genuine.headers["set-cookie"]
    assert "SameSite=None" in set_cookie and "Secure" in set_cookie and "HttpOnly" in set_cookie


def hold_store(orders: Orders) -> BudgetHoldStore:
    table = orders.stack.resources["CursorsTable"].name
    return BudgetHoldStore(CursorStore(table, _dynamodb_resource(orders.stack)))
