"""Outside calls never outlive the Lambda invocation (issue 8, item 2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from shared.deadline import MARGIN_SECONDS, NotEnoughTime, call_timeout, invocation
from shared.flows.netsuite_orders_to_salesforce.service import OrderSync
from shared.flows.netsuite_orders_to_salesforce.settings import NetsuiteOrdersSettings
from shared.http import RetryingTransport, RetryPolicy
from shared.jobs import JobStatus
from tests.unit.order_fakes import (
    FakeHold,
    FakeJobs,
    FakeLinks,
    FakeNetsuite,
    FakeSalesforce,
    queued,
)
from tests.unit.orders import customer, line, order
from tests.unit.test_salesforce_orders import all_succeed, store


@dataclass
class Context:
    """A Lambda context with `seconds` of the invocation left."""

    seconds: float

    def get_remaining_time_in_millis(self) -> int:
        return int(self.seconds * 1000)


def test_outside_an_invocation_a_call_keeps_its_own_timeout() -> None:
    assert call_timeout(60) == 60


def test_a_call_is_given_what_is_left_less_the_margin_to_record_the_outcome() -> None:
    with invocation(Context(MARGIN_SECONDS + 15)):
        assert call_timeout(60) == pytest.approx(15, abs=0.01)
        assert call_timeout(5) == 5


def test_a_call_with_too_little_time_left_is_not_started() -> None:
    with invocation(Context(MARGIN_SECONDS + 0.5)), pytest.raises(NotEnoughTime) as raised:
        call_timeout(60, "the Salesforce graph call")
    assert "was not started" in raised.value.message


class Recorder(httpx.BaseTransport):
    def __init__(self, status: int) -> None:
        self.status = status
        self.timeouts: list[dict[str, Any]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.timeouts.append(dict(request.extensions["timeout"]))
        return httpx.Response(self.status, request=request)


def test_http_attempts_get_the_time_left_and_no_backoff_sleeps_past_it() -> None:
    network, slept = Recorder(503), []
    transport = RetryingTransport(network, RetryPolicy(attempts=4), sleep=slept.append)
    http = httpx.Client(transport=transport, timeout=httpx.Timeout(20.0, connect=5.0))
    with invocation(Context(MARGIN_SECONDS + 2.2)):
        answer = http.get("https://erp.example/record")
    assert answer.status_code == 503  # handed back to the adapter at once: no retry fits
    assert slept == [] and len(network.timeouts) == 1
    assert max(network.timeouts[0].values()) <= 2.2


def test_a_worker_with_little_time_left_sends_no_graph_and_leaves_the_job_retryable() -> None:
    salesforce, client = store(all_succeed)
    netsuite, jobs, links = FakeNetsuite(), FakeJobs(), FakeLinks()
    netsuite.customers["101"] = customer()
    so = order([line(1, "501", 1, 10.0)])
    netsuite.orders[so.id] = so
    sync = OrderSync(
        netsuite=netsuite,
        salesforce=salesforce,
        jobs=jobs,
        links=links,
        hold=FakeHold(),
        settings=NetsuiteOrdersSettings.model_validate({}),
        max_receive_count=3,
    )
    known = FakeSalesforce().entries
    salesforce.pricebook_entries = lambda books, items: known  # type: ignore[method-assign]
    message = queued(so, jobs)
    with invocation(Context(MARGIN_SECONDS + 1)):
        result = sync.run([message])

    assert result.failed_message_ids == [message.message_id]
    job = jobs.jobs[message.envelope.job_id]
    assert job.status is JobStatus.QUEUED and "was not started" in (job.last_error or "")
    assert salesforce.api_calls == 0 and client.calls == []
    assert ("netsuite:salesorder:4711", "salesforce:Opportunity") not in links.links


def test_every_sqs_worker_fits_its_queue_and_keeps_time_to_record_the_outcome() -> None:
    """AWS: "set the source queue's visibility timeout to at least six times the timeout
    that you configure on your function" (Lambda Developer Guide, services-sqs-configure)."""
    from pathlib import Path

    from devstack.template import load_template

    template = load_template(Path(__file__).resolve().parents[2] / "template.yaml")
    resources = template.resources
    checked = 0
    for logical_id, resource in resources.items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        properties = resource["Properties"]
        for event in (properties.get("Events") or {}).values():
            if event.get("Type") != "SQS":
                continue
            queue_id = event["Properties"]["Queue"]["Fn::GetAtt"][0]
            visibility = resources[queue_id]["Properties"]["VisibilityTimeout"]
            timeout = properties["Timeout"]
            assert visibility >= 6 * timeout, logical_id
            assert timeout > MARGIN_SECONDS + 2 * 20, logical_id  # a NetSuite read and a write
            checked += 1
    assert checked >= 2
