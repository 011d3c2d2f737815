"""GET /salespro/appointments: the calling user's appointments, normalised and typed.

The configured query runs with the user's placeholders bound by `format_soql` (quoted and
escaped: an identifier such as `x' OR Name != '` is one string value, never SOQL), then each
record becomes SalesPro's fields through the mapping; the fields marked for the notes also
come as the appointment's notes, titled as in the app.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from simple_salesforce.format import format_soql

from shared.app_credentials import AppUser
from shared.errors import FieldProblem, PermanentError, ValidationFailed
from shared.flows.salespro_appointments.ports import AppointmentSource
from shared.flows.salespro_appointments.settings import (
    FieldMapping,
    SalesforceType,
    SalesproAppointmentsSettings,
)


class AppointmentsSwitchedOff(PermanentError):
    code = "switched_off"
    http_status = 403


def user_values(user: AppUser) -> dict[str, str]:
    values = {
        "usersName": user.name,
        "userEmail": user.email,
        "userIdentifier": user.unique_identifier or user.salesforce_username,
    }
    return {k: v for k, v in values.items() if v}


class Appointments:
    def __init__(
        self,
        settings: SalesproAppointmentsSettings,
        salesforce_for: Callable[[AppUser], AppointmentSource],
    ) -> None:
        self._settings = settings
        self._salesforce_for = salesforce_for

    def soql_for(self, user: AppUser) -> str:
        values = user_values(user)
        missing = sorted(self._settings.placeholders() - set(values))
        if missing:
            raise ValidationFailed(
                "the appointments query needs values this user does not have",
                problems=[FieldProblem(f"user.{name}", "none on record") for name in missing],
            )
        return str(format_soql(self._settings.soql_template(), **values))

    def for_user(self, user: AppUser) -> dict[str, Any]:
        if not self._settings.enabled:
            raise AppointmentsSwitchedOff("SalesPro appointments are switched off")
        records = self._salesforce_for(user).query(
            self.soql_for(user), max_records=self._settings.max_records
        )
        appointments = [self._normalised(record) for record in records]
        return {"appointments": appointments, "count": len(appointments)}

    def _normalised(self, record: dict[str, Any]) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        notes = []
        for mapping in self._settings.fields:
            value = typed(value_at(record, mapping.api_name), mapping)
            fields[mapping.salespro_field] = value
            if mapping.show_in_notes and value not in (None, ""):
                notes.append({"title": mapping.app_title, "value": value})
        return {"id": value_at(record, "Id"), "fields": fields, "notes": notes}


def value_at(record: dict[str, Any], path: str) -> Any:
    """A field of a SOQL record by API name, through relationships; names are matched
    without case, as SOQL does (the answer spells them as the org does)."""
    value: Any = record
    for name in path.split("."):
        if not isinstance(value, dict):
            return None
        key = next((k for k in value if k.lower() == name.lower()), None)
        value = value.get(key) if key is not None else None
    return value


def typed(value: Any, mapping: FieldMapping) -> Any:
    """The value as SalesPro expects its type: numbers as numbers, dates as ISO dates,
    date-times in UTC with a Z, text trimmed; a value of the wrong shape is refused."""
    if value is None:
        return None
    kind = mapping.data_type
    try:
        if kind is SalesforceType.BOOLEAN:
            return bool(value)
        if kind is SalesforceType.INT:
            return int(value)
        if kind in (SalesforceType.DOUBLE, SalesforceType.CURRENCY, SalesforceType.PERCENT):
            return float(value)
        if kind is SalesforceType.DATE:
            return date.fromisoformat(str(value)[:10]).isoformat()
        if kind is SalesforceType.DATETIME:
            moment = datetime.fromisoformat(str(value).replace("+0000", "+00:00"))
            return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (TypeError, ValueError) as exc:
        raise PermanentError(
            f"{mapping.api_name} is mapped as {kind.value} but Salesforce answered {value!r}"
        ) from exc
    return str(value).strip()
