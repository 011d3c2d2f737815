"""The base of every sandbox: routing, the request log, fault injection and the admin API.

A sandbox subclasses `SandboxApp`, declares `rules` (werkzeug `Rule`s whose endpoint names
are the names of its handler methods) and implements `reset`, `seed` and `snapshot`. The
admin API lives under `/__admin/` on the same port:

    GET    /__admin/requests   counts per endpoint and the recent entries
    DELETE /__admin/requests   clears the log (the counts start again at zero)
    POST   /__admin/reset      state, faults, log and clock back to the start
    POST   /__admin/seed       JSON body handed to `seed`
    GET    /__admin/state      `snapshot()` of the in-memory state
    POST   /__admin/faults     add a fault (see `Fault`), answers {"id": ...}
    DELETE /__admin/faults     remove every fault
    GET    /__admin/faults     the faults still armed
    POST   /__admin/config     JSON body handed to `configure` (limits, expiry, quotas ...)
    GET    /__admin/clock      the sandbox's "now" (see `SandboxClock`)
    POST   /__admin/clock      {"now": ISO 8601 | null, "advance_seconds": n}: set or move it

A sandbox adds its own actions (flush webhook deliveries, emit an event ...) by overriding
`admin_action`. Seed or config data it cannot use (a `ValueError`) answers 400.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import random
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from sandboxes.common.clock import SandboxClock, real_utc_now

ADMIN_PREFIX = "/__admin/"


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    payload = b"" if body is None else json.dumps(body).encode()
    response = Response(payload, status=status, headers=headers or {})
    if body is not None:
        response.content_type = "application/json;charset=UTF-8"
    return response


@dataclass
class Fault:
    """One armed fault. `endpoint` is a handler name, or "*" for every endpoint.

    kind "status": answer `status` with `body` (JSON) and `headers` instead of the real handler.
    kind "latency": sleep `delay_ms`, then serve the request normally.
    kind "drop": close the connection without answering (nothing was done).
    kind "commit_then_drop": serve the request (its changes are kept), then close the
    connection before the answer is sent: the caller cannot tell whether it happened, as
    after a timeout that struck once the vendor had committed.
    `times` is how many requests it hits before disarming itself (None: until cleared).
    `probability` is the chance that a matching request is hit (1.0: every one), drawn from a
    generator seeded with `seed`, so a chaos run with the same seed and the same order of
    requests hits the same ones. `hits` counts the requests it was applied to.
    """

    endpoint: str
    kind: str = "status"
    method: str | None = None
    status: int = 503
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_ms: int = 0
    times: int | None = None
    probability: float = 1.0
    seed: int | None = None
    hits: int = 0
    id: int = 0

    def __post_init__(self) -> None:
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError("probability must be between 0 and 1")
        self._draw = random.Random(self.seed).random

    def matches(self, endpoint: str, method: str) -> bool:
        return self.endpoint in ("*", endpoint) and self.method in (None, method)

    def fires(self) -> bool:
        return self.probability >= 1.0 or self._draw() < self.probability

    def describe(self) -> dict[str, Any]:
        return {name: value for name, value in asdict(self).items() if not name.startswith("_")}


@dataclass
class LoggedRequest:
    at: float
    method: str
    path: str
    endpoint: str
    status: int


class RequestLog:
    """Every served request, counted per `METHOD endpoint` (benchmarks read the counts)."""

    def __init__(self, keep: int = 2000) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._recent: deque[LoggedRequest] = deque(maxlen=keep)

    def record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._counts[f"{entry.method} {entry.endpoint}"] += 1
            self._recent.append(entry)

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()
            self._recent.clear()

    def summary(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": sum(self._counts.values()),
                "by_endpoint": dict(self._counts),
                "recent": [asdict(entry) for entry in self._recent],
            }


class SandboxApp:
    """WSGI app: admin API, then faults, then the sandbox's own handler."""

    name: ClassVar[str] = "sandbox"
    rules: ClassVar[list[Rule]] = []

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        # Set before reset(): a sandbox's stores date their records with it.
        self.clock = SandboxClock(clock or real_utc_now)
        self.lock = threading.RLock()
        self.request_log = RequestLog()
        self._faults: list[Fault] = []
        self._fault_ids = itertools.count(1)
        self._url_map = Map([rule.empty() for rule in self.rules])
        self.reset()

    # -- what a sandbox implements -------------------------------------------------------

    def reset(self) -> None:
        """Back to an empty system (called at start and by the admin API)."""

    def seed(self, data: dict[str, Any]) -> dict[str, Any]:
        """Load records; answer what was created (ids) so the caller can refer to them."""
        raise NotImplementedError

    def snapshot(self) -> dict[str, Any]:
        """The in-memory state as JSON-ready data, for tests and people to inspect."""
        return {}

    def configure(self, options: dict[str, Any]) -> dict[str, Any]:
        """Change behaviour knobs (limits, quotas, expiry); answer the knobs now in force."""
        raise NotImplementedError

    def admin_action(self, method: str, action: str, body: Any) -> Response | None:
        """A sandbox's own admin actions; None lets the common ones answer."""
        return None

    def error_body(self, status: int, message: str) -> Any:
        """How this system words a routing error (404/405); sandboxes override for fidelity."""
        return {"error": message}

    # -- faults ------------------------------------------------------------------------------

    def add_fault(self, fault: Fault) -> Fault:
        with self.lock:
            fault.id = next(self._fault_ids)
            self._faults.append(fault)
            return fault

    def clear_faults(self) -> None:
        with self.lock:
            self._faults.clear()

    def _take_fault(self, endpoint: str, method: str) -> Fault | None:
        with self.lock:
            for fault in self._faults:
                if fault.matches(endpoint, method) and fault.fires():
                    fault.hits += 1
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    # -- WSGI ----------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.path.startswith(ADMIN_PREFIX):
            response = self._admin(request)
            return response(environ, start_response)
        response, endpoint = self._serve(request, environ)
        self.request_log.record(
            LoggedRequest(time.time(), request.method, request.path, endpoint, response.status_code)
        )
        return response(environ, start_response)

    def _serve(self, request: Request, environ: dict[str, Any]) -> tuple[Response, str]:
        adapter = self._url_map.bind_to_environ(environ)
        try:
            endpoint, args = adapter.match()
        except NotFound:
            return json_response(self.error_body(404, "Not found"), 404), "(unrouted)"
        except MethodNotAllowed:
            return json_response(self.error_body(405, "Method not allowed"), 405), "(unrouted)"
        except HTTPException as exc:  # e.g. a redirect for a missing trailing slash
            return exc.get_response(environ), "(unrouted)"
        fault = self._take_fault(str(endpoint), request.method)
        if fault is not None:
            if fault.kind == "commit_then_drop":
                getattr(self, str(endpoint))(request, **args)
                _drop_connection(environ)
                return Response(b"", status=500), str(endpoint)
            if fault.kind == "latency":
                time.sleep(fault.delay_ms / 1000)
            elif fault.kind == "drop":
                _drop_connection(environ)
                return Response(b"", status=500), str(endpoint)
            else:
                return json_response(fault.body, fault.status, fault.headers), str(endpoint)
        handler = getattr(self, str(endpoint))
        return handler(request, **args), str(endpoint)

    def _admin(self, request: Request) -> Response:
        action = request.path[len(ADMIN_PREFIX) :].strip("/")
        body = request.get_json(silent=True) if request.data else None
        try:
            own = self.admin_action(request.method, action, body)
            return own if own is not None else self._common_admin(request.method, action, body)
        except ValueError as exc:
            return json_response({"error": str(exc)}, 400)

    def _common_admin(self, method: str, action: str, body: Any) -> Response:
        match (method, action):
            case ("GET", "requests"):
                return json_response(self.request_log.summary())
            case ("DELETE", "requests"):
                self.request_log.clear()
                return json_response({"cleared": True})
            case ("POST", "reset"):
                with self.lock:
                    self.clear_faults()
                    self.request_log.clear()
                    self.clock.resume()
                    self.reset()
                return json_response({"reset": True})
            case ("POST", "seed"):
                with self.lock:
                    return json_response(self.seed(body or {}))
            case ("GET", "state"):
                with self.lock:
                    return json_response(self.snapshot())
            case ("POST", "config"):
                with self.lock:
                    return json_response(self.configure(body or {}))
            case ("GET", "clock"):
                return json_response(self.clock.view())
            case ("POST", "clock"):
                with self.lock:
                    return json_response(self.clock.configure(body or {}))
            case ("POST", "faults"):
                fault = self.add_fault(Fault(**(body or {})))
                return json_response({"id": fault.id}, 201)
            case ("DELETE", "faults"):
                self.clear_faults()
                return json_response({"cleared": True})
            case ("GET", "faults"):
                with self.lock:
                    return json_response([f.describe() for f in self._faults])
        return json_response({"error": f"no admin action {method} {action}"}, 404)


def _drop_connection(environ: dict[str, Any]) -> None:
    """Close the client's socket mid-request, as a load balancer reset would."""
    sock = environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):  # already closed by the peer
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()
