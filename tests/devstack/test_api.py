"""API routes over HTTP: the proxy event, API keys and API Gateway's own answers."""

import base64
import json

import httpx
import pytest


@pytest.fixture
def http(stack):
    with httpx.Client(base_url=stack.api.base_url, timeout=10) as client:
        yield client


def test_proxy_event_carries_path_query_headers_and_request_context(stack, http, recorded):
    response = http.get("/orders/SO-42?expand=lines&tag=a&tag=b", headers={"X-Trace": "t1"})

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers.get_list("X-Seen") == ["a", "b"]
    event = response.json()["event"]
    assert event["resource"] == "/orders/{orderId}"
    assert event["path"] == "/orders/SO-42"
    assert event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"orderId": "SO-42"}
    assert event["queryStringParameters"] == {"expand": "lines", "tag": "b"}
    assert event["multiValueQueryStringParameters"] == {"expand": ["lines"], "tag": ["a", "b"]}
    assert event["headers"]["X-Trace"] == "t1"
    assert event["multiValueHeaders"]["X-Trace"] == ["t1"]
    assert event["stageVariables"] is None
    assert event["body"] is None
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["resourcePath"] == "/orders/{orderId}"
    assert context["path"] == "/v1/orders/SO-42"
    assert context["stage"] == "v1"
    assert context["httpMethod"] == "GET"
    assert context["accountId"] == "123456789012"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["identity"]["userAgent"].startswith("python-httpx")
    assert context["protocol"] == "HTTP/1.1"
    assert isinstance(context["requestTimeEpoch"], int)
    assert [event] == recorded["EchoFunction"].RECEIVED


def test_function_sees_its_resolved_environment_and_a_lambda_context(stack, http):
    answer = http.get("/orders/1").json()
    environment = answer["environment"]
    assert environment["TABLE_NAME"] == "salesbridge-local-records-test"  # from Globals
    assert environment["STAGE"] == "test"
    assert environment["QUEUE_URL"] == stack.resources["PlainQueue"].url
    assert environment["SECRET_ARN"] == stack.resources["SalesforceSecret"].arn
    assert environment["BUCKET"] == "salesbridge-local-uploadsbucket"
    assert environment["AWS_ENDPOINT_URL"] == stack.moto_url
    assert environment["SALESBRIDGE_STAGE"] == "local"
    assert environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"  # !FindInMap in Globals
    context = answer["context"]
    assert context["function_name"] == "salesbridge-local-EchoFunction"
    assert context["invoked_function_arn"] == environment["FUNCTION_ARN"]
    assert 9000 < context["remaining_ms"] <= 10000  # Timeout: 10
    assert "salesbridge-local-records-test" in answer["tables"]


def test_binary_bodies_are_base64_both_ways(http, recorded):
    payload = bytes(range(256))
    response = http.post(
        "/files", content=payload, headers={"Content-Type": "application/octet-stream"}
    )

    assert response.status_code == 201
    assert response.content == payload[::-1]
    event = recorded["EchoFunction"].RECEIVED[-1]
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == payload


def test_base64_answer_is_decoded_only_for_binary_accept_or_content_type(http):
    payload = b"GIF89a\x00\xff"
    params = {"as": "image/gif"}  # the handler answers with this Content-Type
    binary = {"Content-Type": "application/octet-stream"}
    as_text = http.post(
        "/files", params=params, content=payload, headers={**binary, "Accept": "application/json"}
    )
    as_bytes = http.post(
        "/files",
        params=params,
        content=payload,
        headers={**binary, "Accept": "application/octet-stream"},
    )

    assert as_text.text == base64.b64encode(payload[::-1]).decode()  # API Gateway's gotcha
    assert as_bytes.content == payload[::-1]


def test_api_key_is_required_where_the_template_says(stack, http, recorded):
    body = json.dumps({"id": "1"})
    missing = http.post("/webhooks/netsuite", content=body)
    wrong = http.post("/webhooks/netsuite", content=body, headers={"x-api-key": "nope"})
    right = http.post(
        "/webhooks/netsuite",
        content=body,
        headers={
            "x-api-key": stack.endpoints["api"]["api_key"],
            "Content-Type": "application/json",
        },
    )

    for refused in (missing, wrong):
        assert refused.status_code == 403
        assert refused.json() == {"message": "Forbidden"}
        assert refused.headers["x-amzn-ErrorType"] == "ForbiddenException"
    assert right.status_code == 200
    event = right.json()["event"]
    assert event["body"] == body
    assert event["isBase64Encoded"] is False
    assert event["requestContext"]["identity"]["apiKey"] == stack.api.api_key
    assert len(recorded["EchoFunction"].RECEIVED) == 1  # refused requests never reach it


def test_payload_over_ten_megabytes_is_refused(http, recorded):
    response = http.post(
        "/files",
        content=b"x" * (10 * 1024 * 1024 + 1),
        headers={"Content-Type": "application/octet-stream"},
    )
    assert response.status_code == 413
    assert response.json() == {"message": "Request Too Long"}
    assert recorded["EchoFunction"].RECEIVED == []


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/nowhere"), ("DELETE", "/orders/1"), ("GET", "/webhooks/netsuite")],
)
def test_unknown_route_or_method_is_missing_authentication_token(http, method, path):
    response = http.request(method, path)
    assert response.status_code == 403
    assert response.json() == {"message": "Missing Authentication Token"}
    assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def test_handler_exception_is_a_502(http):
    response = http.get("/boom")
    assert response.status_code == 502
    assert response.json() == {"message": "Internal server error"}


def test_routes_answer_without_the_stage_and_health_never_reaches_a_function(stack):
    root = stack.endpoints["api"]["root_url"]
    assert httpx.get(f"{root}/health").json() == {"ok": True}  # the template's own route
    health = httpx.get(stack.endpoints["api"]["health_url"])
    assert health.status_code == 200
    assert health.json()["status"] == "ok"


def test_each_function_has_its_own_module_state(stack):
    assert stack.handler_module("EchoFunction") is not stack.handler_module("HealthFunction")
    assert stack.handler_module("EchoFunction") is stack.handler_module("EchoFunction")
