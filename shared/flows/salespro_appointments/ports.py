"""What this flow needs of Salesforce: one SOQL query, as the user's sign-on mode says."""

from __future__ import annotations

from typing import Any, Protocol


class AppointmentSource(Protocol):
    def query(self, soql: str, *, max_records: int) -> list[dict[str, Any]]:
        """The records of `soql`, following `nextRecordsUrl` only while Salesforce says
        there are more; more than `max_records` raises PermanentError."""
        ...
