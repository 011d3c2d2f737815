"""A shared "do not call Salesforce until T" flag, kept as a cursor so every worker sees it.

Salesforce's daily API allocation is org-wide: once REQUEST_LIMIT_EXCEEDED comes back, every
further call is refused (and slows everyone else's integrations). Instead of retrying until
the DLQ, workers park the jobs as `held` and set this flag; the backstop schedule releases
the held jobs once the flag has expired. An operator who knows the budget is back (a raised
limit, a new day) sees the hold with `ops hold` and lifts it with `ops hold --lift`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from shared.cursors import Cursor, CursorRepository
from shared.errors import StaleWrite

HOLD_CURSOR = "salesforce.api_budget_hold_until"
DEFAULT_HOLD_SECONDS = 3600


@dataclass(frozen=True)
class HoldState:
    """The hold as an operator sees it."""

    since: str  # ISO 8601, UTC; "" when unknown (a flag set by hand)
    until: str
    reason: str
    active: bool
    lifted_at: str = ""


class BudgetHoldStore:
    def __init__(
        self,
        cursors: CursorRepository,
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

    def held_until(self) -> str | None:
        """When the current hold expires (ISO 8601), or None when there is none."""
        until = self.until()
        return _iso(until) if self._clock() < until else None

    def hold(self, reason: str) -> str:
        """Hold every call for the next hour; answers until when."""
        now = self._clock()
        until = _iso(now + self._seconds)
        cursor = self._cursors.get(HOLD_CURSOR) or Cursor(name=HOLD_CURSOR, value="")
        with contextlib.suppress(StaleWrite):  # another worker set it at the same moment
            self._cursors.advance(cursor, until, {"since": _iso(now), "reason": reason[:500]})
        return until

    def state(self) -> HoldState | None:
        """The last hold (active or not), or None when Salesforce was never held."""
        cursor = self._cursors.get(HOLD_CURSOR)
        if cursor is None:
            return None
        return HoldState(
            since=cursor.detail.get("since", ""),
            until=cursor.value,
            reason=cursor.detail.get("reason", ""),
            active=bool(cursor.value) and self._clock() < self.until(),
            lifted_at=cursor.detail.get("lifted_at", ""),
        )

    def lift(self) -> HoldState | None:
        """End the hold now (what it was is kept, with when it was lifted); answers it."""
        cursor = self._cursors.get(HOLD_CURSOR)
        if cursor is None or not cursor.value:
            return None
        before = self.state()
        self._cursors.advance(cursor, "", {**cursor.detail, "lifted_at": _iso(self._clock())})
        return before


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")
