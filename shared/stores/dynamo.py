"""What the stores share: table handles and the conditional-write failure."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.errors import RetryableError


class StaleWrite(RetryableError):
    """Someone else wrote the item since it was read; reload and try again."""

    code = "stale_write"
    http_status = 409


def table(name: str, dynamodb: Any | None = None) -> Any:
    """The table `name`, through `dynamodb` (a boto3 resource) or the default session's."""
    if dynamodb is None:
        import boto3

        dynamodb = boto3.resource("dynamodb")
    return dynamodb.Table(name)


def is_condition_failure(exc: Exception) -> bool:
    response = getattr(exc, "response", None)
    return bool(
        isinstance(response, dict)
        and response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"
    )


def real_utc_now() -> datetime:
    return datetime.now(UTC)


def iso_millis(moment: datetime) -> str:
    """How the stores write instants: UTC, milliseconds, a Z."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def utc_now() -> str:
    return iso_millis(real_utc_now())


def without_none(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if value is not None}
