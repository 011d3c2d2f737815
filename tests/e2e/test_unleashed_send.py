"""Send to Unleashed through the local stack, in headless Chromium (seed 000).

A rep opens the Warehouse Selection page from an opportunity (the Salesforce sandbox makes the
Canvas signed request, as the quick action would), sees each line's stock in every Unleashed
warehouse, picks a warehouse and the order's details, sends, and sees the Unleashed order
number; the order in the Unleashed sandbox has the lines, prices (default and overridden),
comment lines and delivery fields; the opportunity carries the number, Guid and status.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from simple_salesforce import Salesforce, SFType

from devstack.stack import LocalStack
from shared.adapters.salesforce.connection import connection_from_secret
from shared.adapters.unleashed.client import UnleashedAuth, UnleashedClient, UnleashedCredentials
from shared.flows.unleashed_order_push.order import order_guid

playwright_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
REP = "rita.rep@harbourpine.example"
APP = "Salesbridge_Unleashed_Send"
SANDBOX_NOW = "2026-11-20T09:00:00Z"  # the Unleashed sandbox's frozen clock
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def sobject(sf: Salesforce, name: str) -> SFType:
    return cast(SFType, getattr(sf, name))


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with LocalStack(
        ROOT / "template.yaml",
        sandboxes=["salesforce", "unleashed"],
        state_dir=tmp_path_factory.mktemp("local-unleashed-send"),
        time_scale=0.01,
    ) as running:
        yield running


@pytest.fixture(scope="module")
def sf(stack: LocalStack) -> Salesforce:
    secret = stack.sandboxes["salesforce"].connection()
    return connection_from_secret(secret, str(stack.ca.bundle_path)).call(lambda client: client)


@pytest.fixture(scope="module")
def tls(stack: LocalStack) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(stack.ca.bundle_path))


@pytest.fixture(scope="module")
def page_url(stack: LocalStack, tls: ssl.SSLContext) -> str:
    """The Canvas app registered in the org, its consumer secret in salesbridge's secret."""
    url = stack.endpoints["api"]["base_url"] + "/unleashed/send"
    org = stack.sandboxes["salesforce"].base_url
    app = httpx.post(
        f"{org}/__admin/oauth/apps",
        json={"name": APP, "callback_urls": ["https://example.invalid/cb"], "canvas_url": url},
        verify=tls,
    )
    app.raise_for_status()
    stack.client("secretsmanager").put_secret_value(
        SecretId=stack.resources["UnleashedCanvasSecret"].arn,
        SecretString=json.dumps({"consumer_secret": app.json()["consumer_secret"]}),
    )
    return url


@pytest.fixture(scope="module")
def unleashed(stack: LocalStack) -> dict[str, Any]:
    # The sandbox's clock, not the machine's: the required date below stays in the future.
    stack.sandboxes["unleashed"].app.configure({"now": SANDBOX_NOW})
    return stack.sandboxes["unleashed"].app.seed(
        {
            "salespersons": [{"FullName": "Rita Rep", "Email": REP}],
            "warehouses": [
                {"WarehouseCode": "MAIN", "WarehouseName": "Main warehouse", "IsDefault": True},
                {"WarehouseCode": "AKL", "WarehouseName": "Auckland"},
            ],
            "taxes": [{"TaxCode": "GST", "Description": "GST", "TaxRate": 0.15}],
            "sales_order_groups": ["Retail"],
            "delivery_methods": ["Courier"],
            "products": [
                {"ProductCode": "WIDGET", "ProductDescription": "Widget", "DefaultSellPrice": 10.0},
                {"ProductCode": "GADGET", "ProductDescription": "Gadget", "DefaultSellPrice": 25.0},
            ],
            "stock": [
                {"ProductCode": "WIDGET", "WarehouseCode": "MAIN", "QtyOnHand": 50},
                {"ProductCode": "GADGET", "WarehouseCode": "MAIN", "QtyOnHand": 1},
                {"ProductCode": "GADGET", "WarehouseCode": "AKL", "QtyOnHand": 40},
            ],
        }
    )


@pytest.fixture(scope="module")
def catalogue(stack: LocalStack, unleashed: dict[str, Any]) -> dict[str, Any]:
    """The rep, an account and the Unleashed price book (as the price book sync leaves it)."""
    return stack.sandboxes["salesforce"].app.seed(
        {
            "users": [{"Username": REP, "FirstName": "Rita", "LastName": "Rep", "Email": REP}],
            "accounts": [
                {
                    "Name": "Harbour Pine Ltd",
                    "Phone": "+64 9 555 0100",
                    "ShippingStreet": "1 Quay St",
                    "ShippingCity": "Auckland",
                    "ShippingPostalCode": "1010",
                    "ShippingCountry": "New Zealand",
                }
            ],
            "products": [
                {
                    "Name": "Widget",
                    "ProductCode": "WIDGET",
                    "Unleashed_Product_Code__c": "WIDGET",
                    "price": 10.0,
                },
                {
                    "Name": "Gadget",
                    "ProductCode": "GADGET",
                    "Unleashed_Product_Code__c": "GADGET",
                    "price": 25.0,
                },
                {"Name": "Local service", "ProductCode": "SERVICE", "price": 99.0},
            ],
        }
    )


def opportunity(
    sf: Salesforce, catalogue: dict[str, Any], name: str, lines: list[dict[str, Any]], **more: Any
) -> str:
    account = catalogue["accounts"]["Harbour Pine Ltd"]
    created = sobject(sf, "Opportunity").create(
        {
            "Name": name,
            "AccountId": account,
            "StageName": "Negotiation/Review",
            "CloseDate": "2026-11-21",
            "Pricebook2Id": catalogue["standard_pricebook_id"],
            **more,
        }
    )["id"]
    for line in lines:
        entry = catalogue["pricebook_entries"][line.pop("code")]
        sobject(sf, "OpportunityLineItem").create(
            {"OpportunityId": created, "PricebookEntryId": entry, **line}
        )
    return str(created)


def signed_request(stack: LocalStack, tls: ssl.SSLContext, opportunity_id: str) -> str:
    org = stack.sandboxes["salesforce"].base_url
    made = httpx.post(
        f"{org}/__admin/canvas/signed-request",
        json={"app": APP, "user": REP, "record": {"type": "Opportunity", "id": opportunity_id}},
        verify=tls,
    )
    made.raise_for_status()
    return str(made.json()["signed_request"])


def canvas_frame(url: str, signed: str) -> str:
    """What Salesforce's Canvas frame does: POST the signed request to the app's URL."""
    return (
        f'<form id="f" method="post" action="{escape(url)}">'
        f'<input type="hidden" name="signed_request" value="{escape(signed)}"></form>'
        "<script>document.getElementById('f').submit()</script>"
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def unleashed_orders(stack: LocalStack) -> list[dict[str, Any]]:
    return list(stack.sandboxes["unleashed"].app.snapshot()["sales_orders"])


def test_the_rep_checks_stock_picks_a_warehouse_sends_and_sees_the_order_number(
    stack: LocalStack,
    sf: Salesforce,
    tls: ssl.SSLContext,
    page_url: str,
    catalogue: dict[str, Any],
    browser: Any,
) -> None:
    opp = opportunity(
        sf,
        catalogue,
        "Harbour Pine - spring",
        [
            {"code": "WIDGET", "Quantity": 5, "UnitPrice": 10.0, "Description": "Gift wrap each"},
            {"code": "GADGET", "Quantity": 3, "UnitPrice": 22.5, "Discount": 10},
        ],
    )
    page = browser.new_page()
    page.set_content(canvas_frame(page_url, signed_request(stack, tls, opp)))
    page.wait_for_selector("#send")

    main = page.locator('table[data-warehouse="MAIN"]')
    assert main.is_visible()
    assert "Short" in main.locator("tr", has_text="GADGET").inner_text()  # 1 on hand, 3 wanted
    assert page.locator('table[data-warehouse="AKL"]').is_hidden()
    page.select_option("#warehouse_code", "AKL")
    akl = page.locator('table[data-warehouse="AKL"]')
    assert akl.is_visible() and "Short" not in akl.locator("tr", has_text="GADGET").inner_text()
    assert "will be created" in page.locator("#customer-check").inner_text()
    page.fill("#customer_code", "HARBOUR")
    page.select_option("#tax_code", "GST")
    page.select_option("#sales_order_group", "Retail")
    page.select_option("#delivery_method", "Courier")
    page.fill("#required_date", "2026-12-01")
    page.fill("#comments", "Leave at reception")
    page.click("#send")
    stack.drain(timeout=20)
    page.wait_for_selector("#progress.ok, #progress.refusal", timeout=15_000)
    assert "Sent:" in page.locator("#progress").inner_text()
    shown = page.locator("#progress").inner_text()
    page.close()

    [order] = [o for o in unleashed_orders(stack) if o["Guid"] == order_guid(opp)]
    assert order["OrderNumber"] in shown
    assert order["Warehouse"]["WarehouseCode"] == "AKL"
    assert order["Customer"]["CustomerCode"] == "HARBOUR"
    assert order["SalesPerson"]["Email"] == REP  # the rep, matched by email
    assert (order["SalesOrderGroup"], order["DeliveryMethod"]) == ("Retail", "Courier")
    assert (order["DeliveryCity"], order["DeliveryPostCode"]) == ("Auckland", "1010")
    assert order["Comments"] == "Leave at reception"
    lines = [
        (
            line["LineType"],
            (line["Product"] or {}).get("ProductCode"),
            line["UnitPrice"],
            line["Comments"],
        )
        for line in order["SalesOrderLines"]
    ]
    assert lines == [
        (None, "WIDGET", 10.0, None),  # the default sell price
        ("Comment", None, 0.0, "Gift wrap each"),  # the description, right after its line
        (None, "GADGET", 22.5, None),  # the rep's override wins
    ]
    assert order["SalesOrderLines"][2]["DiscountRate"] == pytest.approx(0.1)
    written = sobject(sf, "Opportunity").get(opp)
    assert written["Unleashed_Order_Number__c"] == order["OrderNumber"]
    assert written["Unleashed_Order_Guid__c"] == order["Guid"]
    assert written["Unleashed_Order_Status__c"] == "Parked"
    account = sobject(sf, "Account").get(catalogue["accounts"]["Harbour Pine Ltd"])
    assert account["Unleashed_Customer_Code__c"] == "HARBOUR"


def post_form(url: str, fields: dict[str, str]) -> httpx.Response:
    return httpx.post(url, data=fields)


def test_a_double_send_and_a_redelivery_after_unleashed_failures_make_one_order(
    stack: LocalStack, sf: Salesforce, tls: ssl.SSLContext, page_url: str, catalogue: dict[str, Any]
) -> None:
    opp = opportunity(
        sf,
        catalogue,
        "Harbour Pine - retry",
        [{"code": "WIDGET", "Quantity": 2, "UnitPrice": 10.0}],
    )
    signed = signed_request(stack, tls, opp)
    unleashed_admin = stack.sandboxes["unleashed"].app
    from sandboxes.common.app import Fault

    unleashed_admin.add_fault(Fault(endpoint="create_sales_order", status=503, times=1))
    unleashed_admin.add_fault(
        Fault(endpoint="create_sales_order", kind="commit_then_drop", times=1)
    )
    unleashed_admin.add_fault(
        Fault(endpoint="create_sales_order", status=429, headers={"Retry-After": "0"}, times=1)
    )
    form = {
        "signed_request": signed,
        "action": "send",
        "customer_code": "HARBOUR",
        "warehouse_code": "MAIN",
    }
    first, second = post_form(page_url, form), post_form(page_url, form)  # a double click
    # The second is the same job (202, duplicate) or, when the worker was faster, refused
    # because the opportunity already carries its order (409): never a second order.
    assert first.status_code == 202 and second.status_code in (202, 409)
    stack.drain(timeout=30)
    armed = [f for f in unleashed_admin._faults if f.endpoint == "create_sales_order"]
    unleashed_admin.clear_faults()
    assert not armed  # every fault struck: 503, a dropped answer after the commit, a 429

    assert [o["Guid"] for o in unleashed_orders(stack)].count(order_guid(opp)) == 1
    assert sobject(sf, "Opportunity").get(opp)["Unleashed_Order_Guid__c"] == order_guid(opp)
    again = post_form(page_url, form)  # a second tab, after it was sent
    assert again.status_code == 409 and "already sent" in again.text


def test_a_forged_or_altered_signed_request_is_refused_and_changes_nothing(
    stack: LocalStack, sf: Salesforce, tls: ssl.SSLContext, page_url: str, catalogue: dict[str, Any]
) -> None:
    opp = opportunity(
        sf,
        catalogue,
        "Harbour Pine - forged",
        [{"code": "WIDGET", "Quantity": 1, "UnitPrice": 10.0}],
    )
    signature, payload = signed_request(stack, tls, opp).split(".", 1)
    forged = "AAAA" + signature[4:] + "." + payload
    before = len(unleashed_orders(stack))
    for signed in (forged, signature + "." + payload[:-8] + "QUFBQQ==", "", "not-a-request"):
        answer = post_form(
            page_url,
            {
                "signed_request": signed,
                "action": "send",
                "customer_code": "X",
                "warehouse_code": "MAIN",
            },
        )
        assert answer.status_code == 401 and "Refused" in answer.text
    stack.drain(timeout=10)
    assert len(unleashed_orders(stack)) == before


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("no lines", "no products"),
        ("closed lost", "Closed Lost"),
        ("no Unleashed code", "is not in Unleashed"),
    ],
)
def test_each_guard_refuses_before_anything_is_sent(
    stack: LocalStack,
    sf: Salesforce,
    tls: ssl.SSLContext,
    page_url: str,
    catalogue: dict[str, Any],
    case: str,
    reason: str,
) -> None:
    lines = {
        "no lines": [],
        "closed lost": [{"code": "WIDGET", "Quantity": 1, "UnitPrice": 10.0}],
        "no Unleashed code": [{"code": "SERVICE", "Quantity": 1, "UnitPrice": 99.0}],
    }[case]
    opp = opportunity(sf, catalogue, f"Guard - {case}", lines)
    if case == "closed lost":
        sobject(sf, "Opportunity").update(opp, {"StageName": "Closed Lost"})
    signed = signed_request(stack, tls, opp)
    shown = post_form(page_url, {"signed_request": signed})
    assert shown.status_code == 200 and reason in shown.text and "disabled" in shown.text
    before = len(unleashed_orders(stack))
    sent = post_form(
        page_url,
        {
            "signed_request": signed,
            "action": "send",
            "customer_code": "HARBOUR",
            "warehouse_code": "MAIN",
        },
    )
    assert sent.status_code == 409 and reason in sent.text
    stack.drain(timeout=10)
    assert len(unleashed_orders(stack)) == before


def unleashed_api(stack: LocalStack, tls: ssl.SSLContext) -> UnleashedClient:
    """Someone working in Unleashed, through its API (the same signed calls)."""
    credentials = UnleashedCredentials.model_validate(stack.sandboxes["unleashed"].connection())
    http = httpx.Client(
        base_url=credentials.base_url,
        auth=UnleashedAuth(credentials),
        headers={"Accept": "application/json", "client-type": "warehouse/desk"},
        verify=tls,
    )
    return UnleashedClient(credentials, http=http)


def send_form(signed: str) -> dict[str, str]:
    return {
        "signed_request": signed,
        "action": "send",
        "customer_code": "HARBOUR",
        "warehouse_code": "MAIN",
    }


def test_a_status_change_in_unleashed_reaches_the_opportunity_on_the_next_poll(
    stack: LocalStack, sf: Salesforce, tls: ssl.SSLContext, page_url: str, catalogue: dict[str, Any]
) -> None:
    opp = opportunity(
        sf, catalogue, "Harbour Pine - status", [{"code": "WIDGET", "Quantity": 1, "UnitPrice": 10}]
    )
    assert post_form(page_url, send_form(signed_request(stack, tls, opp))).status_code == 202
    stack.drain(timeout=20)
    assert sobject(sf, "Opportunity").get(opp)["Unleashed_Order_Status__c"] == "Parked"
    sandbox = stack.sandboxes["unleashed"].app
    # The warehouse completes the order now: the first poll reads the last day by our clock.
    sandbox.configure({"now": None})
    try:
        unleashed_api(stack, tls).post(f"/SalesOrders/{order_guid(opp)}/Complete", {}, keyed=True)
        report = stack.run_schedule("UnleashedOrderStatusFunction")
        assert report["updated"] >= 1 and not report["quota_spent"]
        assert sobject(sf, "Opportunity").get(opp)["Unleashed_Order_Status__c"] == "Completed"
        again = stack.run_schedule("UnleashedOrderStatusFunction")  # the overlap re-read
        assert again["updated"] == 0
    finally:
        sandbox.configure({"now": SANDBOX_NOW})


def test_a_send_made_when_the_quota_is_spent_is_held_and_released_next_month(
    stack: LocalStack, sf: Salesforce, tls: ssl.SSLContext, page_url: str, catalogue: dict[str, Any]
) -> None:
    opp = opportunity(
        sf, catalogue, "Harbour Pine - quota", [{"code": "WIDGET", "Quantity": 1, "UnitPrice": 10}]
    )
    sandbox = stack.sandboxes["unleashed"].app
    sandbox.configure({"now": SANDBOX_NOW, "monthly_quota": 500, "api_calls_used": 500})
    try:
        assert post_form(page_url, send_form(signed_request(stack, tls, opp))).status_code == 202
        stack.drain(timeout=20)
        assert order_guid(opp) not in [o["Guid"] for o in unleashed_orders(stack)]
        written = sobject(sf, "Opportunity").get(opp)
        assert written["Unleashed_Order_Guid__c"] is None and not written["Unleashed_Send_Error__c"]
        spent = stack.run_schedule("UnleashedOrderStatusFunction")
        assert spent["quota_spent"] and spent["released"] == 0

        sandbox.configure({"now": "2026-12-01T00:00:05Z"})  # the month rolls over
        released = stack.run_schedule("UnleashedOrderStatusFunction")
        assert not released["quota_spent"] and released["released"] == 1
        stack.drain(timeout=20)
        assert [o["Guid"] for o in unleashed_orders(stack)].count(order_guid(opp)) == 1
        assert sobject(sf, "Opportunity").get(opp)["Unleashed_Order_Guid__c"] == order_guid(opp)
    finally:
        sandbox.configure({"now": SANDBOX_NOW, "monthly_quota": None})


def test_the_price_book_schedule_keeps_unleashed_prices_in_the_unleashed_price_book(
    stack: LocalStack, sf: Salesforce, unleashed: dict[str, Any]
) -> None:
    def unleashed_entry(code: str) -> tuple[float, bool]:
        [row] = sf.query(
            "SELECT UnitPrice, IsActive FROM PricebookEntry WHERE Pricebook2.Name = 'Unleashed' "
            f"AND Product2.Unleashed_Product_Code__c = '{code}'"
        )["records"]
        return row["UnitPrice"], row["IsActive"]

    first = stack.run_schedule("UnleashedPricebookSyncFunction")
    assert first["written"]["failed"] == [] and unleashed_entry("GADGET") == (25.0, True)
    sandbox = stack.sandboxes["unleashed"].app
    sandbox.configure({"now": "2026-11-20T10:00:00Z"})  # an hour later, in Unleashed
    try:
        sandbox.seed(
            {
                "products": [
                    {
                        "ProductCode": "GADGET",
                        "ProductDescription": "Gadget",
                        "DefaultSellPrice": 27.5,
                    }
                ]
            }
        )
        stack.run_schedule("UnleashedPricebookSyncFunction")
        assert unleashed_entry("GADGET") == (27.5, True)
    finally:
        sandbox.configure({"now": SANDBOX_NOW})
