"""Property: no request gives a 5xx on any route (issue 7 done-when, issue 8 item 8).

A correctly signed request with any body (JSON built from the event models' fields with edge
values, or arbitrary bytes) gets 2xx or 4xx; so does an unsigned one with arbitrary headers.
Run through the real handlers over fakes of our ports; bounded and derandomized so CI gives
the same answer every run.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from functions.health import app as health
from functions.netsuite_webhook import app as netsuite_receiver
from functions.salesforce_opportunity_webhook import app as salesforce_receiver
from shared import signing, webhooks, wiring
from shared.config import parse_settings
from tests.conftest import FakeLambdaContext, load_event
from tests.unit.fakes import FakeJobs, FakeQueue

KEYS = {"netsuite": "fuzz-netsuite-key", "salesforce": "fuzz-salesforce-key"}
ROUTES = {
    "netsuite": (netsuite_receiver, "netsuite_webhook"),
    "salesforce": (salesforce_receiver, "salesforce_opportunity_webhook"),
}
FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module", autouse=True)
def wired() -> Iterator[None]:
    jobs, queue = FakeJobs(), FakeQueue()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(wiring, "jobs", lambda: jobs)
        patch.setattr(wiring, "netsuite_order_queue", lambda: queue)
        patch.setattr(wiring, "salesforce_opportunity_queue", lambda: queue)
        patch.setattr(webhooks, "get_secret_json", lambda _: dict(KEYS))
        patch.setenv("WEBHOOK_KEYS_SECRET", "arn:fuzz")
        good = parse_settings("{}", source="fuzz")
        patch.setattr(webhooks, "load_settings", lambda: good)
        patch.setattr(health, "load_settings", lambda: good)
        yield


@pytest.fixture(autouse=True)
def _network_is_off_for_unit_tests() -> None:
    return None  # the module fixture patches every port; sockets stay disabled by conftest


# -- edge values for each field of the event models --------------------------------------

TIMESTAMPS = st.sampled_from(
    [
        "2026-11-22T09:41:07Z",
        "2026-11-22T09:41:07.000+0000",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
        "9999-12-31T23:59:59Z",
        "2026-11-22",
        "2026-11-22T09:41:07",
        "2026-02-30T00:00:00Z",
        "2026_11_22T09:41:07Z",
        "+2026-11-22T09:41:07Z",
        "2026-11-22T24:00:00Z",
        "2026-11-22T09:41:07.1234567891Z",
        "2026-11-22T09:41:07+99:99",
        "",
    ]
)
IDS = st.sampled_from(["4711", "0", "007", "+5", "1_000", "9" * 18, "9" * 19, "-1", "４７"])
OPPORTUNITY_IDS = st.sampled_from(
    ["006Hp00001AbCdEIAV", "006Hp00001AbCdE", "001Hp00001AbCdEIAV", "006" + "é" * 15, ""]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def field(known: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(known, JSON_VALUES)


NETSUITE_BODIES = st.fixed_dictionaries(
    {},
    optional={
        "recordType": field(st.sampled_from(["salesorder", "invoice", "SALESORDER"])),
        "id": field(IDS),
        "eventType": field(st.sampled_from(["create", "edit", "xedit", "delete", "explode"])),
        "lastModifiedDate": field(TIMESTAMPS),
        "accountId": field(st.sampled_from(["TSTDRV1234567", "x" * 65])),
        "eventId": field(st.sampled_from(["0b6c1f52-2b1e-4d4e-9a57-3f5f7c6d2e11", "é", "x" * 65])),
        "extra": JSON_VALUES,
    },
)
SALESFORCE_BODIES = st.fixed_dictionaries(
    {},
    optional={
        "opportunityId": field(OPPORTUNITY_IDS),
        "event": field(st.sampled_from(["closed_won", "closed_lost"])),
        "lastModifiedDate": field(TIMESTAMPS),
        "extra": JSON_VALUES,
    },
)


def encoded(documents: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    as_json = documents.map(lambda d: json.dumps(d).encode())
    return st.one_of(
        as_json, as_json.map(lambda b: b[:-1] + b', "id": "1"}'), st.binary(max_size=300)
    )


def call(source: str, body: bytes, headers: dict[str, str], *, as_base64: bool) -> int:
    receiver, event_name = ROUTES[source]
    event = load_event(event_name)
    event["headers"] = {"Content-Type": "application/json", **headers}
    event["multiValueHeaders"] = {k: [v] for k, v in event["headers"].items()}
    if as_base64:
        event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
    else:
        event["body"], event["isBase64Encoded"] = body.decode("utf-8", "replace"), False
    result = receiver.lambda_handler(event, FakeLambdaContext())  # type: ignore[arg-type]
    json.loads(result["body"])  # every answer is JSON
    return int(result["statusCode"])


def sent_bytes(body: bytes, as_base64: bool) -> bytes:
    return body if as_base64 else body.decode("utf-8", "replace").encode()


@FUZZ
@given(body=encoded(NETSUITE_BODIES), as_base64=st.booleans())
def test_a_signed_netsuite_event_with_any_body_never_gets_a_5xx(
    body: bytes, as_base64: bool
) -> None:
    headers = signing.signed_headers(KEYS["netsuite"], sent_bytes(body, as_base64))
    status = call("netsuite", body, headers, as_base64=as_base64)
    assert 200 <= status < 500 and status != 401


@FUZZ
@given(body=encoded(SALESFORCE_BODIES), as_base64=st.booleans())
def test_a_signed_closed_won_callout_with_any_body_never_gets_a_5xx(
    body: bytes, as_base64: bool
) -> None:
    headers = signing.signed_headers(KEYS["salesforce"], sent_bytes(body, as_base64))
    status = call("salesforce", body, headers, as_base64=as_base64)
    assert 200 <= status < 500 and status != 401


HEADER_TEXT = st.one_of(
    st.text(max_size=80),
    st.integers(min_value=1, max_value=5000).map(lambda digits: "9" * digits),
    st.sampled_from(["v1=" + "0" * 64, "v1=" + "é" * 64, "1800000000", "1800000000000"]),
)


@FUZZ
@given(
    source=st.sampled_from(["netsuite", "salesforce"]),
    body=st.binary(max_size=200),
    timestamp=st.one_of(st.none(), HEADER_TEXT),
    signature=st.one_of(st.none(), HEADER_TEXT),
    as_base64=st.booleans(),
)
def test_an_unsigned_request_with_any_headers_is_refused_without_a_5xx(
    source: str, body: bytes, timestamp: str | None, signature: str | None, as_base64: bool
) -> None:
    headers = {
        name: value
        for name, value in (
            (signing.TIMESTAMP_HEADER, timestamp),
            (signing.SIGNATURE_HEADER, signature),
        )
        if value is not None
    }
    status = call(source, body, headers, as_base64=as_base64)
    assert status in (400, 401, 413)


@FUZZ
@given(
    headers=st.dictionaries(st.text(min_size=1, max_size=20), st.text(max_size=40), max_size=4),
    query=st.dictionaries(st.text(min_size=1, max_size=10), st.text(max_size=20), max_size=3),
)
def test_the_health_route_answers_any_request_without_a_5xx(
    headers: dict[str, str], query: dict[str, str]
) -> None:
    event = load_event("health")
    event["headers"], event["queryStringParameters"] = headers, query or None
    result = health.lambda_handler(event, FakeLambdaContext())  # type: ignore[arg-type]
    assert result["statusCode"] == 200 and json.loads(result["body"])["settings"] == "ok"
