"""Links in DynamoDB: keyed by source key and target; the `by_target` index finds a link by
the record it points at. The model and its keys are `shared.links`."""

from __future__ import annotations

import json
from typing import Any

from shared.adapters.aws.stores.dynamo import is_condition_failure, table, without_none
from shared.clock import utc_now
from shared.errors import StaleWrite
from shared.links import Link


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
