"""SalesPro documents: the request's validation and file name, the guard and the fallback,
idempotency, over fakes of the flow's ports (no sockets)."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from shared.app_credentials import AppCredentials, AppUser, SignOnMode, StoredCredential
from shared.errors import PermanentError, RetryableError, Unauthorized, ValidationFailed
from shared.flows.salespro_documents.events import DocumentUploadRequest, UploadedObject
from shared.flows.salespro_documents.ports import BackupEmail, DocumentManifest, OutgoingFile
from shared.flows.salespro_documents.service import (
    DocumentRequests,
    DocumentUploader,
    fits_in_email,
)
from shared.flows.salespro_documents.settings import DocumentRule, SalesproDocumentsSettings
from tests.unit.fakes import FakeJobs

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
USER = AppUser(user_id="rita", mode=SignOnMode.SINGLE_SIGN_ON, unique_identifier="a0B1")
RECORD = "001000000000001AAA"
GUARD = 36 * 1024 * 1024


class FakeBucket:
    def __init__(self) -> None:
        self.manifests: dict[str, DocumentManifest] = {}
        self.objects: dict[str, bytes] = {}
        self.delivered: list[str] = []

    def upload_url(self, key: str, **_: Any) -> str:
        return f"https://bucket/{key}?signed"

    def save_manifest(self, manifest: DocumentManifest) -> None:
        self.manifests[manifest.document_id] = manifest

    def manifest(self, document_id: str) -> DocumentManifest | None:
        return self.manifests.get(document_id)

    def open(self, key: str) -> io.BytesIO:
        return io.BytesIO(self.objects[key])

    def read(self, key: str) -> bytes:
        return self.objects[key]

    def download_url(self, key: str, *, expires_seconds: int) -> str:
        return f"https://bucket/{key}?get&expires={expires_seconds}"

    def mark_delivered(self, document: DocumentManifest) -> None:
        self.delivered.append(document.document_id)


class FakeSalesforce:
    def __init__(self, refuse: str | None = None) -> None:
        self.files: list[OutgoingFile] = []
        self.refuse = refuse
        self.lookups = 0

    def attach(self, file: OutgoingFile) -> str:
        if self.refuse:
            raise PermanentError(self.refuse)
        self.files.append(file)
        return f"068{len(self.files):015d}"

    def find(self, marker: str) -> str | None:
        self.lookups += 1
        ids = [f"068{n + 1:015d}" for n, file in enumerate(self.files) if file.marker == marker]
        return ids[0] if ids else None


class CrashingJobs(FakeJobs):
    """A job store that goes away once the file is attached (the Lambda dies there)."""

    def __init__(self) -> None:
        super().__init__()
        self.crash_on_done = True

    def transition(self, job: Any, status: Any, **kwargs: Any) -> Any:
        if status == "done" and self.crash_on_done:
            self.crash_on_done = False
            raise RuntimeError("the invocation timed out")
        return super().transition(job, status, **kwargs)


class FakeMailer:
    def __init__(self, fail_times: int = 0) -> None:
        self.sent: list[BackupEmail] = []
        self.fail_times = fail_times

    def send(self, email: BackupEmail) -> str:
        if self.fail_times:
            self.fail_times -= 1
            raise RetryableError("SES did not send the backup e-mail: Throttling")
        self.sent.append(email)
        return "msg-1"


def settings(**changes: Any) -> SalesproDocumentsSettings:
    rule = DocumentRule(
        file_name="%customerName% Contract %date%.pdf", backup_recipients=["office@example.com"]
    )
    return SalesproDocumentsSettings(rules={"contract": rule}, **changes)


def request(**changes: Any) -> DocumentUploadRequest:
    body = {
        "documentType": "contract",
        "recordId": RECORD,
        "placeholders": {"customerName": "Larry Leap"},
        "documentDate": "2019-05-23",
        "byteSize": 1000,
        **changes,
    }
    return DocumentUploadRequest.model_validate(body)


def requested(bucket: FakeBucket, size: int, **settings_changes: Any) -> DocumentManifest:
    requests = DocumentRequests(
        bucket, settings(**settings_changes), clock=lambda: NOW, new_id=lambda: "doc1"
    )
    requests.request_upload(USER, request(byteSize=size))
    bucket.objects["uploads/doc1.pdf"] = b"x" * size
    return bucket.manifests["doc1"]


def uploader(
    bucket: FakeBucket,
    sf: FakeSalesforce,
    mailer: FakeMailer,
    jobs: FakeJobs,
    **settings_changes: Any,
) -> DocumentUploader:
    return DocumentUploader(
        storage=bucket,
        salesforce_for=lambda user: sf,
        mailer=mailer,
        jobs=jobs,
        settings=settings(**settings_changes),
        clock=lambda: NOW,
    )


def uploaded(size: int, etag: str = "e1") -> UploadedObject:
    return UploadedObject(bucket="b", key="uploads/doc1.pdf", size=size, etag=etag)


def test_the_date_keeps_its_slashes_in_the_title_and_loses_them_in_the_file_name() -> None:
    bucket = FakeBucket()
    requests = DocumentRequests(bucket, settings(date_format="%-m/%-d/%y"), new_id=lambda: "d")
    ticket = requests.request_upload(USER, request())
    manifest = bucket.manifests["d"]
    assert ticket["fileName"] == manifest.title == "Larry Leap Contract 5/23/19"  # the seed's
    assert manifest.path_on_client == "Larry Leap Contract 5-23-19.pdf"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"documentType": "invoice"}, "documentType"),
        (
            {"placeholders": {"customerName": "L", "customerNickname": "x"}},
            "placeholders.customerNickname",
        ),
        ({"placeholders": {}}, "placeholders.customerName"),
        ({"placeholders": {"customerName": "a\nb"}}, "placeholders.customerName"),
    ],
)
def test_a_bad_request_names_the_field_and_stores_nothing(
    changes: dict[str, Any], field: str
) -> None:
    bucket = FakeBucket()
    with pytest.raises(ValidationFailed) as refused:
        DocumentRequests(bucket, settings()).request_upload(USER, request(**changes))
    assert field in [problem.field for problem in refused.value.problems]
    assert bucket.manifests == {}


def test_a_rule_with_an_unknown_placeholder_is_refused_when_settings_load() -> None:
    with pytest.raises(ValidationError, match="unknown placeholders customerNmae"):
        DocumentRule(file_name="%customerNmae%.pdf", backup_recipients=["a@b.co"])


def test_the_guard_default_is_36_mib_and_at_most_2_gb() -> None:
    assert SalesproDocumentsSettings().max_salesforce_bytes == 37_748_736
    with pytest.raises(ValidationError):
        SalesproDocumentsSettings(max_salesforce_bytes=2 * 1024**3 + 1)


@pytest.mark.parametrize(("size", "to_salesforce"), [(GUARD, True), (GUARD + 1, False)])
def test_over_the_guard_nothing_goes_to_salesforce(size: int, to_salesforce: bool) -> None:
    bucket, sf, mailer, jobs = FakeBucket(), FakeSalesforce(), FakeMailer(), FakeJobs()
    requested(bucket, size)
    job = uploader(bucket, sf, mailer, jobs).handle(uploaded(size), delivery_id="m1")
    assert job is not None and job.status == "done"
    assert len(sf.files) == (1 if to_salesforce else 0)
    assert len(mailer.sent) == (0 if to_salesforce else 1)
    if not to_salesforce:
        [mail] = mailer.sent
        assert mail.attachment is None and "expires=604800" in mail.text  # 7 days
    assert bucket.delivered == ["doc1"]


def test_a_raised_guard_sends_200_mib_to_salesforce() -> None:
    bucket, sf, mailer, jobs = FakeBucket(), FakeSalesforce(), FakeMailer(), FakeJobs()
    size = 200 * 1024 * 1024
    requested(bucket, size, max_salesforce_bytes=2 * 1024**3)
    uploader(bucket, sf, mailer, jobs, max_salesforce_bytes=2 * 1024**3).handle(
        uploaded(size), delivery_id="m1"
    )
    assert len(sf.files) == 1 and mailer.sent == []


def test_a_refused_small_file_is_emailed_attached_with_the_reason() -> None:
    bucket, mailer, jobs = FakeBucket(), FakeMailer(), FakeJobs()
    requested(bucket, 500)
    sf = FakeSalesforce(refuse="Salesforce answered 400 ENTITY_IS_DELETED: entity is deleted")
    uploader(bucket, sf, mailer, jobs).handle(uploaded(500), delivery_id="m1")
    [mail] = mailer.sent
    assert mail.attachment is not None and mail.attachment.data == b"x" * 500
    assert "ENTITY_IS_DELETED" in mail.text and "Larry Leap" in mail.text


def test_ses_failing_keeps_the_document_until_a_redelivery_sends_it() -> None:
    bucket, mailer, jobs = FakeBucket(), FakeMailer(fail_times=1), FakeJobs()
    requested(bucket, GUARD + 1)
    worker = uploader(bucket, FakeSalesforce(), mailer, jobs)
    with pytest.raises(RetryableError):
        worker.handle(uploaded(GUARD + 1), delivery_id="m1")
    assert bucket.delivered == []
    job = worker.handle(uploaded(GUARD + 1), delivery_id="m1")
    assert job is not None and job.status == "done" and bucket.delivered == ["doc1"]


def test_a_duplicate_notification_sends_nothing_again_even_while_the_first_is_in_flight() -> None:
    bucket, sf, mailer, jobs = FakeBucket(), FakeSalesforce(), FakeMailer(fail_times=1), FakeJobs()
    requested(bucket, GUARD + 1)
    worker = uploader(bucket, sf, mailer, jobs)
    with pytest.raises(RetryableError):
        worker.handle(uploaded(GUARD + 1), delivery_id="m1")
    with pytest.raises(RetryableError, match="another delivery"):
        worker.handle(uploaded(GUARD + 1), delivery_id="m2")  # the duplicate waits
    worker.handle(uploaded(GUARD + 1), delivery_id="m1")
    worker.handle(uploaded(GUARD + 1), delivery_id="m2")
    assert len(mailer.sent) == 1


def test_the_last_delivery_before_the_dlq_leaves_the_job_failed_and_replayable() -> None:
    bucket, sf, mailer, jobs = FakeBucket(), FakeSalesforce(), FakeMailer(fail_times=3), FakeJobs()
    requested(bucket, GUARD + 1)
    worker = uploader(bucket, sf, mailer, jobs)
    for count in (1, 2, 3):
        with pytest.raises(RetryableError):
            worker.handle(
                uploaded(GUARD + 1), delivery_id="m1", receive_count=count, max_receive_count=3
            )
    [job] = jobs.jobs.values()
    assert job.status == "failed"
    assert "gave up after 3 attempts" in (job.last_error or "")
    assert "SES did not send" in (job.last_error or "")
    # The stored message replays it: a new message id, the operator's mark on it.
    replay = json.loads(job.message or "")
    assert replay["job_id"] == job.job_id
    [again] = UploadedObject.from_notification(replay)
    assert again == uploaded(GUARD + 1)
    done = worker.handle(again, delivery_id="m9", replayed=True)
    assert done is not None and done.status == "done" and len(mailer.sent) == 1


def test_a_crash_after_salesforce_took_the_file_does_not_upload_it_twice() -> None:
    bucket, sf, mailer, jobs = FakeBucket(), FakeSalesforce(), FakeMailer(), CrashingJobs()
    requested(bucket, 500)
    worker = uploader(bucket, sf, mailer, jobs)
    with pytest.raises(RuntimeError):
        worker.handle(uploaded(500), delivery_id="m1", receive_count=1, max_receive_count=5)
    assert len(sf.files) == 1 and sf.lookups == 0  # a first delivery does not look
    job = worker.handle(uploaded(500), delivery_id="m1", receive_count=2, max_receive_count=5)
    assert job is not None and job.status == "done"
    assert job.outcome["found_on_redelivery"] is True
    assert len(sf.files) == 1 and sf.lookups == 1
    assert sf.files[0].marker == "doc1"


def test_fits_in_email_follows_the_40_mb_ses_limit_after_base64() -> None:
    assert fits_in_email(28_000_000)  # 38.3 MB encoded
    assert not fits_in_email(28 * 1024 * 1024)  # 40.1 MB encoded
    assert not fits_in_email(GUARD)


class FakeCredentialStore:
    def __init__(self) -> None:
        self.items: dict[str, StoredCredential] = {}

    def create(self, credential: StoredCredential) -> None:
        self.items[credential.credential_id] = credential

    def get(self, credential_id: str) -> StoredCredential | None:
        return self.items.get(credential_id)

    def mark_revoked(self, credential_id: str, at: str) -> StoredCredential | None:
        if credential_id not in self.items:
            return None
        revoked = self.items[credential_id].model_copy(update={"revoked_at": at})
        self.items[credential_id] = revoked
        return revoked


def test_a_credential_is_stored_hashed_and_refused_once_revoked() -> None:
    store = FakeCredentialStore()
    credentials = AppCredentials(store, clock=lambda: NOW)
    issued = credentials.issue(USER)
    secret = issued.token.partition(".")[2]
    assert secret not in store.items[issued.credential_id].model_dump_json()
    assert credentials.authenticate(f"Bearer {issued.token}") == USER
    credentials.revoke(issued.credential_id)
    with pytest.raises(Unauthorized):
        credentials.authenticate(f"Bearer {issued.token}")


def test_each_sign_on_mode_needs_its_identity() -> None:
    with pytest.raises(ValidationError, match="salesforce_username"):
        AppUser(user_id="u", mode=SignOnMode.PER_USER)
    with pytest.raises(ValidationError, match="unique_identifier"):
        AppUser(user_id="u", mode=SignOnMode.SINGLE_SIGN_ON)


def test_date_placeholders_render_from_the_document_date() -> None:
    from shared.flows.salespro_documents.placeholders import date_values

    assert date_values(date(2016, 12, 31), "%m-%d-%y")["date"] == "12-31-16"
