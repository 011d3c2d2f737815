"""NetSuite item lines -> opportunity lines, with discounts as a percentage (seed 002).

NetSuite semantics (as NetSuite computes them on save):
- a Discount line applies to the line just above it; when that line is a Subtotal, to every
  item line the subtotal sums (since the previous subtotal);
- the header discount (`discountItem` / `discountTotal`) applies to the whole order, after
  line discounts;
- Subtotal and Description lines carry no product: they are skipped, as the seed says, and
  recorded on the job; Markup lines cannot be expressed as a Salesforce discount (0-100 %)
  and are skipped with that reason.

Each opportunity line gets `Discount = round_half_up(100 x discount amount / (quantity x
rate), 2)`: Salesforce keeps two decimals of a percentage, so a line's total can differ from
NetSuite's by at most half a hundredth of a percent of the line; the job records both totals.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from shared.netsuite_records import SalesOrder, SalesOrderLine

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class SkippedLine:
    line: int
    item: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "item": self.item, "reason": self.reason}


@dataclass(frozen=True)
class ProductLine:
    line: int
    item_id: str
    item_name: str
    quantity: Decimal
    unit_price: Decimal
    discount_amount: Decimal  # positive money taken off this line
    description: str | None
    price_level: str | None

    @property
    def gross(self) -> Decimal:
        return self.quantity * self.unit_price

    @property
    def discount_percent(self) -> Decimal:
        if self.gross <= 0:
            return Decimal(0)
        percent = (self.discount_amount * HUNDRED / self.gross).quantize(CENT, ROUND_HALF_UP)
        return min(max(percent, Decimal(0)), HUNDRED)

    @property
    def salesforce_total(self) -> Decimal:
        kept = (HUNDRED - self.discount_percent) / HUNDRED
        return (self.gross * kept).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class OrderLines:
    products: tuple[ProductLine, ...]
    skipped: tuple[SkippedLine, ...]

    @property
    def netsuite_net_total(self) -> Decimal:
        return sum((p.gross - p.discount_amount for p in self.products), Decimal(0))

    @property
    def salesforce_total(self) -> Decimal:
        return sum((p.salesforce_total for p in self.products), Decimal(0))


def order_lines(order: SalesOrder, *, sync_zero_quantity: bool) -> OrderLines:
    products: list[ProductLine] = []
    skipped: list[SkippedLine] = []
    since_subtotal: list[int] = []  # indexes into products summed by the next subtotal
    previous: tuple[str, list[int]] | None = None  # what a discount line would apply to
    for line in order.lines:
        name = line.item.name or line.item.id
        if line.item_type == "Discount":
            targets = previous[1] if previous else list(range(len(products)))
            _apply_discount(products, targets, -(line.amount or Decimal(0)))
            continue
        if line.item_type == "Subtotal":
            skipped.append(SkippedLine(line.line, name, "subtotal items are not synced"))
            previous = ("subtotal", since_subtotal)
            since_subtotal = []
            continue
        if line.item_type in ("Description", "EndGroup"):
            skipped.append(SkippedLine(line.line, name, "description items are not synced"))
            continue
        if line.item_type == "Markup":
            skipped.append(
                SkippedLine(line.line, name, "markup lines cannot be a Salesforce discount")
            )
            continue
        quantity = line.quantity or Decimal(0)
        if quantity == 0 and not sync_zero_quantity:
            skipped.append(
                SkippedLine(line.line, name, "zero quantity (sync_zero_quantity_lines is off)")
            )
            previous = None
            continue
        products.append(_product(line, quantity))
        since_subtotal.append(len(products) - 1)
        previous = ("item", [len(products) - 1])
    header = -(order.discount_total or Decimal(0)) if order.discount_item else Decimal(0)
    _apply_discount(products, list(range(len(products))), header, after_line_discounts=True)
    return OrderLines(tuple(products), tuple(skipped))


def _product(line: SalesOrderLine, quantity: Decimal) -> ProductLine:
    rate = line.rate
    if rate is None:
        rate = (line.amount or Decimal(0)) / quantity if quantity else Decimal(0)
    return ProductLine(
        line=line.line,
        item_id=line.item.id,
        item_name=line.item.name or line.item.id,
        quantity=quantity,
        unit_price=rate,
        discount_amount=Decimal(0),
        description=line.description,
        price_level=line.price_level.id if line.price_level else None,
    )


def _apply_discount(
    products: list[ProductLine],
    targets: list[int],
    amount: Decimal,
    *,
    after_line_discounts: bool = False,
) -> None:
    """Spread a discount `amount` (positive money) over `targets`, pro rata to their value."""
    if amount == 0 or not targets:
        return

    def base(p: ProductLine) -> Decimal:
        return p.gross - p.discount_amount if after_line_discounts else p.gross

    total = sum((base(products[i]) for i in targets), Decimal(0))
    if total <= 0:
        return
    for i in targets:
        share = amount * base(products[i]) / total
        products[i] = replace(products[i], discount_amount=products[i].discount_amount + share)
