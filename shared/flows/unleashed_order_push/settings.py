"""This flow's section of the settings document (`unleashed_order_push`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from shared.section import FlowSettings


class UnleashedOrderPushSettings(FlowSettings):
    """Send to Unleashed. `enabled` off: the page explains that sending is switched off."""

    # Unleashed creates orders as Parked or Placed; Placed allocates stock at once.
    order_status: Literal["Parked", "Placed"] = "Parked"
    # How long the page may show warehouses, taxes, salespeople, sales order groups and
    # delivery methods read earlier (per container): their changes are rare, every read costs
    # quota. Stock and the customer are read on every page load.
    picker_cache_seconds: Annotated[int, Field(ge=0, le=86_400)] = 900
    # Preselected on the page when the Unleashed account has it.
    default_tax_code: Annotated[str | None, Field(max_length=50)] = None
    # The Salesforce price book the price book sync keeps (created on its first run); the
    # reps build Send to Unleashed opportunities from it.
    pricebook_name: Annotated[str, Field(min_length=1, max_length=255)] = "Unleashed"
