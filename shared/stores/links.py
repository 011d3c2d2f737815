"""Links: which record in one system is which record in another, and what was last synced.

Keyed by the source record (`netsuite:salesorder:123`) and the target kind
(`salesforce:Opportunity`). `synced_version` refuses stale updates (an older NetSuite version
never overwrites a newer one) and `fields_hash` recognises an echo: a change that carries
exactly what salesbridge itself last wrote.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from shared.stores.dynamo import StaleWrite, is_condition_failure, table, utc_now, without_none


class Link(BaseModel):
    source_key: str
    target: str
    target_id: str
    synced_version: str | None = None
    fields_hash: str | None = None
    # What else the sync must remember, e.g. the opportunity's line key -> line id.
    attributes: dict[str, str] = Field(default_factory=dict)
    revision: int = 0  # 0: not stored yet
    updated_at: str = Field(default_factory=utc_now)

    @property
    def target_ref(self) -> str:
        return f"{self.target}#{self.target_id}"


class LinkStore:
    def __init__(self, table_name: str) -> None:
        self._table = table(table_name)

    def get(self, source_key: str, target: str) -> Link | None:
        item = self._table.get_item(
            Key={"source_key": source_key, "target": target}, ConsistentRead=True
        ).get("Item")
        return None if item is None else _from_item(item)

    def find_by_target(self, target: str, target_id: str) -> Link | None:
        response = self._table.query(
            IndexName="by_target",
            KeyConditionExpression="target_ref = :ref",
            ExpressionAttributeValues={":ref": f"{target}#{target_id}"},
            Limit=1,
        )
        items = response.get("Items", [])
        return _from_item(items[0]) if items else None

    def save(self, link: Link) -> Link:
        """Store `link` if nobody wrote it since it was read (revision 0: it must be new)."""
        stored = link.model_copy(update={"revision": link.revision + 1, "updated_at": utc_now()})
        item = without_none({**stored.model_dump(mode="json"), "target_ref": stored.target_ref})
        item["attributes"] = json.dumps(stored.attributes)  # free-form: keep DynamoDB types out
        if link.revision == 0:
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(source_key)"}
        else:
            condition = {
                "ConditionExpression": "revision = :read",
                "ExpressionAttributeValues": {":read": link.revision},
            }
        try:
            self._table.put_item(Item=item, **condition)
        except Exception as exc:
            if is_condition_failure(exc):
                raise StaleWrite(f"link {link.source_key} -> {link.target} changed") from exc
            raise
        return stored


def _from_item(item: dict[str, Any]) -> Link:
    data = {k: v for k, v in item.items() if k != "target_ref"}
    data["revision"] = int(data.get("revision", 0))
    data["attributes"] = json.loads(data.get("attributes") or "{}")
    return Link.model_validate(data)
