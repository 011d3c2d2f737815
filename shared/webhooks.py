"""What every webhook receiver does around its own authentication and payload model.

`receive` is the whole sequence: read the raw body (API Gateway may base64 it) and refuse
one over the limit before any work, authenticate, parse it with the receiver's pydantic model
(a refusal names the field), acknowledge without a job while the integration is switched off,
accept the record (`shared.intake`) and answer 202 with the job id.
"""

from __future__ import annotations

import base64
from collections.abc import Callable

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from pydantic import BaseModel, ValidationError

from shared.api import json_response, refuse_validation
from shared.config import get_secret_json, load_settings, resources
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


def raw_body(event: APIGatewayProxyEvent, limit: int) -> bytes:
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


def receive[M: BaseModel](
    event: APIGatewayProxyEvent,
    *,
    authenticate: Callable[[APIGatewayProxyEvent, bytes, int], None],
    model: type[M],
    accept: Callable[[M, str], Accepted],
    what: str,
) -> Response:
    """`authenticate(event, body, replay window)` raises Unauthorized; `accept(record,
    correlation id)` records the job and queues its message."""
    settings = load_settings()
    body = raw_body(event, settings.webhooks.max_body_bytes)
    authenticate(event, body, settings.webhooks.replay_window_seconds)
    record = parse_body(model, body)
    if not settings.netsuite.enabled:
        return json_response(202, {"status": "ignored", "reason": "NetSuite sync is disabled"})
    correlation_id = logger.get_correlation_id() or event.request_context.request_id
    return accepted_response(accept(record, correlation_id), what)
