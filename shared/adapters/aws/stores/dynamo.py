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
    """A conditional write refused, alone or as part of a transaction (TransactWriteItems
    cancels the whole transaction and says which item's condition failed)."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return False
    code = response.get("Error", {}).get("Code")
    if code == "TransactionCanceledException":
        reasons = response.get("CancellationReasons") or []
        return any(reason.get("Code") == "ConditionalCheckFailed" for reason in reasons)
    return bool(code == "ConditionalCheckFailedException")


def without_none(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if value is not None}
