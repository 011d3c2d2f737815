"""The settings document: the mappings, switches and routing rules an admin controls.

One JSON document per deployment (SSM Parameter Store `/salesbridge/<stage>/settings`, or a
file named by `SETTINGS_FILE` locally). It is validated whole when loaded: an unknown key, a
wrong type or an impossible combination fails loudly with the field and the reason, instead of
a sync quietly doing the wrong thing. `settings/example.json` is a complete, commented example.

Each integration owns one section; a section's defaults are the behaviour users know from the
market-leading connectors (see ../shared/seeds), so an empty document is a working one.
"""

from __future__ import annotations

import re
import string
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator


class Section(BaseModel):
    # A typo in a key is a setting silently ignored: refuse it.
    model_config = ConfigDict(extra="forbid", frozen=True)


class WebhookSettings(Section):
    replay_window_seconds: Annotated[int, Field(ge=30, le=3600)] = 300
    max_body_bytes: Annotated[int, Field(ge=1024, le=1_048_576)] = 65_536


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
)
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


class Criterion(Section):
    """One test on an order fact, e.g. {"fact": "total", "op": "gte", "value": 1000}."""

    fact: str
    op: Literal[
        "eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "contains", "empty", "not_empty"
    ]
    value: str | Decimal | bool | list[str] | None = None

    @field_validator("fact")
    @classmethod
    def _known_fact(cls, fact: str) -> str:
        if fact not in ORDER_FACTS and not _CUSTOM_FACT.match(fact):
            raise ValueError(f"unknown order fact {fact!r}; known: {sorted(ORDER_FACTS)}")
        return fact

    @model_validator(mode="after")
    def _value_fits_op(self) -> Criterion:
        if self.op in ("in", "not_in") and not isinstance(self.value, list):
            raise ValueError(f"{self.op} needs a list value")
        if self.op in ("gt", "gte", "lt", "lte") and not isinstance(self.value, Decimal | str):
            raise ValueError(f"{self.op} needs a number or a date string")
        if self.op in ("empty", "not_empty") and self.value is not None:
            raise ValueError(f"{self.op} takes no value")
        if self.op in ("eq", "ne", "contains") and self.value is None:
            raise ValueError(f"{self.op} needs a value (use empty / not_empty for blanks)")
        return self


class QualificationCriteria(Section):
    """The seed's "Advanced Settings for Opportunity Sync": replaces the sync switches."""

    match: Literal["all", "any"] = "all"
    rules: Annotated[list[Criterion], Field(min_length=1)]


class NetsuiteSettings(Section):
    """NetSuite sales orders <-> Salesforce opportunities (seed 002)."""

    enabled: bool = True
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
    def _mappings_are_sound(self) -> NetsuiteSettings:
        _check_mapping(self.opportunity_fields, ORDER_FACTS, RESERVED_OPPORTUNITY_FIELDS)
        _check_mapping(self.account_fields, CUSTOMER_FACTS, frozenset({"NetSuite_Id__c"}))
        for required in ("Name", "CloseDate", "StageName"):
            if required not in self.opportunity_fields:
                raise ValueError(f"opportunity_fields must map {required} (Salesforce requires it)")
        if "Name" not in self.account_fields:
            raise ValueError("account_fields must map Name (Salesforce requires it)")
        return self


class Settings(Section):
    version: Literal[1] = 1
    webhooks: WebhookSettings = WebhookSettings()
    netsuite: NetsuiteSettings = NetsuiteSettings()
