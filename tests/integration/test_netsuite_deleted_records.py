"""The NetSuite adapter's SuiteQL read of the deletion log, against the sandbox over TLS.

Each request is signed with OAuth 1.0a like every other call (the sandbox verifies it), so
these show the query NetSuite receives, its paging and what it costs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sandboxes.common import SandboxAdmin
from shared.adapters.netsuite.client import NetsuiteClient
from shared.errors import ConfigurationError, PermanentError, RetryableError
from tests.integration import test_netsuite_client as client_tests

# The client tests' sandbox and fixtures (this module gets its own sandbox).
SANDBOX, secret = client_tests.SANDBOX, client_tests.secret
seeded, netsuite = client_tests.seeded, client_tests.netsuite

SUITEQL = "POST suiteql"


def _delete(netsuite: NetsuiteClient, order_id: str) -> None:
    response = netsuite._http.request("DELETE", f"salesOrder/{order_id}")
    assert response.status_code == 204, response.text


def test_a_deleted_order_is_in_the_log_with_its_moment_in_one_request(
    netsuite: NetsuiteClient, admin: SandboxAdmin, seeded: dict[str, Any]
) -> None:
    order_id = seeded["salesOrders"][0]
    before = datetime.now(UTC).replace(microsecond=0)
    _delete(netsuite, order_id)
    admin.clear_requests()

    deleted = list(netsuite.sales_orders_deleted_since(before - timedelta(seconds=1)))

    assert [d.record_id for d in deleted] == [order_id]
    assert before <= deleted[0].deleted_at <= datetime.now(UTC)
    assert admin.count(SUITEQL) == 1 and admin.count() == 1


def test_only_sales_orders_deleted_since_the_moment_are_read(
    netsuite: NetsuiteClient, admin: SandboxAdmin, seeded: dict[str, Any]
) -> None:
    admin.seed(
        {
            "deletedRecords": [
                {"recordid": "9001", "type": "salesorder", "deleteddate": "2026-01-01T10:00:00Z"},
                {"recordid": "9002", "type": "salesorder", "deleteddate": "2026-01-02T10:00:00Z"},
                {"recordid": "9003", "type": "customer", "deleteddate": "2026-01-03T10:00:00Z"},
                {"recordid": "9004", "type": "salesorder", "deleteddate": "2026-01-04T10:00:00Z"},
            ]
        }
    )

    since = datetime(2026, 1, 2, 10, 0, tzinfo=UTC)  # inclusive, to the second
    deleted = list(netsuite.sales_orders_deleted_since(since))

    assert [(d.record_id, d.version) for d in deleted] == [
        ("9002", "2026-01-02T10:00:00Z"),
        ("9004", "2026-01-04T10:00:00Z"),
    ]


def test_the_log_is_read_page_by_page_in_deletion_order(
    netsuite: NetsuiteClient, admin: SandboxAdmin, seeded: dict[str, Any]
) -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    entries = [
        {
            "recordid": str(5000 + n),
            "type": "salesorder",
            "deleteddate": (start + timedelta(minutes=25 - n)).isoformat(),
        }
        for n in range(25)
    ]
    admin.seed({"deletedRecords": entries})
    admin.clear_requests()

    deleted = list(netsuite.sales_orders_deleted_since(start, page_size=10))

    assert [d.record_id for d in deleted] == [str(5000 + n) for n in reversed(range(25))]
    assert admin.count(SUITEQL) == 3


@pytest.mark.parametrize(
    ("status", "error"),
    [(403, ConfigurationError), (503, RetryableError), (400, PermanentError)],
)
def test_a_refused_query_says_what_it_means(
    netsuite: NetsuiteClient, admin: SandboxAdmin, status: int, error: type[Exception]
) -> None:
    body = {"o:errorDetails": [{"detail": "no", "o:errorCode": "INSUFFICIENT_PERMISSION"}]}
    admin.inject_fault("suiteql", status=status, body=body)

    with pytest.raises(error):
        list(netsuite.sales_orders_deleted_since(datetime(2026, 1, 1, tzinfo=UTC)))


def test_a_passing_503_is_retried_because_the_query_only_reads(
    netsuite: NetsuiteClient, admin: SandboxAdmin
) -> None:
    admin.inject_fault("suiteql", status=503, times=1)

    assert list(netsuite.sales_orders_deleted_since(datetime(2026, 1, 1, tzinfo=UTC))) == []
    assert admin.count(SUITEQL) == 2
