"""Intacct's error shape and the error numbers the sandbox answers with.

Every error travels as `<errormessage><error><errorno/><description/><description2/>
<correction/></error></errormessage>`, placed beside the block that failed (control,
authentication or a function's result). Which numbers were checked against public sources
is noted on each; the rest are the sandbox's choice, worded like Intacct's.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorDetail:
    errorno: str
    description2: str
    description: str = ""
    correction: str = ""


class IntacctError(Exception):
    """A failure carrying one or more Intacct error entries (first is the cause)."""

    def __init__(self, *details: ErrorDetail) -> None:
        super().__init__("; ".join(f"{d.errorno} {d.description2}" for d in details))
        self.details = list(details)


# Verified: developer.intacct.com "Error handling" (malformed XML -> control failure).
def xml_parse_error(problem: str) -> IntacctError:
    return IntacctError(ErrorDetail("XL03000003", f"XML Parse schema error: {problem}"))


# Verified: SDK-based client comments and a published XL03000006 write-up (control failure).
def bad_sender() -> IntacctError:
    return IntacctError(ErrorDetail("XL03000006", "Incorrect Intacct XML Partner ID or password."))


# Verified: intacct-sdk-php OnlineResponseTest (authentication failure).
def bad_login() -> IntacctError:
    return IntacctError(ErrorDetail("XL03000006", "Sign-in information is incorrect"))


# Wording verified from a public client's tests; the number is the sandbox's choice.
def duplicate_control_id(control_id: str) -> IntacctError:
    return IntacctError(
        ErrorDetail(
            "XL03000004",
            f"A successful transaction has already been recorded with the control id {control_id}",
            correction="Use a new control id, or set uniqueid to false to run it again.",
        )
    )


# Verified: intacct-sdk-php ResultTest (aborted results in a transaction).
ROLLED_BACK = ErrorDetail(
    "XL03000009", "The entire transaction in this operation has been rolled back due to an error."
)


# Verified: intacct-sdk-php ResultTest / QueryClientTest ("Query Failed").
def object_not_found(name: str) -> IntacctError:
    return IntacctError(ErrorDetail("Query Failed", f"Object definition {name} not found"))


def query_failed(problem: str) -> IntacctError:
    return IntacctError(ErrorDetail("Query Failed", problem))


# Verified: intacct-sdk-php QueryClientTest.
def bad_result_id(result_id: str) -> IntacctError:
    return IntacctError(
        ErrorDetail(
            "readMore failed",
            f"Attempt to readMore with an invalid or expired resultId: {result_id}",
        )
    )


def unknown_function(name: str) -> IntacctError:
    return xml_parse_error(f"unknown function {name}")


# BL01001973 is the number Intacct puts first on failed Order Entry writes ("Could not
# create Document record!"); the second entry names the cause. Causes are worded by us.
def document_rejected(action: str, cause: str, correction: str = "") -> IntacctError:
    return IntacctError(
        ErrorDetail("BL01001973", f"Could not {action} Document record!"),
        ErrorDetail("BL01001973", cause, correction=correction),
    )


def missing_element(function: str, element: str) -> IntacctError:
    return IntacctError(
        ErrorDetail("XL03000003", f"XML Parse schema error: {function} requires <{element}>")
    )
