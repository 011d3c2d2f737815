"""Send to Unleashed: API economy of the page, the send and the price book, and the page's
time to first byte. Everything runs in one local stack (template.yaml, the Salesforce and
Unleashed sandboxes); every count comes from the sandboxes' own request logs.

- `unleashed_calls_per_page_load_{1,10,100}_lines`: one Warehouse Selection page load (the
  Canvas signed request POSTed as Salesforce would), pickers already cached (the container
  is warm): stock per warehouse (2 warehouses) + the customer check, whatever the lines.
  `unleashed_calls_per_page_load_cold`: the first load, which reads the 5 pickers too.
- `salesforce_calls_per_page_load`: the one query (opportunity, account, lines).
- `salesforce_calls_per_order` / `unleashed_calls_per_order_new_customer`: Send through the
  worker (the OAuth token endpoint left out): the query and the one write-back; in Unleashed
  the customer lookup, its creation, the tax lookup and the one POST of the order.
- `unleashed_calls_per_10000_products` / `salesforce_calls_per_10000_products`: the price
  book schedule's first import of 10,000 products (pages of 1000; composite requests of five
  200-record collections), and `pricebook_10000_products_s` its wall time here.
- `page_ttfb_ms_median` / `page_ttfb_ms_p95`: server time to first byte of a warm 10-line page
  load, over 20 loads (the local stack runs handlers in this process: a figure for this
  machine, not Lambda).
"""

from __future__ import annotations

import json
import ssl
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from devstack.stack import LocalStack

ROOT = Path(__file__).resolve().parent.parent
REP = "rita.rep@harbourpine.example"
APP = "Salesbridge_Unleashed_Send"
TOKEN_ENDPOINT = "POST oauth_token"
KEY = "unleashed_order_push"
PRODUCTS = 10_000


class Bench:
    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.tls = ssl.create_default_context(cafile=str(stack.ca.bundle_path))
        self.org = stack.sandboxes["salesforce"]
        self.unleashed = stack.sandboxes["unleashed"]
        self.page_url = stack.endpoints["api"]["base_url"] + "/unleashed/send"

    def setup(self) -> None:
        codes = [f"P{n:03d}" for n in range(100)]
        self.unleashed.app.configure({"now": "2026-11-20T09:00:00Z"})
        self.unleashed.app.seed(
            {
                "salespersons": [{"FullName": "Rita Rep", "Email": REP}],
                "warehouses": [
                    {"WarehouseCode": "MAIN", "WarehouseName": "Main", "IsDefault": True},
                    {"WarehouseCode": "AKL", "WarehouseName": "Auckland"},
                ],
                "taxes": [{"TaxCode": "GST", "Description": "GST", "TaxRate": 0.15}],
                "products": [
                    {"ProductCode": c, "ProductDescription": c, "DefaultSellPrice": 10}
                    for c in codes
                ],
                "stock": [
                    {"ProductCode": c, "WarehouseCode": "MAIN", "QtyOnHand": 50} for c in codes
                ],
            }
        )
        self.catalogue = self.org.app.seed(
            {
                "users": [{"Username": REP, "FirstName": "Rita", "LastName": "Rep", "Email": REP}],
                "accounts": [{"Name": "Harbour Pine Ltd", "ShippingCity": "Auckland"}],
                "products": [
                    {"Name": c, "ProductCode": c, "Unleashed_Product_Code__c": c, "price": 10}
                    for c in codes
                ],
            }
        )
        app = httpx.post(
            f"{self.org.base_url}/__admin/oauth/apps",
            json={
                "name": APP,
                "callback_urls": ["https://example.invalid/cb"],
                "canvas_url": self.page_url,
            },
            verify=self.tls,
        )
        app.raise_for_status()
        self.stack.client("secretsmanager").put_secret_value(
            SecretId=self.stack.resources["UnleashedCanvasSecret"].arn,
            SecretString=json.dumps({"consumer_secret": app.json()["consumer_secret"]}),
        )

    def opportunity(self, lines: int) -> str:
        sf = self.org.app
        made = sf.org.create(  # in the org directly: setup, not measured
            "Opportunity",
            {
                "Name": f"Bench {lines} lines {time.monotonic_ns()}",
                "AccountId": self.catalogue["accounts"]["Harbour Pine Ltd"],
                "StageName": "Negotiation/Review",
                "CloseDate": "2026-11-21",
                "Pricebook2Id": self.catalogue["standard_pricebook_id"],
            },
        )
        for n in range(lines):
            entry = self.catalogue["pricebook_entries"][f"P{n:03d}"]
            sf.org.create(
                "OpportunityLineItem",
                {"OpportunityId": made, "PricebookEntryId": entry, "Quantity": 1, "UnitPrice": 10},
            )
        return str(made)

    def signed(self, opportunity_id: str) -> str:
        made = httpx.post(
            f"{self.org.base_url}/__admin/canvas/signed-request",
            json={"app": APP, "user": REP, "record": {"type": "Opportunity", "id": opportunity_id}},
            verify=self.tls,
        )
        made.raise_for_status()
        return str(made.json()["signed_request"])

    def counted(self, step: Any) -> tuple[int, int, Any]:
        """(Salesforce calls but the token endpoint, Unleashed calls, the step's answer)."""
        self.org.app.request_log.clear()
        self.unleashed.app.request_log.clear()
        answer = step()
        salesforce = dict(self.org.app.request_log.summary()["by_endpoint"])
        salesforce.pop(TOKEN_ENDPOINT, None)
        unleashed = self.unleashed.app.request_log.summary()["total"]
        return sum(salesforce.values()), int(unleashed), answer

    def page_load(self, signed: str) -> httpx.Response:
        answer = httpx.post(self.page_url, data={"signed_request": signed}, timeout=30)
        answer.raise_for_status()
        return answer


def measure(stack: LocalStack) -> dict[str, float]:
    bench = Bench(stack)
    bench.setup()
    figures: dict[str, float] = {}
    signed = {n: bench.signed(bench.opportunity(n)) for n in (1, 10, 100)}
    _, figures["unleashed_calls_per_page_load_cold"], _ = bench.counted(
        lambda: bench.page_load(signed[1])
    )
    for lines in (1, 10, 100):
        sf_calls, calls, _ = bench.counted(lambda s=signed[lines]: bench.page_load(s))
        figures[f"unleashed_calls_per_page_load_{lines}_lines"] = calls
        figures["salesforce_calls_per_page_load"] = sf_calls
    ttfb = []
    for _ in range(20):
        started = time.perf_counter()
        with httpx.stream("POST", bench.page_url, data={"signed_request": signed[10]}) as answer:
            ttfb.append((time.perf_counter() - started) * 1000)  # headers in: the first byte
            answer.read()
    figures["page_ttfb_ms_median"] = round(statistics.median(ttfb), 1)
    figures["page_ttfb_ms_p95"] = round(sorted(ttfb)[int(len(ttfb) * 0.95) - 1], 1)

    form = {
        "signed_request": signed[10],
        "action": "send",
        "customer_code": "HARBOUR",
        "warehouse_code": "MAIN",
        "tax_code": "GST",
    }

    def send() -> None:
        httpx.post(bench.page_url, data=form, timeout=30).raise_for_status()
        stack.drain(timeout=30)

    sf_calls, calls, _ = bench.counted(send)
    figures["salesforce_calls_per_order"] = sf_calls
    figures["unleashed_calls_per_order_new_customer"] = calls

    bench.unleashed.app.seed(
        {
            "products": [
                {
                    "ProductCode": f"B{n:05d}",
                    "ProductDescription": f"Bulk {n}",
                    "DefaultSellPrice": 1 + n % 97,
                }
                for n in range(PRODUCTS - 100)
            ]
        }
    )
    started = time.perf_counter()
    sf_calls, calls, report = bench.counted(
        lambda: stack.run_schedule("UnleashedPricebookSyncFunction")
    )
    figures["pricebook_10000_products_s"] = round(time.perf_counter() - started, 1)
    written = report["written"]
    if written["failed"] or written["products"] != PRODUCTS:
        raise RuntimeError(f"the price book import did not complete: {written}")
    figures["salesforce_calls_per_10000_products"] = sf_calls
    figures["unleashed_calls_per_10000_products"] = calls
    return figures


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-unleashed-") as state_dir:
        stack = LocalStack(
            ROOT / "template.yaml",
            sandboxes=["salesforce", "unleashed"],
            state_dir=Path(state_dir),
            time_scale=0.01,
        )
        with stack:
            figures = measure(stack)
    for name, value in sorted(figures.items()):
        print(f"  {name}: {value}")
    return {f"{KEY}.{name}": value for name, value in figures.items()}


if __name__ == "__main__":
    run()
