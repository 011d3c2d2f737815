"""The gateway's layers: XML, sender credentials, authentication and sessions."""

from __future__ import annotations

import httpx

from sandboxes.common import SandboxAdmin
from sandboxes.intacct import IntacctSandbox

from .conftest import IntacctCaller

READ_CUSTOMERS = (
    "<readByQuery><object>CUSTOMER</object><fields>*</fields><query></query>"
    "<pagesize>10</pagesize></readByQuery>"
)


def test_login_then_get_api_session_then_call_with_the_session(
    intacct: IntacctCaller, server: object, seeded: object
) -> None:
    reply = intacct.call("<getAPISession/>")

    assert reply.http.status_code == 200
    assert reply.http.headers["content-type"] == 'text/xml; encoding="UTF-8"'
    assert reply.control_status == "success"
    auth = reply.root.find("operation/authentication")
    assert auth is not None
    assert auth.findtext("status") == "success"
    assert auth.findtext("userid") == intacct.connection["user_id"]
    assert auth.findtext("companyid") == intacct.connection["company_id"]
    assert auth.findtext("sessiontimestamp")
    assert auth.findtext("sessiontimeout")
    result = reply.result
    assert result.findtext("function") == "getAPISession"
    assert result.findtext("controlid") == "f1"
    session_id = result.findtext("data/api/sessionid", "")
    assert session_id.endswith("..")
    endpoint = result.findtext("data/api/endpoint")
    assert endpoint == intacct.connection["endpoint"]

    with_session = intacct.call(READ_CUSTOMERS, session_id=session_id)

    assert with_session.auth_status == "success"
    assert with_session.result.findtext("status") == "success"
    data = with_session.result.find("data")
    assert data is not None
    assert data.get("count") == "2"


def test_get_api_session_with_a_session_answers_the_same_session(intacct: IntacctCaller) -> None:
    session_id = intacct.session_id()

    again = intacct.ok("<getAPISession/>", session_id=session_id)

    assert again.findtext("data/api/sessionid") == session_id


def test_sdk_style_get_api_session_request_is_understood(intacct: IntacctCaller) -> None:
    """The request shape of Intacct's 'your first API calls' guide, as clients send it."""
    c = intacct.connection
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
<request>
    <control>
        <senderid>{c["sender_id"]}</senderid>
        <password>{c["sender_password"]}</password>
        <controlid>1700000000</controlid>
        <uniqueid>false</uniqueid>
        <dtdversion>3.0</dtdversion>
        <includewhitespace>false</includewhitespace>
    </control>
    <operation>
        <authentication>
            <login>
                <userid>{c["user_id"]}</userid>
                <companyid>{c["company_id"]}</companyid>
                <password>{c["user_password"]}</password>
            </login>
        </authentication>
        <content>
            <function controlid="func_1700000000">
                <getAPISession />
            </function>
        </content>
    </operation>
</request>"""

    reply = intacct.post(body, content_type="x-intacct-xml-request")

    assert reply.root.findtext("control/controlid") == "1700000000"
    assert reply.root.findtext("control/uniqueid") == "false"
    assert reply.root.findtext("control/dtdversion") == "3.0"
    assert reply.result.findtext("controlid") == "func_1700000000"
    assert reply.result.findtext("data/api/sessionid")


def test_bad_sender_credentials_fail_at_control_level(intacct: IntacctCaller) -> None:
    reply = intacct.call("<getAPISession/>", sender_password="wrong")

    assert reply.http.status_code == 200
    assert reply.control_status == "failure"
    assert reply.error_numbers() == ["XL03000006"]
    assert "Partner ID or password" in reply.root.findtext("errormessage/error/description2", "")
    assert reply.root.find("operation") is None


def test_bad_login_fails_authentication_and_runs_nothing(intacct: IntacctCaller) -> None:
    reply = intacct.call("<getAPISession/>", user_password="wrong")

    assert reply.control_status == "success"
    assert reply.auth_status == "failure"
    operation = reply.root.find("operation")
    assert operation is not None
    assert reply.error_numbers(operation) == ["XL03000006"]
    assert operation.findtext("errormessage/error/description2") == (
        "Sign-in information is incorrect"
    )
    assert reply.results == []


def test_unknown_session_is_refused(intacct: IntacctCaller) -> None:
    reply = intacct.call(READ_CUSTOMERS, session_id="not-a-session..")

    assert reply.auth_status == "failure"
    assert reply.results == []


def test_expired_session_is_refused(intacct: IntacctCaller, app: IntacctSandbox) -> None:
    session_id = intacct.session_id()
    app.expire_sessions()

    reply = intacct.call(READ_CUSTOMERS, session_id=session_id)

    assert reply.auth_status == "failure"
    assert reply.error_numbers(reply.root.find("operation")) == ["XL03000006"]


def test_sessions_expire_after_the_configured_idle_time(
    intacct: IntacctCaller, admin: SandboxAdmin, app: IntacctSandbox
) -> None:
    app.configure({"session_seconds": 300})
    admin.set_clock(now="2030-01-15T12:00:00Z")
    session_id = intacct.session_id()
    assert intacct.call(READ_CUSTOMERS, session_id=session_id).auth_status == "success"
    admin.set_clock(advance_seconds=299)  # each use restarts the idle time
    assert intacct.call(READ_CUSTOMERS, session_id=session_id).auth_status == "success"

    admin.set_clock(advance_seconds=300)

    assert intacct.call(READ_CUSTOMERS, session_id=session_id).auth_status == "failure"


def test_malformed_xml_fails_at_control_level_with_the_parse_error(
    intacct: IntacctCaller,
) -> None:
    body = intacct.envelope("<getAPISession/>").replace("</content>", "</contnt>")

    reply = intacct.post(body)

    assert reply.http.status_code == 200
    assert reply.control_status == "failure"
    assert reply.error_numbers() == ["XL03000003"]
    assert reply.root.findtext("errormessage/error/description2", "").startswith(
        "XML Parse schema error:"
    )
    assert reply.root.findtext("control/senderid") == intacct.connection["sender_id"]
    assert reply.root.find("operation") is None


def test_entity_expansion_is_refused_not_expanded(intacct: IntacctCaller) -> None:
    body = (
        '<?xml version="1.0"?><!DOCTYPE request [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><request>&b;</request>'
    )

    reply = intacct.post(body)

    assert reply.control_status == "failure"
    assert reply.error_numbers() == ["XL03000003"]


def test_empty_body_and_unknown_function_fail_validation(intacct: IntacctCaller) -> None:
    assert intacct.post(b"").error_numbers() == ["XL03000003"]
    unknown = intacct.call("<explode_everything/>")
    assert unknown.control_status == "failure"
    assert unknown.error_numbers() == ["XL03000003"]


def test_function_without_controlid_fails_validation(intacct: IntacctCaller) -> None:
    body = intacct.envelope("<getAPISession/>").replace(' controlid="f1"', "")

    reply = intacct.post(body)

    assert reply.control_status == "failure"
    assert reply.error_numbers() == ["XL03000003"]


def test_only_post_is_routed(intacct: IntacctCaller) -> None:
    response = intacct.http.get(intacct.connection["endpoint"])

    assert response.status_code == 405


def test_each_function_answers_in_order_with_its_controlid(
    intacct: IntacctCaller, seeded: object
) -> None:
    reply = intacct.call(READ_CUSTOMERS, "<getAPISession/>")

    assert [r.findtext("function") for r in reply.results] == ["readByQuery", "getAPISession"]
    assert [r.findtext("controlid") for r in reply.results] == ["f1", "f2"]


def test_requests_are_counted_for_benchmarks(intacct: IntacctCaller, admin: SandboxAdmin) -> None:
    intacct.call("<getAPISession/>")
    intacct.call("<getAPISession/>")

    assert admin.count("POST gateway") == 2


def test_fault_injection_answers_the_armed_status_then_recovers(
    intacct: IntacctCaller, admin: SandboxAdmin
) -> None:
    admin.inject_fault("gateway", status=503, body={"error": "maintenance"}, times=1)

    failed = intacct.http.post(
        intacct.connection["endpoint"], content=intacct.envelope("<getAPISession/>")
    )
    assert failed.status_code == 503

    assert intacct.call("<getAPISession/>").control_status == "success"


def test_dropped_connection_is_seen_by_the_client(
    intacct: IntacctCaller, admin: SandboxAdmin
) -> None:
    admin.inject_fault("gateway", kind="drop", times=1)

    try:
        intacct.http.post(
            intacct.connection["endpoint"], content=intacct.envelope("<getAPISession/>")
        )
    except httpx.TransportError:
        pass
    else:
        raise AssertionError("a dropped connection must surface as a transport error")


def test_missing_authentication_fails_validation_not_sign_in(intacct: IntacctCaller) -> None:
    body = intacct.envelope("<getAPISession/>")
    start, end = body.index("<authentication>"), body.index("</authentication>")
    body = body[:start] + body[end + len("</authentication>") :]

    reply = intacct.post(body)

    assert reply.control_status == "failure"
    assert reply.error_numbers() == ["XL03000003"]
