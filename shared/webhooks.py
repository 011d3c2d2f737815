"""What every webhook receiver does around its own authentication and payload model.

A receiver: reads the raw body (API Gateway may base64 it), refuses a body over the limit
before any work, authenticates, parses the body with its pydantic model (a refusal names the
field), accepts the record (`shared.intake`) and answers 202 with the job id.
"""

from __future__ import annotations

import base64

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent
from pydantic import BaseModel, ValidationError

from shared.api import json_response, refuse_validation
from shared.config import get_secret_json, resources
from shared.errors import ConfigurationError, PayloadTooLarge
from shared.intake import Accepted
from shared.observability import logger, metrics


def caller_keys(source: str) -> list[str]:
    """The keys a source's webhooks may use: `<source>`, and `<source>_previous` during a
    rotation (from the webhook-keys secret)."""
    secret = get_secret_json(resources().require("webhook_keys_secret"))
    keys = [str(secret[name]) for name in (source, f"{source}_previous") if secret.get(name)]
    if not keys:
        raise ConfigurationError(f"the webhook keys secret has no {source!r} key")
    return keys


def raw_body(event: BaseProxyEvent, limit: int) -> bytes:
    body = event.body or ""
    raw = base64.b64decode(body) if event.is_base64_encoded else body.encode()
    if len(raw) > limit:
        raise PayloadTooLarge(f"the body is {len(raw)} bytes; at most {limit} are accepted")
    return raw


def parse_body[M: BaseModel](model: type[M], body: bytes) -> M:
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise refuse_validation(exc) from exc


def accepted_response(accepted: Accepted, what: str) -> Response:
    metrics.add_metric(
        name="DuplicateEvents" if accepted.duplicate else "AcceptedEvents", unit="Count", value=1
    )
    logger.info(
        f"{what} accepted", extra={"job_id": accepted.job.job_id, "duplicate": accepted.duplicate}
    )
    return json_response(
        202,
        {
            "jobId": accepted.job.job_id,
            "status": accepted.job.status.value,
            "duplicate": accepted.duplicate,
        },
    )
