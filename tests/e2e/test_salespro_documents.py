"""SalesPro documents through the local stack, as the app and an operator do it (seed 001).

The app is the caller: it holds a credential an operator issued, asks POST /salespro/documents
for an upload, PUTs the file to the presigned URL, and the bucket's notification brings the
uploader. Salesforce is the sandbox; the backup e-mails are read back from moto's SES.
"""

from __future__ import annotations

import email
import hashlib
import re
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from simple_salesforce import Salesforce, SFType

from devstack.stack import LocalStack
from ops.operator import Operator
from shared.adapters.aws.stores.jobs import JobStore
from shared.adapters.salesforce.connection import connection_from_secret
from shared.app_credentials import AppUser, SignOnMode
from shared.jobs import Job, JobStatus

ROOT = Path(__file__).resolve().parents[2]
ROUTE = "/salespro/documents"
SENDER = "salespro-backup@salesbridge.test"
BACKUP = "office@example.com"  # settings/local.json, the contract rule
MIB = 1024 * 1024
GUARD = 36 * MIB


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with LocalStack(
        ROOT / "template.yaml",
        sandboxes=["salesforce"],
        state_dir=tmp_path_factory.mktemp("local-salespro"),
        time_scale=0.01,
        parameter_overrides={"SalesproBackupSender": SENDER},
    ) as running:
        yield running


@pytest.fixture(scope="module")
def sf(stack: LocalStack) -> Salesforce:
    secret = stack.sandboxes["salesforce"].connection()
    connection = connection_from_secret(secret, str(stack.ca.bundle_path))
    return connection.call(lambda client: client)


@pytest.fixture(scope="module")
def operator(stack: LocalStack) -> Operator:
    return Operator.from_local_stack(stack)


@pytest.fixture(scope="module")
def token(operator: Operator) -> str:
    user = AppUser(
        user_id="rita",
        mode=SignOnMode.SINGLE_SIGN_ON,
        unique_identifier="a0B000000000001AAA",
        name="Rita Rep",
    )
    return operator.app_credentials().issue(user).token


@pytest.fixture(scope="module")
def account_id(sf: Salesforce) -> str:
    return str(sobject(sf, "Account").create({"Name": "Larry Leap Roofing"})["id"])


def sobject(sf: Salesforce, name: str) -> SFType:
    return cast(SFType, getattr(sf, name))


def ask(stack: LocalStack, token: str | None, body: dict[str, Any]) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(f"{stack.api.base_url}{ROUTE}", json=body, headers=headers, timeout=30)


def request_body(record_id: str, size: int, **changes: Any) -> dict[str, Any]:
    body = {
        "documentType": "contract",
        "recordId": record_id,
        "placeholders": {"customerName": "Larry Leap", "customerAddressCity": "Springfield"},
        "documentDate": "2019-05-23",
        "byteSize": size,
        "contentType": "application/pdf",
    }
    return {**body, **changes}


def upload(
    stack: LocalStack, token: str, record_id: str, data: bytes, customer: str = "Larry Leap"
) -> dict[str, Any]:
    placeholders = {"customerName": customer, "customerAddressCity": "Springfield"}
    answer = ask(stack, token, request_body(record_id, len(data), placeholders=placeholders))
    assert answer.status_code == 201, answer.text
    ticket: dict[str, Any] = answer.json()
    put = httpx.put(ticket["uploadUrl"], content=data, headers=ticket["headers"], timeout=120)
    assert put.status_code == 200, put.text
    stack.drain(timeout=120)
    return ticket


def job_of(stack: LocalStack, document_id: str) -> Job:
    store = JobStore(stack.resources["JobsTable"].name, _dynamodb(stack))
    items = stack.client("dynamodb").scan(TableName=stack.resources["JobsTable"].name)["Items"]
    ids = [i["job_id"]["S"] for i in items if f":document:{document_id}:" in i["job_id"]["S"]]
    assert len(ids) == 1, ids
    job = store.get(ids[0])
    assert job is not None
    return job


def _dynamodb(stack: LocalStack) -> Any:
    import boto3

    return boto3.resource(
        "dynamodb",
        endpoint_url=stack.moto_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def files_on(sf: Salesforce, record_id: str) -> list[dict[str, Any]]:
    soql = (
        "SELECT Id, Title, PathOnClient, ContentSize, Checksum FROM ContentVersion "
        f"WHERE FirstPublishLocationId = '{record_id}'"
    )
    return list(sf.query_all(soql)["records"])


def sent_mail(stack: LocalStack) -> list[Message]:
    data = httpx.get(f"{stack.moto_url}/moto-api/data.json", timeout=10).json()
    # moto lists what SES (v1 and v2 share its backend) sent: {"ses": {"RawMessage": [...]}}
    raw = [message["raw_data"] for message in data.get("ses", {}).get("RawMessage", [])]
    return [email.message_from_string(text) for text in raw]


def mail_about(stack: LocalStack, title: str) -> Message:
    matching = [m for m in sent_mail(stack) if title in str(m["Subject"])]
    assert len(matching) == 1, [m["Subject"] for m in sent_mail(stack)]
    return matching[0]


def text_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return cast(bytes, part.get_payload(decode=True)).decode()
    raise AssertionError("no text part")


def test_a_document_of_exactly_36_mib_becomes_one_file_on_the_record(
    stack: LocalStack, sf: Salesforce, token: str, account_id: str
) -> None:
    data = bytes(range(256)) * (GUARD // 256)
    assert len(data) == 37_748_736
    ticket = upload(stack, token, account_id, data)

    job = job_of(stack, ticket["documentId"])
    assert job.status == "done", job
    [version] = files_on(sf, account_id)
    assert version["Title"] == "Larry Leap Contract 05-23-19"  # %date% as MM-DD-YY
    assert version["PathOnClient"] == "Larry Leap Contract 05-23-19.pdf"
    assert version["ContentSize"] == len(data)
    assert version["Checksum"] == hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert job.outcome["content_version_id"] == version["Id"]


def test_one_byte_over_the_guard_is_emailed_with_a_working_link_never_sent_to_salesforce(
    stack: LocalStack, sf: Salesforce, token: str
) -> None:
    record = str(sobject(sf, "Account").create({"Name": "Big File Homes"})["id"])
    data = b"%PDF" + b"x" * (GUARD + 1 - 4)
    ticket = upload(stack, token, record, data)

    assert ticket["destination"] == "email"
    assert files_on(sf, record) == []
    message = mail_about(stack, ticket["fileName"])
    assert BACKUP in str(message["To"]) and SENDER in str(message["From"])
    text = text_of(message)
    assert "37,748,737 bytes" in text and "Larry Leap" in text and "Springfield" in text
    [link] = re.findall(r"https?://\S+", text)
    downloaded = httpx.get(link, timeout=60)
    assert downloaded.status_code == 200 and downloaded.content == data
    assert not [p for p in message.walk() if p.get_filename()]  # too big to attach
    job = job_of(stack, ticket["documentId"])
    assert job.status == "done" and job.outcome["attached"] is False


def test_a_salesforce_refusal_of_a_small_file_emails_it_attached(
    stack: LocalStack, sf: Salesforce, token: str
) -> None:
    record = str(sobject(sf, "Account").create({"Name": "Gone Before Upload"})["id"])
    sobject(sf, "Account").delete(record)
    data = b"%PDF-1.7 small contract " * 40
    ticket = upload(stack, token, record, data, customer="Gina Gone")

    message = mail_about(stack, ticket["fileName"])
    [attachment] = [p for p in message.walk() if p.get_filename()]
    assert attachment.get_filename() == "Gina Gone Contract 05-23-19.pdf"
    assert attachment.get_payload(decode=True) == data
    assert "Salesforce refused the file" in text_of(message)
    job = job_of(stack, ticket["documentId"])
    assert job.status == "done" and job.outcome["attached"] is True


def test_the_same_upload_announced_twice_makes_one_file(
    stack: LocalStack, sf: Salesforce, token: str
) -> None:
    record = str(sobject(sf, "Account").create({"Name": "Twice Announced"})["id"])
    data = b"%PDF once " * 100
    ticket = upload(stack, token, record, data)
    bucket = stack.resources["SalesproDocumentsBucket"].name
    key = f"uploads/{ticket['documentId']}.pdf"
    head = stack.client("s3").head_object(Bucket=bucket, Key=key)
    notification = {
        "Records": [
            {
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "bucket": {"name": bucket},
                    "object": {"key": key, "size": len(data), "eTag": head["ETag"].strip('"')},
                },
            }
        ]
    }
    import json

    stack.client("sqs").send_message(
        QueueUrl=stack.resources["SalesproDocumentQueue"].url, MessageBody=json.dumps(notification)
    )
    stack.drain(timeout=60)
    assert len(files_on(sf, record)) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"documentType": "invoice"}, "documentType"),
        ({"placeholders": {"customerNickname": "Lar"}}, "placeholders.customerNickname"),
        ({"placeholders": {}}, "placeholders.customerName"),
        ({"recordId": None}, "recordId"),
        ({"byteSize": 6 * 1024**3}, "byteSize"),
    ],
)
def test_a_bad_request_is_a_400_naming_the_field_and_stores_nothing(
    stack: LocalStack, token: str, account_id: str, changes: dict[str, Any], field: str
) -> None:
    bucket = stack.resources["SalesproDocumentsBucket"].name
    before = stack.client("s3").list_objects_v2(Bucket=bucket).get("KeyCount", 0)
    body = {k: v for k, v in request_body(account_id, 100, **changes).items() if v is not None}
    answer = ask(stack, token, body)
    assert answer.status_code == 400, answer.text
    assert field in [problem["field"] for problem in answer.json()["problems"]]
    assert stack.client("s3").list_objects_v2(Bucket=bucket).get("KeyCount", 0) == before


def test_a_revoked_or_missing_credential_is_refused(
    stack: LocalStack, operator: Operator, account_id: str
) -> None:
    user = AppUser(user_id="leaver", mode=SignOnMode.PER_USER, salesforce_username="l@x.test")
    issued = operator.app_credentials().issue(user)
    assert ask(stack, issued.token, request_body(account_id, 10)).status_code == 201
    operator.app_credentials().revoke(issued.credential_id)
    refused = ask(stack, issued.token, request_body(account_id, 10))
    assert refused.status_code == 401
    assert ask(stack, None, request_body(account_id, 10)).status_code == 401
    assert ask(stack, issued.token[:-2] + "xx", request_body(account_id, 10)).status_code == 401


UPLOADER = "SalesproDocumentUploaderFunction"


def test_ses_failing_is_retried_and_the_document_kept_until_one_delivery_succeeds(
    stack: LocalStack, sf: Salesforce, token: str
) -> None:
    record = str(sobject(sf, "Account").create({"Name": "Mail Outage"})["id"])
    sobject(sf, "Account").delete(record)  # Salesforce refuses: the e-mail is the only way
    data = b"%PDF outage " * 50
    sesv2, sqs, s3 = stack.client("sesv2"), stack.client("sqs"), stack.client("s3")
    bucket = stack.resources["SalesproDocumentsBucket"].name
    queue = stack.resources["SalesproDocumentQueue"].url
    with stack.paused(UPLOADER):
        sesv2.delete_email_identity(EmailIdentity=SENDER)  # SES now refuses the sender
        answer = ask(stack, token, request_body(record, len(data)))
        ticket = answer.json()
        httpx.put(ticket["uploadUrl"], content=data, headers=ticket["headers"], timeout=30)
        messages: list[dict[str, Any]] = []
        while not messages:
            messages = sqs.receive_message(
                QueueUrl=queue, AttributeNames=["All"], WaitTimeSeconds=1
            ).get("Messages", [])
        event = stack.sqs_event(UPLOADER, messages)

        first = stack.invoke(UPLOADER, event)
        assert first["batchItemFailures"] == [{"itemIdentifier": messages[0]["MessageId"]}]
        job = job_of(stack, ticket["documentId"])
        assert job.status == "queued" and "SES did not send" in (job.last_error or "")
        key = f"uploads/{ticket['documentId']}.pdf"
        assert s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"] == []  # not delivered

        sesv2.create_email_identity(EmailIdentity=SENDER)
        again = stack.invoke(UPLOADER, event)  # the redelivery of the same message
        assert again["batchItemFailures"] == []
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=messages[0]["ReceiptHandle"])
    job = job_of(stack, ticket["documentId"])
    assert job.status == "done" and job.outcome["attached"] is True
    assert s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"] == [
        {"Key": "delivered", "Value": "yes"}
    ]
    assert files_on(sf, record) == []


def test_a_size_other_than_declared_fails_clearly_and_sends_nothing(
    stack: LocalStack, sf: Salesforce, token: str
) -> None:
    record = str(sobject(sf, "Account").create({"Name": "Short Upload"})["id"])
    answer = ask(stack, token, request_body(record, 1000))
    ticket = answer.json()
    mails_before = len(sent_mail(stack))
    put = httpx.put(ticket["uploadUrl"], content=b"x" * 400, timeout=30)
    assert put.status_code == 200  # moto does not check the signed Content-Length; S3 would
    stack.drain(timeout=60)
    job = job_of(stack, ticket["documentId"])
    assert job.status == "failed"
    assert "declared 1000 bytes but uploaded 400" in (job.last_error or "")
    assert files_on(sf, record) == [] and len(sent_mail(stack)) == mails_before


def test_a_per_user_credential_uploads_as_that_salesforce_user(
    stack: LocalStack, sf: Salesforce, operator: Operator
) -> None:
    """Multi User Sign On: the JWT bearer subject is the rep's own Salesforce username, so
    the file is theirs (CreatedById), and no password is stored anywhere."""
    stack.sandbox_admin("salesforce").seed(
        {"users": [{"Username": "paula.rep@harbour.example", "LastName": "Rep"}]}
    )
    [paula] = sf.query_all("SELECT Id FROM User WHERE Username = 'paula.rep@harbour.example'")[
        "records"
    ]
    user = AppUser(
        user_id="paula", mode=SignOnMode.PER_USER, salesforce_username="paula.rep@harbour.example"
    )
    token = operator.app_credentials().issue(user).token
    record = str(sobject(sf, "Account").create({"Name": "Per User Homes"})["id"])
    upload(stack, token, record, b"%PDF per user " * 20, customer="Pat PerUser")
    [version] = sf.query_all(
        f"SELECT CreatedById FROM ContentVersion WHERE FirstPublishLocationId = '{record}'"
    )["records"]
    assert version["CreatedById"] == paula["Id"]


def test_the_last_failed_delivery_leaves_the_job_failed_and_a_replay_delivers_it(
    stack: LocalStack, sf: Salesforce, token: str, operator: Operator
) -> None:
    """A message going to the DLQ leaves its job failed with the reason; `ops replay` sends
    the stored message to the (standard) queue without FIFO ids, and it is delivered."""
    record = str(sobject(sf, "Account").create({"Name": "Dead Letter"})["id"])
    sobject(sf, "Account").delete(record)  # the e-mail is the only way
    data = b"%PDF dlq " * 50
    sesv2, sqs = stack.client("sesv2"), stack.client("sqs")
    queue = stack.resources["SalesproDocumentQueue"].url
    with stack.paused(UPLOADER):
        sesv2.delete_email_identity(EmailIdentity=SENDER)
        customer = {"customerName": "Dee Ell-Queue", "customerAddressCity": "Springfield"}
        ticket = ask(stack, token, request_body(record, len(data), placeholders=customer)).json()
        httpx.put(ticket["uploadUrl"], content=data, headers=ticket["headers"], timeout=30)
        messages: list[dict[str, Any]] = []
        while not messages:
            messages = sqs.receive_message(
                QueueUrl=queue, AttributeNames=["All"], WaitTimeSeconds=1
            ).get("Messages", [])
        messages[0]["Attributes"]["ApproximateReceiveCount"] = "5"  # the stack's maxReceiveCount
        answer = stack.invoke(UPLOADER, stack.sqs_event(UPLOADER, messages))
        assert answer["batchItemFailures"] == [{"itemIdentifier": messages[0]["MessageId"]}]
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=messages[0]["ReceiptHandle"])
        sesv2.create_email_identity(EmailIdentity=SENDER)
    job = job_of(stack, ticket["documentId"])
    assert job.status == "failed"
    assert "gave up after 5 attempts" in (job.last_error or "")
    assert "SES did not send" in (job.last_error or "")
    assert operator.replay([job.job_id]) == [job.job_id]
    stack.drain(timeout=60)
    job = job_of(stack, ticket["documentId"])
    assert job.status == "done" and job.outcome["attached"] is True
    assert len([m for m in sent_mail(stack) if ticket["fileName"] in str(m["Subject"])]) == 1


def test_a_redelivery_after_salesforce_took_the_file_finds_it_instead_of_a_second_copy(
    stack: LocalStack, sf: Salesforce, token: str
) -> None:
    """The uploader died after Salesforce accepted the file, before the job said done: the
    redelivery of that message looks the file up by its marker and uploads nothing."""
    record = str(sobject(sf, "Account").create({"Name": "Crashed Once"})["id"])
    data = b"%PDF crash " * 100
    ticket = upload(stack, token, record, data)
    [attached] = files_on(sf, record)
    job = job_of(stack, ticket["documentId"])
    store = JobStore(stack.resources["JobsTable"].name, _dynamodb(stack))
    store.transition(job, JobStatus.QUEUED)  # as the crash left it: the file is there
    message = {
        "MessageId": job.detail["delivery"],
        "ReceiptHandle": "gone",
        "Body": job.message,
        "Attributes": {"ApproximateReceiveCount": "2"},
    }
    with stack.paused(UPLOADER):
        answer = stack.invoke(UPLOADER, stack.sqs_event(UPLOADER, [message]))
    assert answer["batchItemFailures"] == []
    job = job_of(stack, ticket["documentId"])
    assert job.status == "done" and job.outcome["found_on_redelivery"] is True
    assert job.outcome["content_version_id"] == attached["Id"]
    assert len(files_on(sf, record)) == 1
