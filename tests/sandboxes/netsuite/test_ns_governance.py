"""Account concurrency governance, fault injection and the admin surface."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from sandboxes.common import SandboxAdmin


def test_requests_beyond_the_concurrency_limit_get_429(
    ns: httpx.Client, admin: SandboxAdmin, catalog: dict[str, Any]
) -> None:
    admin.configure(concurrency_limit=3)
    admin.inject_fault("get_customer", kind="latency", delay_ms=500, times=3)

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(lambda _: ns.get("/customer/101"), range(6)))

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 200, 200, 429, 429, 429]
    refused = next(r for r in responses if r.status_code == 429)
    assert refused.json() == {
        "type": "https://www.rfc-editor.org/rfc/rfc6585.html#section-4",
        "title": "Too Many Requests",
        "status": 429,
        "o:errorDetails": [
            {
                "detail": "Concurrent request limit exceeded. Request blocked.",
                "o:errorCode": "SSS_REQUEST_LIMIT_EXCEEDED",
            }
        ],
    }
    assert ns.get("/customer/101").status_code == 200  # the slots are free again


def test_governance_limits_report_the_configured_limit(
    ns: httpx.Client, admin: SandboxAdmin, conn: dict[str, Any]
) -> None:
    admin.configure(concurrency_limit=5)

    response = ns.get(f"{conn['rest_base_url']}/system/v1/governanceLimits")

    assert response.status_code == 200
    assert response.json()["accountConcurrencyLimit"] == 5


def test_status_fault_replaces_the_answer_once(
    ns: httpx.Client, admin: SandboxAdmin, catalog: dict[str, Any]
) -> None:
    body = {"type": "x", "title": "Service Unavailable", "status": 503, "o:errorDetails": []}
    admin.inject_fault("get_customer", status=503, body=body, times=1)

    assert ns.get("/customer/101").status_code == 503
    assert ns.get("/customer/101").status_code == 200
    assert admin.count("GET get_customer") == 2


def test_faults_come_after_authentication(
    conn: dict[str, Any], admin: SandboxAdmin, catalog: dict[str, Any]
) -> None:
    admin.inject_fault("get_customer", status=503)

    with httpx.Client(verify=False) as client:
        response = client.get(f"{conn['record_base_url']}/customer/101")

    assert response.status_code == 401


def test_state_shows_records_and_connection_details(
    admin: SandboxAdmin, catalog: dict[str, Any], conn: dict[str, Any]
) -> None:
    state = admin.state()

    assert state["account_id"] == conn["account_id"] == conn["realm"]
    assert [c["id"] for c in state["customers"]] == ["101", "102"]
    assert conn["rest_base_url"].endswith("/services/rest")
    assert conn["signature_method"] == "HMAC-SHA256"
