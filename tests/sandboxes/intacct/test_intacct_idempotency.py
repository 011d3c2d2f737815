"""Control ids with uniqueid, and all-or-nothing operations with transaction="true"."""

from __future__ import annotations

from sandboxes.common import SandboxAdmin

from .conftest import IntacctCaller, sotransaction


def _document_count(admin: SandboxAdmin) -> int:
    return len(admin.state()["objects"]["SODOCUMENT"])


def test_a_repeated_control_id_with_uniqueid_is_refused_and_not_run_again(
    intacct: IntacctCaller, seeded: SandboxAdmin
) -> None:
    first = intacct.call(sotransaction(), control_id="opp-0061-v3", unique=True)
    assert first.result.findtext("status") == "success"

    again = intacct.call(sotransaction(), control_id="opp-0061-v3", unique=True)

    assert again.http.status_code == 200
    assert again.control_status == "failure"
    assert again.root.findtext("control/controlid") == "opp-0061-v3"
    assert again.error_numbers() == ["XL03000004"]
    assert again.root.findtext("errormessage/error/description2") == (
        "A successful transaction has already been recorded with the control id opp-0061-v3"
    )
    assert again.root.find("operation") is None
    assert _document_count(seeded) == 1


def test_the_same_control_id_runs_again_when_uniqueid_is_false(
    intacct: IntacctCaller, seeded: SandboxAdmin
) -> None:
    intacct.ok(sotransaction(), control_id="same", unique=False)
    intacct.ok(sotransaction(), control_id="same", unique=False)

    assert _document_count(seeded) == 2


def test_a_request_that_committed_nothing_may_be_retried_with_its_control_id(
    intacct: IntacctCaller, seeded: SandboxAdmin
) -> None:
    failed = intacct.call(sotransaction(customer="C-NOBODY"), control_id="retry-me", unique=True)
    assert failed.result.findtext("status") == "failure"

    retried = intacct.call(sotransaction(), control_id="retry-me", unique=True)

    assert retried.result.findtext("status") == "success"
    assert _document_count(seeded) == 1


def test_control_ids_are_remembered_across_sessions_of_the_same_company(
    intacct: IntacctCaller, seeded: SandboxAdmin
) -> None:
    intacct.ok(sotransaction(), control_id="cross", unique=True)
    session_id = intacct.session_id()

    again = intacct.call(sotransaction(), control_id="cross", unique=True, session_id=session_id)

    assert again.control_status == "failure"
    assert _document_count(seeded) == 1


def test_a_failing_function_rolls_back_the_whole_transaction(
    intacct: IntacctCaller, seeded: SandboxAdmin
) -> None:
    reply = intacct.call(
        sotransaction("Sales Order"),
        sotransaction("Sales Order", item="NOPE-1"),
        sotransaction("Sales Quote"),
        transaction=True,
    )

    assert reply.control_status == "success"
    statuses = [r.findtext("status") for r in reply.results]
    assert statuses == ["aborted", "aborted", "aborted"]
    first, failing, after = reply.results
    assert reply.error_numbers(first) == ["XL03000009"]
    assert reply.error_numbers(failing) == ["BL01001973", "BL01001973", "XL03000009"]
    assert reply.error_numbers(after) == ["XL03000009"]
    assert first.find("key") is None
    assert _document_count(seeded) == 0
    # Numbering did not move either: the next order is still SO0001.
    assert intacct.ok(sotransaction()).findtext("key") == "Sales Order-SO0001"


def test_a_successful_transaction_commits_every_function(
    intacct: IntacctCaller, seeded: SandboxAdmin
) -> None:
    reply = intacct.call(
        sotransaction("Sales Order"), sotransaction("Sales Quote"), transaction=True
    )

    assert [r.findtext("status") for r in reply.results] == ["success", "success"]
    assert _document_count(seeded) == 2


def test_without_a_transaction_the_good_functions_stay_done(
    intacct: IntacctCaller, seeded: SandboxAdmin
) -> None:
    reply = intacct.call(
        sotransaction("Sales Order"), sotransaction(customer="C-NOBODY"), transaction=False
    )

    assert [r.findtext("status") for r in reply.results] == ["success", "failure"]
    assert _document_count(seeded) == 1


def test_a_rolled_back_transaction_with_uniqueid_can_be_sent_again(
    intacct: IntacctCaller, seeded: SandboxAdmin
) -> None:
    bad = (sotransaction(), sotransaction(item="NOPE-1"))
    intacct.call(*bad, transaction=True, unique=True, control_id="batch-7")

    fixed = intacct.call(sotransaction(), transaction=True, unique=True, control_id="batch-7")

    assert fixed.result.findtext("status") == "success"
    assert _document_count(seeded) == 1
