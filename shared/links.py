"""Links: which record in one system is which record in another, and what was last synced.

Keyed by the source record (`LinkKey.netsuite_order("123")` = `netsuite:salesorder:123`) and
the target kind (`SALESFORCE_OPPORTUNITY`). `synced_version` refuses stale updates (an older
NetSuite version never overwrites a newer one) and `fields_hash` recognises an echo: a change
that carries exactly what salesbridge itself last wrote. Both directions of the order sync read
and write the same links, so every key and target is spelled here, once.

Stored by `shared.adapters.aws.stores.links` (DynamoDB, conditional writes).
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, Field

from shared.clock import utc_now

# Link targets: what kind of record the link points at.
SALESFORCE_OPPORTUNITY = "salesforce:Opportunity"
SALESFORCE_ACCOUNT = "salesforce:Account"
SALESFORCE_CONTACT = "salesforce:Contact"
# An opportunity write whose answer may have been lost (the intent, settled after the write).
SALESFORCE_OPPORTUNITY_WRITE = "salesforce:OpportunityWrite"


def salesforce_pricebook_entry(book: str) -> str:
    """The target of a NetSuite item's entry in one Salesforce price book."""
    return f"salesforce:PricebookEntry:{book}"


class LinkKey:
    """Source keys of links: `<system>:<record type>:<id>`."""

    @staticmethod
    def netsuite_order(order_id: str) -> str:
        return f"netsuite:salesorder:{order_id}"

    @staticmethod
    def netsuite_customer(customer_id: str) -> str:
        return f"netsuite:customer:{customer_id}"

    @staticmethod
    def netsuite_item(item_id: str) -> str:
        return f"netsuite:item:{item_id}"

    @staticmethod
    def unleashed_sales_order(guid: str) -> str:
        return f"unleashed:salesorder:{guid.lower()}"

    @staticmethod
    def unleashed_customer(guid: str) -> str:
        return f"unleashed:customer:{guid.lower()}"

    @staticmethod
    def unleashed_contact(guid: str) -> str:
        return f"unleashed:contact:{guid.lower()}"


class Link(BaseModel):
    source_key: str
    target: str
    target_id: str
    synced_version: str | None = None
    fields_hash: str | None = None
    # What else the sync must remember, e.g. the opportunity's line key -> line id.
    attributes: dict[str, str] = Field(default_factory=dict)
    revision: int = 0  # 0: not stored yet
    updated_at: str = Field(default_factory=utc_now)

    @property
    def target_ref(self) -> str:
        return f"{self.target}#{self.target_id}"


class LinkRepository(Protocol):
    def get(self, source_key: str, target: str) -> Link | None: ...
    def save(self, link: Link) -> Link: ...
