"""The settings document: the mappings, switches and routing rules an admin controls.

One JSON document per deployment (SSM Parameter Store `/salesbridge/<stage>/settings`, or a
file named by `SETTINGS_FILE` locally). It is validated whole when loaded: an unknown key, a
wrong type or an impossible combination fails loudly with the field and the reason, instead of
a sync quietly doing the wrong thing. `settings/example.json` is a complete, commented example.

Each integration owns one section; a section's defaults are the behaviour users know from the
market-leading connectors (see ../shared/seeds), so an empty document is a working one.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl


class Section(BaseModel):
    # A typo in a key is a setting silently ignored: refuse it.
    model_config = ConfigDict(extra="forbid", frozen=True)


class WebhookSettings(Section):
    replay_window_seconds: Annotated[int, Field(ge=30, le=3600)] = 300
    max_body_bytes: Annotated[int, Field(ge=1024, le=1_048_576)] = 65_536


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
    # A reader of the seed asked for zero-quantity lines; off by default, as in the seed.
    sync_zero_quantity_lines: bool = False
    # Price book for lines: the standard book unless a NetSuite price level maps elsewhere.
    default_price_book: str = "Standard Price Book"
    price_level_price_books: dict[str, str] = Field(default_factory=dict)


class Settings(Section):
    version: Literal[1] = 1
    webhooks: WebhookSettings = WebhookSettings()
    netsuite: NetsuiteSettings = NetsuiteSettings()
