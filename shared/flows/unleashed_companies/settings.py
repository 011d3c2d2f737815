"""This flow's section of the settings document (`unleashed_companies`), the seed's options.

`enabled` is "Enable syncing between the CRM and your ERP system"; all switches off stops the
two-way sync and nothing else (Send to Unleashed keeps working).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared.section import FlowSettings


class UnleashedCompaniesSettings(FlowSettings):
    """Two-way company and contact sync with Unleashed."""

    enabled: bool = False
    account_manager_sync: bool = Field(
        False, description="sync the Account owner <-> the customer's salesperson (by e-mail)"
    )
    fix_account_managers_overnight: bool = False
    address_sync: bool = False
    address: Literal["billing", "shipping"] = Field(
        "billing", description="the Account's main address, synced with the default address"
    )
    system_of_record: Literal["unleashed", "salesforce"] = Field(
        "unleashed", description="wins a conflict whose two changes carry the same time"
    )
    backstop_lookback_minutes: int = Field(15, ge=1, le=1440)
