"""The price book sync against the Unleashed and Salesforce sandboxes, over loopback TLS:
1,000 products imported in counted calls, a price change reaching its entry, an obsolete
product deactivated (not deleted). The 10,000-product import is measured in the bench."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from typing import Any, cast

import httpx
import pytest
from simple_salesforce import Salesforce

from sandboxes.common import LocalCA, SandboxServer
from sandboxes.salesforce import SalesforceSandbox
from sandboxes.unleashed import UnleashedSandbox
from shared.adapters.salesforce.connection import connection_from_secret
from shared.adapters.salesforce.unleashed_pricebook import UnleashedPriceBook
from shared.adapters.unleashed.account import UnleashedOrders
from shared.adapters.unleashed.client import UnleashedAuth, UnleashedClient, UnleashedCredentials
from shared.cursors import Cursor
from shared.flows.unleashed_order_push.pricebook import PriceBookSync
from tests.sandbox_server import SandboxStarter

PRODUCTS = 1000


class Cursors:
    def __init__(self) -> None:
        self.cursors: dict[str, Cursor] = {}

    def get(self, name: str) -> Cursor | None:
        return self.cursors.get(name)

    def advance(self, cursor: Cursor, value: str, detail: dict[str, str] | None = None) -> Cursor:
        moved = cursor.model_copy(update={"value": value, "revision": cursor.revision + 1})
        self.cursors[cursor.name] = moved
        return moved


@pytest.fixture(scope="module")
def unleashed(sandbox_server: SandboxStarter) -> Iterator[tuple[UnleashedSandbox, str]]:
    with sandbox_server(UnleashedSandbox) as running:
        yield running.app, running.server.base_url


def unleashed_client(app: UnleashedSandbox, base_url: str, ca: LocalCA) -> UnleashedClient:
    credentials = UnleashedCredentials.model_validate(app.connection(base_url))
    http = httpx.Client(
        base_url=base_url,
        auth=UnleashedAuth(credentials),
        headers={"Accept": "application/json", "client-type": credentials.client_type},
        verify=ssl.create_default_context(cafile=str(ca.bundle_path)),
    )
    return UnleashedClient(credentials, http=http)


def catalogue(count: int) -> list[dict[str, Any]]:
    return [
        {"ProductCode": f"P{n:05d}", "ProductDescription": f"Part {n}", "DefaultSellPrice": 10 + n}
        for n in range(count)
    ]


def test_products_and_prices_reach_the_unleashed_price_book_and_obsolete_ones_are_deactivated(
    unleashed: tuple[UnleashedSandbox, str], salesforce: SandboxServer, ca: LocalCA
) -> None:
    app, base_url = unleashed
    org = cast(SalesforceSandbox, salesforce.app)
    app.configure({"now": "2026-11-20T09:00:00Z"})
    app.seed({"products": catalogue(PRODUCTS)})
    # A product the vendor's connector's manual import left: the code, no Guid, a standard price.
    org.seed({"products": [{"Name": "Part 3", "Unleashed_Product_Code__c": "P00003", "price": 9}]})
    client = unleashed_client(app, base_url, ca)
    connection = connection_from_secret(org.connection(salesforce.base_url), str(ca.bundle_path))
    book = UnleashedPriceBook(connection, book_name="Unleashed")
    cursors = Cursors()
    sync = PriceBookSync(unleashed=UnleashedOrders(client), salesforce=book, cursors=cursors)

    first = sync.run()

    assert (first.read, first.written.products_created, first.written.entries_created) == (
        PRODUCTS,
        PRODUCTS - 1,  # P00003 adopted, not duplicated
        2 * PRODUCTS - 1,  # its standard entry kept (and its price updated)
    )
    assert first.written.entries_updated == 1
    assert first.written.failed == []
    assert client.api_calls == 1  # one page of 1000
    # the books (1) + the Unleashed book made (1) + products (1), the adopted product's
    # entries (1), standard entries (1), book entries (1) + its price update (a 6th
    # collection: a second composite call)
    assert book.api_calls == 7
    sf: Salesforce = connection.call(lambda c: c)
    entry = sf.query(
        "SELECT UnitPrice, IsActive, Product2.Unleashed_Product_Guid__c FROM PricebookEntry "
        "WHERE Pricebook2.Name = 'Unleashed' AND Product2.Unleashed_Product_Code__c = 'P00007'"
    )["records"]
    assert [(e["UnitPrice"], e["IsActive"]) for e in entry] == [(17.0, True)]

    # An hour later in Unleashed: one price changes, one product is made obsolete.
    app.configure({"now": "2026-11-20T10:00:00Z"})
    app.seed(
        {
            "products": [
                {"ProductCode": "P00007", "ProductDescription": "Part 7", "DefaultSellPrice": 19.5},
                {"ProductCode": "P00008", "ProductDescription": "Part 8", "Obsolete": True},
            ]
        }
    )
    client.api_calls = book.api_calls = 0

    second = sync.run()

    # The watermark sits OVERLAP before the import's newest change, so this run reads the
    # import again (one Unleashed page) and writes only what changed.
    assert second.read == PRODUCTS and second.written.failed == []
    assert (second.written.products_created, second.written.entries_created) == (0, 0)
    assert (second.written.entries_updated, second.written.deactivated) == (4, 1)
    assert client.api_calls == 1
    assert book.api_calls == 4  # the books, products upsert, their entries, the updates
    rows = sf.query(
        "SELECT UnitPrice, IsActive, Pricebook2.Name, Product2.Unleashed_Product_Code__c, "
        "Product2.IsActive FROM PricebookEntry "
        "WHERE Product2.Unleashed_Product_Code__c IN ('P00007', 'P00008')"
    )["records"]
    seen = {
        (r["Product2"]["Unleashed_Product_Code__c"], r["Pricebook2"]["Name"]): (
            r["UnitPrice"],
            r["IsActive"],
            r["Product2"]["IsActive"],
        )
        for r in rows
    }
    assert seen[("P00007", "Unleashed")] == (19.5, True, True)
    assert seen[("P00008", "Unleashed")] == (18.0, False, False)  # still there, inactive
    assert len(seen) == 4  # nothing deleted
    adopted = sf.query(
        "SELECT Unleashed_Product_Guid__c, (SELECT UnitPrice FROM PricebookEntries) FROM Product2 "
        "WHERE Unleashed_Product_Code__c = 'P00003'"
    )["records"]
    assert len(adopted) == 1 and adopted[0]["Unleashed_Product_Guid__c"]
    assert sorted(e["UnitPrice"] for e in adopted[0]["PricebookEntries"]["records"]) == [13, 13]

    third = sync.run()  # only the two changes are inside the overlap now: nothing to write
    assert third.read == 2
    assert third.written.entries_updated == 0 and third.written.entries_created == 0
