"""Fixtures: one HTTPS NetSuite sandbox per session, clients signing with authlib's
OAuth1Auth, and a small HTTP receiver standing in for salesbridge's webhook endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandboxes.common import LocalCA, SandboxAdmin
from sandboxes.netsuite import NetSuiteSandbox
from tests.sandbox_server import RunningSandbox, SandboxStarter
from tests.sandboxes.netsuite.ns_helpers import Receiver, make_auth


@pytest.fixture(scope="session")
def running_sandbox(sandbox_server: SandboxStarter) -> Iterator[RunningSandbox[NetSuiteSandbox]]:
    with sandbox_server(NetSuiteSandbox) as running:
        yield running


@pytest.fixture(scope="session")
def sandbox(running_sandbox: RunningSandbox[NetSuiteSandbox]) -> NetSuiteSandbox:
    return running_sandbox.app


@pytest.fixture(scope="session")
def conn(running_sandbox: RunningSandbox[NetSuiteSandbox]) -> dict[str, Any]:
    return running_sandbox.app.connection(running_sandbox.base_url)


@pytest.fixture
def ns(conn: dict[str, Any], ca: LocalCA) -> Iterator[httpx.Client]:
    """A signed client rooted at /services/rest/record/v1."""
    with httpx.Client(
        base_url=conn["record_base_url"], auth=make_auth(conn), verify=ca.client_context()
    ) as client:
        yield client


@pytest.fixture(autouse=True)
def clean(admin: SandboxAdmin) -> Iterator[None]:
    """Every test starts from the reset account (`admin` depends on the resetting `app`)."""
    admin.configure(
        concurrency_limit=15, webhook_url=None, events_enabled=True, patch_event_type="xedit"
    )
    yield
    admin.clear_faults()


CATALOG: dict[str, Any] = {
    "employees": [{"id": "7", "firstName": "Maya", "lastName": "Chen"}],
    "items": [
        {"id": "501", "itemId": "TENT-2P", "itemType": "InvtPart", "basePrice": 249.0},
        {"id": "502", "itemId": "SVC-SETUP", "itemType": "Service", "basePrice": 50.0},
        {"id": "601", "itemId": "Loyalty Discount", "itemType": "Discount", "rate": "-10%"},
        {"id": "604", "itemId": "Promo $20", "itemType": "Discount", "rate": -20.0},
        {"id": "602", "itemId": "Subtotal", "itemType": "Subtotal"},
        {"id": "603", "itemId": "Note", "itemType": "Description"},
    ],
    "customers": [
        {"id": "101", "companyName": "Alpine Trail Outfitters", "salesRep": {"id": "7"}},
        {"id": "102", "companyName": "Coastal Kayak Co."},
    ],
}


@pytest.fixture
def catalog(admin: SandboxAdmin) -> dict[str, Any]:
    return admin.seed(CATALOG)


@pytest.fixture
def receiver(admin: SandboxAdmin) -> Iterator[Receiver]:
    with Receiver() as running:
        admin.configure(webhook_url=running.url, webhook_secret="whsec-test")
        yield running
