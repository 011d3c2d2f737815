"""The price book sync: Unleashed products and default sell prices kept in the "Unleashed"
price book in Salesforce, so the rep builds the opportunity from what Unleashed sells.

Every run (EventBridge schedule; on demand with `ops` or the console's "run now"):
1. asks Unleashed for products modified since the watermark, obsolete ones included (one
   request a page of 1000); the first run, with no watermark, imports the whole catalogue;
2. hands them to the price book (Product2 upserted by the Unleashed Guid, the standard entry
   then the Unleashed book's entry at the default sell price, obsolete products deactivated);
3. moves the watermark to the newest `LastModifiedOn` seen minus an overlap (Unleashed's
   clock, as the status poll), only when every product was written: a product Salesforce
   refused is read again next run (writes are upserts, so repeating is harmless).
The spent Unleashed quota ends the run quietly; the next run after the reset catches up.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.cursors import Cursor, CursorRepository
from shared.errors import BudgetExhausted
from shared.flows.unleashed_order_push.models import PriceBookResult
from shared.flows.unleashed_order_push.ports import PriceBook, ProductFeed

WATERMARK = "unleashed.product.modified_since"
OVERLAP = timedelta(minutes=5)


@dataclass
class PriceBookReport:
    quota_spent: bool = False
    read: int = 0
    written: PriceBookResult = field(default_factory=PriceBookResult)
    watermark: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PriceBookSync:
    unleashed: ProductFeed
    salesforce: PriceBook
    cursors: CursorRepository

    def run(self) -> PriceBookReport:
        report = PriceBookReport()
        cursor = self.cursors.get(WATERMARK) or Cursor(name=WATERMARK, value="")
        since = datetime.fromisoformat(cursor.value) if cursor.value else None
        report.watermark = cursor.value
        try:
            products = self.unleashed.products_modified_since(since)
        except BudgetExhausted:
            report.quota_spent = True
            return report
        report.read = len(products)
        report.written = self.salesforce.write(products)
        newest = max((p.modified for p in products if p.modified), default=None)
        if newest is None or report.written.failed:
            return report
        moved = newest - OVERLAP if since is None else max(since, newest - OVERLAP)
        if moved != since:
            self.cursors.advance(cursor, moved.astimezone(UTC).isoformat())
            report.watermark = moved.astimezone(UTC).isoformat()
        return report
