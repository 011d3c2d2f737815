"""How salesbridge writes instants: UTC, milliseconds, a Z (jobs, links, cursors)."""

from __future__ import annotations

from datetime import UTC, datetime


def real_utc_now() -> datetime:
    return datetime.now(UTC)


def iso_millis(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def utc_now() -> str:
    return iso_millis(real_utc_now())
