"""SalesPro appointments through the local stack (seed 001): the improveit 360 preset of
settings/local.json against the Salesforce sandbox's i360 objects (salesforce/org-fixtures)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from simple_salesforce import Salesforce, SFType

from devstack.stack import LocalStack
from ops.operator import Operator
from shared.adapters.salesforce.connection import connection_from_secret
from shared.app_credentials import AppUser, SignOnMode

ROOT = Path(__file__).resolve().parents[2]
ROUTE = "/salespro/appointments"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with LocalStack(
        ROOT / "template.yaml",
        sandboxes=["salesforce"],
        state_dir=tmp_path_factory.mktemp("local-appointments"),
        time_scale=0.01,
    ) as running:
        yield running


@pytest.fixture(scope="module")
def sf(stack: LocalStack) -> Salesforce:
    secret = stack.sandboxes["salesforce"].connection()
    connection = connection_from_secret(secret, str(stack.ca.bundle_path))
    return connection.call(lambda client: client)


def sobject(sf: Salesforce, name: str) -> SFType:
    return cast(SFType, getattr(sf, name))


def token_for(stack: LocalStack, identifier: str) -> str:
    user_id = "rep-" + "".join(c for c in identifier if c.isalnum())[-12:]
    user = AppUser(user_id=user_id, mode=SignOnMode.SINGLE_SIGN_ON,
                   unique_identifier=identifier)  # fmt: skip
    return Operator.from_local_stack(stack).app_credentials().issue(user).token


def get(stack: LocalStack, token: str | None, **params: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(f"{stack.api.base_url}{ROUTE}", headers=headers, params=params, timeout=30)


@pytest.fixture(scope="module")
def staff(sf: Salesforce) -> dict[str, str]:
    ids = {}
    for name in ("Rita Rep", "Otto Other"):
        ids[name] = str(sobject(sf, "i360__Staff__c").create({"Name": name})["id"])
    appointments = [
        ("Rita Rep", "Larry Leap", "2026-03-02T15:00:00.000+0000", "Scheduled", 2),
        ("Rita Rep", "Mia Moss", "2026-03-03T09:30:00.000+0000", "Confirmed", 2),
        ("Rita Rep", "Old Cancel", "2026-03-04T09:30:00.000+0000", "Cancelled", 1),
        ("Otto Other", "Not Rita's", "2026-03-02T10:00:00.000+0000", "Scheduled", 1),
    ]
    for rep, customer, start, status, hours in appointments:
        sobject(sf, "i360__Appointment__c").create(
            {
                "i360__Sales_Rep_1__c": ids[rep],
                "i360__Customer_Name__c": customer,
                "i360__Start__c": start,
                "i360__Status__c": status,
                "i360__Duration__c": hours,
                "i360__City__c": "Springfield",
            }
        )
    return ids


def test_a_user_gets_their_own_appointments_normalised_and_typed(
    stack: LocalStack, staff: dict[str, str]
) -> None:
    answer = get(stack, token_for(stack, staff["Rita Rep"]))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert body["count"] == 2
    first, second = body["appointments"]
    assert first["fields"]["customer.name"] == "Larry Leap"
    assert first["fields"]["appointment.start"] == "2026-03-02T15:00:00Z"
    assert first["fields"]["appointment.duration"] == 2.0  # a Number(scale 0), typed
    assert second["fields"]["customer.name"] == "Mia Moss"
    assert {"title": "Status", "value": "Scheduled"} in first["notes"]
    assert len(first["id"]) == 18


def test_a_soql_injection_in_the_identifier_returns_nothing(
    stack: LocalStack, staff: dict[str, str]
) -> None:
    sneaky = f"{staff['Otto Other']}' OR i360__Sales_Rep_1__c != '"
    answer = get(stack, token_for(stack, sneaky))
    # Bound as one escaped value, the whole string is compared with the lookup: Salesforce
    # refuses it as an id (INVALID_QUERY_FILTER_OPERATOR), a 4xx with no record in it.
    assert answer.status_code == 422, answer.text
    assert "invalid ID field" in answer.text and "appointments" not in answer.json()
    assert "Not Rita" not in answer.text


def test_a_missing_or_revoked_credential_and_an_unknown_parameter_are_refused(
    stack: LocalStack, staff: dict[str, str]
) -> None:
    operator = Operator.from_local_stack(stack)
    user = AppUser(user_id="leaver", mode=SignOnMode.SINGLE_SIGN_ON,
                   unique_identifier=staff["Rita Rep"])  # fmt: skip
    issued = operator.app_credentials().issue(user)
    assert get(stack, issued.token).status_code == 200
    assert get(stack, issued.token, since="yesterday").status_code == 400
    operator.app_credentials().revoke(issued.credential_id)
    assert get(stack, issued.token).status_code == 401
    assert get(stack, None).status_code == 401
