"""What the DynamoDB stores share: table handles and the conditional-write failure."""

from __future__ import annotations

from typing import Any


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


def without_none(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if value is not None}
