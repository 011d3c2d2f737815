"""Fixtures for the Intacct sandbox: one HTTPS server per session, reset before each test.

`IntacctCaller` writes request envelopes the way the Intacct SDKs do and posts them with
httpx; responses are parsed with defusedxml, as a real client must.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

import httpx
import pytest
from defusedxml.ElementTree import fromstring

from sandboxes.common import LocalCA, SandboxAdmin, SandboxServer
from sandboxes.intacct import IntacctSandbox
from tests.sandbox_server import RunningSandbox, SandboxStarter


@dataclass
class Reply:
    http: httpx.Response
    root: Element

    @property
    def control_status(self) -> str:
        return self.root.findtext("control/status", "")

    @property
    def auth_status(self) -> str:
        return self.root.findtext("operation/authentication/status", "")

    @property
    def results(self) -> list[Element]:
        return self.root.findall("operation/result")

    @property
    def result(self) -> Element:
        results = self.results
        assert len(results) == 1, f"expected one result, got {len(results)}"
        return results[0]

    def error_numbers(self, block: Element | None = None) -> list[str]:
        scope = self.root if block is None else block
        return [e.findtext("errorno", "") for e in scope.findall("errormessage/error")]


class IntacctCaller:
    """Builds and posts gateway requests; each call gets a fresh control id unless given."""

    def __init__(self, connection: dict[str, Any], ca: LocalCA) -> None:
        self.connection = connection
        self.http = httpx.Client(verify=ca.client_context(), timeout=10)
        self._ids = itertools.count(1)

    def envelope(
        self,
        *functions: str,
        session_id: str | None = None,
        control_id: str | None = None,
        unique: bool = False,
        transaction: bool | None = None,
        sender_password: str | None = None,
        user_password: str | None = None,
    ) -> str:
        c = self.connection
        if session_id is not None:
            authentication = f"<sessionid>{session_id}</sessionid>"
        else:
            authentication = (
                f"<login><userid>{c['user_id']}</userid><companyid>{c['company_id']}</companyid>"
                f"<password>{user_password or c['user_password']}</password></login>"
            )
        attribute = "" if transaction is None else f' transaction="{str(transaction).lower()}"'
        content = "".join(
            f'<function controlid="f{index}">{body}</function>'
            for index, body in enumerate(functions, 1)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            "<request><control>"
            f"<senderid>{c['sender_id']}</senderid>"
            f"<password>{sender_password or c['sender_password']}</password>"
            f"<controlid>{control_id or f'req-{next(self._ids)}'}</controlid>"
            f"<uniqueid>{str(unique).lower()}</uniqueid>"
            "<dtdversion>3.0</dtdversion><includewhitespace>false</includewhitespace>"
            f"</control><operation{attribute}><authentication>{authentication}</authentication>"
            f"<content>{content}</content></operation></request>"
        )

    def post(self, body: str | bytes, content_type: str = "application/xml") -> Reply:
        response = self.http.post(
            self.connection["endpoint"],
            content=body.encode() if isinstance(body, str) else body,
            headers={"Content-Type": content_type},
        )
        return Reply(response, fromstring(response.content))

    def call(self, *functions: str, **options: Any) -> Reply:
        return self.post(self.envelope(*functions, **options))

    def ok(self, function: str, **options: Any) -> Element:
        """One function that must succeed; answers its <result>."""
        reply = self.call(function, **options)
        result = reply.result
        assert result.findtext("status") == "success", _describe(result)
        return result

    def session_id(self) -> str:
        result = self.ok("<getAPISession/>")
        return result.findtext("data/api/sessionid", "")

    def close(self) -> None:
        self.http.close()


def _describe(result: Element) -> str:
    return "; ".join(
        f"{e.findtext('errorno')} {e.findtext('description2')}"
        for e in result.findall("errormessage/error")
    )


@pytest.fixture(scope="session")
def running_sandbox(sandbox_server: SandboxStarter) -> Iterator[RunningSandbox[IntacctSandbox]]:
    with sandbox_server(IntacctSandbox) as running:
        yield running


@pytest.fixture
def intacct(server: SandboxServer, ca: LocalCA, app: IntacctSandbox) -> Iterator[IntacctCaller]:
    caller = IntacctCaller(app.connection(server.base_url), ca)
    yield caller
    caller.close()


BASIC_SEED: dict[str, Any] = {
    "customers": [
        {"CUSTOMERID": "C-ALPINE", "NAME": "Alpine Trail Outfitters"},
        {"CUSTOMERID": "C-COASTAL", "NAME": "Coastal Kayak Co."},
    ],
    "items": [
        {"ITEMID": "TENT-2P", "NAME": "Ridgeline 2-Person Tent", "BASEPRICE": 249.00},
        {"ITEMID": "STOVE-1", "NAME": "Pocket Camp Stove", "BASEPRICE": 59.00},
    ],
}


@pytest.fixture
def seeded(admin: SandboxAdmin) -> SandboxAdmin:
    admin.seed(BASIC_SEED)
    return admin


def sotransaction(
    transaction_type: str = "Sales Order",
    customer: str = "C-ALPINE",
    item: str = "TENT-2P",
    quantity: str = "2",
    extra: str = "",
    line_extra: str = "",
) -> str:
    """A create_sotransaction in the element order the Intacct SDKs write."""
    return (
        "<create_sotransaction>"
        f"<transactiontype>{transaction_type}</transactiontype>"
        "<datecreated><year>2026</year><month>11</month><day>02</day></datecreated>"
        f"<customerid>{customer}</customerid>{extra}"
        "<sotransitems><sotransitem>"
        f"<itemid>{item}</itemid><quantity>{quantity}</quantity>{line_extra}"
        "</sotransitem></sotransitems>"
        "</create_sotransaction>"
    )
