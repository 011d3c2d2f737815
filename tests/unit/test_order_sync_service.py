"""The order sync over fakes of its ports: economy, idempotency, ordering, failures."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from shared.errors import RetryableError
from shared.flows.netsuite_orders_to_salesforce.ports import PricebookEntryRef, WriteFailure
from shared.flows.netsuite_orders_to_salesforce.service import OrderSync
from shared.flows.netsuite_orders_to_salesforce.settings import NetsuiteOrdersSettings
from shared.jobs import JobStatus
from shared.netsuite_records import OPPORTUNITY_ID_FIELD, SalesOrder
from tests.unit.order_fakes import (
    STANDARD,
    FakeHold,
    FakeJobs,
    FakeLinks,
    FakeNetsuite,
    FakeSalesforce,
    queued,
)
from tests.unit.orders import customer, line, order

TEN_LINES = [line(i, str(501 + (i % 8)), i, 10.0 * i) for i in range(1, 11)]


@dataclass
class World:
    netsuite: FakeNetsuite
    salesforce: FakeSalesforce
    jobs: FakeJobs
    links: FakeLinks
    hold: FakeHold
    sync: OrderSync

    def add(self, sales_order: SalesOrder) -> SalesOrder:
        self.netsuite.orders[sales_order.id] = sales_order
        return sales_order

    def status(self, sales_order: SalesOrder, version: str | None = None) -> JobStatus:
        from shared.jobs import Job

        job_id = Job.make_id(
            "netsuite", f"salesorder:{sales_order.id}", version or sales_order.version
        )
        return self.jobs.jobs[job_id].status


def world(**settings: object) -> World:
    netsuite, salesforce = FakeNetsuite(), FakeSalesforce()
    jobs, links, hold = FakeJobs(), FakeLinks(), FakeHold()
    netsuite.customers["101"] = customer()
    sync = OrderSync(
        netsuite=netsuite,
        salesforce=salesforce,
        jobs=jobs,
        links=links,
        hold=hold,
        settings=NetsuiteOrdersSettings.model_validate(settings),
        max_receive_count=3,
    )
    return World(netsuite, salesforce, jobs, links, hold, sync)


def test_a_new_order_costs_one_graph_call_once_products_are_known() -> None:
    w = world()
    first = w.add(order(TEN_LINES, id="1"))
    w.sync.run([queued(first, w.jobs)])
    assert w.salesforce.calls == ["query PricebookEntry", "graph x1"]  # cold price cache
    assert w.netsuite.calls == ["GET salesOrder/1", "GET customer/101", "PATCH salesOrder/1"]

    w.salesforce.calls.clear(), w.netsuite.calls.clear()
    second = w.add(order(TEN_LINES, id="2"))  # same customer, same products
    w.sync.run([queued(second, w.jobs)])
    assert w.salesforce.calls == ["graph x1"]
    assert w.netsuite.calls == ["GET salesOrder/2", "PATCH salesOrder/2"]
    assert w.status(second) is JobStatus.DONE
    assert len([k for k in w.salesforce.lines if k.startswith("2-")]) == 10


def test_ten_orders_from_one_batch_cost_at_most_two_calls() -> None:
    w = world()
    orders = [w.add(order(TEN_LINES, id=str(n))) for n in range(1, 11)]
    result = w.sync.run([queued(o, w.jobs) for o in orders])
    assert result.failed_message_ids == []
    assert w.salesforce.calls == ["query PricebookEntry", "graph x10"]
    assert all(w.status(o) is JobStatus.DONE for o in orders)


def test_the_same_event_three_times_syncs_once() -> None:
    w = world()
    so = w.add(order(TEN_LINES))
    for _ in range(3):
        w.sync.run([queued(so, w.jobs)])
    assert w.salesforce.calls.count("graph x1") == 1
    assert w.netsuite.calls.count(f"PATCH salesOrder/{so.id}") == 1
    assert len(w.salesforce.lines) == 10 and len(w.salesforce.opportunities) == 1


def test_the_write_back_echo_costs_no_salesforce_call() -> None:
    w = world()
    so = w.add(order(TEN_LINES))
    w.sync.run([queued(so, w.jobs)])
    echoed = w.netsuite.orders[so.id]  # the PATCH bumped lastModifiedDate
    assert echoed.custom[OPPORTUNITY_ID_FIELD] == w.salesforce.opportunities[so.id]["Id"]
    w.salesforce.calls.clear()
    w.sync.run([queued(echoed, w.jobs, event_type="xedit")])
    assert w.salesforce.calls == []
    assert w.status(echoed) is JobStatus.SKIPPED
    assert w.netsuite.calls.count(f"PATCH salesOrder/{so.id}") == 1  # written back once


def test_out_of_order_events_end_at_the_newest_version() -> None:
    w = world()
    v1 = w.add(order([line(1, "501", 1, 100.0)], lastModifiedDate="2026-11-22T09:00:00Z"))
    v2 = w.add(order([line(1, "501", 7, 100.0)], lastModifiedDate="2026-11-22T10:00:00Z"))
    # v2 is what NetSuite holds now; its event arrives first, v1's arrives late
    w.sync.run([queued(v2, w.jobs)])
    w.sync.run([queued(v1, w.jobs, version="2026-11-22T09:00:00Z")])
    assert w.salesforce.lines["4711-1"]["Quantity"] == 7
    assert w.status(v1, "2026-11-22T09:00:00Z") is JobStatus.SKIPPED


def test_a_resync_changes_exactly_what_changed() -> None:
    w = world()
    so = w.add(
        order(
            [line(1, "501", 1, 100.0), line(2, "503", 2, 50.0)],
            lastModifiedDate="2026-11-22T09:00:00Z",
        )
    )
    w.sync.run([queued(so, w.jobs)])
    changed = w.add(
        order(
            [line(1, "501", 4, 100.0), line(3, "505", 1, 59.0)],
            lastModifiedDate="2026-11-22T11:00:00Z",
            custbody_sb_sf_opportunity_id=w.salesforce.opportunities["4711"]["Id"],
        )
    )
    w.sync.run([queued(changed, w.jobs)])
    assert sorted(w.salesforce.lines) == ["4711-1", "4711-3"]
    assert w.salesforce.lines["4711-1"]["Quantity"] == 4


def test_a_permanent_problem_fails_one_order_and_the_rest_go_through() -> None:
    w = world()
    good = w.add(order([line(1, "501", 1, 10.0)], id="1"))
    bad = w.add(order([line(1, "999", 1, 10.0)], id="2"))
    result = w.sync.run([queued(good, w.jobs), queued(bad, w.jobs)])
    assert result.failed_message_ids == []  # nothing to retry: a person must act
    assert w.status(good) is JobStatus.DONE and w.status(bad) is JobStatus.FAILED
    job = next(j for j in w.jobs.jobs.values() if j.record_key == "salesorder:2")
    assert "NetSuite_Item_Id__c = 999" in (job.last_error or "")


def test_an_inactive_price_entry_is_a_permanent_failure_with_its_reason() -> None:
    w = world()
    w.salesforce.entries[(STANDARD, "501")] = PricebookEntryRef(
        "01u501", "01sSTD", STANDARD, "501", False
    )
    so = w.add(order([line(1, "501", 1, 10.0)]))
    w.sync.run([queued(so, w.jobs)])
    job = next(iter(w.jobs.jobs.values()))
    assert job.status is JobStatus.FAILED and "inactive" in (job.last_error or "")


def test_a_lock_error_is_retried_then_fails_the_job_on_the_last_attempt() -> None:
    w = world()
    so = w.add(order([line(1, "501", 1, 10.0)]))
    lock = WriteFailure("UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access", retryable=True)
    w.salesforce.fail_next["ns4711"] = lock
    message = queued(so, w.jobs)
    assert w.sync.run([message]).failed_message_ids == [message.message_id]
    assert w.status(so) is JobStatus.QUEUED

    w.salesforce.fail_next["ns4711"] = lock
    last = queued(so, w.jobs, receive_count=3)
    assert w.sync.run([last]).failed_message_ids == [last.message_id]
    job = w.jobs.jobs[last.envelope.job_id]
    assert job.status is JobStatus.FAILED and "DLQ" in (job.last_error or "")

    replay = queued(so, w.jobs)  # the fault is gone: a replay succeeds
    w.sync.run([replay])
    assert w.status(so) is JobStatus.DONE and len(w.salesforce.lines) == 1


def test_an_exhausted_budget_holds_the_work_without_burning_retries() -> None:
    w = world()
    w.salesforce.budget_gone = True
    first = w.add(order([line(1, "501", 1, 10.0)], id="1"))
    result = w.sync.run([queued(first, w.jobs)])
    assert result.failed_message_ids == [] and w.status(first) is JobStatus.HELD
    assert w.hold.active()

    w.salesforce.calls.clear(), w.netsuite.calls.clear()
    second = w.add(order([line(1, "501", 1, 10.0)], id="2"))
    w.sync.run([queued(second, w.jobs)])
    assert w.status(second) is JobStatus.HELD
    assert w.salesforce.calls == [] and w.netsuite.calls == []  # nobody spends a call


def test_a_deleted_order_closes_its_opportunity() -> None:
    w = world()
    so = w.add(order([line(1, "501", 1, 10.0)]))
    w.sync.run([queued(so, w.jobs)])
    del w.netsuite.orders[so.id]
    w.sync.run([queued(so, w.jobs, event_type="delete", version="2026-11-22T12:00:00Z")])
    opportunity = w.salesforce.opportunities[so.id]
    assert opportunity["StageName"] == "Closed Lost"
    assert opportunity["NetSuite_Order_Status__c"] == "Deleted in NetSuite"
    assert len(w.salesforce.lines) == 1  # lines stay, as the record of what was sold


def test_skipped_orders_record_why() -> None:
    w = world()
    so = w.add(order([line(1, "501", 1, 10.0)], custbody_sb_send_to_salesforce=False))
    w.sync.run([queued(so, w.jobs)])
    job = next(iter(w.jobs.jobs.values()))
    assert job.status is JobStatus.SKIPPED and "not ticked" in job.detail["reason"]
    assert w.salesforce.calls == []


def test_lost_line_state_is_repaired_with_one_more_query_and_write() -> None:
    w = world()
    so = w.add(order([line(1, "501", 1, 10.0)], lastModifiedDate="2026-11-22T09:00:00Z"))
    w.sync.run([queued(so, w.jobs)])
    w.links.links.pop(("netsuite:salesorder:4711", "salesforce:Opportunity"))  # memory lost
    w.salesforce.fail_next["ns4711"] = WriteFailure(
        "INVALID_FIELD_FOR_INSERT_UPDATE", "cannot update OpportunityId", ("OpportunityId",)
    )
    again = w.add(order([line(1, "501", 2, 10.0)], lastModifiedDate="2026-11-22T10:00:00Z"))
    w.sync.run([queued(again, w.jobs)])
    assert w.status(again) is JobStatus.DONE
    assert w.salesforce.lines["4711-1"]["Quantity"] == 2 and len(w.salesforce.lines) == 1
    assert "query opportunities with lines" in w.salesforce.calls


def test_skipped_lines_are_recorded_on_the_job() -> None:
    w = world()
    so = w.add(
        order([line(1, "501", 1, 10.0), line(2, "SUB", None, None, kind="Subtotal", amount=10.0)])
    )
    w.sync.run([queued(so, w.jobs)])
    job = next(iter(w.jobs.jobs.values()))
    assert job.detail["skipped_lines"] == [
        {"line": 2, "item": "Item SUB", "reason": "subtotal items are not synced"}
    ]


@pytest.mark.parametrize("switch", [{"sync_updates_netsuite_originated": False}])
def test_updates_can_be_switched_off(switch: dict[str, bool]) -> None:
    w = world(**switch)
    so = w.add(order([line(1, "501", 1, 10.0)], lastModifiedDate="2026-11-22T09:00:00Z"))
    w.sync.run([queued(so, w.jobs)])
    later = w.add(order([line(1, "501", 9, 10.0)], lastModifiedDate="2026-11-22T10:00:00Z"))
    w.sync.run([queued(later, w.jobs)])
    assert w.status(later) is JobStatus.SKIPPED and w.salesforce.lines["4711-1"]["Quantity"] == 1


def test_an_export_echo_that_overtakes_its_link_waits_instead_of_duplicating() -> None:
    w = world()
    exported = w.add(
        order(
            [line(1, "501", 1, 10.0)],
            custbody_sb_origin="Salesforce",
            custbody_sb_sf_opportunity_id="006EXPORTED",
        )
    )
    message = queued(exported, w.jobs)
    result = w.sync.run([message])
    assert result.failed_message_ids == [message.message_id]  # retried later
    assert w.salesforce.calls == [] and w.salesforce.opportunities == {}


def test_a_payload_salesforce_refuses_whole_fails_every_job_with_the_reason() -> None:
    from shared.errors import PermanentError

    w = world()
    orders = [w.add(order([line(1, "501", 1, 10.0)], id=str(n))) for n in (1, 2)]

    def refuse(writes: object) -> object:
        raise PermanentError("JSON_PARSER_ERROR: unexpected token")

    w.salesforce.write_orders = refuse  # type: ignore[method-assign]
    result = w.sync.run([queued(o, w.jobs) for o in orders])
    assert result.failed_message_ids == []  # consumed: redelivery cannot help
    assert all(w.status(o) is JobStatus.FAILED for o in orders)
    assert all("refused the whole write" in (j.last_error or "") for j in w.jobs.jobs.values())


def test_a_tls_failure_on_the_write_is_our_configuration_not_salesforces_refusal() -> None:
    """Issue 7, defect 9: the job must point at the CA bundle, not blame Salesforce."""
    from shared.errors import ConfigurationError

    w = world()
    so = w.add(order([line(1, "501", 1, 10.0)]))
    reason = (
        "TLS verification failed calling https://127.0.0.1:4443/services/data: the CA bundle "
        "/x/ca.pem (SALESBRIDGE_CA_BUNDLE) does not match its certificate; check "
        "SALESBRIDGE_CA_BUNDLE / the local stack"
    )

    def untrusted(writes: object) -> object:
        raise ConfigurationError(reason)

    w.salesforce.write_orders = untrusted  # type: ignore[method-assign]
    w.sync.run([queued(so, w.jobs)])
    job = next(iter(w.jobs.jobs.values()))
    assert job.status is JobStatus.FAILED
    assert job.last_error == reason


# -- a write whose outcome is unknown (issue 8, item 1) and errors of the repair (item 3) --------


def test_a_lost_answer_then_changed_lines_converge_with_one_read_and_no_orphans() -> None:
    w = world()
    first = w.add(
        order(
            [line(1, "501", 1, 189.0), line(2, "503", 2, 189.0)],
            lastModifiedDate="2026-11-22T09:00:00Z",
        )
    )
    w.salesforce.lose_next_answer = True  # committed in Salesforce, the answer never arrives
    retried = w.sync.run([queued(first, w.jobs)])
    assert retried.outcomes and set(retried.outcomes.values()) == {"retrying"}
    assert set(w.salesforce.lines) == {"4711-1", "4711-2"}
    job_error = next(iter(w.jobs.jobs.values())).last_error or ""
    assert "outcome unknown" in job_error

    changed = w.add(order([line(3, "504", 3, 189.0)], lastModifiedDate="2026-11-22T10:00:00Z"))
    w.salesforce.calls.clear()
    w.sync.run([queued(changed, w.jobs)])

    assert w.status(changed) is JobStatus.DONE
    assert set(w.salesforce.lines) == {"4711-3"}  # 4711-1 and 4711-2 deleted, not orphaned
    # one read more than the normal path (the price of item 504, new here, is looked up too)
    assert w.salesforce.calls == [
        "query opportunities with lines",
        "query PricebookEntry",
        "graph x1",
    ]

    # settled: the next change is back on the economical path (the graph call only)
    again = w.add(order([line(3, "504", 4, 189.0)], lastModifiedDate="2026-11-22T11:00:00Z"))
    w.salesforce.calls.clear()
    w.sync.run([queued(again, w.jobs)])
    assert w.status(again) is JobStatus.DONE
    assert w.salesforce.calls == ["graph x1"]


def test_a_killed_invocation_leaves_an_open_intent_that_the_next_attempt_honours() -> None:
    w = world()
    first = w.add(order([line(1, "501", 1, 10.0)], lastModifiedDate="2026-11-22T09:00:00Z"))
    w.sync.run([queued(first, w.jobs)])
    intent = w.links.links[("netsuite:salesorder:4711", "salesforce:OpportunityWrite")]
    # as if Lambda was killed after the graph committed: the intent is open, the link old
    w.links.links[(intent.source_key, intent.target)] = intent.model_copy(
        update={"attributes": {"state": "open"}}
    )
    w.salesforce.lines["4711-9"] = {"Id": "00kORPHAN", "Opp": "4711"}  # what it had written
    changed = w.add(order([line(1, "501", 5, 10.0)], lastModifiedDate="2026-11-22T10:00:00Z"))
    w.salesforce.calls.clear()
    w.sync.run([queued(changed, w.jobs)])
    assert w.status(changed) is JobStatus.DONE
    assert set(w.salesforce.lines) == {"4711-1"}
    assert w.salesforce.calls == ["query opportunities with lines", "graph x1"]


def test_a_503_in_the_repair_read_retries_that_order_without_crashing_the_batch() -> None:
    w = world()
    so = w.add(order([line(1, "501", 1, 10.0)], lastModifiedDate="2026-11-22T09:00:00Z"))
    other = w.add(order([line(1, "501", 1, 10.0)], id="4712", tranId="SO4712"))
    w.sync.run([queued(so, w.jobs)])
    w.links.links.pop(("netsuite:salesorder:4711", "salesforce:Opportunity"))  # memory lost
    w.salesforce.fail_next["ns4711"] = WriteFailure(
        "INVALID_FIELD_FOR_INSERT_UPDATE", "cannot update OpportunityId", ("OpportunityId",)
    )
    w.salesforce.read_errors.append(RetryableError("Salesforce answered 503: down"))
    again = w.add(order([line(1, "501", 2, 10.0)], lastModifiedDate="2026-11-22T10:00:00Z"))
    message = queued(again, w.jobs)

    result = w.sync.run([message, queued(other, w.jobs)])

    assert result.failed_message_ids == [message.message_id]
    assert w.status(again) is JobStatus.QUEUED
    job = w.jobs.jobs[message.envelope.job_id]
    assert "503" in (job.last_error or "")
    assert w.status(other) is JobStatus.DONE


def test_an_unexpected_error_in_a_step_is_that_orders_retry_not_a_crash() -> None:
    w = world()
    so = w.add(order([line(1, "501", 1, 10.0)]))
    other = w.add(order([line(1, "501", 1, 10.0)], id="4712", tranId="SO4712"))
    w.salesforce.read_errors.append(KeyError("Id"))
    message = queued(so, w.jobs, receive_count=2)  # a redelivery with no link: reads first
    result = w.sync.run([message, queued(other, w.jobs)])
    assert result.failed_message_ids == [message.message_id]
    assert w.status(other) is JobStatus.DONE
    assert "unexpected error: KeyError" in (w.jobs.jobs[message.envelope.job_id].last_error or "")
