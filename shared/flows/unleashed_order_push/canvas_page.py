"""`POST /unleashed/send`: the Warehouse Selection page inside Salesforce (a Canvas app).

Every POST carries the Canvas signed request (Salesforce's first POST, then the page's own
forms echo it back) and is verified before anything else is read: the user and the
opportunity come from the signed context, never from the form. A forged, altered or foreign
request gets the refusal page (401) and changes nothing. The form field `action` picks what
to do: none draws the page, `send` queues the order and draws the progress page, `status`
answers the job's state as JSON (what the progress page polls).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs

from pydantic import ValidationError

from shared.canvas import CanvasRequest, verify_signed_request
from shared.errors import SalesbridgeError, Unauthorized
from shared.flows.unleashed_order_push import render
from shared.flows.unleashed_order_push.events import SendRequest
from shared.flows.unleashed_order_push.order import refusals
from shared.flows.unleashed_order_push.page import SendPage

HTML = "text/html; charset=utf-8"
JSON = "application/json"
# What the rep fills in; the opportunity, its version and the user come from Salesforce.
FORM_FIELDS = frozenset(SendRequest.model_fields) - {
    "opportunity_id",
    "opportunity_version",
    "requested_by",
}


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: str


def answer_post(
    body: bytes,
    *,
    consumer_secrets: Callable[[], Sequence[str]],
    page: Callable[[], SendPage],
    correlation_id: str,
) -> Answer:
    form = {
        k: v[0]
        for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()
    }
    signed = form.get("signed_request", "")
    try:
        canvas = verify_signed_request(signed, consumer_secrets())
        opportunity_id = _opportunity_id(canvas)
    except Unauthorized as refused:
        return Answer(401, HTML, render.refusal(refused.message))
    action = form.get("action", "")
    service = page()
    if action == "status":
        job = service.job(form.get("job_id", ""))
        if job is None or job.record_key != f"unleashed-send:{opportunity_id}":
            return Answer(404, JSON, json.dumps({"status": "unknown"}))
        outcome = job.outcome or {}
        return Answer(
            200,
            JSON,
            json.dumps(
                {
                    "status": job.status.value,
                    "order_number": outcome.get("order_number"),
                    "order_status": outcome.get("status"),
                    "error": job.last_error,
                }
            ),
        )
    opportunity = service.opportunity(opportunity_id)
    if opportunity is None:
        return Answer(
            404, HTML, render.message_page("Not found", "This opportunity no longer exists.")
        )
    if action == "send":
        if not service.settings.enabled:
            return Answer(
                409,
                HTML,
                render.message_page(
                    "Switched off",
                    "Sending to Unleashed is switched off (unleashed_order_push.enabled).",
                ),
            )
        try:
            request = SendRequest.model_validate(
                {key: value for key, value in form.items() if key in FORM_FIELDS and value != ""}
                | {
                    "opportunity_id": opportunity.id,
                    "opportunity_version": opportunity.last_modified.isoformat(),
                    "requested_by": canvas.user_id,
                }
            )
        except ValidationError as invalid:
            problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in invalid.errors()]
            return Answer(
                400, HTML, render.message_page("Please correct the form", "; ".join(problems))
            )
        reasons = refusals(opportunity)
        if reasons:
            return Answer(409, HTML, render.message_page("Cannot send", " ".join(reasons)))
        try:
            accepted = service.send(request, correlation_id)
        except SalesbridgeError as error:
            return Answer(503, HTML, render.message_page("Try again", error.message))
        return Answer(202, HTML, render.progress(accepted.job.job_id, signed))
    view = service.view(opportunity, canvas.context.user.email)
    return Answer(200, HTML, render.page(view, signed))


def _opportunity_id(canvas: CanvasRequest) -> str:
    record = canvas.context.environment.record
    if record is None or record.attributes.type != "Opportunity":
        raise Unauthorized("the Canvas app was not opened on an opportunity")
    return record.id
