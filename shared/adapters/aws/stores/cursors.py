"""Cursors in DynamoDB, one item per watermark (the model is `shared.cursors`)."""

from __future__ import annotations

from typing import Any

from shared.adapters.aws.stores.dynamo import is_condition_failure, table
from shared.clock import utc_now
from shared.cursors import Cursor
from shared.errors import StaleWrite


class CursorStore:
    def __init__(self, table_name: str, dynamodb: Any | None = None) -> None:
        self._table = table(table_name, dynamodb)

    def get(self, name: str) -> Cursor | None:
        item = self._table.get_item(Key={"name": name}, ConsistentRead=True).get("Item")
        if item is None:
            return None
        return Cursor.model_validate({**item, "revision": int(item["revision"])})

    def advance(self, cursor: Cursor, value: str, detail: dict[str, str] | None = None) -> Cursor:
        """Move the watermark forward; only the reader of the current revision may."""
        moved = cursor.model_copy(
            update={
                "value": value,
                "detail": cursor.detail if detail is None else detail,
                "revision": cursor.revision + 1,
                "updated_at": utc_now(),
            }
        )
        if cursor.revision == 0:
            kwargs: dict[str, object] = {"ConditionExpression": "attribute_not_exists(revision)"}
        else:
            kwargs = {
                "ConditionExpression": "revision = :read",
                "ExpressionAttributeValues": {":read": cursor.revision},
            }
        try:
            self._table.put_item(Item=moved.model_dump(), **kwargs)
        except Exception as exc:
            if is_condition_failure(exc):
                raise StaleWrite(
                    f"cursor {cursor.name} moved since revision {cursor.revision}"
                ) from exc
            raise
        return moved
