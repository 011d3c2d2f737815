"""What every webhook receiver does around its own authentication and payload model.

`receive` is the whole sequence, in an order that tells an unauthenticated caller nothing:
1. read the raw body (API Gateway may base64 it) and refuse one over the limit before any work;
2. authenticate (keys come from the source's webhook-keys secret, never from the settings);
3. parse it strictly with the receiver's pydantic model (a refusal names the field);
4. only then load the settings document: while it is invalid, a signed event is refused with
   503 + Retry-After (the sender retries; NetSuite's backstop re-reads what it missed) and the
   details go to the logs and the health route, never to the caller;
5. acknowledge without a job while the flow's own switch is off, else accept the record
   (`shared.intake`) and answer 202 with the job id.

The limits of steps 1 and 2 are stack parameters (`WEBHOOK_MAX_BODY_BYTES`,
`WEBHOOK_REPLAY_WINDOW_SECONDS`, see `shared.config.Resources`), not settings: they are needed
before the caller is known, so a broken settings document cannot change or break them.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from pydantic import BaseModel, ValidationError

from shared import signing
from shared.api import json_response, refuse_validation
from shared.config import get_secret_json, load_settings, resources
from shared.envelope import NOW
from shared.errors import (
    ConfigurationError,
    FieldProblem,
    PayloadTooLarge,
    RetryableError,
    ValidationFailed,
)
from shared.intake import Accepted
from shared.observability import logger, metrics
from shared.section import FlowSettings
from shared.settings import Settings

# How long a sender should wait before retrying while salesbridge cannot take events.
RETRY_AFTER_SECONDS = 60


def caller_keys(source: str) -> list[str]:
    """The keys a source's webhooks may use: `<source>`, and `<source>_previous` during a
    rotation (from the webhook-keys secret). A missing secret or key is logged for the operator
    and answered 503 without details: the caller is not authenticated yet."""
    try:
        secret = get_secret_json(resources().require("webhook_keys_secret"))
    except Exception as exc:  # Secrets Manager down, no permission, not JSON
        logger.error("cannot read the webhook keys", extra={"source": source, "error": str(exc)})
        raise _unavailable() from exc
    keys = [str(secret[name]) for name in (source, f"{source}_previous") if secret.get(name)]
    if not keys:
        logger.error(f"the webhook keys secret has no {source!r} key")
        raise _unavailable()
    return keys


def signed_by(source: str) -> Callable[[APIGatewayProxyEvent, bytes, int], None]:
    """`authenticate` for a sender that signs each body with its key (`shared.signing`)."""

    def verify(event: APIGatewayProxyEvent, body: bytes, window_seconds: int) -> None:
        signing.verify(
            caller_keys(source),
            event.headers.get(signing.TIMESTAMP_HEADER),
            event.headers.get(signing.SIGNATURE_HEADER),
            body,
            window_seconds=window_seconds,
        )

    return verify


def unless_enabled(section: str, what_is_off: str) -> Callable[[Settings], str | None]:
    """`switched_off` for a flow whose settings section (`shared.settings`) has `enabled`."""

    def reason(settings: Settings) -> str | None:
        flow: FlowSettings = getattr(settings, section)
        return None if flow.enabled else f"{what_is_off} ({section}.enabled)"

    return reason


def _unavailable() -> RetryableError:
    return RetryableError(
        "salesbridge cannot accept events right now; retry later",
        retry_after=RETRY_AFTER_SECONDS,
    )


def raw_body(event: APIGatewayProxyEvent, limit: int) -> bytes:
    body = event.body or ""
    try:
        raw = base64.b64decode(body, validate=True) if event.is_base64_encoded else body.encode()
    except (binascii.Error, ValueError):
        raise ValidationFailed("the request body is not valid base64") from None
    if len(raw) > limit:
        raise PayloadTooLarge(f"the body is {len(raw)} bytes; at most {limit} are accepted")
    return raw


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen.add(key)
    return dict(pairs)


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def check_json(body: bytes) -> None:
    """Refuse what JSON parsers disagree on: duplicate keys (which one wins?), NaN/Infinity."""
    try:
        json.loads(body, object_pairs_hook=_refuse_duplicate_keys, parse_constant=_refuse_constant)
    except _DuplicateKey as exc:
        problem = FieldProblem(exc.key, "appears more than once in the same object")
        raise ValidationFailed(
            f"the request body is invalid: {exc.key!r} appears twice", problems=[problem]
        ) from None
    except (ValueError, RecursionError):
        problem = FieldProblem("(body)", "is not a JSON document (UTF-8, RFC 8259)")
        raise ValidationFailed("the request body is not JSON", problems=[problem]) from None


def parse_body[M: BaseModel](model: type[M], body: bytes, now: datetime | None = None) -> M:
    check_json(body)
    try:
        return model.model_validate_json(body, context={NOW: now or datetime.now(UTC)})
    except ValidationError as exc:
        raise refuse_validation(exc) from exc


def current_settings() -> Settings:
    """The settings, or 503 while they are invalid (details logged, never answered)."""
    try:
        return load_settings()
    except ConfigurationError as exc:
        logger.error(
            "settings are invalid: webhooks are refused with 503 until they are fixed",
            extra={"reason": exc.message},
        )
        metrics.add_metric(name="SettingsInvalid", unit="Count", value=1)
        raise _unavailable() from exc
    except Exception as exc:  # SSM unreachable: the same answer, the sender retries
        logger.error("cannot load the settings", extra={"error": str(exc)})
        raise _unavailable() from exc


def accepted_response(accepted: Accepted, what: str) -> Response[Any]:
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
    switched_off: Callable[[Settings], str | None],
    accept: Callable[[M, str], Accepted],
    what: str,
    now: datetime | None = None,
) -> Response[Any]:
    """`authenticate(event, body, replay window)` raises Unauthorized; `switched_off(settings)`
    names why this flow ignores events, or None; `accept(record, correlation id)` records the
    job and queues its message."""
    env = resources()
    body = raw_body(event, env.webhook_max_body_bytes)
    authenticate(event, body, env.webhook_replay_window_seconds)
    record = parse_body(model, body, now)
    reason = switched_off(current_settings())
    if reason is not None:
        return json_response(202, {"status": "ignored", "reason": reason})
    correlation_id = logger.get_correlation_id() or event.request_context.request_id
    return accepted_response(accept(record, correlation_id), what)
