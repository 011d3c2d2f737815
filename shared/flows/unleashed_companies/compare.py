"""Comparing a record's synced values with those last synced (kept in its link)."""

from __future__ import annotations

from shared.flows.unleashed_companies.models import (
    ACCOUNT_MANAGER,
    ADDRESS_FIELDS,
    COMPANY_FIELDS,
    Values,
)
from shared.flows.unleashed_companies.settings import UnleashedCompaniesSettings
from shared.links import Link


def synced_keys(settings: UnleashedCompaniesSettings) -> tuple[str, ...]:
    """The company fields this configuration syncs."""
    keys: tuple[str, ...] = COMPANY_FIELDS
    if settings.account_manager_sync:
        keys += (ACCOUNT_MANAGER,)
    if settings.address_sync:
        keys += tuple(f"address.{name}" for name in ADDRESS_FIELDS)
    return keys


def changed(current: Values, link: Link | None, keys: tuple[str, ...]) -> Values:
    """The fields whose value differs from the one last synced (all of them when never synced)."""
    last = link.attributes if link is not None else None
    return {
        key: current.get(key)
        for key in keys
        if last is None or (last.get(key) or None) != current.get(key)
    }


def remembered(link: Link, values: Values, version: str | None) -> Link:
    attributes = {**link.attributes, **{k: v or "" for k, v in values.items()}}
    return link.model_copy(update={"attributes": attributes, "synced_version": version})
