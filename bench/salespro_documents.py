"""SalesPro documents: the uploader's peak memory and time per file size, and Salesforce
calls per document.

One local stack (template.yaml, the Salesforce sandbox) with its event sources off. For each
size the app's path is played (credential, POST /salespro/documents, PUT to the presigned
URL); then the S3 notification is taken off the queue and handed to the uploader running in
a fresh subprocess (the real adapters: S3 on moto's server, Salesforce over loopback TLS),
which reports `resource.getrusage` ru_maxrss and the time of `handle()`. The moto server and
the sandbox live in this process, so the child's peak RSS is the uploader's own (Python,
boto3, simple-salesforce and the stream buffers).

- `salespro_documents.uploader_peak_rss_mb_{1,36,200}mib` and `..._seconds_{1,36,200}mib`:
  200 MiB with `max_salesforce_bytes` raised to 2 GB (the multipart limit). The aim: under
  300 MB for 36 MiB (a 512 MB Lambda), and flat with the size (streamed, not buffered).
- `salespro_documents.salesforce_calls_per_document_<size>`: the org's API usage counter
  over each document (token requests are not API calls); one multipart insert is the aim.
- `salespro_documents.uploader_baseline_rss_mb`: the child after its imports, before work.
Peak memory is the child's `VmHWM` (/proc/self/status), not `getrusage().ru_maxrss`: Linux
carries ru_maxrss across fork + exec, so a child of this (large) process would report the
parent's size.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
SIZES = {"1mib": 1 * MIB, "36mib": 36 * MIB, "200mib": 200 * MIB}
UPLOADER = "SalesproDocumentUploaderFunction"


def run() -> dict[str, float]:
    from devstack.stack import LocalStack
    from ops.operator import Operator
    from shared.app_credentials import AppUser, SignOnMode

    figures: dict[str, float] = {}
    with (
        tempfile.TemporaryDirectory() as state,
        LocalStack(
            ROOT / "template.yaml",
            sandboxes=["salesforce"],
            event_sources=False,
            state_dir=Path(state),
            parameter_overrides={"SalesproBackupSender": "bench@salesbridge.test"},
        ) as stack,
    ):
        user = AppUser(user_id="bench", mode=SignOnMode.SINGLE_SIGN_ON, unique_identifier="a0B1")
        token = Operator.from_local_stack(stack).app_credentials().issue(user).token
        raise_the_guard(stack)
        org = stack.sandboxes["salesforce"].app  # its api_usage leaves out token requests
        record = create_account(stack)
        for label, size in SIZES.items():
            body = upload(stack, token, record, size)
            calls_before = int(org.api_usage)
            report = measure_in_child(stack, body)
            calls = int(org.api_usage) - calls_before
            figures[f"salespro_documents.uploader_peak_rss_mb_{label}"] = report["peak_rss_mb"]
            figures[f"salespro_documents.uploader_seconds_{label}"] = report["seconds"]
            figures["salespro_documents.uploader_baseline_rss_mb"] = report["baseline_rss_mb"]
            figures[f"salespro_documents.salesforce_calls_per_document_{label}"] = calls
            print(f"  {label}: {report}  salesforce API calls {calls}")
    return figures


def raise_the_guard(stack: Any) -> None:
    """The 200 MiB case needs the limit raised (as an operator would, up to 2 GB)."""
    settings = json.loads((ROOT / "settings" / "local.json").read_text())
    settings["salespro_documents"]["max_salesforce_bytes"] = 2 * 1024**3
    name = stack.resources["SettingsParameter"].name
    stack.client("ssm").put_parameter(Name=name, Value=json.dumps(settings), Overwrite=True)


def create_account(stack: Any) -> str:
    from shared.adapters.salesforce.connection import connection_from_secret

    secret = stack.sandboxes["salesforce"].connection()
    connection = connection_from_secret(secret, str(stack.ca.bundle_path))
    account = {"Name": "Bench Homes"}
    answer = connection.call(lambda sf: sf.restful("sobjects/Account", method="POST", json=account))
    return str((answer or {})["id"])


def upload(stack: Any, token: str, record: str, size: int) -> str:
    """The app's part; answers the queued S3 notification (its body)."""
    ticket = httpx.post(
        f"{stack.api.base_url}/salespro/documents",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "documentType": "contract",
            "recordId": record,
            "placeholders": {"customerName": "Bench Customer"},
            "documentDate": "2026-01-02",
            "byteSize": size,
        },
        timeout=30,
    ).json()
    chunk = bytes(range(256)) * 4096  # 1 MiB, streamed so this process stays small too
    content = (chunk for _ in range(size // MIB))
    put = httpx.put(ticket["uploadUrl"], content=content, headers=ticket["headers"], timeout=600)
    put.raise_for_status()
    sqs = stack.client("sqs")
    queue = stack.resources["SalesproDocumentQueue"].url
    while True:
        messages = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages", [])
        for message in messages:
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
            if ticket["documentId"] in message["Body"]:
                return str(message["Body"])


def measure_in_child(stack: Any, notification: str) -> dict[str, float]:
    function = stack.functions[UPLOADER]
    environment = {
        **os.environ,
        **function.environment,
        **stack._invocation_environment(),  # the local stack's AWS endpoint, CA, credentials
    }
    answer = subprocess.run(
        [sys.executable, "-m", "bench.salespro_documents", "--child"],
        input=notification,
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        check=True,
        timeout=900,
    )
    report: dict[str, float] = json.loads(answer.stdout.strip().splitlines()[-1])
    return report


def child() -> None:
    """In the subprocess: the uploader's imports, then one document, then the peak RSS."""
    from shared import wiring
    from shared.adapters.aws.documents import DocumentBucket  # noqa: F401 - the imports count
    from shared.adapters.salesforce.files import SalesforceFiles  # noqa: F401
    from shared.flows.salespro_documents.events import UploadedObject

    baseline = high_water_mark_mb()
    [uploaded] = UploadedObject.from_notification(json.loads(sys.stdin.read()))
    started = time.perf_counter()
    job = wiring.document_uploader().handle(uploaded, delivery_id="bench")
    seconds = time.perf_counter() - started
    assert job is not None and job.status == "done", job
    assert "content_version_id" in job.outcome, job.outcome
    peak = high_water_mark_mb()
    print(
        json.dumps({"peak_rss_mb": peak, "baseline_rss_mb": baseline, "seconds": round(seconds, 2)})
    )


def high_water_mark_mb() -> float:
    """This process's peak resident set (VmHWM, kB) in MB; ru_maxrss where there is no /proc."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) * 1024 / 1e6, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6, 1)


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        child()
    else:
        figures = run()
        print(json.dumps(figures, indent=2))
