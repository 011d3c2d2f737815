"""The appointments query: one `GET /query`, then `nextRecordsUrl` only while Salesforce
answers `done: false` (REST API Developer Guide, "Execute a SOQL Query": up to 2,000 records
a batch)."""

from __future__ import annotations

from typing import Any

from simple_salesforce.api import Salesforce

from shared.adapters.salesforce.connection import Connection
from shared.adapters.salesforce.errors import call_translated
from shared.errors import PermanentError


class SalesforceAppointments:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.calls = 0  # Salesforce calls made (the bench counts them)

    def query(self, soql: str, *, max_records: int) -> list[dict[str, Any]]:
        def run(sf: Salesforce) -> list[dict[str, Any]]:
            self.calls += 1
            answer = sf.query(soql)
            records = list(answer.get("records") or [])
            while not answer.get("done", True) and answer.get("nextRecordsUrl"):
                if len(records) >= max_records:
                    break
                self.calls += 1
                answer = sf.query_more(answer["nextRecordsUrl"], identifier_is_url=True)
                records.extend(answer.get("records") or [])
            if len(records) > max_records or not answer.get("done", True):
                raise PermanentError(
                    f"the appointments query matches more than {max_records} records: "
                    "narrow it (or raise max_records)"
                )
            return [_without_attributes(record) for record in records]

        return call_translated(self._connection, run)


def _without_attributes(record: Any) -> Any:
    if isinstance(record, dict):
        return {k: _without_attributes(v) for k, v in record.items() if k != "attributes"}
    return record
