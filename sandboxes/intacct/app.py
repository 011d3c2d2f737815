"""A local Sage Intacct XML gateway: one endpoint, three layers of checks, then functions.

    POST /ia/xml/xmlgw.phtml      (application/xml or x-intacct-xml-request)

A request passes the layers Intacct's error-handling guide describes, each answering with
its own failure block and stopping everything after it:

1. XML: malformed input -> control status failure, XL03000003 (nothing runs).
2. control: sender id/password -> control failure, XL03000006 (nothing runs); with
   `uniqueid=true` a control id already recorded for this sender and company is refused
   (nothing runs again).
3. authentication: `<login>` (userid/companyid/password) or `<sessionid>` -> on failure the
   operation's authentication block fails with XL03000006 and no function runs.
4. functions: each `<function controlid>` gets its own `<result>`; one failing does not stop
   the others, unless `<operation transaction="true">`, where every result turns `aborted`
   (with XL03000009) and the books are restored.

Sessions slide: every authenticated request pushes the expiry `session_seconds` ahead.
A login also opens a session, so `getAPISession` under a login answers a fresh session id
and the endpoint to use next (this sandbox's own URL).

Where the documentation is silent (the sandbox's choices):
- The error number for a reused control id is not published; the wording ("A successful
  transaction has already been recorded with the control id ...") is from a public client.
  We answer XL03000004 at control level. A control id is recorded only when the request
  committed something (at least one function succeeded and nothing was rolled back), so
  a request that failed entirely may be retried with the same control id.
- Expired or unknown session ids fail like a bad login (XL03000006 "Sign-in information is
  incorrect").
- Unknown function elements and a `<function>` without a controlid attribute fail XML
  validation (XL03000003), as the DTD requires both.
- `create_sotransaction` answers `<key>` = DOCID ("Sales Order-SO0001"), the form
  `update_sotransaction key=".."` takes. New numbers are prefix + 4 digits per definition.
- Order Entry write failures carry BL01001973 ("Could not create Document record!") then a
  second error naming the cause.
- readByQuery/readMore name records in lower case (`<sodocument>`, as the SDK fixtures
  show for `<customer>`); `read` and `query` use the object name as given (`<SODOCUMENT>`).
  `read` nests owned lines (SODOCUMENTENTRIES/sodocumententry, ARPYMTDETAILS/arpymtdetail);
  readByQuery and query return headers only (read lines through SODOCUMENTENTRY).
- A payment applies to one invoice: ARPYMTDETAIL.RECORDKEY is the AR invoice record number,
  which the Sales Invoice shows as SODOCUMENT.PRRECORDKEY. Payments lower the invoice's
  TOTALDUE but do not touch its WHENMODIFIED (poll ARPYMT.WHENMODIFIED for new payments).
- Rate limiting (`rate_limited_requests` knob) answers HTTP 429 with a GW-0010 gateway
  error shaped like the guide's GW-0011 example; the GW-0010 wording is ours.
- Timestamps are UTC. Only returnFormat xml is offered. Page sizes outside 1..1000
  (readByQuery) or 1..2000 (query) fail rather than being clamped.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar
from xml.etree.ElementTree import Element

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from sandboxes.common import SandboxApp
from sandboxes.intacct import errors, schema
from sandboxes.intacct.functions import HANDLERS, Context, ResultSets
from sandboxes.intacct.store import (
    Company,
    DocumentSpec,
    LineSpec,
    TransactionDefinition,
)
from sandboxes.intacct.wire import (
    add,
    echo_control_fields,
    error_message,
    parse_request,
    text_of,
    xml_response,
)

GATEWAY_PATH = "/ia/xml/xmlgw.phtml"

DEFAULT_DEFINITIONS = (
    TransactionDefinition("Sales Quote", "QT"),
    TransactionDefinition("Sales Order", "SO"),
    TransactionDefinition("Sales Invoice", "INV", posts_to_ar=True),
)


@dataclass
class Settings:
    sender_id: str = "salesbridge_sender"
    sender_password: str = "sender-secret"
    company_id: str = "HARBOURPINE"
    user_id: str = "ws_salesbridge"
    user_password: str = "user-secret"
    session_seconds: float = 3600.0
    result_seconds: float = 1800.0
    rate_limited_requests: int = 0  # the next N requests answer 429 GW-0010


@dataclass
class Session:
    session_id: str
    user_id: str
    company_id: str
    location_id: str
    started: datetime
    expires_at: float  # unix seconds on the sandbox clock


@dataclass
class Control:
    sender_id: str
    password: str
    control_id: str
    unique: bool
    dtd_version: str


@dataclass
class FunctionCall:
    control_id: str
    name: str
    element: Element


@dataclass
class Outcome:
    call: FunctionCall
    status: str  # success | failure | aborted
    payload: list[Element] = field(default_factory=list)
    failure: errors.IntacctError | None = None


class IntacctSandbox(SandboxApp):
    name: ClassVar[str] = "intacct"
    rules: ClassVar[list[Rule]] = [Rule(GATEWAY_PATH, endpoint="gateway", methods=["POST"])]

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(clock)

    # -- state -----------------------------------------------------------------------------

    def reset(self) -> None:
        self.settings = Settings()
        self.company = Company(clock=self.clock)
        for definition in DEFAULT_DEFINITIONS:
            self.company.add_definition(copy.copy(definition))
        self.sessions: dict[str, Session] = {}
        self.recorded_control_ids: set[tuple[str, str, str]] = set()
        self.results = ResultSets(clock=self.clock.timestamp)

    def configure(self, options: dict[str, Any]) -> dict[str, Any]:
        for definition in options.pop("transaction_definitions", []):
            self.company.add_definition(_definition(definition))
        for name, value in options.items():
            if not hasattr(self.settings, name):
                raise ValueError(f"unknown option {name}")
            setattr(self.settings, name, type(getattr(self.settings, name))(value))
        return {
            **asdict(self.settings),
            "transaction_definitions": [
                _definition_view(d) for d in self.company.definitions.values()
            ],
        }

    def seed(self, data: dict[str, Any]) -> dict[str, Any]:
        """Loads master data and history; every key is optional.

        {"transaction_definitions": [{"name", "prefix", "posts_to_ar", "default_state"}],
         "customers": [{"CUSTOMERID", "NAME"}],
         "items": [{"ITEMID", "NAME", "BASEPRICE"}],
         "documents": [{"DOCPARID", "CUSTVENDID", "WHENCREATED", "DOCNO"?, "WHENDUE"?,
                        "PONUMBER"?, "TERMNAME"?, "MESSAGE"?, "STATE"?, "WHENMODIFIED"?,
                        "lines": [{"ITEMID", "QUANTITY", "PRICE"?, "UNIT"?, "MEMO"?}]}],
         "payments": [{"invoice": DOCID, "AMOUNT", "WHENPAID", "PAYMENTMETHOD"?,
                       "DOCNUMBER"?, "DESCRIPTION"?, "WHENMODIFIED"?}],
         "deletions": [{"DOCID", "WHEN"?}]}  (a user deleting documents in the UI)

        Dates read mm/dd/yyyy or yyyy-mm-dd; timestamps mm/dd/yyyy hh:mm:ss (UTC).
        """
        company = self.company
        created: dict[str, list[Any]] = {
            "customers": [],
            "items": [],
            "documents": [],
            "payments": [],
        }
        for definition in data.get("transaction_definitions", []):
            company.add_definition(_definition(definition))
        for customer in data.get("customers", []):
            company.add_customer(customer["CUSTOMERID"], customer["NAME"])
            created["customers"].append(customer["CUSTOMERID"])
        for item in data.get("items", []):
            company.add_item(item["ITEMID"], item["NAME"], Decimal(str(item["BASEPRICE"])))
            created["items"].append(item["ITEMID"])
        for document in data.get("documents", []):
            made = company.create_document(
                _document_spec(document, company.now()), _modified(document)
            )
            # Seeds may describe history (a Closed or Converted document); the API may not.
            made.state = document.get("STATE", made.state)
            created["documents"].append(
                {"DOCID": made.docid, "RECORDNO": made.recordno, "PRRECORDKEY": made.ar_recordno}
            )
        for payment in data.get("payments", []):
            made_payment = company.record_payment(
                payment["invoice"],
                Decimal(str(payment["AMOUNT"])),
                payment.get("PAYMENTMETHOD", "Check"),
                schema.parse_date(payment["WHENPAID"]),
                docnumber=payment.get("DOCNUMBER", ""),
                description=payment.get("DESCRIPTION", ""),
                modified=_modified(payment),
            )
            created["payments"].append({"RECORDNO": made_payment.recordno})
        for deletion in data.get("deletions", []):
            when = deletion.get("WHEN")
            gone = company.delete_document(
                deletion["DOCID"], when=schema.parse_timestamp(when) if when else None
            )
            created.setdefault("deleted", []).append({"RECORDNO": gone.recordno})
        return created

    def snapshot(self) -> dict[str, Any]:
        objects = {name: self.company.records(name) for name in schema.OBJECTS}
        return {
            "objects": {
                name: [{k: schema.render(v) for k, v in row.items()} for row in rows]
                for name, rows in objects.items()
            },
            "settings": asdict(self.settings),
            "open_sessions": len(self.sessions),
            "recorded_control_ids": len(self.recorded_control_ids),
        }

    def connection(self, base_url: str) -> dict[str, Any]:
        return {
            "endpoint": f"{base_url}{GATEWAY_PATH}",
            "sender_id": self.settings.sender_id,
            "sender_password": self.settings.sender_password,
            "company_id": self.settings.company_id,
            "user_id": self.settings.user_id,
            "user_password": self.settings.user_password,
        }

    def expire_sessions(self) -> None:
        """Lets tests age every session past its timeout without waiting."""
        with self.lock:
            for session in self.sessions.values():
                session.expires_at = 0.0

    # -- the gateway -----------------------------------------------------------------------

    def gateway(self, request: Request) -> Response:
        endpoint = f"{request.host_url.rstrip('/')}{GATEWAY_PATH}"
        body = request.get_data()
        with self.lock:
            if self.settings.rate_limited_requests > 0:
                self.settings.rate_limited_requests -= 1
                return xml_response(_gateway_error("GW-0010", "Rate limit exceeded"), 429)
            return xml_response(self._answer(body, endpoint))

    def _answer(self, body: bytes, endpoint: str) -> Element:
        try:
            control, operation, calls = _read_request(body)
        except errors.IntacctError as failure:
            return _control_failure(echo_control_fields(body), failure)
        echo = _control_echo(control)
        if not self._sender_is_valid(control):
            return _control_failure(echo, errors.bad_sender())
        try:
            session = self._authenticate(operation.find("authentication"))
        except errors.IntacctError as failure:
            return _authentication_failure(echo, operation, failure)
        record_key = (control.sender_id, session.company_id, control.control_id)
        if control.unique and record_key in self.recorded_control_ids:
            return _control_failure(echo, errors.duplicate_control_id(control.control_id))
        transactional = operation.get("transaction", "false").lower() == "true"
        outcomes = self._run(calls, session, endpoint, transactional)
        if any(outcome.status == "success" for outcome in outcomes):
            self.recorded_control_ids.add(record_key)
        return _operation_response(echo, self._identity(session), outcomes)

    # -- authentication ------------------------------------------------------------------

    def _sender_is_valid(self, control: Control) -> bool:
        expected = (self.settings.sender_id, self.settings.sender_password)
        return (control.sender_id, control.password) == expected

    def _authenticate(self, block: Element | None) -> Session:
        assert block is not None  # _read_request validated the authentication block
        self._forget_expired_sessions()
        session_id = text_of(block, "sessionid")
        login = block.find("login")
        if login is not None:
            session = self._login(login)
        else:
            found = self.sessions.get(session_id)
            if found is None:
                raise errors.bad_login()
            session = found
        session.expires_at = self.clock.timestamp() + self.settings.session_seconds
        return session

    def _login(self, login: Element) -> Session:
        given = (text_of(login, "userid"), text_of(login, "companyid"), text_of(login, "password"))
        expected = (self.settings.user_id, self.settings.company_id, self.settings.user_password)
        if given != expected:
            raise errors.bad_login()
        session = Session(
            session_id=f"{secrets.token_urlsafe(24)}..",
            user_id=given[0],
            company_id=given[1],
            location_id=text_of(login, "locationid"),
            started=self.clock().replace(microsecond=0),
            expires_at=0.0,
        )
        self.sessions[session.session_id] = session
        return session

    def _forget_expired_sessions(self) -> None:
        now = self.clock.timestamp()
        for session_id in [k for k, s in self.sessions.items() if s.expires_at <= now]:
            del self.sessions[session_id]

    def _identity(self, session: Session) -> dict[str, str]:
        timeout = self.clock().replace(microsecond=0) + timedelta(
            seconds=self.settings.session_seconds
        )
        return {
            "userid": session.user_id,
            "companyid": session.company_id,
            "locationid": session.location_id,
            "sessiontimestamp": session.started.isoformat(),
            "sessiontimeout": timeout.isoformat(),
        }

    # -- functions -----------------------------------------------------------------------

    def _run(
        self, calls: list[FunctionCall], session: Session, endpoint: str, transactional: bool
    ) -> list[Outcome]:
        books = copy.deepcopy(self.company) if transactional else self.company
        context = Context(
            company=books,
            company_id=session.company_id,
            session_id=session.session_id,
            location_id=session.location_id,
            endpoint=endpoint,
            results=self.results,
            result_seconds=self.settings.result_seconds,
        )
        outcomes: list[Outcome] = []
        for call in calls:
            if transactional and any(o.status != "success" for o in outcomes):
                outcomes.append(Outcome(call, "aborted"))
                continue
            try:
                payload = HANDLERS[call.name](call.element, context)
                outcomes.append(Outcome(call, "success", payload))
            except errors.IntacctError as failure:
                outcomes.append(Outcome(call, "failure", failure=failure))
        if not transactional:
            return outcomes
        if all(o.status == "success" for o in outcomes):
            self.company = books
            return outcomes
        return [_aborted(outcome) for outcome in outcomes]


def _aborted(outcome: Outcome) -> Outcome:
    """Every function of a rolled-back transaction reports `aborted` with XL03000009."""
    own = outcome.failure.details if outcome.failure else []
    return Outcome(outcome.call, "aborted", failure=errors.IntacctError(*own, errors.ROLLED_BACK))


# -- reading the request ------------------------------------------------------------------


def _control(root: Element) -> Control:
    if root.tag != "request":
        raise errors.xml_parse_error(f"Expecting element request, got {root.tag}")
    block = root.find("control")
    if block is None:
        raise errors.xml_parse_error("request requires <control>")
    for required in ("senderid", "password", "controlid", "dtdversion"):
        if block.find(required) is None:
            raise errors.xml_parse_error(f"control requires <{required}>")
    version = text_of(block, "dtdversion")
    if version != "3.0":
        raise errors.xml_parse_error(f"dtdversion {version} is not offered by this gateway")
    return Control(
        sender_id=text_of(block, "senderid"),
        password=text_of(block, "password"),
        control_id=text_of(block, "controlid"),
        unique=text_of(block, "uniqueid").lower() == "true",
        dtd_version=version,
    )


def _read_request(body: bytes) -> tuple[Control, Element, list[FunctionCall]]:
    """Parses and validates the envelope, as Intacct does before any other check."""
    root = parse_request(body)
    control = _control(root)
    operation = root.find("operation")
    if operation is None:
        raise errors.xml_parse_error("request requires <operation>")
    authentication = operation.find("authentication")
    if authentication is None:
        raise errors.xml_parse_error("operation requires <authentication>")
    if authentication.find("login") is None and authentication.find("sessionid") is None:
        raise errors.xml_parse_error("authentication requires <sessionid> or <login>")
    content = operation.find("content")
    if content is None:
        raise errors.xml_parse_error("operation requires <content>")
    return control, operation, [_function_call(f) for f in content.findall("function")]


def _function_call(function: Element) -> FunctionCall:
    control_id = function.get("controlid")
    if control_id is None:
        raise errors.xml_parse_error("attribute controlid is required on <function>")
    if len(function) != 1:
        raise errors.xml_parse_error("<function> must hold exactly one function element")
    element = function[0]
    if element.tag not in HANDLERS:
        raise errors.unknown_function(element.tag)
    return FunctionCall(control_id, element.tag, element)


def _claimed_identity(operation: Element) -> dict[str, str]:
    login = operation.find("authentication/login")
    if login is None:
        return {}
    return {"userid": text_of(login, "userid"), "companyid": text_of(login, "companyid")}


# -- writing the response -----------------------------------------------------------------


def _control_echo(control: Control) -> dict[str, str]:
    return {
        "senderid": control.sender_id,
        "controlid": control.control_id,
        "uniqueid": "true" if control.unique else "false",
        "dtdversion": control.dtd_version,
    }


def _add_control(response: Element, status: str, echo: dict[str, str]) -> None:
    block = add(response, "control")
    add(block, "status", status)
    for tag in ("senderid", "controlid", "uniqueid", "dtdversion"):
        if tag in echo:
            add(block, tag, echo[tag])


def _gateway_error(errorno: str, description: str) -> Element:
    """Gateway errors carry a bare control block and no description2 (Intacct's guide)."""
    response = Element("response")
    add(add(response, "control"), "status", "failure")
    error = add(add(response, "errormessage"), "error")
    add(error, "errorno", errorno)
    add(error, "description", f"{description} [Request ID: {secrets.token_hex(8).upper()}]")
    return response


def _control_failure(echo: dict[str, str], failure: errors.IntacctError) -> Element:
    response = Element("response")
    _add_control(response, "failure", echo)
    error_message(response, failure)
    return response


def _authentication_failure(
    echo: dict[str, str], operation: Element, failure: errors.IntacctError
) -> Element:
    """The control block passed; the operation reports the failed sign-in and runs nothing."""
    response = Element("response")
    _add_control(response, "success", echo)
    block = add(response, "operation")
    _add_authentication(block, "failure", _claimed_identity(operation))
    error_message(block, failure)
    return response


def _operation_response(
    echo: dict[str, str], identity: dict[str, str], outcomes: list[Outcome]
) -> Element:
    response = Element("response")
    _add_control(response, "success", echo)
    block = add(response, "operation")
    _add_authentication(block, "success", identity)
    for outcome in outcomes:
        _add_result(block, outcome)
    return response


def _add_authentication(operation: Element, status: str, identity: dict[str, str]) -> None:
    block = add(operation, "authentication")
    add(block, "status", status)
    for tag, value in identity.items():
        add(block, tag, value)


def _add_result(operation: Element, outcome: Outcome) -> None:
    result = add(operation, "result")
    add(result, "status", outcome.status)
    add(result, "function", outcome.call.name)
    add(result, "controlid", outcome.call.control_id)
    result.extend(outcome.payload)
    if outcome.failure is not None:
        error_message(result, outcome.failure)


# -- seed helpers ---------------------------------------------------------------------------


def _definition(data: dict[str, Any]) -> TransactionDefinition:
    return TransactionDefinition(
        name=data["name"],
        prefix=data.get("prefix", "DOC"),
        posts_to_ar=bool(data.get("posts_to_ar", False)),
        default_state=data.get("default_state", "Pending"),
        next_number=int(data.get("next_number", 1)),
    )


def _definition_view(definition: TransactionDefinition) -> dict[str, Any]:
    return {
        "name": definition.name,
        "prefix": definition.prefix,
        "posts_to_ar": definition.posts_to_ar,
        "default_state": definition.default_state,
        "next_number": definition.next_number,
    }


def _document_spec(data: dict[str, Any], now: datetime) -> DocumentSpec:
    return DocumentSpec(
        definition=data["DOCPARID"],
        customer_id=data["CUSTVENDID"],
        created=schema.parse_date(data.get("WHENCREATED") or now.date().isoformat()),
        lines=[
            LineSpec(
                item_id=line["ITEMID"],
                quantity=Decimal(str(line["QUANTITY"])),
                unit=line.get("UNIT", "Each"),
                price=None if line.get("PRICE") is None else Decimal(str(line["PRICE"])),
                memo=line.get("MEMO", ""),
            )
            for line in data.get("lines", [])
        ],
        docno=data.get("DOCNO"),
        ponumber=data.get("PONUMBER", ""),
        termname=data.get("TERMNAME", ""),
        due=schema.parse_date(data["WHENDUE"]) if data.get("WHENDUE") else None,
        message=data.get("MESSAGE", ""),
        currency=data.get("CURRENCY", "USD"),
    )


def _modified(data: dict[str, Any]) -> datetime | None:
    text = data.get("WHENMODIFIED")
    return schema.parse_timestamp(text) if text else None
