"""SalesPro app credentials in DynamoDB, one item per credential (only its digest is kept).
The model and its rules are `shared.app_credentials`."""

from __future__ import annotations

from typing import Any

from shared.adapters.aws.stores.dynamo import is_condition_failure, table, without_none
from shared.app_credentials import AppUser, StoredCredential


class CredentialStore:
    def __init__(self, table_name: str, dynamodb: Any | None = None) -> None:
        self._table = table(table_name, dynamodb)

    def create(self, credential: StoredCredential) -> None:
        self._table.put_item(
            Item=_to_item(credential), ConditionExpression="attribute_not_exists(credential_id)"
        )

    def get(self, credential_id: str) -> StoredCredential | None:
        item = self._table.get_item(Key={"credential_id": credential_id}, ConsistentRead=True).get(
            "Item"
        )
        return None if item is None else _from_item(item)

    def mark_revoked(self, credential_id: str, at: str) -> StoredCredential | None:
        try:
            self._table.update_item(
                Key={"credential_id": credential_id},
                UpdateExpression="SET revoked_at = if_not_exists(revoked_at, :at)",
                ConditionExpression="attribute_exists(credential_id)",
                ExpressionAttributeValues={":at": at},
            )
        except Exception as exc:
            if is_condition_failure(exc):
                return None
            raise
        return self.get(credential_id)


def _to_item(credential: StoredCredential) -> dict[str, Any]:
    item = credential.model_dump(mode="json", exclude={"user"})
    item["user"] = without_none(credential.user.model_dump(mode="json"))
    item["user_id"] = credential.user.user_id
    return without_none(item)


def _from_item(item: dict[str, Any]) -> StoredCredential:
    return StoredCredential(
        credential_id=item["credential_id"],
        secret_sha256=item["secret_sha256"],
        user=AppUser.model_validate(item["user"]),
        issued_at=item["issued_at"],
        revoked_at=item.get("revoked_at"),
    )
