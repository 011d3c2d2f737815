"""SalesPro documents reach Salesforce, or the office by e-mail (seed 001).

A rep's SalesPro app holds the credential the operator issued. It asks salesbridge where to
put a signed contract, uploads it to the presigned URL, and the uploader attaches it to the
account as a Salesforce File named by the contract rule ("%customerName% Contract %date%").
A scanned contract one byte over the 36 MiB guard never goes to Salesforce: the backup
recipients get an e-mail with a download link instead. The operator then revokes the
credential and the app is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from simple_salesforce import format_soql

from ops.operator import Operator
from shared.adapters.salesforce.connection import connection_from_secret
from shared.app_credentials import AppUser, SignOnMode

GUARD = 36 * 1024 * 1024


def run(stack: Any, say: Callable[[str], None]) -> str:
    secret = stack.sandboxes["salesforce"].connection()
    sf = connection_from_secret(secret, str(stack.ca.bundle_path)).client()
    credentials = Operator.from_local_stack(stack).app_credentials()
    rep = AppUser(
        user_id="demo-rep", mode=SignOnMode.SINGLE_SIGN_ON, unique_identifier="a0B000000000001"
    )
    issued = credentials.issue(rep)
    say(f"the operator issued credential {issued.credential_id} to {rep.user_id} (single sign-on)")
    account = sf.restful("sobjects/Account", method="POST", json={"Name": "Larry Leap Homes"})
    record = (account or {})["id"]

    def send(data: bytes, customer: str) -> dict[str, Any]:
        ticket: dict[str, Any] = httpx.post(
            f"{stack.api.base_url}/salespro/documents",
            headers={"Authorization": f"Bearer {issued.token}"},
            json={
                "documentType": "contract",
                "recordId": record,
                "placeholders": {"customerName": customer},
                "documentDate": "2019-05-23",
                "byteSize": len(data),
            },
            timeout=30,
        ).json()
        httpx.put(ticket["uploadUrl"], content=data, headers=ticket["headers"], timeout=120)
        stack.drain(timeout=120)
        return ticket

    small = send(b"%PDF-1.7 signed contract\n" * 400, "Larry Leap")
    soql = "SELECT Title FROM ContentVersion WHERE FirstPublishLocationId = {}"
    files = sf.query_all(format_soql(soql, record))["records"]
    say(f"{small['fileName']!r}: attached to the account as {[f['Title'] for f in files]}")
    big = send(b"\0" * (GUARD + 1), "Larry Leap (scan)")
    say(f"{big['fileName']!r} ({GUARD + 1:,} bytes): over the guard, e-mailed as a 7-day link")
    credentials.revoke(issued.credential_id)
    refused = httpx.post(
        f"{stack.api.base_url}/salespro/documents",
        headers={"Authorization": f"Bearer {issued.token}"},
        json={},
        timeout=30,
    )
    say(f"after revocation the app gets {refused.status_code}")
    return (
        f"a contract became a Salesforce File in one call; a {GUARD + 1:,}-byte scan was "
        f"e-mailed as a link; the revoked credential got {refused.status_code}"
    )
