"""The Intacct XML gateway: envelopes, sessions and errors (developer.intacct.com, "XML
Gateway", "Error handling", "getAPISession").

A request is `<request><control>` (sender id and password, a control id, `uniqueid`,
dtdversion 3.0) + `<operation><authentication>` (a session id, or a login) + `<content>`
with one or more `<function controlid>`; several functions travel in ONE request (one call),
and each answers its own `<result>`.

Sessions: the first call signs in with the user's login and asks `getAPISession` for a session
id and the endpoint to use next; later calls send that session id. An authentication failure
under a session (it expired, or was ended) signs in again ONCE and repeats the request; a
failure of the login itself is permanent (`ConfigurationError`: a person must fix the
credentials) and shows on the job and the console.

Errors, in the two families:
- retryable: a timeout or connection failure, HTTP 429 or 5xx (a gateway error such as a
  gateway timeout), an answer that is not XML, a second authentication failure right after
  a renewed session;
- permanent: a control failure (wrong sender id or password: `ConfigurationError`), a refused
  login, and a function's `failure` (`IntacctRefused`, carrying Intacct's description and
  correction text, as the user would read them in Intacct).
- `DuplicateControlId`: with `uniqueid=true`, Intacct refuses to run a control id twice; the
  caller looks up what the first run made (the create is idempotent).

Responses are untrusted input: parsed with defusedxml (no entities, no DTDs).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

import httpx
from defusedxml import ElementTree as SafeElementTree
from pydantic import BaseModel, ConfigDict

from shared.deadline import call_timeout
from shared.errors import ConfigurationError, PermanentError, RetryableError
from shared.http import idempotent, tls_verification_failed
from shared.observability import vendor_message

DEFAULT_TIMEOUT_SECONDS = 30.0
DUPLICATE_CONTROL_ID = "already been recorded with the control id"


class IntacctCredentials(BaseModel):
    """The Intacct connection secret (JSON in Secrets Manager)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    endpoint: str = "https://api.intacct.com/ia/xml/xmlgw.phtml"
    sender_id: str
    sender_password: str
    company_id: str
    user_id: str
    user_password: str


class IntacctRefused(PermanentError):
    """A function Intacct refused; the message carries its description and correction."""


class DuplicateControlId(PermanentError):
    """`uniqueid=true` and this control id already ran successfully."""


class _SessionRefused(Exception):
    pass


@dataclass(frozen=True)
class Function:
    name: str  # its control id inside the request
    element: Element


@dataclass(frozen=True)
class Result:
    control_id: str
    status: str
    data: Element | None
    element: Element

    def key(self) -> str:
        return (self.element.findtext("key") or "").strip()


def error_text(block: Element | None) -> str:
    """Intacct's errors as one sentence: description2, then the correction, per error."""
    if block is None:
        return "no error detail"
    parts = []
    for error in block.findall("error"):
        number = (error.findtext("errorno") or "").strip()
        said = (error.findtext("description2") or error.findtext("description") or "").strip()
        correction = (error.findtext("correction") or "").strip()
        part = " ".join(t for t in (number, vendor_message(said)) if t)
        parts.append(f"{part}. Correction: {vendor_message(correction)}" if correction else part)
    return "; ".join(parts) or "no error detail"


class Gateway:
    """One company's gateway: posts requests, keeps the session, translates errors."""

    def __init__(
        self, credentials: IntacctCredentials, http: httpx.Client, *, dtd_version: str = "3.0"
    ) -> None:
        self.credentials = credentials
        self.http = http
        self.dtd_version = dtd_version
        self.timeout_seconds = DEFAULT_TIMEOUT_SECONDS
        self.requests = 0  # every POST, for the benchmarks
        self._session: tuple[str, str] | None = None  # (session id, endpoint)
        self._lock = threading.Lock()

    def run(
        self, functions: Sequence[Function], *, control_id: str, unique: bool = False
    ) -> list[Result]:
        """Run the functions in ONE request under the session (renewed once if refused)."""
        session_id, endpoint = self._current_session()
        try:
            return self._post(endpoint, functions, control_id, unique, session_id=session_id)
        except _SessionRefused:
            pass
        self._forget(session_id)
        session_id, endpoint = self._current_session()
        try:
            return self._post(endpoint, functions, control_id, unique, session_id=session_id)
        except _SessionRefused as exc:
            raise RetryableError("Intacct refused a session it had just opened") from exc

    # -- sessions ----------------------------------------------------------------------------

    def _current_session(self) -> tuple[str, str]:
        with self._lock:
            if self._session is None:
                self._session = self._open_session()
            return self._session

    def _forget(self, session_id: str) -> None:
        with self._lock:
            if self._session is not None and self._session[0] == session_id:
                self._session = None

    def _open_session(self) -> tuple[str, str]:
        function = Function("session", Element("getAPISession"))
        try:
            [result] = self._post(
                self.credentials.endpoint, [function], "getAPISession", False, session_id=None
            )
        except _SessionRefused as exc:
            raise ConfigurationError(
                f"Intacct refused the login of the web services user: {exc}"
            ) from exc
        api = result.data.find("api") if result.data is not None else None
        session_id = (api.findtext("sessionid") if api is not None else "") or ""
        endpoint = (api.findtext("endpoint") if api is not None else "") or ""
        if not session_id:
            raise RetryableError("Intacct's getAPISession answered no session id")
        return session_id.strip(), (endpoint.strip() or self.credentials.endpoint)

    # -- one request -------------------------------------------------------------------------

    def _post(
        self,
        endpoint: str,
        functions: Sequence[Function],
        control_id: str,
        unique: bool,
        *,
        session_id: str | None,
    ) -> list[Result]:
        body = self._envelope(functions, control_id, unique, session_id)
        self.requests += 1
        try:
            response = self.http.post(
                endpoint,
                content=body,
                headers={"Content-Type": "application/xml"},
                timeout=call_timeout(self.timeout_seconds, "an Intacct request"),
                extensions=idempotent(),  # reads, and creates made idempotent by uniqueid
            )
        except httpx.TimeoutException as exc:
            raise RetryableError(f"Intacct's gateway timed out: {exc!r}") from exc
        except httpx.ConnectError as exc:
            if "CERTIFICATE_VERIFY_FAILED" in str(exc):
                raise tls_verification_failed(endpoint, exc) from exc
            raise RetryableError(f"Intacct unreachable: {exc!r}") from exc
        except httpx.TransportError as exc:
            raise RetryableError(f"Intacct unreachable: {exc!r}") from exc
        root = _parse(response)
        if response.status_code == 429 or response.status_code >= 500:
            raise RetryableError(
                f"Intacct's gateway answered {response.status_code}: "
                f"{error_text(root.find('errormessage') if root is not None else None)}"
            )
        if root is None or response.status_code != 200:
            raise RetryableError(f"Intacct answered {response.status_code} without XML")
        return self._results(root, functions)

    def _envelope(
        self,
        functions: Sequence[Function],
        control_id: str,
        unique: bool,
        session_id: str | None,
    ) -> bytes:
        c = self.credentials
        request = Element("request")
        control = SubElement(request, "control")
        for tag, value in (
            ("senderid", c.sender_id),
            ("password", c.sender_password),
            ("controlid", control_id),
            ("uniqueid", "true" if unique else "false"),
            ("dtdversion", self.dtd_version),
            ("includewhitespace", "false"),
        ):
            SubElement(control, tag).text = value
        operation = SubElement(request, "operation")
        authentication = SubElement(operation, "authentication")
        if session_id is not None:
            SubElement(authentication, "sessionid").text = session_id
        else:
            login = SubElement(authentication, "login")
            SubElement(login, "userid").text = c.user_id
            SubElement(login, "companyid").text = c.company_id
            SubElement(login, "password").text = c.user_password
        content = SubElement(operation, "content")
        for function in functions:
            SubElement(content, "function", controlid=function.name).append(function.element)
        return bytes(tostring(request, encoding="utf-8", xml_declaration=True))

    def _results(self, root: Element, functions: Sequence[Function]) -> list[Result]:
        control_status = (root.findtext("control/status") or "").strip()
        if control_status != "success":
            text = error_text(root.find("errormessage"))
            if DUPLICATE_CONTROL_ID in text:
                raise DuplicateControlId(f"Intacct: {text}")
            raise ConfigurationError(f"Intacct refused the sender credentials: {text}")
        operation = root.find("operation")
        if operation is None:
            raise RetryableError("Intacct answered without an operation block")
        if (operation.findtext("authentication/status") or "").strip() != "success":
            raise _SessionRefused(error_text(operation.find("errormessage")))
        results = [
            Result(
                control_id=(r.findtext("controlid") or "").strip(),
                status=(r.findtext("status") or "").strip(),
                data=r.find("data"),
                element=r,
            )
            for r in operation.findall("result")
        ]
        if len(results) != len(functions):
            raise RetryableError(f"Intacct answered {len(results)} of {len(functions)} results")
        for result in results:
            if result.status != "success":
                raise IntacctRefused(
                    f"Intacct refused {result.control_id}: "
                    f"{error_text(result.element.find('errormessage'))}"
                )
        return results


def _parse(response: httpx.Response) -> Any:
    try:
        return SafeElementTree.fromstring(response.content)
    except Exception:  # anything unparsable: a ParseError, a forbidden DTD or entity
        return None
