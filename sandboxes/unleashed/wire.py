"""Unleashed's wire conventions: the request signature, dates, paging, filters and errors."""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from sandboxes.common import json_response

DEFAULT_PAGE_SIZE = 200
MAX_PAGE_SIZE = 1000

GUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_WIRE_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?)?Z?$")


class UnleashedError(Exception):
    """An error answered the way Unleashed words them: {"Description", "DebugInformation"}."""

    def __init__(
        self, status: int, description: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.headers = headers or {}

    def response(self) -> Response:
        return json_response(error_body(self.description), self.status, self.headers)


def error_body(description: str) -> dict[str, Any]:
    return {"Description": description, "DebugInformation": None}


def bad_request(description: str) -> UnleashedError:
    return UnleashedError(400, description)


def not_found(description: str) -> UnleashedError:
    return UnleashedError(404, description)


# -- authentication --------------------------------------------------------------------------


def signature(query_string: str, api_key: str) -> str:
    """base64(HMAC-SHA256(key=API key, message=query string without '?')); '' when none."""
    digest = hmac.new(api_key.encode(), query_string.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signature_matches(query_string: str, api_key: str, offered: str) -> bool:
    return hmac.compare_digest(signature(query_string, api_key), offered.strip())


# -- dates -------------------------------------------------------------------------------------


def to_wire_date(moment: datetime | None) -> str | None:
    """Unleashed's JSON dates are Microsoft's "/Date(<ms since epoch>)/"."""
    if moment is None:
        return None
    return f"/Date({int(moment.timestamp() * 1000)})/"


def parse_date(value: Any, field: str) -> datetime:
    """A date sent by a client: "/Date(ms)/" or ISO 8601 (date or date-time), taken as UTC."""
    text = str(value).strip()
    wire = _WIRE_DATE.match(text)
    if wire:
        return datetime.fromtimestamp(int(wire.group(1)) / 1000, UTC)
    if not _ISO_DATE.match(text):
        raise bad_request(f"The {field} '{text}' is not a valid date.")
    try:
        moment = datetime.fromisoformat(text.removesuffix("Z").replace(" ", "T"))
    except ValueError:
        raise bad_request(f"The {field} '{text}' is not a valid date.") from None
    return moment.replace(tzinfo=UTC)


# -- query strings -----------------------------------------------------------------------------


class Filters:
    """Query parameters, looked up without regard to case (ASP.NET binds them that way)."""

    def __init__(self, args: MultiDict[str, str]) -> None:
        self._values = {key.lower(): value for key, value in args.items()}

    def get(self, name: str) -> str | None:
        value = self._values.get(name.lower())
        return value if value not in (None, "") else None

    def flag(self, name: str) -> bool:
        return (self.get(name) or "").lower() == "true"

    def date(self, name: str) -> datetime | None:
        value = self.get(name)
        return None if value is None else parse_date(value, name)


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @classmethod
    def from_request(cls, number: int, filters: Filters) -> Page:
        raw = filters.get("pageSize")
        size = DEFAULT_PAGE_SIZE
        if raw is not None:
            if not raw.isdigit() or int(raw) < 1:
                raise bad_request(f"The pageSize '{raw}' must be a positive whole number.")
            size = min(int(raw), MAX_PAGE_SIZE)
        if number < 1:
            raise bad_request("The page number must be 1 or more.")
        return cls(number, size)

    def envelope(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        start = (self.number - 1) * self.size
        return {
            "Pagination": {
                "NumberOfItems": len(items),
                "PageSize": self.size,
                "PageNumber": self.number,
                "NumberOfPages": math.ceil(len(items) / self.size),
            },
            "Items": items[start : start + self.size],
        }


def money(value: float) -> float:
    """Round half up to cents, as accounting does (Decimal, so 2.675 gives 2.68, not 2.67)."""
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
