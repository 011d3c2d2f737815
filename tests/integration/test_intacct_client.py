"""The Intacct client against the Intacct sandbox over loopback TLS: sessions kept and renewed
once, idempotent creates with uniqueid, reads with readMore, the two error families."""

from __future__ import annotations

import ssl
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest

from sandboxes.common import LocalCA, SandboxAdmin, SandboxServer
from shared.adapters.intacct.client import IntacctClient, client_from_secret
from shared.adapters.intacct.gateway import IntacctRefused
from shared.errors import ConfigurationError, RetryableError
from shared.flows.intacct_documents.models import NewDocument, NewLine

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@pytest.fixture
def books(intacct: SandboxServer, ca: LocalCA) -> IntacctClient:
    intacct.app.reset()
    intacct.app.seed(
        {
            "customers": [{"CUSTOMERID": "C-ALPINE", "NAME": "Alpine Trail Outfitters"}],
            "items": [
                {"ITEMID": "TENT-2P", "NAME": "Tent", "BASEPRICE": 249},
                {"ITEMID": "STOVE-1", "NAME": "Stove", "BASEPRICE": 59},
            ],
        }
    )
    http = httpx.Client(verify=ssl.create_default_context(cafile=str(ca.bundle_path)), timeout=5)
    return client_from_secret(intacct.app.connection(intacct.base_url), http)


def quote(reference: str = "sf-006-SQ", item: str = "TENT-2P") -> NewDocument:
    return NewDocument(
        transaction_type="Sales Quote",
        customer_id="C-ALPINE",
        created=date(2026, 11, 2),
        reference=reference,
        lines=(
            NewLine(item, Decimal(3), Decimal(249)),
            NewLine("STOVE-1", Decimal(10), Decimal("53.10")),
        ),
    )


def test_a_document_is_created_once_for_a_control_id_and_read_back_with_its_lines(
    books: IntacctClient, intacct: SandboxServer
) -> None:
    key = books.create_document("sf-006-SQ", quote())
    assert books.create_document("sf-006-SQ", quote()) == key  # refused as a repeat: found
    assert len(intacct.app.snapshot()["objects"]["SODOCUMENT"]) == 1
    before = books.requests
    document = books.document(key, header_fields=["PONUMBER"], detail_fields=["MEMO"])
    assert books.requests == before + 1  # header and lines in ONE request
    assert document is not None and document.transaction_type == "Sales Quote"
    assert document.total == Decimal("1278.00")
    assert [(line.item_id, line.quantity) for line in document.lines or ()] == [
        ("TENT-2P", Decimal(3)),
        ("STOVE-1", Decimal(10)),
    ]
    assert books.document("Sales Quote-QT9999", header_fields=[], detail_fields=[]) is None


def test_the_session_is_kept_then_renewed_once_when_it_expired(
    books: IntacctClient, intacct: SandboxServer
) -> None:
    assert books.has_customer("C-ALPINE") and not books.has_customer("C-NOPE")
    assert books.requests == 3  # getAPISession + 2 reads under the same session
    intacct.app.expire_sessions()
    assert books.has_customer("C-ALPINE")
    assert books.requests == 6  # the refused read, getAPISession, the read again


def test_a_customer_is_created_once(books: IntacctClient) -> None:
    books.create_customer("C-NEW", "New Customer")
    books.create_customer("C-NEW", "New Customer")  # a retry: the repeat is recognised
    assert books.has_customer("C-NEW")


def test_intacct_refusing_a_document_is_permanent_with_its_correction_text(
    books: IntacctClient,
) -> None:
    with pytest.raises(IntacctRefused, match="Correction") as refused:
        books.create_document("sf-006-bad", quote("sf-006-bad", item="NO-SUCH-ITEM"))
    assert "BL01001973" in refused.value.message


def test_a_wrong_login_is_permanent(intacct: SandboxServer, ca: LocalCA) -> None:
    secret = {**intacct.app.connection(intacct.base_url), "user_password": "wrong"}
    http = httpx.Client(verify=ssl.create_default_context(cafile=str(ca.bundle_path)), timeout=5)
    with pytest.raises(ConfigurationError, match="refused the login"):
        client_from_secret(secret, http).has_customer("C-ALPINE")


def test_a_gateway_timeout_or_rate_limit_is_retryable(
    books: IntacctClient, intacct: SandboxServer, ca: LocalCA
) -> None:
    admin = SandboxAdmin(intacct.base_url, str(ca.bundle_path))
    admin.configure(rate_limited_requests=1)
    with pytest.raises(RetryableError, match="429"):
        books.has_customer("C-ALPINE")
    admin.inject_fault("*", kind="latency", delay_ms=1500, times=1)
    books.gateway.timeout_seconds = 0.5
    with pytest.raises(RetryableError, match="timed out"):
        books.has_customer("C-ALPINE")
    assert books.has_customer("C-ALPINE")  # the retry succeeds


def test_changed_documents_are_read_per_type_in_one_request_with_readmore(
    books: IntacctClient, intacct: SandboxServer
) -> None:
    for n in range(3):
        books.create_document(f"sf-{n}", quote(f"sf-{n}"))
    books.page_size = 2
    before = books.requests
    changed = books.changed_many({"Sales Quote": [], "Sales Invoice": []}, EPOCH)
    assert books.requests == before + 2  # both types in one request, then one readMore
    assert len(changed["Sales Quote"]) == 3 and changed["Sales Invoice"] == []
    lines = books.lines_of([d.key for d in changed["Sales Quote"]], [])
    assert all(len(found) == 2 for found in lines.values())


def test_changes_deletions_and_payments_are_one_request(
    books: IntacctClient, intacct: SandboxServer, ca: LocalCA
) -> None:
    key = books.create_document("sf-gone", quote("sf-gone"))
    made = books.document(key, header_fields=[], detail_fields=[])
    assert made is not None
    SandboxAdmin(intacct.base_url, str(ca.bundle_path)).seed({"deletions": [{"DOCID": key}]})
    before = books.requests
    changes = books.changes({"Sales Quote": []}, EPOCH, paid_since=EPOCH, deleted_since=EPOCH)
    assert books.requests == before + 1
    assert changes.documents == {"Sales Quote": []}
    assert [recordno for recordno, _ in changes.deleted] == [made.recordno]
    assert changes.paid == []
