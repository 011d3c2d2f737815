"""The console's audit log in DynamoDB: one item per operator action, newest first.

Actions are few (people clicking), so one partition (`log` = "console") sorted by
`at#<random>` keeps them in order and lists the latest with one query.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from shared.adapters.aws.stores.dynamo import table
from shared.console.models import AuditEntry

PARTITION = "console"


class AuditStore:
    def __init__(self, table_name: str, dynamodb: Any | None = None) -> None:
        self._table = table(table_name, dynamodb)

    def record(self, entry: AuditEntry) -> None:
        self._table.put_item(
            Item={
                "log": PARTITION,
                "entry": f"{entry.at}#{secrets.token_hex(4)}",
                "at": entry.at,
                "who": entry.who,
                "role": entry.role,
                "action": entry.action,
                "target": entry.target,
                "detail": json.dumps(entry.detail),
            },
            ConditionExpression="attribute_not_exists(entry)",
        )

    def latest(self, limit: int = 50) -> list[AuditEntry]:
        response = self._table.query(
            KeyConditionExpression="#l = :l",
            ExpressionAttributeNames={"#l": "log"},
            ExpressionAttributeValues={":l": PARTITION},
            ScanIndexForward=False,
            Limit=limit,
        )
        return [
            AuditEntry(
                at=item["at"],
                who=item["who"],
                role=item["role"],
                action=item["action"],
                target=item.get("target", ""),
                detail=json.loads(item.get("detail") or "{}"),
            )
            for item in response.get("Items", [])
        ]
