"""SalesPro appointments: the settings refuse a query the mapping cannot use; placeholders
are bound as quoted values, never pasted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from shared.app_credentials import AppUser, SignOnMode
from shared.flows.salespro_appointments.service import Appointments
from shared.flows.salespro_appointments.settings import SalesproAppointmentsSettings

ROOT = Path(__file__).resolve().parents[2]
MAPPING = {"app_title": "City", "api_name": "i360__City__c", "data_type": "string",
           "salespro_field": "customer.city"}  # fmt: skip


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("SELECT Name, i360__City__c FROM i360__Appointment__c", "must select the record Id"),
        ("SELECT Id FROM i360__Appointment__c", "does not select i360__City__c"),
        ("SELECT Id, i360__City__c FROM X WHERE A = %customerName%", "unknown placeholders"),
    ],
)
def test_settings_refuse_a_query_the_mapping_cannot_use(query: str, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        SalesproAppointmentsSettings(query=query, fields=[MAPPING])  # type: ignore[list-item]


def test_the_identifier_is_bound_as_one_escaped_value() -> None:
    settings = SalesproAppointmentsSettings(
        query="SELECT Id, i360__City__c FROM i360__Appointment__c WHERE R = '%userIdentifier%'",
        fields=[MAPPING],  # type: ignore[list-item]
    )
    user = AppUser(user_id="x", mode=SignOnMode.SINGLE_SIGN_ON, unique_identifier="a' OR R != '")
    soql = Appointments(settings, lambda user: None).soql_for(user)  # type: ignore[arg-type,return-value]
    assert soql.endswith("WHERE R = 'a\\' OR R != \\''")


def test_the_improveit_360_preset_loads() -> None:
    document = json.loads((ROOT / "settings/example.json").read_text())
    preset = SalesproAppointmentsSettings.model_validate(document["salespro_appointments"])
    assert "i360__Appointment__c" in preset.query and len(preset.fields) >= 10
