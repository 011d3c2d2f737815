"""The console's routes (one Lambda, ConsoleFunction, on /console/{proxy+}): pages and JSON API.

Every route reads the session first (the sign-in routes are how one is made), before any
parameter or store; the JSON API answers 401/403 as JSON, the pages answer the sign-in page
(401) or an error page. Every POST checks the session's CSRF token (form field `csrf` or the
`X-CSRF-Token` header). The JSON API is described by OpenAPI at /console/api/openapi.json.
"""

from __future__ import annotations

import time
from http.cookies import SimpleCookie
from typing import Annotated, Any
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.shared.cookies import Cookie, SameSite
from pydantic import BaseModel, Field

from shared import wiring
from shared.api import error_response, install_error_handlers, json_response
from shared.console import pages
from shared.console.models import AuditEntry, HoldView, JobPage, JobView, Overview, Principal
from shared.console.session import (
    CSRF_HEADER,
    SESSION_COOKIE,
    SESSION_SECONDS,
    SIGN_IN_COOKIE,
    SIGN_IN_SECONDS,
    Signer,
    check_csrf,
    new_session,
    read_session,
)
from shared.console.sign_in import principal
from shared.errors import BadRequest, FieldProblem, SalesbridgeError, Unauthorized
from shared.jobs import JobStatus
from shared.oauth_pkce import code_challenge, new_code_verifier, new_state
from shared.observability import logger

app = APIGatewayRestResolver(enable_validation=True)
install_error_handlers(app)

HTML_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
        "form-action 'self'; base-uri 'none'"
    ),
}


class ReplayRequest(BaseModel):
    job_ids: Annotated[list[str], Field(alias="jobIds", min_length=1, max_length=500)]


class ReplayMatchingRequest(BaseModel):
    flow: str | None = None
    status: JobStatus
    record_key: Annotated[str | None, Field(alias="recordKey", max_length=200)] = None


class Replayed(BaseModel):
    replayed: list[str]


class Redriven(BaseModel):
    queue: str
    moved: int


# -- the session -----------------------------------------------------------------------------


def _signer() -> Signer:
    return Signer(str(wiring.console_secret().get("session_key", "")))


def _cookies() -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(
            app.current_event.headers.get("Cookie") or app.current_event.headers.get("cookie") or ""
        )
    except Exception:  # a malformed Cookie header is no session, not a 500
        return {}
    return {key: morsel.value for key, morsel in jar.items()}


def _session() -> tuple[Principal, str]:
    who, csrf, _ = read_session(_signer(), _cookies().get(SESSION_COOKIE), time.time())
    return who, csrf


def _acting() -> tuple[Principal, dict[str, str]]:
    """The session of a state-changing request, once its CSRF token matches; and its form."""
    who, csrf = _session()
    form = _form()
    check_csrf(csrf, app.current_event.headers.get(CSRF_HEADER) or form.get("csrf"))
    return who, form


def _form() -> dict[str, str]:
    content_type = app.current_event.headers.get("Content-Type", "")
    if "application/x-www-form-urlencoded" not in content_type:
        return {}
    parsed = parse_qs(app.current_event.decoded_body or "", max_num_fields=50)
    return {key: values[-1] for key, values in parsed.items()}


def _base() -> str:
    """This API's external base URL (scheme, host, stage), for links and the OAuth callback."""
    event = app.current_event
    context = event.request_context
    proto = event.headers.get("X-Forwarded-Proto", "https")
    stage_path = f"/{context.stage}"
    prefix = stage_path if (context.path or "").startswith(stage_path + "/") else ""
    return f"{proto}://{context.domain_name}{prefix}"


def _session_cookies(sealed: str, framed: bool) -> list[Cookie]:
    # Inside Salesforce's frame the console is a third-party site: only SameSite=None (with
    # Secure) reaches it. Outside, Lax keeps other sites' forms from carrying the session.
    same_site = SameSite.NONE_MODE if framed else SameSite.LAX_MODE
    return [
        Cookie(SESSION_COOKIE, sealed, path="/", secure=True, http_only=True,
               max_age=SESSION_SECONDS, same_site=same_site),
    ]  # fmt: skip


def _html(body: str, status: int = 200, cookies: list[Cookie] | None = None) -> Response[Any]:
    return Response(status, content_types.TEXT_HTML, body, dict(HTML_HEADERS), cookies=cookies)


def _redirect(location: str, cookies: list[Cookie] | None = None) -> Response[Any]:
    return Response(303, content_types.TEXT_PLAIN, "", {"Location": location, **HTML_HEADERS},
                    cookies=cookies)  # fmt: skip


@app.exception_handler(SalesbridgeError)  # type: ignore[untyped-decorator]
def _refused(error: SalesbridgeError) -> Response[Any]:
    level = logger.warning if error.http_status < 500 else logger.error
    level("console request refused", extra={"error": error.code, "reason": error.message})
    if app.current_event.path.startswith("/console/api/"):
        return error_response(error)
    base = _base()
    if isinstance(error, Unauthorized):
        return _html(pages.sign_in_page(base, error.message), 401)
    return _html(pages.error_page(error.http_status, error.message, None, base), error.http_status)


@app.exception_handler(RequestValidationError)  # type: ignore[untyped-decorator]
def _invalid(error: RequestValidationError) -> Response[Any]:
    problems = [
        FieldProblem(".".join(str(p) for p in e["loc"] if p not in ("body", "query")) or "(body)",
                     e["msg"])
        for e in error.errors()
    ]  # fmt: skip
    refusal = BadRequest("the request is invalid", problems=problems)
    refusal.code = "validation_failed"
    return error_response(refusal)


# -- signing in --------------------------------------------------------------------------------


@app.get("/console/sign-in", include_in_schema=False)
def sign_in() -> Response[Any]:
    return _html(pages.sign_in_page(_base()))


@app.get("/console/auth/start", include_in_schema=False)
def auth_start() -> Response[Any]:
    verifier, state = new_code_verifier(), new_state()
    sealed = _signer().seal(
        "sign-in", {"state": state, "verifier": verifier, "exp": time.time() + SIGN_IN_SECONDS}
    )
    url = wiring.console_sign_in().authorize_url(
        f"{_base()}/console/auth/callback", code_challenge(verifier), state
    )
    cookie = Cookie(SIGN_IN_COOKIE, sealed, path="/", secure=True, http_only=True,
                    max_age=SIGN_IN_SECONDS, same_site=SameSite.LAX_MODE)  # fmt: skip
    return _redirect(url, [cookie])


@app.get("/console/auth/callback", include_in_schema=False)
def auth_callback() -> Response[Any]:
    pending = _signer().open("sign-in", _cookies().get(SIGN_IN_COOKIE), time.time())
    params = app.current_event.query_string_parameters or {}
    if params.get("error"):
        raise Unauthorized(
            f"Salesforce did not sign you in: {params.get('error_description') or params['error']}"
        )
    if not params.get("state") or params.get("state") != pending.get("state"):
        raise Unauthorized("the sign-in state does not match: start again")
    sign_in = wiring.console_sign_in()
    user = sign_in.exchange(
        str(params.get("code", "")), f"{_base()}/console/auth/callback", str(pending["verifier"])
    )
    who = principal(
        user_id=user.user_id, username=user.username, display_name=user.display_name,
        org_id=user.org_id,
        permission_sets=sign_in.permission_sets(user.instance_url, user.access_token, user.user_id),
    )  # fmt: skip
    sealed, _ = new_session(_signer(), who, time.time(), via="oauth")
    gone = Cookie(SIGN_IN_COOKIE, "", path="/", secure=True, http_only=True, max_age=0,
                  same_site=SameSite.LAX_MODE)  # fmt: skip
    logger.info("console sign-in", extra={"user": who.username, "role": who.role.value})
    return _redirect(f"{_base()}/console", [*_session_cookies(sealed, False), gone])


@app.post("/console/canvas", include_in_schema=False)
def canvas() -> Response[Any]:
    from shared.adapters.salesforce.console_sign_in import permission_sets
    from shared.canvas import verify_signed_request

    secret = wiring.console_secret()
    consumer = [
        str(secret.get("consumer_secret", "")),
        str(secret.get("consumer_secret_previous", "")),
    ]
    request = verify_signed_request(_form().get("signed_request", ""), [s for s in consumer if s])
    user = request.context.user
    who = principal(
        user_id=user.user_id, username=user.user_name,
        display_name=user.full_name or user.user_name,
        org_id=request.context.organization.organization_id,
        permission_sets=permission_sets(
            request.client.instance_url, request.client.oauth_token.get_secret_value(), user.user_id
        ),
    )  # fmt: skip
    sealed, csrf = new_session(_signer(), who, time.time(), via="canvas")
    view = wiring.console().overview()
    return _html(
        pages.overview_page(view, who, csrf, _base()), cookies=_session_cookies(sealed, True)
    )


@app.post("/console/sign-out", include_in_schema=False)
def sign_out() -> Response[Any]:
    _acting()
    gone = Cookie(SESSION_COOKIE, "", path="/", secure=True, http_only=True, max_age=0)
    return _redirect(f"{_base()}/console/sign-in", [gone])


# -- pages -------------------------------------------------------------------------------------


@app.get("/console", include_in_schema=False)
def overview_html() -> Response[Any]:
    who, csrf = _session()
    return _html(pages.overview_page(wiring.console().overview(), who, csrf, _base()))


@app.get("/console/jobs", include_in_schema=False)
def jobs_html() -> Response[Any]:
    who, csrf = _session()
    params = {k: v for k, v in (app.current_event.query_string_parameters or {}).items() if v}
    console = wiring.console()
    result = console.find_jobs(**_job_filter(params), viewer=who)
    names = [flow.name for flow in console.flows]
    return _html(pages.jobs_page(result, params, names, who, csrf, _base()))


@app.get("/console/job", include_in_schema=False)
def job_html() -> Response[Any]:
    who, csrf = _session()
    job_id = (app.current_event.query_string_parameters or {}).get("id", "")
    return _html(pages.job_page(wiring.console().job(job_id, who), who, csrf, _base()))


@app.get("/console/audit", include_in_schema=False)
def audit_html() -> Response[Any]:
    who, csrf = _session()
    return _html(pages.audit_page(wiring.console().audit_log(), who, csrf, _base()))


@app.post("/console/actions/<action>", include_in_schema=False)
def act_html(action: str) -> Response[Any]:
    who, form = _acting()
    console, base = wiring.console(), _base()
    match action:
        case "replay":
            console.replay([form.get("jobId", "")], who)
            return _redirect(f"{base}/console/job?id={_quote(form.get('jobId', ''))}")
        case "replay-matching":
            console.replay_matching(who, **_job_filter(form, status_required=True))
            return _redirect(f"{base}/console/jobs")
        case "lift-hold":
            console.lift_hold(who)
        case "redrive":
            console.redrive(form.get("queue", ""), who)
        case _:
            raise BadRequest(f"action: no action {action!r}")
    return _redirect(f"{base}/console")


# -- the JSON API ------------------------------------------------------------------------------


@app.get("/console/api/overview", summary="Every declared flow: jobs by status, DLQs, settings")
def overview_api() -> Overview:
    _session()
    return wiring.console().overview()


@app.get("/console/api/jobs", summary="Jobs by flow, status or record key, newest first")
def jobs_api(
    flow: Annotated[str | None, Query(max_length=80)] = None,
    status: Annotated[JobStatus | None, Query()] = None,
    record_key: Annotated[str | None, Query(alias="recordKey", max_length=200)] = None,
    before: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
) -> JobPage:
    who, _ = _session()
    return wiring.console().find_jobs(
        flow=flow, status=status, record_key=record_key, before=before, limit=limit, viewer=who
    )


@app.get("/console/api/job", summary="One job: attempts, outcome, message, what to do")
def job_api(job_id: Annotated[str, Query(alias="id", min_length=3, max_length=400)]) -> JobView:
    who, _ = _session()
    return wiring.console().job(job_id, who)


@app.get("/console/api/audit", summary="Operator actions, newest first")
def audit_api() -> list[AuditEntry]:
    _session()
    return wiring.console().audit_log()


@app.post("/console/api/jobs/replay", summary="Replay jobs by id (operators)")
def replay_api(body: ReplayRequest) -> Replayed:
    who, _ = _acting()
    return Replayed(replayed=wiring.console().replay(body.job_ids, who))


@app.post("/console/api/jobs/replay-matching", summary="Replay the jobs matching a filter")
def replay_matching_api(body: ReplayMatchingRequest) -> Replayed:
    who, _ = _acting()
    replayed = wiring.console().replay_matching(
        who, flow=body.flow, status=body.status, record_key=body.record_key
    )
    return Replayed(replayed=replayed)


@app.post("/console/api/hold/lift", summary="Lift Salesforce's API budget hold (operators)")
def lift_api() -> HoldView | None:
    who, _ = _acting()
    return wiring.console().lift_hold(who)


@app.post("/console/api/queues/<queue>/redrive", summary="Move a queue's DLQ back to it")
def redrive_api(queue: str) -> Redriven:
    who, _ = _acting()
    return Redriven(queue=queue, moved=wiring.console().redrive(queue, who))


@app.get("/console/api/openapi.json", include_in_schema=False)
def openapi() -> Response[Any]:
    _session()
    schema = app.get_openapi_json_schema(title="salesbridge console", version="1")
    return Response(200, content_types.APPLICATION_JSON, schema)


def _job_filter(params: dict[str, str], *, status_required: bool = False) -> dict[str, Any]:
    status = params.get("status") or None
    if status is not None and status not in {s.value for s in JobStatus}:
        raise BadRequest(f"status: one of {[s.value for s in JobStatus]}, not {status!r}")
    if status_required and status is None:
        raise BadRequest("status: say which jobs to replay (failed, held...)")
    found: dict[str, Any] = {
        "flow": params.get("flow") or None,
        "status": JobStatus(status) if status else None,
        "record_key": params.get("recordKey") or None,
    }
    if not status_required:
        found["before"] = params.get("before") or None
    return found


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


__all__ = ["app", "json_response"]
