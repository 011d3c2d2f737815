"""Admin surface: connection details, the demo seed, configuration and reset."""

from __future__ import annotations

import pytest

from sandboxes.common import SandboxAdmin, SandboxServer
from sandboxes.demo_company import CUSTOMERS, PRODUCTS
from sandboxes.intacct import IntacctSandbox
from sandboxes.intacct.demo import demo_seed

from .conftest import IntacctCaller, sotransaction


def test_connection_names_everything_a_client_needs(
    app: IntacctSandbox, server: SandboxServer
) -> None:
    connection = app.connection(server.base_url)

    assert connection["endpoint"] == f"{server.base_url}/ia/xml/xmlgw.phtml"
    assert connection.keys() == {
        "endpoint",
        "sender_id",
        "sender_password",
        "company_id",
        "user_id",
        "user_password",
    }


def test_demo_seed_loads_the_demo_company_with_a_part_paid_invoice(
    admin: SandboxAdmin, intacct: IntacctCaller
) -> None:
    created = admin.seed(demo_seed())

    assert created["customers"] == [f"C-{c['code']}" for c in CUSTOMERS]
    assert created["items"] == [p["code"] for p in PRODUCTS]
    objects = admin.state()["objects"]
    assert {i["ITEMID"]: i["BASEPRICE"] for i in objects["ITEM"]}["LAMP-LED"] == "34.50"
    invoices = {d["DOCID"]: d for d in objects["SODOCUMENT"]}
    paid = invoices["Sales Invoice-INV0001"]
    assert (paid["TOTAL"], paid["TOTALPAID"], paid["TOTALDUE"]) == ("4398.00", "2000.00", "2398.00")
    assert invoices["Sales Invoice-INV0002"]["TOTALPAID"] == "0.00"
    # The API numbers on after the seeded history.
    assert intacct.ok(sotransaction("Sales Invoice", customer="C-SUMMIT")).findtext("key") == (
        "Sales Invoice-INV0003"
    )


def test_configuration_changes_credentials_and_refuses_unknown_knobs(
    app: IntacctSandbox, admin: SandboxAdmin, intacct: IntacctCaller
) -> None:
    knobs = admin.configure(sender_password="rotated", session_seconds=120)

    assert knobs["session_seconds"] == 120.0
    assert intacct.call("<getAPISession/>").control_status == "failure"
    intacct.connection["sender_password"] = "rotated"
    assert intacct.call("<getAPISession/>").control_status == "success"
    with pytest.raises(ValueError, match="unknown option"):
        app.configure({"no_such_knob": 1})


def test_reset_forgets_documents_sessions_and_control_ids(
    admin: SandboxAdmin, intacct: IntacctCaller, seeded: SandboxAdmin
) -> None:
    intacct.ok(sotransaction(), control_id="once", unique=True)
    session_id = intacct.session_id()

    admin.reset()

    state = admin.state()
    assert state["objects"]["SODOCUMENT"] == []
    assert state["open_sessions"] == 0
    assert state["recorded_control_ids"] == 0
    assert intacct.call("<getAPISession/>", session_id=session_id).auth_status == "failure"


def test_latency_fault_delays_but_serves(admin: SandboxAdmin, intacct: IntacctCaller) -> None:
    admin.inject_fault("gateway", kind="latency", delay_ms=150, times=1)

    reply = intacct.call("<getAPISession/>")

    assert reply.control_status == "success"
    assert reply.http.elapsed.total_seconds() >= 0.15


def test_other_paths_are_not_routed(intacct: IntacctCaller) -> None:
    response = intacct.http.post(
        intacct.connection["endpoint"].replace("xmlgw.phtml", "other.phtml"), content=b"<x/>"
    )

    assert response.status_code == 404


def test_rate_limiting_answers_429_with_a_gateway_error(
    admin: SandboxAdmin, intacct: IntacctCaller
) -> None:
    admin.configure(rate_limited_requests=1)

    limited = intacct.call("<getAPISession/>")

    assert limited.http.status_code == 429
    assert limited.control_status == "failure"
    assert limited.error_numbers() == ["GW-0010"]
    assert limited.root.findtext("errormessage/error/description", "").startswith(
        "Rate limit exceeded [Request ID: "
    )
    assert intacct.call("<getAPISession/>").control_status == "success"
