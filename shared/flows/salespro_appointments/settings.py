"""This flow's section of the settings document (`salespro_appointments`): SalesPro's
"Custom Salesforce Query" and its field mapping (Workflow > CRM and Appointments).

Loading refuses what would only fail later: a query that does not select the record Id, a
mapping whose field the query does not select, a placeholder SalesPro does not have. The user
placeholders are bound as quoted SOQL values (`format_soql`), never pasted into the text, so
`'%userIdentifier%'` and `%userIdentifier%` mean the same.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import Field, model_validator

from shared.section import FlowSettings, Section

# SalesPro's user placeholders (API-FACTS); the values come from the caller's credential.
USER_PLACEHOLDERS = frozenset({"userIdentifier", "usersName", "userEmail"})
PLACEHOLDER = re.compile(r"'?%([A-Za-z]+)%'?")
SELECT_LIST = re.compile(r"^\s*SELECT\s+(?P<fields>.+?)\s+FROM\s+\w+", re.IGNORECASE | re.DOTALL)


class SalesforceType(StrEnum):
    """The Salesforce data types SalesPro's mapping offers; each normalises one way."""

    STRING = "string"
    TEXTAREA = "textarea"
    PICKLIST = "picklist"
    EMAIL = "email"
    PHONE = "phone"
    URL = "url"
    ID = "id"
    REFERENCE = "reference"
    BOOLEAN = "boolean"
    INT = "int"
    DOUBLE = "double"
    CURRENCY = "currency"
    PERCENT = "percent"
    DATE = "date"
    DATETIME = "datetime"


class FieldMapping(Section):
    app_title: str = Field(min_length=1, max_length=80, description="the title in the app")
    api_name: str = Field(
        pattern=r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$",
        max_length=255,
        description="the Salesforce API name, relationship paths allowed (i360__Account__r.Name)",
    )
    data_type: SalesforceType
    salespro_field: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.]*$", max_length=80)
    show_in_notes: bool = False


def selected_fields(query: str) -> set[str]:
    """The top-level SELECT list, lower-cased (SOQL names are case-insensitive); subqueries
    and functions are not fields a mapping can name."""
    match = SELECT_LIST.match(query)
    if match is None:
        return set()
    fields, depth, current = [], 0, ""
    for char in match.group("fields"):
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            fields.append(current)
            current = ""
        else:
            current += char
    fields.append(current)
    return {f.strip().lower() for f in fields if "(" not in f}


class SalesproAppointmentsSettings(FlowSettings):
    """`enabled` off: GET /salespro/appointments answers 403 and reads nothing."""

    query: str = Field(
        "SELECT Id FROM Event WHERE OwnerId = '%userIdentifier%'",
        min_length=10,
        max_length=20_000,
        description="SOQL; %userIdentifier%, %usersName%, %userEmail% are bound as values",
    )
    fields: list[FieldMapping] = Field(default_factory=list, max_length=100)
    max_records: int = Field(500, ge=1, le=2000, description="more is refused, not cut")

    @model_validator(mode="after")
    def _query_fits_the_mapping(self) -> SalesproAppointmentsSettings:
        selected = selected_fields(self.query)
        if not selected:
            raise ValueError("query: not a SELECT ... FROM ... query")
        if "id" not in selected:
            raise ValueError(
                "query: must select the record Id (SalesPro results and files go to it)"
            )
        missing = [m.api_name for m in self.fields if m.api_name.lower() not in selected]
        if missing:
            raise ValueError(f"fields: the query does not select {', '.join(missing)}")
        unknown = {name for name in PLACEHOLDER.findall(self.query)} - USER_PLACEHOLDERS
        if unknown:
            raise ValueError(f"query: unknown placeholders {', '.join(sorted(unknown))}")
        return self

    def soql_template(self) -> str:
        """The query as a `format_soql` template: braces escaped, each placeholder (quoted
        or not) a named value that format_soql quotes and escapes."""
        escaped = self.query.replace("{", "{{").replace("}", "}}")
        return PLACEHOLDER.sub(lambda match: "{" + match.group(1) + "}", escaped)

    def placeholders(self) -> set[str]:
        return set(PLACEHOLDER.findall(self.query))
