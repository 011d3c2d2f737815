"""No personal value reaches a log line or a job's error, whatever path a failure takes.

One customer's personal data (name, e-mail, phone, street) is fed through every way an error
is born: Salesforce refusing a node and echoing the value, Salesforce refusing a whole call,
an answer that is not Salesforce's error shape, several records sharing an external id, NetSuite
refusing a write, a webhook body that fails validation, a queue message that fails validation,
and an unexpected exception. Every log line written and every error a job would store is then
searched for each value (issue 8, item 10).
"""

from __future__ import annotations

import io
import json

import httpx
import pytest
from simple_salesforce.exceptions import SalesforceError

from shared.adapters.netsuite.client import translate_error
from shared.adapters.salesforce.errors import translate
from shared.flows.netsuite_orders_to_salesforce.service import queued_orders
from shared.observability import MASK, logger, mask_personal_data, vendor_message
from tests.unit.fakes import FakeJobs, FakeQueue
from tests.unit.test_netsuite_webhook_handler import post, sample_body, wired
from tests.unit.test_salesforce_orders import one_failed, order, store

FIRST, LAST = "Larissa", "Quenby"
NAME = f"{FIRST} {LAST}"
EMAIL = "larissa.quenby@example.org"
PHONE = "+44 20 7946 0958"
STREET = "221B Baker Street"
PERSONAL = (FIRST, LAST, EMAIL, PHONE, STREET, "7946")

__all__ = ["wired"]  # the receiver's fixture, used below


@pytest.fixture
def log_lines(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    stream = io.StringIO()
    monkeypatch.setattr(logger.registered_handler, "stream", stream)
    return stream


def assert_no_personal_value(*texts: str) -> None:
    for text in texts:
        for value in PERSONAL:
            assert value not in text, f"{value!r} leaked into: {text}"


def salesforce_node_refusals() -> list[str]:
    refusals = [
        ("INVALID_EMAIL_ADDRESS", f"Email: invalid email address: {EMAIL}", ["Email"]),
        ("STRING_TOO_LONG", f"Name: data value too large: {NAME} (max length=10)", ["Name"]),
        ("STRING_TOO_LONG", f"BillingStreet: data value too large: {STREET}", ["BillingStreet"]),
        ("FIELD_CUSTOM_VALIDATION_EXCEPTION", f"{PHONE} is not a mobile number", ["Phone"]),
        ("DUPLICATE_VALUE", f"duplicate value found: Name duplicates value '{NAME}'", []),
    ]
    messages = []
    for code, message, fields in refusals:
        answer = [{"errorCode": code, "message": message, "fields": fields}]
        orders, _ = store(one_failed([("account", 400, answer)]))
        failure = orders.write_orders([order(1, lines=0)])["ns1"].failure
        assert failure is not None and failure.error_code == code
        messages.append(failure.message)
    return messages


def test_salesforce_refusals_keep_the_code_and_field_but_no_value() -> None:
    messages = salesforce_node_refusals()
    assert_no_personal_value(*messages)
    assert messages[0] == f"account: Email: invalid email address: {MASK}"
    assert vendor_message("Required fields are missing: [LastName]") == (
        "Required fields are missing: [LastName]"
    )


def test_several_records_sharing_an_external_id_are_named_by_id_only() -> None:
    records = [
        {"attributes": {"url": "/services/data/v61.0/sobjects/Account/001A"}, "Id": "001A",
         "Name": NAME, "Phone": PHONE},
        "/services/data/v61.0/sobjects/Account/001B",
    ]  # fmt: skip
    orders, _ = store(one_failed([("account", 300, records)]))
    failure = orders.write_orders([order(1, lines=0)])["ns1"].failure
    assert failure is not None and "001A" in failure.message and "001B" in failure.message
    assert_no_personal_value(failure.message)


def test_whole_call_refusals_and_odd_answers_quote_nothing() -> None:
    url = "https://example.my.salesforce.com/services/data/v61.0/composite/graph"
    echoed = [{"errorCode": "INVALID_FIELD", "message": f"No such column '{NAME}' on Account"}]
    page = f"<html>Dear {NAME}, {EMAIL}, {STREET}</html>".encode()
    errors = [
        translate(SalesforceError(url, 400, "graph", echoed)),
        translate(SalesforceError(url, 502, "graph", page)),
    ]
    assert "INVALID_FIELD" in errors[0].message
    assert_no_personal_value(*(e.message for e in errors))


def test_netsuite_refusals_keep_the_path_and_code_but_no_value() -> None:
    body = {
        "o:errorDetails": [
            {"detail": f"Invalid Field Value '{FIRST}' for the following field: firstname",
             "o:errorCode": "INVALID_VALUE", "o:errorPath": "firstname"},
            {"detail": f"You have entered an invalid email address: {EMAIL}",
             "o:errorCode": "INVALID_FLD_VALUE", "o:errorPath": "email"},
            {"detail": f"The phone number {PHONE} is invalid", "o:errorCode": "INVALID_PHONE"},
        ]
    }  # fmt: skip
    error = translate_error(httpx.Response(400, json=body), "create the sales order")
    assert "INVALID_VALUE" in error.message and "(at firstname)" in error.message
    assert [p.field for p in error.problems] == ["firstname", "email"]
    assert_no_personal_value(error.message, *(p.reason for p in error.problems))


def test_a_webhook_body_that_fails_validation_is_logged_without_its_values(
    wired: tuple[FakeJobs, FakeQueue], log_lines: io.StringIO
) -> None:
    body = sample_body(id={"firstName": FIRST, "email": EMAIL}, eventType=f"{NAME} {PHONE}")
    result = post(body)
    assert result["statusCode"] == 400
    assert log_lines.getvalue(), "the refusal is logged"
    assert_no_personal_value(log_lines.getvalue(), json.dumps(result["json"]))


def test_a_malformed_queue_message_is_logged_without_its_values(log_lines: io.StringIO) -> None:
    message = {"version": 1, "payload": {"customer": NAME, "street": STREET, "phone": PHONE}}
    queued, malformed = queued_orders([{"messageId": "m1", "body": json.dumps(message)}])
    assert not queued and malformed == ["m1"]
    assert "m1" in log_lines.getvalue()
    assert_no_personal_value(log_lines.getvalue())


def test_every_logged_field_and_text_is_masked(log_lines: io.StringIO) -> None:
    customer = {"companyName": NAME, "first_name": FIRST, "LastName": LAST,
                "addressbook": [{"addr1": STREET, "addrPhone": PHONE}], "id": "4711"}  # fmt: skip
    secrets = {"consumer_secret": "c", "token_secret": "t", "private_key_pem": "k",
               "X-Salesbridge-Key": "x"}  # fmt: skip
    try:
        raise RuntimeError(f"could not reach {EMAIL} at {PHONE}")
    except RuntimeError:
        logger.exception("failed", extra={"customer": customer, "headers": secrets})
    line = json.loads(log_lines.getvalue())
    assert line["customer"]["id"] == "4711"
    assert set(mask_personal_data(secrets).values()) == {MASK}
    assert_no_personal_value(log_lines.getvalue())


@pytest.mark.parametrize("text", [EMAIL, PHONE, f"call {PHONE} or write to {EMAIL}"])
def test_free_text_loses_emails_and_phone_numbers(text: str) -> None:
    assert_no_personal_value(str(mask_personal_data({"message": text})))


def test_ids_dates_and_codes_survive_redaction() -> None:
    kept = "netsuite:salesorder:4711:2026-11-22T09:41:07Z UNABLE_TO_LOCK_ROW 006000000000001AAA"
    assert mask_personal_data(kept) == kept
