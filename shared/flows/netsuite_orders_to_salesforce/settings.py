"""This flow's section of the settings document (`netsuite_orders_to_salesforce`): which
NetSuite orders sync, and how they map onto opportunities, accounts and price books.

The defaults are the behaviour users know from the market-leading connectors (see
../shared/seeds), so an empty section is a working one. Criteria and templates are checked when
the settings load: a typo is refused with its field and reason, never silently ignored.
"""

from __future__ import annotations

import re
import string
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, cast

from pydantic import (
    Field,
    HttpUrl,
    ValidationInfo,
    field_validator,
    model_validator,
)

from shared.section import FlowSettings, Section

# Facts about a NetSuite sales order that criteria and templates may use (plus custbody_*).
ORDER_FACTS = frozenset(
    {
        "id",
        "tran_id",
        "tran_date",
        "status",
        "order_status",
        "total",
        "subtotal",
        "currency",
        "memo",
        "other_ref_num",
        "customer_id",
        "customer_name",
        "origin",
        "send_to_salesforce",
        "stage",
    }
)  # each has its type in ORDER_FACT_TYPES, below
# Facts about a NetSuite customer that the customer-to-account mapping may use.
CUSTOMER_FACTS = frozenset(
    {
        "id",
        "entity_id",
        "company_name",
        "email",
        "phone",
        "url",
        "billing_street",
        "billing_city",
        "billing_state",
        "billing_postcode",
        "billing_country",
        "shipping_street",
        "shipping_city",
        "shipping_state",
        "shipping_postcode",
        "shipping_country",
    }
)
# Fields salesbridge sets itself; a mapping may not overwrite them.
RESERVED_OPPORTUNITY_FIELDS = frozenset(
    {
        "AccountId",
        "Pricebook2Id",
        "Amount",
        "NetSuite_Id__c",
        "NetSuite_Order_Number__c",
        "NetSuite_Originated_Order__c",
        "NetSuite_Order_Record__c",
        "NetSuite_Order_Status__c",
        "NetSuite_Version__c",
        "Skip_Export_to_NetSuite__c",
        "Salesforce_Originated_Order__c",
    }
)
_API_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_CUSTOM_FACT = re.compile(r"^custbody_[a-z0-9_]+$")


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _check_mapping(
    mapping: dict[str, str], facts: frozenset[str], reserved: frozenset[str]
) -> None:
    for field, template in mapping.items():
        if not _API_NAME.match(field):
            raise ValueError(f"{field!r} is not a Salesforce field API name")
        if field in reserved:
            raise ValueError(f"{field} is set by salesbridge itself and cannot be mapped")
        try:
            names = _placeholders(template)
        except ValueError as exc:
            raise ValueError(f"{field}: bad template {template!r}: {exc}") from None
        unknown = sorted(n for n in names if n not in facts and not _CUSTOM_FACT.match(n))
        if unknown:
            raise ValueError(
                f"{field}: unknown placeholder(s) {unknown}; known: {sorted(facts)} "
                "and custbody_* fields"
            )


FactType = Literal["money", "number", "date", "text", "picklist", "boolean"]
# Every order fact has a type: a criterion's value is parsed as that type when the settings
# load (so "1,000" is refused there, not compared as text later), and so is the order's fact
# when it is compared. `custbody_*` facts are text unless the criterion says `"type"`.
ORDER_FACT_TYPES: dict[str, FactType] = {
    "id": "number",
    "tran_id": "text",
    "tran_date": "date",
    "status": "picklist",
    "order_status": "picklist",
    "total": "money",
    "subtotal": "money",
    "currency": "picklist",
    "memo": "text",
    "other_ref_num": "text",
    "customer_id": "number",
    "customer_name": "text",
    "origin": "picklist",
    "send_to_salesforce": "boolean",
    "stage": "picklist",
}
# Picklists whose values salesbridge itself defines; the others are the account's own.
PICKLIST_VALUES: dict[str, frozenset[str]] = {"origin": frozenset({"NetSuite", "Salesforce"})}
OPS_BY_TYPE: dict[FactType, frozenset[str]] = {
    "money": frozenset({"eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte"}),
    "number": frozenset({"eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte"}),
    "date": frozenset({"eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte"}),
    "text": frozenset({"eq", "ne", "in", "not_in", "contains"}),
    "picklist": frozenset({"eq", "ne", "in", "not_in"}),
    "boolean": frozenset({"eq", "ne"}),
}
# A plain decimal: no thousands separators, currency signs, exponents, `+` or `_`.
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TypedValue = Decimal | date | bool | str


def parse_typed(kind: FactType, raw: object, fact: str) -> TypedValue:
    """A criterion value as its fact's type, or ValueError saying what was expected."""
    match kind:
        case "money" | "number":
            if isinstance(raw, int | float) and not isinstance(raw, bool):
                text = str(raw)
                if not _DECIMAL.fullmatch(text):  # nan, inf, 1e+20
                    raise ValueError(f"{raw!r} is not a plain {kind} for {fact}")
                return Decimal(text)
            if isinstance(raw, str) and _DECIMAL.fullmatch(raw):
                return Decimal(raw)
            raise ValueError(
                f"{raw!r} is not a {kind} for {fact}: write a plain number such as 1000 or "
                "1000.50 (no thousands separators, currency signs, '+' or '_')"
            )
        case "date":
            if isinstance(raw, str) and _ISO_DATE.fullmatch(raw):
                try:
                    return date.fromisoformat(raw)
                except ValueError:
                    pass
            raise ValueError(f"{raw!r} is not a date for {fact}: write YYYY-MM-DD")
        case "boolean":
            if isinstance(raw, bool):
                return raw
            raise ValueError(f"{raw!r} is not a boolean for {fact}: write true or false")
        case _:
            if not isinstance(raw, str):
                raise ValueError(f"{raw!r} is not text for {fact}: quote it")
            allowed = PICKLIST_VALUES.get(fact)
            if allowed is not None and raw not in allowed:
                raise ValueError(f"{raw!r} is not a value of {fact}; known: {sorted(allowed)}")
            return raw


def _as_type(kind: FactType, actual: object) -> TypedValue | None:
    """An order's fact as the criterion's type; None when absent or not of that type."""
    if actual is None:
        return None
    try:
        match kind:
            case "money" | "number":
                return None if isinstance(actual, bool) else Decimal(str(actual))
            case "date":
                if isinstance(actual, date):
                    return actual
                return date.fromisoformat(str(actual)[:10])
            case "boolean":
                return actual if isinstance(actual, bool) else str(actual) in ("T", "true")
            case _:
                return str(actual)
    except (ArithmeticError, ValueError):
        return None


class Criterion(Section):
    """One test on an order fact, e.g. {"fact": "total", "op": "gte", "value": 1000}."""

    fact: str
    op: Literal[
        "eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "contains", "empty", "not_empty"
    ]
    # Only for custbody_* facts (text by default); a known fact's type is fixed.
    type: FactType | None = None
    # Parsed as the fact's type when the settings load: Decimal, date, bool or str, or a
    # tuple of them for in / not_in.
    value: Any = Field(None, validate_default=True)

    @field_validator("fact")
    @classmethod
    def _known_fact(cls, fact: str) -> str:
        if fact not in ORDER_FACTS and not _CUSTOM_FACT.match(fact):
            raise ValueError(f"unknown order fact {fact!r}; known: {sorted(ORDER_FACTS)}")
        return fact

    @field_validator("type")
    @classmethod
    def _type_only_for_custom_facts(cls, kind: FactType | None, info: ValidationInfo) -> Any:
        fact = info.data.get("fact")
        if kind is not None and fact in ORDER_FACT_TYPES and ORDER_FACT_TYPES[fact] != kind:
            raise ValueError(f"{fact} is a {ORDER_FACT_TYPES[fact]} fact")
        return kind

    @field_validator("value")
    @classmethod
    def _value_of_the_fact_type(cls, raw: Any, info: ValidationInfo) -> Any:
        fact, op = info.data.get("fact"), info.data.get("op")
        if fact is None or op is None or "type" not in info.data:
            return raw  # the fact, op or type is refused already
        kind = fact_type(fact, info.data["type"])
        if op in ("empty", "not_empty"):
            if raw is not None:
                raise ValueError(f"{op} takes no value")
            return None
        if raw is None:
            raise ValueError(f"{op} needs a value (use empty / not_empty for blanks)")
        if op not in OPS_BY_TYPE[kind]:
            raise ValueError(
                f"{op} does not apply to {fact} (a {kind} fact); use {sorted(OPS_BY_TYPE[kind])}"
            )
        if op in ("in", "not_in"):
            if not isinstance(raw, list) or not raw:
                raise ValueError(f"{op} needs a list value with at least one item")
            return tuple(parse_typed(kind, item, fact) for item in raw)
        if isinstance(raw, list):
            raise ValueError(f"{op} needs a single value, not a list")
        return parse_typed(kind, raw, fact)

    @property
    def kind(self) -> FactType:
        return fact_type(self.fact, self.type)

    def holds(self, actual: object) -> bool:
        """Whether an order's fact meets this criterion, compared as the fact's type."""
        if self.op == "empty":
            return actual in (None, "", False)
        if self.op == "not_empty":
            return actual not in (None, "", False)
        typed = _as_type(self.kind, actual)
        match self.op:
            case "eq":
                return typed is not None and typed == self.value
            case "ne":
                return not (typed is not None and typed == self.value)
            case "in":
                return typed is not None and typed in self.value
            case "not_in":
                return not (typed is not None and typed in self.value)
            case "contains":
                return typed is not None and str(self.value).lower() in str(typed).lower()
        if typed is None:
            return False
        left, right = cast(Any, typed), cast(Any, self.value)
        return bool(
            {"gt": left > right, "gte": left >= right, "lt": left < right, "lte": left <= right}[
                self.op
            ]
        )


def fact_type(fact: str, declared: FactType | None = None) -> FactType:
    return ORDER_FACT_TYPES.get(fact) or declared or "text"


class QualificationCriteria(Section):
    """The seed's "Advanced Settings for Opportunity Sync": replaces the sync switches."""

    match: Literal["all", "any"] = "all"
    rules: Annotated[list[Criterion], Field(min_length=1)]


class NetsuiteOrdersSettings(FlowSettings):
    """NetSuite sales orders -> Salesforce opportunities (seed 002). `enabled` off: NetSuite
    order events are acknowledged and ignored."""

    # Base of links to records in the NetSuite UI ("NetSuite Order Record" on the Opportunity).
    account_url: HttpUrl | None = None
    # "Sync updates for NetSuite Originated Orders": later edits of orders born in NetSuite.
    sync_updates_netsuite_originated: bool = True
    # "Sync Salesforce Originated Orders": NetSuite edits flow back to the opportunity.
    sync_salesforce_originated: bool = False
    # New orders sync only when "Send Order as Salesforce Opportunity" is ticked on them.
    require_send_to_salesforce_flag: bool = True
    # "Advanced Settings for Opportunity Sync": when set, these criteria alone decide.
    qualification: QualificationCriteria | None = None
    # A reader of the seed asked for zero-quantity lines; off by default, as in the seed.
    sync_zero_quantity_lines: bool = False
    # Price book for lines: the standard book unless a NetSuite price level maps elsewhere.
    default_price_book: str = "Standard Price Book"
    price_level_price_books: dict[str, str] = Field(default_factory=dict)
    # Header mapping: Salesforce Opportunity field -> template over order facts.
    opportunity_fields: dict[str, str] = Field(
        default_factory=lambda: {
            "Name": "{customer_name} {tran_id}",
            "CloseDate": "{tran_date}",
            "StageName": "{stage}",
            "Description": "{memo}",
        }
    )
    # NetSuite status (refName) -> Opportunity stage; others get `default_stage`.
    stage_by_status: dict[str, str] = Field(
        default_factory=lambda: {
            "Pending Approval": "Negotiation/Review",
            "Cancelled": "Closed Lost",
            "Closed": "Closed Lost",
        }
    )
    default_stage: str = "Closed Won"
    # What happens to the opportunity when its order is cancelled or deleted in NetSuite.
    deleted_order_stage: str = "Closed Lost"
    # The seed's "NS Customer to Salesforce Account" mapping: Account field -> template.
    account_fields: dict[str, str] = Field(
        default_factory=lambda: {
            "Name": "{company_name}",
            "Phone": "{phone}",
            "Website": "{url}",
            "BillingStreet": "{billing_street}",
            "BillingCity": "{billing_city}",
            "BillingState": "{billing_state}",
            "BillingPostalCode": "{billing_postcode}",
            "BillingCountry": "{billing_country}",
            "ShippingStreet": "{shipping_street}",
            "ShippingCity": "{shipping_city}",
            "ShippingState": "{shipping_state}",
            "ShippingPostalCode": "{shipping_postcode}",
            "ShippingCountry": "{shipping_country}",
        }
    )

    @model_validator(mode="after")
    def _mappings_are_sound(self) -> NetsuiteOrdersSettings:
        _check_mapping(self.opportunity_fields, ORDER_FACTS, RESERVED_OPPORTUNITY_FIELDS)
        _check_mapping(self.account_fields, CUSTOMER_FACTS, frozenset({"NetSuite_Id__c"}))
        for required in ("Name", "CloseDate", "StageName"):
            if required not in self.opportunity_fields:
                raise ValueError(f"opportunity_fields must map {required} (Salesforce requires it)")
        if "Name" not in self.account_fields:
            raise ValueError("account_fields must map Name (Salesforce requires it)")
        return self
