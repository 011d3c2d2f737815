"""One place for the Logger and Metrics every handler uses.

- Logs are JSON (Powertools Logger) with the Lambda context and a correlation id that travels
  inside every queue message, so one record can be followed from webhook to target write.
- Personal data is erased from log lines before they are written: the values of the keys in
  `PERSONAL_KEYS` (anywhere in the line) become "*****", and e-mail addresses and phone numbers
  in any text (the message, an exception) too. What outside systems answer is cleaned where it
  enters (`vendor_message`, `shape_of`), so their errors reach neither logs nor jobs with values.
  Powertools' DataMasking.erase is not used for this: it selects fields by case-sensitive
  JSONPath, while vendors spell one key three ways, and it cannot clean free text.
- Metrics are CloudWatch EMF, namespace from POWERTOOLS_METRICS_NAMESPACE.
- No Powertools Tracer: nothing here called it, and instantiating it costs about 330 ms of
  cold start (aws_xray_sdk). Active tracing on the functions still records each invocation;
  a call to an outside system is timed in its adapter's log lines and `Job.attempts`.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import IO, Any, cast

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.logging.types import PowertoolsLogRecord

SERVICE = "salesbridge"

# Keys whose values identify a person or open a door. Matched at any depth, ignoring case,
# "_" and "-" (so `first_name`, `firstName` and `FirstName` are one key), and also as the end
# of a longer key (`BillingStreet`, `custbody_contact_email`, `netsuite_consumer_secret`).
PERSONAL_KEYS = frozenset(
    {
        # people and companies
        "name", "firstname", "lastname", "middlename", "fullname", "salutation", "contactname",
        "customername", "companyname", "entityid", "altname", "addressee", "attention",
        "email", "emailaddress", "altemail", "phone", "phonenumber", "mobile", "mobilephone",
        "homephone", "fax", "birthdate", "title",
        # addresses
        "address", "addr1", "addr2", "addr3", "street", "streetaddress", "city", "zip",
        "postalcode", "addrphone", "addrtext",
        # credentials and signatures
        "password", "secret", "token", "authorization", "cookie", "signature", "privatekey",
        "privatekeypem", "consumerkey", "consumersecret", "tokenid", "tokensecret",
        "clientsecret", "accesstoken", "refreshtoken", "xsalesbridgekey",
        "xsalesbridgesignature",
    }
)  # fmt: skip
_PERSONAL_SUFFIXES = tuple(
    sorted({"email", "phone", "street", "address", "postalcode", "secret", "password",
            "token", "signature", "privatekey", "privatekeypem", "firstname", "lastname",
            "fullname"})
)  # fmt: skip
MASK = "*****"


def is_personal_key(key: object) -> bool:
    normal = str(key).lower().replace("_", "").replace("-", "")
    return normal in PERSONAL_KEYS or normal.endswith(_PERSONAL_SUFFIXES)


def mask_personal_data(value: Any) -> Any:
    """A copy of `value` with every personal key's value erased and free text redacted."""
    if isinstance(value, dict):
        return {
            key: MASK if is_personal_key(key) else mask_personal_data(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [mask_personal_data(item) for item in value]
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, BaseException):  # the stack trace's "value" is the exception itself
        return redact(str(value))
    return value


# -- free text ------------------------------------------------------------------------------------
# Key names cannot protect a sentence. Outside systems echo the values they refuse
# ("Email: invalid email address: larry@example.com"), so text is redacted in two strengths:
# `redact` (e-mail addresses and phone numbers, safe for any text: every log line and every job
# error passes through it) and `vendor_message` (also quoted values and the value a vendor
# message ends with), for what Salesforce and NetSuite say, applied in the adapters.

_EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+")
# A phone number: an optional +, then digits in groups separated by spaces, dots, dashes or
# brackets, 7 digits at least; ISO dates (2026-11-22) are not phone numbers.
_PHONE = re.compile(r"(?<![\w:-])(?:\+|\(\d)?\d[\d ().-]{5,}\d(?![\w:-])")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
# What a vendor message may end with and still be kept: a list of field names, or a record id.
_KEEPABLE_TAIL = re.compile(
    r"\[[\w, ]*\]|[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?|\d+|\(at [\w.\[\]]+\)", re.ASCII
)


def _phone_or_date(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(c.isdigit() for c in text)
    if digits < 7 or _ISO_DATE.fullmatch(text.strip()):
        return text
    return MASK


def redact(text: str) -> str:
    """`text` with e-mail addresses and phone numbers replaced by the mask."""
    return _PHONE.sub(_phone_or_date, _EMAIL.sub(MASK, text))


def vendor_message(text: str) -> str:
    """An outside system's error message without the values it echoes.

    Keeps the codes, field names and reasons ("REQUIRED_FIELD_MISSING: Required fields are
    missing: [LastName]"), drops quoted values, and of a message shaped like Salesforce's
    "<field>: <reason>: <value>" drops the value unless it is a field list or a record id
    ("Email: invalid email address: *****"). Apply it to the vendor's text alone, before
    prefixing anything of ours.
    """
    text = _QUOTED.sub(MASK, redact(text))
    if text.count(": ") < 2:  # "<reason>: <fields>" has no value; "<field>: <reason>: <value>"
        return text
    head, _, tail = text.rpartition(": ")
    if _KEEPABLE_TAIL.fullmatch(tail.strip()) or tail == MASK:
        return text
    return f"{head}: {MASK}"


def shape_of(body: object) -> str:
    """What an unexpected answer looked like, without a single value from it."""
    if isinstance(body, dict):
        return f"an object with keys {sorted(map(str, body))[:20]}"
    if isinstance(body, list):
        return f"a list of {len(body)} items"
    return f"a {type(body).__name__}"


class MaskingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON formatter, erasing personal data from every field of the line."""

    def serialize(self, log: dict[str, Any] | PowertoolsLogRecord) -> str:
        return super().serialize(mask_personal_data(log))


class _CurrentStdout:
    """Whatever `sys.stdout` is when a line is written. Lambda never swaps it; the local
    stack's demo and benchmarks do, to keep the functions' JSON lines in a log file, and a
    Logger bound to the stream of the moment it was created would write past them."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


logger = Logger(
    service=SERVICE,
    logger_formatter=MaskingFormatter(),
    stream=cast(IO[str], _CurrentStdout()),  # a write/flush stream is all logging uses
)
metrics = Metrics(service=SERVICE)


def set_correlation_id(correlation_id: str | None) -> None:
    logger.set_correlation_id(correlation_id)


def quiet_noisy_libraries() -> None:
    for name in ("botocore", "urllib3", "httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


quiet_noisy_libraries()
