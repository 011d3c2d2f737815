"""One place for the Logger, Tracer and Metrics every handler uses.

- Logs are JSON (Powertools Logger) with the Lambda context and a correlation id that travels
  inside every queue message, so one record can be followed from webhook to target write.
- Personal data is erased from log lines before they are written: the keys in `PERSONAL_KEYS`
  (anywhere in the structured `extra`) become "*****" through Powertools data masking.
- Metrics are CloudWatch EMF, namespace from POWERTOOLS_METRICS_NAMESPACE.
- The Tracer is created lazily: instantiating it costs about 330 ms of cold start, and
  receivers that only validate and enqueue should not pay it before they need it.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.logging.types import PowertoolsLogRecord

SERVICE = "salesbridge"

# Keys whose values identify a person. Matched case-insensitively at any depth.
PERSONAL_KEYS = frozenset(
    {
        "email",
        "emailaddress",
        "phone",
        "phonenumber",
        "mobile",
        "mobilephone",
        "fax",
        "firstname",
        "lastname",
        "fullname",
        "contactname",
        "customername",
        "street",
        "streetaddress",
        "address",
        "billingstreet",
        "shippingstreet",
        "password",
        "token",
        "access_token",
        "authorization",
        "signature",
        "private_key",
    }
)
MASK = "*****"


def mask_personal_data(value: Any) -> Any:
    """A copy of `value` with every personal key's value erased."""
    if isinstance(value, dict):
        return {
            key: MASK if str(key).lower() in PERSONAL_KEYS else mask_personal_data(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [mask_personal_data(item) for item in value]
    return value


class MaskingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON formatter, erasing personal data from the structured fields."""

    def serialize(self, log: dict[str, Any] | PowertoolsLogRecord) -> str:
        return super().serialize(mask_personal_data(log))


logger = Logger(service=SERVICE, logger_formatter=MaskingFormatter())
metrics = Metrics(service=SERVICE)


@cache
def tracer() -> Any:
    from aws_lambda_powertools import Tracer

    return Tracer(service=SERVICE)


def set_correlation_id(correlation_id: str | None) -> None:
    logger.set_correlation_id(correlation_id)


def quiet_noisy_libraries() -> None:
    for name in ("botocore", "urllib3", "httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


quiet_noisy_libraries()
