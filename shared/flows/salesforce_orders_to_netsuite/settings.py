"""This flow's section of the settings document (`salesforce_orders_to_netsuite`).

Only the switch for now: what a won opportunity becomes in NetSuite is fixed by the seed
(one sales order per opportunity, labelled Salesforce Originated).
"""

from __future__ import annotations

from shared.section import FlowSettings


class SalesforceOrdersSettings(FlowSettings):
    """Salesforce Originated orders: Closed Won callouts become NetSuite sales orders.
    `enabled` off: the callouts are acknowledged and ignored."""
