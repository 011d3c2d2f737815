"""Serves the template's REST API routes over HTTP on loopback, as API Gateway (v1) would.

Every `Events: Type: Api` of every function becomes a route of its API (`RestApiId`, or SAM's
implicit `ServerlessRestApi`); each API gets its own HTTP server. A request is turned into the
REST API proxy event, the function is invoked in-process, and its answer becomes the response.
Routes answer both under the stage (`/Prod/orders/1`, what the endpoints file advertises as
`base_url`) and without it (`/orders/1`), which is handy with curl.

What API Gateway itself answers is reproduced: 403 `Missing Authentication Token` for an
unknown path or method, 403 `Forbidden` for a missing or wrong `x-api-key` on a route with
`ApiKeyRequired`, 413 `Request Too Long` above 10 MB, 502 `Internal server error` when the
handler raises or returns something that is not a proxy response. `GET /__devstack/health`
answers 200 and never reaches a function.

Where the documentation is silent (or the local stack has to choose):
- Header names reach the handler in canonical Title-Case (WSGI loses the client's casing).
- Bodies are base64-encoded (`isBase64Encoded: true`) when the Content-Type matches the API's
  `BinaryMediaTypes` (`~1` stands for `/`, wildcards allowed) or is not valid UTF-8.
- One generated API key per API; `Auth.UsagePlan` and Lambda authorizers are not emulated.
- An API with `Cors` answers preflight `OPTIONS` requests with the configured headers.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from devstack.template import ACCOUNT_ID

log = logging.getLogger("devstack.api")
logging.getLogger("werkzeug").setLevel(logging.WARNING)

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024
HEALTH_PATH = "/__devstack/health"

Invoker = Callable[[str, dict[str, Any]], Any]


@dataclass(frozen=True)
class ApiRoute:
    method: str  # upper case, or ANY
    path: str  # API Gateway resource path, e.g. /orders/{id}
    function: str  # logical id
    api_key_required: bool = False

    def describe(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "function": self.function,
            "api_key_required": self.api_key_required,
        }


@dataclass
class LocalApi:
    logical_id: str
    api_id: str
    stage: str = "Prod"
    binary_media_types: list[str] = field(default_factory=list)
    cors: dict[str, Any] | None = None
    default_key_required: bool = False  # the API's Auth.ApiKeyRequired
    routes: list[ApiRoute] = field(default_factory=list)
    api_key: str = field(default_factory=lambda: secrets.token_urlsafe(30))
    _server: BaseWSGIServer | None = None
    _thread: threading.Thread | None = None
    _url_map: Map | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self, invoke: Invoker, port: int = 0) -> LocalApi:
        self._invoke = invoke
        self._url_map = Map(
            [
                Rule(_werkzeug_path(route.path), endpoint=index)
                for index, route in enumerate(self.routes)
            ],
            strict_slashes=False,
            merge_slashes=False,
        )
        self._server = make_server("127.0.0.1", port, self._wsgi, threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"api-{self.logical_id}", daemon=True
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
    def root_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/{self.stage}"

    # -- requests ----------------------------------------------------------------------------

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        response = self._respond(request)
        return response(environ, start_response)

    def _respond(self, request: Request) -> Response:
        path = request.path
        if path == HEALTH_PATH:
            return _json(200, {"status": "ok", "api": self.logical_id})
        if path == f"/{self.stage}" or path.startswith(f"/{self.stage}/"):
            path = path[len(self.stage) + 1 :] or "/"
        if (request.content_length or 0) > MAX_PAYLOAD_BYTES:
            return _json(413, {"message": "Request Too Long"})
        if request.method == "OPTIONS" and self.cors is not None:
            return self._preflight()
        match = self._match(request.method, path)
        if match is None:
            return _api_error(
                403, "Missing Authentication Token", "MissingAuthenticationTokenException"
            )
        route, path_parameters = match
        if route.api_key_required and request.headers.get("x-api-key") != self.api_key:
            return _api_error(403, "Forbidden", "ForbiddenException")
        body = request.get_data()
        if len(body) > MAX_PAYLOAD_BYTES:
            return _json(413, {"message": "Request Too Long"})
        event = self.proxy_event(request, route, path, path_parameters, body)
        try:
            result = self._invoke(route.function, event)
            return self._proxy_response(result, request.headers.get("Accept", ""))
        except Exception:
            log.exception("%s %s: handler %s failed", request.method, path, route.function)
            return _api_error(502, "Internal server error", None)

    def _match(self, method: str, path: str) -> tuple[ApiRoute, dict[str, str]] | None:
        assert self._url_map is not None
        adapter = self._url_map.bind("127.0.0.1")
        try:
            index, arguments = adapter.match(path, method="GET")
        except HTTPException:
            return None
        # werkzeug matched the path; API Gateway also wants the method (same path, other rules).
        candidates = [
            (route, arguments)
            for route in self.routes
            if _werkzeug_path(route.path) == _werkzeug_path(self.routes[index].path)
        ]
        for route, args in candidates:
            if route.method in (method, "ANY"):
                return route, {k: str(v) for k, v in args.items()}
        return None

    def proxy_event(
        self,
        request: Request,
        route: ApiRoute,
        path: str,
        path_parameters: dict[str, str],
        body: bytes,
    ) -> dict[str, Any]:
        """The REST API proxy integration event, field by field."""
        headers = self._event_headers(request)
        request_id = str(uuid.uuid4())
        encoded = self._is_binary(request.headers.get("Content-Type", ""), body)
        text_body: str | None
        if not body:
            text_body = None
        elif encoded:
            text_body = base64.b64encode(body).decode()
        else:
            text_body = body.decode()
        now = time.time()
        query = {key: values for key, values in request.args.lists()}
        identity = {
            "cognitoIdentityPoolId": None,
            "accountId": None,
            "cognitoIdentityId": None,
            "caller": None,
            "principalOrgId": None,
            "accessKey": None,
            "cognitoAuthenticationType": None,
            "cognitoAuthenticationProvider": None,
            "userArn": None,
            "user": None,
            "sourceIp": request.remote_addr or "127.0.0.1",
            "userAgent": request.headers.get("User-Agent"),
            "apiKey": request.headers.get("x-api-key") if route.api_key_required else None,
            "apiKeyId": f"{self.api_id}key" if route.api_key_required else None,
        }
        return {
            "resource": route.path,
            "path": path,
            "httpMethod": request.method,
            "headers": {name: values[-1] for name, values in headers.items()} or None,
            "multiValueHeaders": headers or None,
            "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
            "multiValueQueryStringParameters": query or None,
            "pathParameters": path_parameters or None,
            "stageVariables": None,
            "requestContext": {
                "accountId": ACCOUNT_ID,
                "apiId": self.api_id,
                "resourceId": _resource_id(route.path),
                "resourcePath": route.path,
                "httpMethod": request.method,
                "path": f"/{self.stage}{path}",
                "stage": self.stage,
                "requestId": request_id,
                "extendedRequestId": request_id,
                "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
                "requestTimeEpoch": int(now * 1000),
                "domainName": request.host,
                "domainPrefix": request.host.split(".")[0],
                "identity": identity,
                "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            },
            "body": text_body,
            "isBase64Encoded": encoded,
        }

    def _event_headers(self, request: Request) -> dict[str, list[str]]:
        headers: dict[str, list[str]] = {}
        for name, value in request.headers.items():
            headers.setdefault(name, []).append(value)
        port = str(request.environ.get("SERVER_PORT", ""))
        headers.setdefault("X-Forwarded-For", [request.remote_addr or "127.0.0.1"])
        headers.setdefault("X-Forwarded-Port", [port])
        headers.setdefault("X-Forwarded-Proto", [request.scheme])
        headers.setdefault(
            "X-Amzn-Trace-Id", [f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}"]
        )
        return headers

    def _is_binary_type(self, content_type: str) -> bool:
        mime = content_type.split(",", 1)[0].split(";", 1)[0].strip().lower()
        return bool(mime) and any(
            fnmatch.fnmatch(mime, pattern.replace("~1", "/").lower())
            for pattern in self.binary_media_types
        )

    def _is_binary(self, content_type: str, body: bytes) -> bool:
        if not body:
            return False
        if self._is_binary_type(content_type):
            return True
        try:
            body.decode()
        except UnicodeDecodeError:
            return True
        return False

    def _proxy_response(self, result: Any, accept: str) -> Response:
        """The handler's proxy answer as HTTP; a malformed answer is API Gateway's 502.

        A base64 body is decoded only when the request's first Accept type or the response's
        Content-Type is a binary media type of the API; otherwise the client gets the base64
        text, as from API Gateway."""
        if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
            log.error("handler answered something that is not a proxy response: %r", result)
            return _api_error(502, "Internal server error", None)
        headers = Headers()
        for name, values in (result.get("multiValueHeaders") or {}).items():
            for value in values:
                headers.add(name, str(value))
        for name, value in (result.get("headers") or {}).items():
            headers.set(name, str(value))
        if "Content-Type" not in headers:
            headers.set("Content-Type", "application/json")
        body = str(result.get("body") or "")
        binary = self._is_binary_type(accept) or self._is_binary_type(headers["Content-Type"])
        payload = (
            base64.b64decode(body) if result.get("isBase64Encoded") and binary else body.encode()
        )
        headers.set("x-amzn-RequestId", str(uuid.uuid4()))
        return Response(payload, status=result["statusCode"], headers=headers)

    def _preflight(self) -> Response:
        cors = self.cors or {}
        headers = {
            "Access-Control-Allow-Origin": _unquote(cors.get("AllowOrigin", "'*'")),
            "Access-Control-Allow-Methods": _unquote(cors.get("AllowMethods", "'*'")),
            "Access-Control-Allow-Headers": _unquote(cors.get("AllowHeaders", "'*'")),
        }
        if "MaxAge" in cors:
            headers["Access-Control-Max-Age"] = _unquote(str(cors["MaxAge"]))
        return Response(b"", status=200, headers=headers)


def _unquote(value: str) -> str:
    """SAM's Cors values are quoted strings ("'*'"): API Gateway mapping syntax."""
    return value.strip("'")


def _werkzeug_path(path: str) -> str:
    converted = []
    for part in path.split("/"):
        if part.startswith("{") and part.endswith("+}"):
            converted.append(f"<path:{part[1:-2]}>")
        elif part.startswith("{") and part.endswith("}"):
            converted.append(f"<{part[1:-1]}>")
        else:
            converted.append(part)
    return "/".join(converted) or "/"


def _resource_id(path: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, path).hex[:6]


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    response = Response(json.dumps(body), status=status, headers=headers or {})
    response.content_type = "application/json"
    response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
    return response


def _api_error(status: int, message: str, error_type: str | None) -> Response:
    headers = {"x-amzn-ErrorType": error_type} if error_type else {}
    return _json(status, {"message": message}, headers)
