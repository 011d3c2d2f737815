"""Schedules (`Events: Type: Schedule | ScheduleV2`): on demand, or at their rate in demo mode.

`LocalStack.run_schedule(logical_id)` invokes the function now with what EventBridge would send:
a "Scheduled Event" for `Schedule` (or the event's `Input` JSON when it has one) and the `Input`
(or `{}`) for `ScheduleV2` (EventBridge Scheduler). `logical_id` is the function's, or
`<Function>.<EventName>` when a function has several schedules.

In demo mode each enabled `rate(...)` schedule fires every rate times `time_scale`; `cron(...)`
schedules run only on demand (no cron calendar is emulated).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from devstack.template import ACCOUNT_ID, REGION

log = logging.getLogger("devstack.schedules")

Invoker = Callable[[str, dict[str, Any]], Any]
_RATE = re.compile(r"rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


@dataclass
class Schedule:
    function: str
    event_name: str
    kind: str  # Schedule or ScheduleV2
    expression: str
    rule_name: str
    input: str | None = None
    enabled: bool = True

    @property
    def key(self) -> str:
        return f"{self.function}.{self.event_name}"

    @property
    def rule_arn(self) -> str:
        if self.kind == "ScheduleV2":
            return f"arn:aws:scheduler:{REGION}:{ACCOUNT_ID}:schedule/default/{self.rule_name}"
        return f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{self.rule_name}"

    @property
    def period_seconds(self) -> float | None:
        match = _RATE.fullmatch(self.expression.strip())
        if match is None:
            return None
        return int(match.group(1)) * _UNIT_SECONDS[match.group(2).rstrip("s")]

    def event(self) -> Any:
        if self.input is not None:
            return json.loads(self.input)
        if self.kind == "ScheduleV2":
            return {}
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": ACCOUNT_ID,
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "region": REGION,
            "resources": [self.rule_arn],
            "detail": {},
        }

    def describe(self) -> dict[str, Any]:
        return {
            "function": self.function,
            "event": self.event_name,
            "type": self.kind,
            "expression": self.expression,
            "enabled": self.enabled,
        }


class ScheduleTicker:
    """Fires one rate schedule at its (scaled) period until stopped (demo mode)."""

    def __init__(self, schedule: Schedule, invoke: Invoker, time_scale: float) -> None:
        self.schedule = schedule
        self._invoke = invoke
        self._period = (schedule.period_seconds or 0) * time_scale
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"schedule-{schedule.key}", daemon=True
        )

    def start(self) -> ScheduleTicker:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self._period):
            try:
                self._invoke(self.schedule.function, self.schedule.event())
            except Exception:
                log.exception("scheduled run of %s failed", self.schedule.key)


class ScheduleTrigger:
    """An authenticated loopback route to run any schedule of a running stack on demand.

    `POST /schedules/<key>` with `Authorization: Bearer <token>` runs the schedule now (as
    `LocalStack.run_schedule`) and answers the function's result; `GET /schedules` lists them.
    Without `--schedules`, `make local` never fires a schedule by itself: this is how the
    backstop (and any later schedule) runs there (`python -m devstack trigger <key>`, or
    `python -m ops --endpoints .local/endpoints.json trigger <key>`). The token is in the
    endpoints file, next to the webhook keys it is as secret as.
    """

    def __init__(self, run: Callable[[str], Any], schedules: Callable[[], dict[str, Any]]) -> None:
        import secrets

        self.token = secrets.token_urlsafe(24)
        self._run = run
        self._schedules = schedules
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self, port: int = 0) -> ScheduleTrigger:
        from werkzeug.serving import make_server

        self._server = make_server("127.0.0.1", port, self._wsgi, threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="schedule-trigger", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        import hmac

        from werkzeug.wrappers import Request, Response

        request = Request(environ)
        sent = request.headers.get("Authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {self.token}".encode()):
            response = _answer(
                401,
                {
                    "error": "unauthorized",
                    "message": "Authorization: Bearer "
                    "<the endpoints file's admin token> is required",
                },
            )
        elif request.path == "/schedules" and request.method == "GET":
            response = _answer(200, {"schedules": self._schedules()})
        elif request.path.startswith("/schedules/") and request.method == "POST":
            key = request.path.removeprefix("/schedules/")
            try:
                result = self._run(key)
            except KeyError as exc:
                response = _answer(404, {"error": "unknown_schedule", "message": exc.args[0]})
            except Exception as exc:
                log.exception("triggered run of %s failed", key)
                response = _answer(502, {"error": "schedule_failed", "message": repr(exc)})
            else:
                response = _answer(200, {"schedule": key, "result": result})
        else:
            response = _answer(404, {"error": "not_found", "message": "POST /schedules/<key>"})
        assert isinstance(response, Response)
        return response(environ, start_response)


def _answer(status: int, body: dict[str, Any]) -> Any:
    from werkzeug.wrappers import Response

    return Response(json.dumps(body, default=str), status=status, mimetype="application/json")


def trigger_schedule(endpoints: dict[str, Any], key: str) -> Any:
    """Run schedule `key` of the stack described by `endpoints` (its endpoints file) now;
    answers what the function returned. LookupError says, in one line, why it could not."""
    import httpx

    admin = endpoints.get("admin")
    if not admin:
        raise LookupError("this local stack has no schedule trigger (restart it)")
    try:
        response = httpx.post(
            f"{admin['url']}/schedules/{key}",
            headers={"Authorization": f"Bearer {admin['token']}"},
            timeout=900,
        )
    except httpx.TransportError as exc:
        raise LookupError(f"the local stack at {admin['url']} does not answer: {exc}") from exc
    body = response.json()
    if response.status_code != 200:
        raise LookupError(f"schedule {key!r} not run: {body.get('message', body)}")
    return body["result"]
