"""NetSuite item lines -> opportunity lines: discounts as percentages, skipped items."""

from __future__ import annotations

from decimal import Decimal

from shared.flows.netsuite_orders_to_salesforce.lines import order_lines
from tests.unit.orders import line, order


def test_item_lines_become_product_lines_with_their_price() -> None:
    result = order_lines(
        order([line(1, "501", 2, 249.0), line(2, "503", 3, 159.0)]), sync_zero_quantity=False
    )
    assert [(p.item_id, p.quantity, p.unit_price) for p in result.products] == [
        ("501", Decimal("2"), Decimal("249.0")),
        ("503", Decimal("3"), Decimal("159.0")),
    ]
    assert all(p.discount_percent == 0 for p in result.products)


def test_a_discount_line_applies_to_the_line_above_as_a_percentage() -> None:
    result = order_lines(
        order(
            [
                line(1, "501", 2, 249.0),
                line(2, "LOYAL", None, -10.0, kind="Discount", amount=-49.8),
                line(3, "503", 1, 159.0),
            ]
        ),
        sync_zero_quantity=False,
    )
    first, second = result.products
    assert first.discount_percent == Decimal("10.00")
    assert second.discount_percent == 0
    assert result.salesforce_total == result.netsuite_net_total == Decimal("607.20")


def test_a_discount_after_a_subtotal_spreads_over_the_subtotalled_lines() -> None:
    result = order_lines(
        order(
            [
                line(1, "501", 1, 100.0),
                line(2, "503", 1, 300.0),
                line(3, "SUB", None, None, kind="Subtotal", amount=400.0),
                line(4, "LOYAL", None, None, kind="Discount", amount=-40.0),
                line(5, "505", 1, 59.0),
            ]
        ),
        sync_zero_quantity=False,
    )
    assert [p.discount_percent for p in result.products] == [
        Decimal("10.00"),
        Decimal("10.00"),
        Decimal("0"),
    ]
    assert [s.reason for s in result.skipped] == ["subtotal items are not synced"]


def test_the_header_discount_applies_to_every_line_after_line_discounts() -> None:
    result = order_lines(
        order(
            [
                line(1, "501", 1, 200.0),
                line(2, "X", None, None, kind="Discount", amount=-20.0),
                line(3, "503", 1, 100.0),
            ],
            discountItem={"id": "9", "refName": "Header 5%"},
            discountTotal=-14.0,
        ),
        sync_zero_quantity=False,
    )
    first, second = result.products
    # line 1: 20 + 5% of 180 = 29 off 200 = 14.5 %; line 2: 5 off 100 = 5 %
    assert (first.discount_percent, second.discount_percent) == (Decimal("14.50"), Decimal("5.00"))
    assert result.salesforce_total == Decimal("266.00")


def test_percentages_are_rounded_half_up_to_two_decimals() -> None:
    result = order_lines(
        order(
            [
                line(1, "501", 3, 33.33),
                line(2, "X", None, None, kind="Discount", amount=-1.0),
            ]
        ),
        sync_zero_quantity=False,
    )
    [product] = result.products
    assert product.discount_percent == Decimal("1.00")  # 1 / 99.99 = 1.0001 %
    assert result.netsuite_net_total - result.salesforce_total == Decimal("0.00")


def test_subtotal_description_and_markup_lines_are_skipped_with_a_reason() -> None:
    result = order_lines(
        order(
            [
                line(1, "501", 1, 10.0),
                line(2, "DESC", None, None, kind="Description", description="Gift wrap all"),
                line(3, "SUB", None, None, kind="Subtotal", amount=10.0),
                line(4, "UP", None, None, kind="Markup", amount=2.0),
            ]
        ),
        sync_zero_quantity=False,
    )
    assert [(s.line, s.reason) for s in result.skipped] == [
        (2, "description items are not synced"),
        (3, "subtotal items are not synced"),
        (4, "markup lines cannot be a Salesforce discount"),
    ]


def test_zero_quantity_lines_follow_the_setting() -> None:
    lines = [line(1, "501", 0, 249.0), line(2, "503", 1, 159.0)]
    off = order_lines(order(lines), sync_zero_quantity=False)
    assert [p.item_id for p in off.products] == ["503"]
    assert off.skipped[0].reason.startswith("zero quantity")
    on = order_lines(order(lines), sync_zero_quantity=True)
    assert [(p.item_id, p.quantity) for p in on.products] == [("501", 0), ("503", 1)]


def test_a_discount_larger_than_its_line_is_capped_at_100_percent() -> None:
    result = order_lines(
        order([line(1, "501", 1, 10.0), line(2, "X", None, None, kind="Discount", amount=-15.0)]),
        sync_zero_quantity=False,
    )
    assert result.products[0].discount_percent == Decimal("100")
