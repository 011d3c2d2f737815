"""Which order versions sync: the seed's switches, the qualification criteria, stale versions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from shared.flows.netsuite_orders_to_salesforce.decide import Verdict, decide
from shared.flows.netsuite_orders_to_salesforce.facts import order_facts
from shared.flows.netsuite_orders_to_salesforce.settings import Criterion, NetsuiteOrdersSettings
from shared.links import Link
from tests.unit.orders import order

SYNCED = Link(
    source_key="netsuite:salesorder:4711",
    target="salesforce:Opportunity",
    target_id="006000000000001AAA",
    synced_version="2026-11-22T09:00:00Z",
    revision=1,
)


def verdict(sales_order=None, link=None, **settings):  # type: ignore[no-untyped-def]
    config = NetsuiteOrdersSettings.model_validate(settings)
    so = sales_order if sales_order is not None else order()
    return decide(so, order_facts(so, config), link=link, settings=config)


def test_a_new_flagged_order_syncs() -> None:
    assert verdict().verdict is Verdict.SYNC


def test_a_new_order_without_the_send_flag_is_skipped_with_the_reason() -> None:
    decision = verdict(order(custbody_sb_send_to_salesforce=False))
    assert (
        decision.verdict is Verdict.SKIP
        and "Send Order as Salesforce Opportunity" in decision.reason
    )
    assert (
        verdict(
            order(custbody_sb_send_to_salesforce=False), require_send_to_salesforce_flag=False
        ).verdict
        is Verdict.SYNC
    )


def test_updates_follow_sync_updates_for_netsuite_originated_orders() -> None:
    assert verdict(link=SYNCED).verdict is Verdict.SYNC
    off = verdict(link=SYNCED, sync_updates_netsuite_originated=False)
    assert off.verdict is Verdict.SKIP and "NetSuite Originated" in off.reason


def test_salesforce_originated_updates_follow_their_own_switch() -> None:
    so = order(custbody_sb_origin="Salesforce")
    assert verdict(so, link=SYNCED).verdict is Verdict.SKIP
    assert verdict(so, link=SYNCED, sync_salesforce_originated=True).verdict is Verdict.SYNC


def test_a_version_older_than_the_synced_one_is_stale() -> None:
    old = order(lastModifiedDate="2026-11-22T08:59:59Z")
    decision = verdict(old, link=SYNCED)
    assert decision.verdict is Verdict.SKIP and "not newer" in decision.reason


def test_the_same_version_goes_on_to_the_content_hash_when_the_link_has_one() -> None:
    """Issue 8, item 4: two saves in one second share a version; the second must sync."""
    same = order(lastModifiedDate="2026-11-22T09:00:00Z")
    hashed = SYNCED.model_copy(update={"fields_hash": "digest-of-what-was-synced"})
    assert verdict(same, link=hashed).verdict is Verdict.SYNC
    unhashed = SYNCED.model_copy(update={"fields_hash": None})  # an export's own echo
    decision = verdict(same, link=unhashed)
    assert decision.verdict is Verdict.SKIP and "not newer" in decision.reason


def test_a_deleted_order_closes_its_opportunity_or_is_ignored() -> None:
    config = NetsuiteOrdersSettings()
    assert decide(None, {}, link=SYNCED, settings=config).verdict is Verdict.CLOSE
    assert decide(None, {}, link=None, settings=config).verdict is Verdict.SKIP


def test_qualification_criteria_replace_the_switches() -> None:
    criteria = {
        "match": "all",
        "rules": [
            {"fact": "total", "op": "gte", "value": 1000},
            {"fact": "status", "op": "not_in", "value": ["Pending Approval"]},
        ],
    }
    big = order(total=1500, custbody_sb_send_to_salesforce=False)
    small = order(total=99)
    assert verdict(big, qualification=criteria).verdict is Verdict.SYNC
    assert verdict(small, qualification=criteria).verdict is Verdict.SKIP
    any_rule = {
        "match": "any",
        "rules": [
            {"fact": "custbody_region", "op": "eq", "value": "EU"},
            {"fact": "memo", "op": "contains", "value": "RESTOCK"},
        ],
    }
    assert verdict(order(), qualification=any_rule).verdict is Verdict.SYNC


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"fact": "colour", "op": "eq", "value": "red"}, "unknown order fact"),
        ({"fact": "total", "op": "in", "value": 5}, "needs a list"),
        ({"fact": "memo", "op": "empty", "value": "x"}, "takes no value"),
        ({"fact": "memo", "op": "eq"}, "needs a value"),
        ({"fact": "total", "op": "approx", "value": 1}, "Input should be"),
    ],
)
def test_bad_criteria_fail_when_the_settings_load(rule: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        NetsuiteOrdersSettings.model_validate({"qualification": {"rules": [rule]}})


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (
            {"Name": "{customer_name}", "CloseDate": "{tran_date}", "StageName": "{colour}"},
            "unknown placeholder",
        ),
        (
            {
                "Name": "{customer_name}",
                "CloseDate": "{tran_date}",
                "StageName": "x",
                "AccountId": "{customer_id}",
            },
            "set by salesbridge",
        ),
        ({"Name": "{customer_name}", "StageName": "x"}, "must map CloseDate"),
        ({"Name": "{customer_name", "CloseDate": "{tran_date}", "StageName": "x"}, "bad template"),
        ({"Bad Field": "x", "Name": "n", "CloseDate": "d", "StageName": "s"}, "API name"),
    ],
)
def test_bad_mappings_fail_when_the_settings_load(mapping: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        NetsuiteOrdersSettings.model_validate({"opportunity_fields": mapping})


# --- typed criteria (issue 7, defect 8) -----------------------------------------------------


def criterion(**rule: object) -> Criterion:
    return NetsuiteOrdersSettings.model_validate(
        {"qualification": {"rules": [rule]}}
    ).qualification.rules[0]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("rule", "field", "reason"),
    [
        ({"fact": "total", "op": "gte", "value": "1,000"}, "value", "not a money"),
        ({"fact": "total", "op": "gte", "value": "1_000"}, "value", "not a money"),
        ({"fact": "total", "op": "gte", "value": "+5"}, "value", "not a money"),
        ({"fact": "total", "op": "gte", "value": "$5"}, "value", "not a money"),
        ({"fact": "total", "op": "gte", "value": True}, "value", "not a money"),
        ({"fact": "total", "op": "contains", "value": "1"}, "value", "does not apply"),
        ({"fact": "tran_date", "op": "gte", "value": "22/11/2026"}, "value", "YYYY-MM-DD"),
        ({"fact": "tran_date", "op": "gte", "value": "2026-02-30"}, "value", "YYYY-MM-DD"),
        ({"fact": "send_to_salesforce", "op": "eq", "value": "yes"}, "value", "boolean"),
        ({"fact": "memo", "op": "gt", "value": "a"}, "value", "does not apply"),
        ({"fact": "memo", "op": "eq", "value": 5}, "value", "not text"),
        ({"fact": "origin", "op": "eq", "value": "Shopify"}, "value", "not a value of origin"),
        ({"fact": "total", "op": "in", "value": []}, "value", "needs a list"),
        ({"fact": "total", "op": "in", "value": [1, "2,5"]}, "value", "not a money"),
        ({"fact": "total", "op": "eq", "type": "text", "value": "5"}, "type", "money fact"),
    ],
)
def test_a_criterion_value_is_parsed_as_its_facts_type(
    rule: dict[str, object], field: str, reason: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        criterion(**rule)
    [error] = caught.value.errors()
    assert error["loc"] == ("qualification", "rules", 0, field)
    assert reason in error["msg"]


def test_money_compares_as_money_not_as_text() -> None:
    rule = criterion(fact="total", op="gte", value="1000")
    assert rule.value == Decimal("1000")
    assert not rule.holds("500.00")  # as text, "500.00" >= "1000" would hold
    assert rule.holds(Decimal("1000.00")) and rule.holds(1500) and not rule.holds(None)


def test_dates_booleans_and_custom_facts_compare_as_their_types() -> None:
    assert criterion(fact="tran_date", op="lt", value="2026-12-01").holds("2026-11-22")
    assert not criterion(fact="tran_date", op="lt", value="2026-12-01").holds("2026-12-01")
    assert criterion(fact="send_to_salesforce", op="eq", value=False).holds(False)
    weight = criterion(fact="custbody_weight", op="gt", type="number", value=10)
    assert weight.holds("10.5") and not weight.holds("9") and not weight.holds("heavy")
    assert criterion(fact="custbody_region", op="in", value=["EU", "UK"]).holds("UK")
    assert criterion(fact="status", op="not_in", value=["Closed"]).holds("Billed")
