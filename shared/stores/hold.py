"""A shared "do not call Salesforce until T" flag, kept as a cursor so every worker sees it.

Salesforce's daily API allocation is org-wide: once REQUEST_LIMIT_EXCEEDED comes back, every
further call is refused (and slows everyone else's integrations). Instead of retrying until
the DLQ, workers park the jobs as `held` and set this flag; the backstop schedule releases
the held jobs once the flag has expired.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from datetime import UTC, datetime

from shared.stores.cursors import Cursor, CursorStore
from shared.stores.dynamo import StaleWrite

HOLD_CURSOR = "salesforce.api_budget_hold_until"
DEFAULT_HOLD_SECONDS = 3600


class BudgetHoldStore:
    def __init__(
        self,
        cursors: CursorStore,
        *,
        seconds: int = DEFAULT_HOLD_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._cursors = cursors
        self._seconds = seconds
        self._clock = clock

    def until(self) -> float:
        cursor = self._cursors.get(HOLD_CURSOR)
        return datetime.fromisoformat(cursor.value).timestamp() if cursor and cursor.value else 0.0

    def active(self) -> bool:
        return self._clock() < self.until()

    def hold(self, reason: str) -> None:
        until = datetime.fromtimestamp(self._clock() + self._seconds, UTC).isoformat()
        cursor = self._cursors.get(HOLD_CURSOR) or Cursor(name=HOLD_CURSOR, value="")
        with contextlib.suppress(StaleWrite):  # another worker set it at the same moment
            self._cursors.advance(cursor, until)
