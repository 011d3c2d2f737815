"""Counts of jobs per flow and status, kept as the jobs move, so the console's overview reads a
handful of small items (one BatchGetItem) instead of counting index entries.

Table `JobCountsTable` (template.yaml), key `counter`:
- `<flow>#now`: how many of the flow's jobs are in each status that never expires
  (received, queued, held, failed): a transition ADDs -1 to the old status and +1 to the new;
  plus `last_done`, when a job of the flow last finished done;
- `<flow>#<YYYY-MM-DD>`: the jobs that entered each status that UTC day (`d_<status>`) and in
  each of its hours (`h<HH>_<status>`); it expires after `DAY_KEPT_SECONDS`.
The windows the console shows are calendar ones: this hour, today, the last seven days (today
and the six before).

The updates go in the same TransactWriteItems as the job's conditional write
(`shared.adapters.aws.stores.jobs`), so a count changes exactly when a job does: a stale write
or a crash changes neither.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shared.adapters.aws.stores.dynamo import table
from shared.jobs import JobStatus

# The statuses counted whole (a finished job expires after 30 days, so its count would drift).
COUNTED_WHOLE = (JobStatus.RECEIVED, JobStatus.QUEUED, JobStatus.HELD, JobStatus.FAILED)
DAYS_SHOWN = 7
DAY_KEPT_SECONDS = 9 * 24 * 3600  # a little more than the week shown
BATCH_GET_KEYS = 100  # DynamoDB's BatchGetItem limit


def now_key(flow: str) -> str:
    return f"{flow}#now"


def day_key(flow: str, moment: datetime) -> str:
    return f"{flow}#{moment:%Y-%m-%d}"


def counter_updates(
    counts_table: str,
    flow: str,
    old: JobStatus | None,
    new: JobStatus,
    at: datetime,
    at_text: str,
) -> list[dict[str, Any]]:
    """The TransactWriteItems `Update`s that count a job of `flow` moving from `old` (None: just
    created) to `new` at `at`. Nothing when the status did not change."""
    if old is new:
        return []
    day: dict[str, Any] = {
        "TableName": counts_table,
        "Key": {"counter": day_key(flow, at)},
        "UpdateExpression": "ADD #d :one, #h :one SET expires_at = if_not_exists(expires_at, :exp)",
        "ExpressionAttributeNames": {"#d": f"d_{new.value}", "#h": f"h{at:%H}_{new.value}"},
        "ExpressionAttributeValues": {":one": 1, ":exp": int(at.timestamp()) + DAY_KEPT_SECONDS},
    }
    updates = [day]
    adds: list[str] = []
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    if old in COUNTED_WHOLE:
        adds.append("#old :minus")
        names["#old"], values[":minus"] = old.value, -1
    if new in COUNTED_WHOLE:
        adds.append("#new :plus")
        names["#new"], values[":plus"] = new.value, 1
    expression = ("ADD " + ", ".join(adds)) if adds else ""
    if new is JobStatus.DONE:
        expression += " SET last_done = :at"
        values[":at"] = at_text
    if expression:
        current: dict[str, Any] = {
            "TableName": counts_table,
            "Key": {"counter": now_key(flow)},
            "UpdateExpression": expression.strip(),
            "ExpressionAttributeValues": values,
        }
        if names:
            current["ExpressionAttributeNames"] = names
        updates.append(current)
    return updates


class FlowCounts:
    """One flow's counters as read: per status, this hour / today / 7 days / now."""

    def __init__(self, items: dict[str, dict[str, Any]], flow: str, now: datetime) -> None:
        self._current = items.get(now_key(flow), {})
        self._today = items.get(day_key(flow, now), {})
        self._hour = f"h{now:%H}_"
        self._days = [items.get(day_key(flow, now - timedelta(days=n)), {}) for n in range(7)]

    def hour(self, status: JobStatus) -> int:
        return int(self._today.get(self._hour + status.value, 0))

    def day(self, status: JobStatus) -> int:
        return int(self._today.get(f"d_{status.value}", 0))

    def week(self, status: JobStatus) -> int:
        return sum(int(day.get(f"d_{status.value}", 0)) for day in self._days)

    def now(self, status: JobStatus) -> int | None:
        if status not in COUNTED_WHOLE:
            return None
        return max(0, int(self._current.get(status.value, 0)))

    @property
    def last_done(self) -> str | None:
        value = self._current.get("last_done")
        return str(value) if value else None


class JobCountsStore:
    def __init__(self, table_name: str, dynamodb: Any | None = None) -> None:
        self._table = table(table_name, dynamodb)
        self._dynamodb = self._table.meta.client

    def read(self, flows: list[str], now: datetime) -> dict[str, FlowCounts]:
        """Every flow's counters: 8 keys a flow, one BatchGetItem per 12 flows."""
        keys = [
            key
            for flow in flows
            for key in [now_key(flow)]
            + [day_key(flow, now - timedelta(days=n)) for n in range(DAYS_SHOWN)]
        ]
        items: dict[str, dict[str, Any]] = {}
        name = self._table.name
        for start in range(0, len(keys), BATCH_GET_KEYS):
            chunk = keys[start : start + BATCH_GET_KEYS]
            wanted: dict[str, Any] = {name: {"Keys": [{"counter": key} for key in chunk]}}
            while wanted:
                response = self._dynamodb.batch_get_item(RequestItems=wanted)
                for item in response.get("Responses", {}).get(name, []):
                    items[str(item["counter"])] = item
                wanted = response.get("UnprocessedKeys") or {}
        return {flow: FlowCounts(items, flow, now) for flow in flows}

    def rebuild(
        self, flow: str, times: dict[JobStatus, list[str]], now: datetime, expires_at: int
    ) -> int:
        """Overwrite a flow's counters from the `updated_at` of its jobs per status (the index:
        `ops console recount`, for a table that held jobs before the counters existed). A job
        is counted as having entered its status when it was last updated. Items written."""
        current: dict[str, Any] = {"counter": now_key(flow)}
        days: dict[str, dict[str, Any]] = {}
        oldest_day = f"{now - timedelta(days=DAYS_SHOWN - 1):%Y-%m-%d}"
        for status, updated in times.items():
            if status in COUNTED_WHOLE:
                current[status.value] = len(updated)
            if status is JobStatus.DONE and updated:
                current["last_done"] = max(updated)
            for at in updated:
                if at[:10] < oldest_day:
                    continue
                day = days.setdefault(
                    at[:10], {"counter": f"{flow}#{at[:10]}", "expires_at": expires_at}
                )
                for name in (f"d_{status.value}", f"h{at[11:13]}_{status.value}"):
                    day[name] = day.get(name, 0) + 1
        with self._table.batch_writer() as batch:
            for item in [current, *days.values()]:
                batch.put_item(Item=item)
        return 1 + len(days)
