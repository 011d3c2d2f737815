"""Turning an authenticated Closed Won callout into a queued job (no AWS or HTTP in here).

The intake itself lives in `shared.order_export.intake`: the export backstop uses it too.
"""

from __future__ import annotations

from shared.order_export.intake import SOURCE, accept_opportunity_event, record_key

__all__ = ["SOURCE", "accept_opportunity_event", "record_key"]
