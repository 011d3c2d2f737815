"""Cursors: the watermark of each periodic import (e.g. NetSuite orders modified since T)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from shared.stores.dynamo import StaleWrite, is_condition_failure, table, utc_now


class Cursor(BaseModel):
    name: str
    value: str
    # what a person reading the cursor needs besides its value (e.g. why a hold was set)
    detail: dict[str, str] = Field(default_factory=dict)
    revision: int = 0
    updated_at: str = Field(default_factory=utc_now)


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
