"""Whether one NetSuite order version syncs, and why not when it does not (seed 002's switches).

Order of the questions:
1. deleted in NetSuite: close the opportunity if one was synced, else nothing to do;
2. stale: a version older than the one last synced never overwrites it (events arrive out of
   order or twice; the worker always reads the order as it is now); the same version is
   planned again and skipped by its content hash unless a second save in the same second
   changed it (see `_not_newer`);
3. the "Advanced Settings for Opportunity Sync" criteria, when configured, decide alone;
4. otherwise the switches: a new order needs "Send Order as Salesforce Opportunity" ticked
   (when required); updates need "Sync updates for NetSuite Originated Orders" or, for orders
   salesbridge created from Salesforce, "Sync Salesforce Originated Orders".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared.flows.netsuite_orders_to_salesforce.settings import (
    NetsuiteOrdersSettings,
    QualificationCriteria,
)
from shared.links import Link
from shared.netsuite_records import OPPORTUNITY_ID_FIELD, SalesOrder


class Verdict(StrEnum):
    SYNC = "sync"
    SKIP = "skip"
    CLOSE = "close"  # the order is gone: close the opportunity


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reason: str


def decide(
    order: SalesOrder | None,
    facts: dict[str, Any],
    *,
    link: Link | None,
    settings: NetsuiteOrdersSettings,
) -> Decision:
    if not settings.enabled:
        return Decision(Verdict.SKIP, "NetSuite sync is disabled in the settings")
    if order is None:
        if link is None:
            return Decision(Verdict.SKIP, "the order was deleted before it was ever synced")
        return Decision(Verdict.CLOSE, "the order was deleted in NetSuite")
    if link is not None and link.synced_version and _not_newer(order.version, link):
        return Decision(
            Verdict.SKIP,
            f"version {order.version} is not newer than the synced {link.synced_version}",
        )
    if settings.qualification is not None:
        if matches(settings.qualification, facts):
            return Decision(Verdict.SYNC, "the qualification criteria are met")
        return Decision(Verdict.SKIP, "the qualification criteria are not met")
    is_new = link is None and not order.custom.get(OPPORTUNITY_ID_FIELD)
    if facts["origin"] == "Salesforce":
        if is_new or settings.sync_salesforce_originated:
            return Decision(Verdict.SYNC, "Salesforce originated order")
        return Decision(Verdict.SKIP, "'Sync Salesforce Originated Orders' is off")
    if is_new:
        if settings.require_send_to_salesforce_flag and not facts["send_to_salesforce"]:
            return Decision(
                Verdict.SKIP, "'Send Order as Salesforce Opportunity' is not ticked on the order"
            )
        return Decision(Verdict.SYNC, "new NetSuite originated order")
    if settings.sync_updates_netsuite_originated:
        return Decision(Verdict.SYNC, "update of a NetSuite originated order")
    return Decision(Verdict.SKIP, "'Sync updates for NetSuite Originated Orders' is off")


def _not_newer(version: str, link: Link) -> bool:
    """Older, or the same version when nothing can tell its content apart. NetSuite dates
    saves to the second, so two saves in one second share a version: when the link holds the
    content hash of what was synced, the same version goes on and the plan's hash skips it
    unless the second save changed something (at no Salesforce cost). A link without a hash
    (an order salesbridge exported itself) treats the same version as its own echo."""
    synced = link.synced_version or ""
    return version < synced or (version == synced and not link.fields_hash)


def matches(criteria: QualificationCriteria, facts: dict[str, Any]) -> bool:
    # Each rule compares as its fact's type (money, date, ...), see `shared.settings.Criterion`.
    results = (rule.holds(facts.get(rule.fact)) for rule in criteria.rules)
    return all(results) if criteria.match == "all" else any(results)
