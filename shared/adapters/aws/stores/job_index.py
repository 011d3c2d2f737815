"""The console's reads of the jobs table: by flow and status, by record key, never a Scan.

Two indexes serve it (template.yaml, JobsTable):
- `by_flow_status` (flow_status = "<flow>#<status>", updated_at), KEYS_ONLY: counting a
  flow's jobs of one status reads index entries of ~100 bytes (one 1 MB page holds about ten
  thousand), and listing reads a page of keys, then the items in one BatchGetItem;
- `by_record` (record_key, updated_at), ALL: the jobs of one record (an order number, an
  opportunity id), newest first.
Jobs without a flow (stored before flows declared themselves) are in neither index.
"""

from __future__ import annotations

from typing import Any

from shared.adapters.aws.stores.dynamo import table
from shared.adapters.aws.stores.jobs import _from_item, flow_status_key
from shared.jobs import Job, JobStatus

FAR_FUTURE = "9999"  # sorts after every ISO 8601 instant: "no upper bound"


class JobIndexStore:
    def __init__(self, table_name: str, dynamodb: Any | None = None) -> None:
        self._table = table(table_name, dynamodb)
        self._dynamodb = self._table.meta.client

    def updated_times(
        self, flow: str, status: JobStatus, since: str | None = None, *, newest_first: bool = False
    ) -> list[str]:
        """`updated_at` of every job of `flow` in `status` (since `since`), from the keys-only
        index: one query per 1 MB of index entries (`ops console recount`; the overview reads
        the counters of `job_counts` instead)."""
        condition = "flow_status = :fs" + (" AND updated_at >= :since" if since else "")
        values: dict[str, Any] = {":fs": flow_status_key(flow, status)}
        if since:
            values[":since"] = since
        times: list[str] = []
        start = None
        while True:
            kwargs: dict[str, Any] = {"ExclusiveStartKey": start} if start else {}
            response = self._table.query(
                IndexName="by_flow_status",
                KeyConditionExpression=condition,
                ExpressionAttributeValues=values,
                ProjectionExpression="updated_at",
                ScanIndexForward=not newest_first,
                **kwargs,
            )
            times += [str(item["updated_at"]) for item in response.get("Items", [])]
            start = response.get("LastEvaluatedKey")
            if not start:
                return times

    def oldest_time(self, flow: str, status: JobStatus) -> str | None:
        return self._edge_time(flow, status, newest=False)

    def latest_time(self, flow: str, status: JobStatus) -> str | None:
        return self._edge_time(flow, status, newest=True)

    def _edge_time(self, flow: str, status: JobStatus, *, newest: bool) -> str | None:
        response = self._table.query(
            IndexName="by_flow_status",
            KeyConditionExpression="flow_status = :fs",
            ExpressionAttributeValues={":fs": flow_status_key(flow, status)},
            ProjectionExpression="updated_at",
            ScanIndexForward=not newest,
            Limit=1,
        )
        items = response.get("Items", [])
        return str(items[0]["updated_at"]) if items else None

    def by_flow_status(
        self, flow: str, status: JobStatus, before: str | None, limit: int
    ) -> list[Job]:
        response = self._table.query(
            IndexName="by_flow_status",
            KeyConditionExpression="flow_status = :fs AND updated_at < :before",
            ExpressionAttributeValues={
                ":fs": flow_status_key(flow, status),
                ":before": before or FAR_FUTURE,
            },
            ScanIndexForward=False,
            Limit=limit,
        )
        return self._items([item["job_id"] for item in response.get("Items", [])])

    def by_status(self, status: JobStatus, before: str | None, limit: int) -> list[Job]:
        response = self._table.query(
            IndexName="by_status",
            KeyConditionExpression="#s = :s AND updated_at < :before",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": status.value, ":before": before or FAR_FUTURE},
            ScanIndexForward=False,
            Limit=limit,
        )
        return [_from_item(item) for item in response.get("Items", [])]

    def by_record(self, record_key: str, before: str | None, limit: int) -> list[Job]:
        response = self._table.query(
            IndexName="by_record",
            KeyConditionExpression="record_key = :k AND updated_at < :before",
            ExpressionAttributeValues={":k": record_key, ":before": before or FAR_FUTURE},
            ScanIndexForward=False,
            Limit=limit,
        )
        return [_from_item(item) for item in response.get("Items", [])]

    def _items(self, job_ids: list[str]) -> list[Job]:
        """The jobs of `job_ids` (at most 100: one BatchGetItem), in the order given."""
        if not job_ids:
            return []
        name = self._table.name
        # the resource's client speaks Python values (boto3's transformation), not {"S": ...}
        wanted: dict[str, Any] = {name: {"Keys": [{"job_id": i} for i in job_ids]}}
        found: dict[str, Job] = {}
        while wanted:
            response = self._dynamodb.batch_get_item(RequestItems=wanted)
            for item in response.get("Responses", {}).get(name, []):
                job = _from_item(item)
                found[job.job_id] = job
            wanted = response.get("UnprocessedKeys") or {}
        return [found[i] for i in job_ids if i in found]
