"""Accounts and contacts for the Unleashed company sync (the flow's `SalesforceCompanies` port).

user_ids_by_email  GET /query: active users by e-mail (1 call)
write              POST /composite (allOrNone false, 1 call): the Account upserted by
                   `Unleashed_Customer_Guid__c`, then each contact upserted by
                   `Unleashed_Contact_Guid__c` with its Account given by the same foreign
                   key external id, so a new contact lands under its own customer's Account
                   in the same call. A refused contact is reported, the others stand.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from simple_salesforce.api import Salesforce
from simple_salesforce.format import format_soql

from shared.adapters.salesforce.connection import Connection
from shared.adapters.salesforce.errors import call_translated
from shared.deadline import call_timeout
from shared.errors import PermanentError
from shared.flows.unleashed_companies.models import AccountWrite, Values, WriteResult
from shared.observability import shape_of, vendor_message

T = TypeVar("T")
TIMEOUT_SECONDS = 20.0
ACCOUNT_WIRE = {"name": "Name", "phone": "Phone", "website": "Website"}
ADDRESS_WIRE = {
    "street": "Street",
    "city": "City",
    "region": "State",
    "postal_code": "PostalCode",
    "country": "Country",
}
CONTACT_WIRE = {
    "first_name": "FirstName",
    "last_name": "LastName",
    "email": "Email",
    "phone": "Phone",
    "mobile": "MobilePhone",
    "fax": "Fax",
}


class SalesforceCompanyBook:
    def __init__(self, connection: Connection, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.connection = connection
        self.timeout = timeout
        self.api_calls = 0

    def user_ids_by_email(self, emails: set[str]) -> dict[str, str]:
        if not emails:
            return {}
        soql = format_soql(
            "SELECT Id, Email FROM User WHERE IsActive = true AND Email IN {}", sorted(emails)
        )
        timeout = call_timeout(self.timeout, "a Salesforce query")
        page = self._request(lambda sf: sf.query(soql, timeout=timeout))
        return {
            str(row["Email"]).lower(): str(row["Id"])
            for row in page.get("records") or []
            if row.get("Email")
        }

    def write(self, change: AccountWrite) -> WriteResult:
        version = self.connection.credentials.api_version
        base = f"/services/data/v{version}/sobjects"
        requests = [
            {
                "method": "PATCH",
                "url": f"{base}/Account/Unleashed_Customer_Guid__c/{change.customer_guid}",
                "referenceId": "account",
                "body": account_body(change),
            }
        ]
        for index, contact in enumerate(change.contacts):
            requests.append(
                {
                    "method": "PATCH",
                    "url": f"{base}/Contact/Unleashed_Contact_Guid__c/{contact.guid}",
                    "referenceId": f"contact{index}",
                    "body": {
                        **contact_body(contact.values),
                        "Account": {"Unleashed_Customer_Guid__c": change.customer_guid},
                    },
                }
            )
        data = json.dumps({"allOrNone": False, "compositeRequest": requests})
        timeout = call_timeout(self.timeout, "the Salesforce company write")
        answer = self._request(
            lambda sf: sf.restful("composite", method="POST", data=data, timeout=timeout)
        )
        responses = (answer or {}).get("compositeResponse") if isinstance(answer, dict) else None
        if not isinstance(responses, list) or len(responses) != len(requests):
            raise PermanentError(f"Salesforce answered the composite with {shape_of(answer)}")
        by_ref = {r.get("referenceId"): r for r in responses}
        account_id, errors = _outcome(by_ref["account"])
        result_errors = {"account": errors} if errors else {}
        contact_ids = {}
        for index, contact in enumerate(change.contacts):
            contact_id, error = _outcome(by_ref[f"contact{index}"])
            if contact_id:
                contact_ids[contact.guid] = contact_id
            else:
                result_errors[contact.guid] = error or "no id answered"
        return WriteResult(account_id, contact_ids, result_errors)

    def record_sync_state(self, sobject: str, record_id: str, error: str | None) -> None:
        self._patch(sobject, record_id, {"Unleashed_Sync_Error__c": (error or "")[:255] or None})

    def restore(self, sobject: str, record_id: str, values: Values) -> None:
        if sobject == "Contact":
            body = contact_body(values)
        else:
            body = account_body(AccountWrite("", "", values))
            body.pop("Unleashed_Customer_Code__c")
        self._patch(sobject, record_id, body)

    def _patch(self, sobject: str, record_id: str, body: dict[str, Any]) -> None:
        data = json.dumps(body)
        timeout = call_timeout(self.timeout, "a Salesforce update")
        self._request(
            lambda sf: sf.restful(
                f"sobjects/{sobject}/{record_id}", method="PATCH", data=data, timeout=timeout
            )
        )

    def _request(self, operation: Callable[[Salesforce], T]) -> T:
        def counted(sf: Salesforce) -> T:
            self.api_calls += 1
            return operation(sf)

        return call_translated(self.connection, counted)


def account_body(change: AccountWrite) -> dict[str, Any]:
    body: dict[str, Any] = {"Unleashed_Customer_Code__c": change.customer_code}
    prefix = "Shipping" if change.address == "shipping" else "Billing"
    for key, value in change.values.items():
        if key in ACCOUNT_WIRE:
            body[ACCOUNT_WIRE[key]] = value
        elif key.startswith("address."):
            body[prefix + ADDRESS_WIRE[key.removeprefix("address.")]] = value
    if change.owner_id:
        body["OwnerId"] = change.owner_id
    if "Name" in body and not body["Name"]:
        body["Name"] = change.customer_code  # Name is required; Unleashed requires one too
    return body


def contact_body(values: Values) -> dict[str, Any]:
    body = {CONTACT_WIRE[k]: v for k, v in values.items() if k in CONTACT_WIRE}
    if "LastName" in body and not body["LastName"]:
        # LastName is required in Salesforce; Unleashed needs only one of the three names.
        body["LastName"] = values.get("first_name") or values.get("email") or "(no name)"
    return body


def _outcome(response: dict[str, Any]) -> tuple[str | None, str | None]:
    status = int(response.get("httpStatusCode") or 0)
    body = response.get("body")
    if 200 <= status < 300:
        record_id = body.get("id") if isinstance(body, dict) else None
        return (str(record_id) if record_id else None), None
    first = body[0] if isinstance(body, list) and body else {}
    reason = f"{first.get('errorCode', status)}: {vendor_message(str(first.get('message', '')))}"
    return None, reason
