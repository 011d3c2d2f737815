"""The one "now" of a sandbox: real UTC time unless a test or the admin API sets it.

Everything a sandbox dates (record timestamps, date literals such as SOQL's TODAY, monthly
quotas, session and token lifetimes, replay windows) reads this clock, so a test gives the
same answer on any day by handing a sandbox a fixed instant:

    SalesforceSandbox(clock=lambda: datetime(2026, 11, 25, 10, tzinfo=UTC))

and the local stack can move a running sandbox's clock with `POST /__admin/clock`
(`{"now": "<ISO 8601>"}` freezes it there, `{"advance_seconds": n}` moves it on, `{"now":
null}` returns to real time). A sandbox whose clock stands far from its callers' refuses
their signed requests (JWT `exp`, OAuth 1.0a timestamps) as the real vendor would.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any


def real_utc_now() -> datetime:
    return datetime.now(UTC)


class SandboxClock:
    """Callable like `datetime.now(UTC)`; shared by a sandbox's app and its stores."""

    def __init__(self, source: Callable[[], datetime] = real_utc_now) -> None:
        self._source = source
        self._frozen: datetime | None = None
        self._offset = timedelta()

    def __call__(self) -> datetime:
        moment = self._frozen if self._frozen is not None else self._source()
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return (moment + self._offset).astimezone(UTC)

    def timestamp(self) -> float:
        """Unix seconds, for checks written against `time.time()`."""
        return self().timestamp()

    def freeze(self, at: datetime) -> None:
        self._frozen, self._offset = at, timedelta()

    def advance(self, seconds: float) -> None:
        self._offset += timedelta(seconds=seconds)

    def resume(self) -> None:
        """Back to the source the sandbox was built with (real time by default)."""
        self._frozen, self._offset = None, timedelta()

    def configure(self, options: dict[str, Any]) -> dict[str, Any]:
        """What `POST /__admin/clock` does; answers the clock now in force."""
        unknown = set(options) - {"now", "advance_seconds"}
        if unknown:
            raise ValueError(f"unknown clock option {sorted(unknown)[0]}")
        if "now" in options:
            if options["now"] is None:
                self.resume()
            else:
                self.freeze(parse_instant(options["now"]))
        if "advance_seconds" in options:
            self.advance(float(options["advance_seconds"]))
        return self.view()

    def view(self) -> dict[str, Any]:
        return {
            "now": self().isoformat().replace("+00:00", "Z"),
            "frozen": self._frozen is not None,
            "offset_seconds": self._offset.total_seconds(),
        }

    def __deepcopy__(self, memo: dict[int, Any]) -> SandboxClock:
        # A store copied for a transaction keeps reading the one clock of its sandbox.
        return self


def parse_instant(value: Any) -> datetime:
    """An ISO 8601 instant; without an offset it is read as UTC."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"now must be an ISO 8601 date-time, not {value!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
