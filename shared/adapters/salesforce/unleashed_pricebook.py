"""The "Unleashed" price book in Salesforce (the flow's `PriceBook` port).

Calls, for N products written (each call counted in `api_calls`):
    1   SOQL: the standard book and the Unleashed book (+1 POST the first time: the book)
    per 1,000 products (5 sObject Collections of 200 inside ONE composite request, which
    Salesforce counts as one API call; 5 is the documented ceiling of collections per
    composite):
    1   upsert Product2 by Unleashed_Product_Code__c (answers each id and whether created)
    1   SOQL: the entries of the products that already existed (skipped on a first import)
    1   create the missing standard entries (a custom book's entry needs one first)
    1   create the Unleashed book's entries and update the changed ones (price, active)
So 10,000 new products cost 1 + 1 + 10 x 3 = 32 calls; one price change costs 5.

Why collections in composite rather than Bulk API 2.0: Bulk would need three jobs in a row
(products, then standard entries, then the book's entries, each created, uploaded, closed,
polled and read back: about 15-20 calls and minutes of asynchronous processing per run),
answers per-record errors as CSV, and suits millions of rows. The catalogue is thousands,
changes a few at a time, and the composite route answers each record synchronously in the
same run, at under 50 calls for 10,000.

Obsolete Unleashed products are deactivated (Product2 and both entries IsActive false), never
deleted: opportunities that used them keep their lines. Records are written `allOrNone`
false: one bad product is reported, the rest are written. A product whose code was changed
in Unleashed is refused (DUPLICATE_VALUE on the Guid, held by the product of the old code)
and reported: an operator renames the code in Salesforce too (rare; Unleashed discourages it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from simple_salesforce.api import Salesforce
from simple_salesforce.format import format_soql

from shared.adapters.salesforce.connection import Connection, next_page
from shared.adapters.salesforce.errors import call_translated
from shared.deadline import call_timeout
from shared.errors import PermanentError
from shared.flows.unleashed_order_push.models import PriceBookResult, UnleashedProduct
from shared.observability import shape_of, vendor_message

T = TypeVar("T")
TIMEOUT_SECONDS = 60.0
PER_COLLECTION = 200
COLLECTIONS_PER_COMPOSITE = 5
PER_ROUND = PER_COLLECTION * COLLECTIONS_PER_COMPOSITE
# Upserted by the code, not the Guid: a catalogue imported by hand (the vendor's connector
# needs one) has the codes and no Guids; matching by code adopts those products instead of
# failing each on the unique code. The Guid is written alongside.
MATCH_FIELD = "Unleashed_Product_Code__c"
BOOKS_SOQL = "SELECT Id, Name, IsStandard FROM Pricebook2 WHERE IsStandard = true OR Name = {}"
ENTRIES_SOQL = (
    "SELECT Id, Pricebook2Id, Product2Id, UnitPrice, IsActive FROM PricebookEntry "
    "WHERE Pricebook2Id IN {} AND Product2Id IN {}"
)


class UnleashedPriceBook:
    def __init__(
        self, connection: Connection, *, book_name: str, timeout: float = TIMEOUT_SECONDS
    ) -> None:
        self.connection = connection
        self.book_name = book_name
        self.timeout = timeout
        self.api = f"/services/data/v{connection.credentials.api_version}"
        self.api_calls = 0

    def write(self, products: list[UnleashedProduct]) -> PriceBookResult:
        result = PriceBookResult()
        if not products:
            return result
        standard, book = self._books()
        for start in range(0, len(products), PER_ROUND):
            self._round(products[start : start + PER_ROUND], standard, book, result)
        return result

    # -- one round of up to 1,000 products --------------------------------------------------

    def _round(
        self,
        products: list[UnleashedProduct],
        standard: str,
        book: str,
        result: PriceBookResult,
    ) -> None:
        ids = self._upsert_products(products, result)  # guid -> (Product2 id, created)
        existing = [pid for pid, created in ids.values() if not created]
        entries = self._entries([standard, book], existing) if existing else {}
        standard_new: list[dict[str, Any]] = []
        book_new: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for product in products:
            if product.guid not in ids:
                continue  # its upsert failed (reported)
            product_id = ids[product.guid][0]
            price, active = float(product.default_sell_price), not product.obsolete
            for book_id, creates in ((standard, standard_new), (book, book_new)):
                entry = entries.get((product_id, book_id))
                if entry is None:
                    creates.append(_entry(book_id, product_id, price, active, product.code))
                elif (
                    Decimal(str(entry["UnitPrice"])) != product.default_sell_price
                    or bool(entry["IsActive"]) != active
                ):
                    updates.append(
                        {
                            "attributes": {"type": "PricebookEntry", "ref": product.code},
                            "id": entry["Id"],
                            "UnitPrice": price,
                            "IsActive": active,
                        }
                    )
            result.deactivated += product.obsolete
        # The standard entries first, in their own call: Salesforce refuses a custom book's
        # entry for a product without an active standard price.
        result.entries_created += self._collections("POST", standard_new, result)
        done = self._collections("POST", book_new, result, updates=updates)
        result.entries_created += done - len(updates)
        result.entries_updated += len(updates)

    def _upsert_products(
        self, products: list[UnleashedProduct], result: PriceBookResult
    ) -> dict[str, tuple[str, bool]]:
        records = [
            {
                "attributes": {"type": "Product2"},
                MATCH_FIELD: product.code,
                "Unleashed_Product_Guid__c": product.guid,
                "Name": product.name[:255],
                "ProductCode": product.code,
                "IsActive": not product.obsolete,
            }
            for product in products
        ]
        url = f"{self.api}/composite/sobjects/Product2/{MATCH_FIELD}"
        answers = self._composite([("PATCH", url, chunk) for chunk in _chunks(records)])
        ids: dict[str, tuple[str, bool]] = {}
        for product, answer in zip(products, answers, strict=True):
            if answer.get("success"):
                ids[product.guid] = (str(answer["id"]), bool(answer.get("created")))
            else:
                result.failed.append(f"{product.code}: {_reason(answer)}")
        result.products += len(ids)
        result.products_created += sum(created for _, created in ids.values())
        return ids

    def _collections(
        self,
        method: str,
        creates: list[dict[str, Any]],
        result: PriceBookResult,
        *,
        updates: Sequence[dict[str, Any]] = (),
    ) -> int:
        """Create `creates` and update `updates` in one composite call; answers how many
        were written."""
        url = f"{self.api}/composite/sobjects"
        requests = [(method, url, chunk) for chunk in _chunks(creates)]
        requests += [("PATCH", url, chunk) for chunk in _chunks(list(updates))]
        if not requests:
            return 0
        records = [r for _, _, chunk in requests for r in chunk]
        written = 0
        for record, answer in zip(records, self._composite(requests), strict=True):
            if answer.get("success"):
                written += 1
            else:
                result.failed.append(f"{record['attributes']['ref']}: {_reason(answer)}")
        return written

    # -- the wire -----------------------------------------------------------------------------

    def _composite(
        self, requests: list[tuple[str, str, list[dict[str, Any]]]]
    ) -> list[dict[str, Any]]:
        """Each request a collection call; 5 of them a composite call. The SaveResults of
        every record, in order."""
        answers: list[dict[str, Any]] = []
        for start in range(0, len(requests), COLLECTIONS_PER_COMPOSITE):
            group = requests[start : start + COLLECTIONS_PER_COMPOSITE]
            body = {
                "allOrNone": False,
                "compositeRequest": [
                    {
                        "method": method,
                        "url": url,
                        "referenceId": f"c{n}",
                        "body": {
                            "allOrNone": False,
                            "records": [_wire(record) for record in chunk],
                        },
                    }
                    for n, (method, url, chunk) in enumerate(group)
                ],
            }
            data = json.dumps(body)
            timeout = call_timeout(self.timeout, "a Salesforce composite request")
            reply: Any = self._request(_post_composite(data, timeout))
            for (_, _, chunk), sub in zip(group, _subresponses(reply), strict=True):
                results = sub.get("body")
                if isinstance(results, list) and _save_results(results, len(chunk)):
                    answers += results
                else:  # the whole collection call was refused: its errors stand for each
                    answers += [{"success": False, "errors": _errors_of(results)}] * len(chunk)
        return answers

    def _books(self) -> tuple[str, str]:
        soql = format_soql(BOOKS_SOQL, self.book_name)
        timeout = call_timeout(self.timeout, "a Salesforce query")
        rows = self._request(lambda sf: sf.query(soql, timeout=timeout)).get("records") or []
        standard = next((r["Id"] for r in rows if r.get("IsStandard")), None)
        book = next((r["Id"] for r in rows if r.get("Name") == self.book_name), None)
        if standard is None:
            raise PermanentError("Salesforce has no standard price book (every org has one)")
        if book is None:
            data = json.dumps(
                {
                    "Name": self.book_name,
                    "IsActive": True,
                    "Description": "Unleashed products and default sell prices (salesbridge)",
                }
            )
            created: Any = self._request(
                lambda sf: sf.restful("sobjects/Pricebook2", method="POST", data=data)
            )
            book = str(created["id"])
        return str(standard), str(book)

    def _entries(
        self, books: list[str], product_ids: list[str]
    ) -> dict[tuple[str, str], dict[str, Any]]:
        soql = format_soql(ENTRIES_SOQL, books, product_ids)
        timeout = call_timeout(self.timeout, "a Salesforce query")
        page = self._request(lambda sf: sf.query(soql, timeout=timeout))
        rows = list(page.get("records") or [])
        while not page.get("done", True) and page.get("nextRecordsUrl"):
            page = self._request(next_page(page["nextRecordsUrl"], timeout))
            rows.extend(page.get("records") or [])
        return {(r["Product2Id"], r["Pricebook2Id"]): r for r in rows}

    def _request(self, operation: Callable[[Salesforce], T]) -> T:
        def counted(sf: Salesforce) -> T:
            self.api_calls += 1
            return operation(sf)

        return call_translated(self.connection, counted)


def _post_composite(data: str, timeout: float) -> Callable[[Salesforce], Any]:
    return lambda sf: sf.restful("composite", method="POST", data=data, timeout=timeout)


def _entry(book: str, product: str, price: float, active: bool, code: str) -> dict[str, Any]:
    return {
        "attributes": {"type": "PricebookEntry", "ref": code},
        "Pricebook2Id": book,
        "Product2Id": product,
        "UnitPrice": price,
        "IsActive": active,
    }


def _wire(record: dict[str, Any]) -> dict[str, Any]:
    """The record without our bookkeeping (`attributes.ref` names it in failures)."""
    return {**record, "attributes": {"type": record["attributes"]["type"]}}


def _chunks(records: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(records), PER_COLLECTION):
        yield records[start : start + PER_COLLECTION]


def _subresponses(reply: Any) -> list[dict[str, Any]]:
    if not isinstance(reply, dict) or not isinstance(reply.get("compositeResponse"), list):
        raise PermanentError(f"Salesforce answered a composite request with {shape_of(reply)}")
    return list(reply["compositeResponse"])


def _save_results(body: Any, expected: int) -> bool:
    return (
        isinstance(body, list)
        and len(body) == expected
        and all(isinstance(answer, dict) and "success" in answer for answer in body)
    )


def _errors_of(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, list):
        return [e for e in body if isinstance(e, dict)]
    return [{"message": "no answer"}]


def _reason(answer: dict[str, Any]) -> str:
    errors = answer.get("errors") or []
    if not errors:
        return "refused without a reason"
    first = errors[0]
    code = first.get("statusCode") or first.get("errorCode") or "ERROR"
    return f"{code}: {vendor_message(str(first.get('message', '')))}"
