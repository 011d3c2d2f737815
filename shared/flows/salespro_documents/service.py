"""SalesPro documents: the upload request (API) and the uploader (queue worker).

1. `DocumentRequests.request_upload`: the app names a document type, a record and its
   placeholders; the routing rule's template gives the file name; a presigned S3 PUT URL comes
   back (API Gateway cannot carry 36 MB). Anything wrong is a 400 naming the field, and then
   nothing is stored.
2. `DocumentUploader.handle`: S3 announces the upload (bucket -> queue). The file goes to the
   record as a Salesforce File in one streamed multipart call, unless it is over the guard
   (`max_salesforce_bytes`) or Salesforce refuses it for good: then the rule's backup
   recipients get it by e-mail (attached when SES can carry it, else a link valid for
   `download_link_days`). The document stays until one delivery has succeeded; then it is
   tagged delivered and follows the bucket's retention rule.
Idempotent by object key + ETag: the job id. A second notification of the same upload finds
the job done (or being worked on by the first delivery) and sends nothing again.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from shared.app_credentials import AppUser
from shared.batch import gave_up
from shared.clock import iso_millis, real_utc_now
from shared.errors import (
    FieldProblem,
    PermanentError,
    RetryableError,
    ValidationFailed,
)
from shared.flows.salespro_documents import placeholders
from shared.flows.salespro_documents.events import (
    UPLOAD_PREFIX,
    DocumentUploadRequest,
    UploadedObject,
)
from shared.flows.salespro_documents.ports import (
    Attachment,
    BackupEmail,
    BackupMailer,
    DocumentManifest,
    DocumentStorage,
    FileDestination,
    OutgoingFile,
)
from shared.flows.salespro_documents.settings import DocumentRule, SalesproDocumentsSettings
from shared.jobs import FINISHED, Job, JobRepository, JobStatus

FLOW = "salespro_documents"
SOURCE = "salespro"
UPLOAD_URL_SECONDS = 3600  # a phone on a slow line may take a while to send 36 MB
# SES v2 carries messages up to 40 MB after encoding (API-FACTS); base64 grows a file by 4/3,
# line breaks by 78/76, and the text and headers need room.
SES_MAX_MESSAGE_BYTES = 40_000_000
EMAIL_HEADROOM_BYTES = 64 * 1024
PLACEHOLDER_MAX_CHARS = 200
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


class DocumentsSwitchedOff(PermanentError):
    code = "switched_off"
    http_status = 403


def encoded_email_bytes(file_size: int) -> int:
    return math.ceil(math.ceil(file_size / 3) * 4 * 78 / 76) + EMAIL_HEADROOM_BYTES


def fits_in_email(file_size: int) -> bool:
    return encoded_email_bytes(file_size) <= SES_MAX_MESSAGE_BYTES


class DocumentRequests:
    def __init__(
        self,
        storage: DocumentStorage,
        settings: SalesproDocumentsSettings,
        clock: Callable[[], datetime] = real_utc_now,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
    ) -> None:
        self._storage = storage
        self._settings = settings
        self._clock = clock
        self._new_id = new_id

    def request_upload(self, user: AppUser, request: DocumentUploadRequest) -> dict[str, object]:
        if not self._settings.enabled:
            raise DocumentsSwitchedOff("SalesPro document routing is switched off")
        rule = self._settings.rules.get(request.document_type)
        if rule is None:
            known = ", ".join(sorted(self._settings.rules)) or "none configured"
            raise ValidationFailed(
                f"unknown document type {request.document_type!r}",
                problems=[FieldProblem("documentType", f"not a routed type (known: {known})")],
            )
        title = self._file_name(user, request, rule)
        document_id = self._new_id()
        extension = EXTENSIONS.get(request.content_type, "bin")
        key = f"{UPLOAD_PREFIX}{document_id}.{extension}"
        path = placeholders.safe_path_on_client(title, extension)
        now = self._clock()
        self._storage.save_manifest(
            DocumentManifest(
                document_id=document_id,
                object_key=key,
                document_type=request.document_type,
                record_id=request.record_id,
                title=_without_extension(title),
                path_on_client=path,
                byte_size=request.byte_size,
                content_type=request.content_type,
                customer={
                    k: v for k, v in request.placeholders.items() if k in placeholders.CUSTOMER
                },
                backup_recipients=list(rule.backup_recipients),
                user=user,
                requested_at=iso_millis(now),
            )
        )
        url = self._storage.upload_url(
            key,
            byte_size=request.byte_size,
            content_type=request.content_type,
            expires_seconds=UPLOAD_URL_SECONDS,
        )
        over_guard = request.byte_size > self._settings.max_salesforce_bytes
        return {
            "documentId": document_id,
            "uploadUrl": url,
            "method": "PUT",
            "headers": {
                "Content-Type": request.content_type,
                "Content-Length": str(request.byte_size),
            },
            "expiresAt": iso_millis(now + timedelta(seconds=UPLOAD_URL_SECONDS)),
            "fileName": _without_extension(title),
            "destination": "email" if over_guard else "salesforce",
        }

    def _file_name(self, user: AppUser, request: DocumentUploadRequest, rule: DocumentRule) -> str:
        problems = []
        for name, value in request.placeholders.items():
            field = f"placeholders.{name}"
            if name not in placeholders.SUPPLIED:
                problems.append(FieldProblem(field, "not a customer placeholder SalesPro sends"))
            elif not value.strip() or len(value) > PLACEHOLDER_MAX_CHARS:
                problems.append(FieldProblem(field, f"1 to {PLACEHOLDER_MAX_CHARS} characters"))
            elif any(ord(c) < 32 for c in value):
                problems.append(FieldProblem(field, "control characters are not allowed"))
        values = {
            **placeholders.date_values(request.document_date, self._settings.date_format),
            **_user_values(user),
            **request.placeholders,
        }
        for name in sorted(placeholders.used(rule.file_name) - set(values)):
            problems.append(
                FieldProblem(
                    f"placeholders.{name}",
                    f"the {request.document_type} file name needs it"
                    + (" (the user has none on record)" if name in placeholders.USER else ""),
                )
            )
        if problems:
            raise ValidationFailed("the placeholders do not fit the file name", problems=problems)
        return placeholders.render(rule.file_name, values)


def _user_values(user: AppUser) -> dict[str, str]:
    values = {
        "usersName": user.name,
        "userEmail": user.email,
        "userIdentifier": user.unique_identifier or user.salesforce_username,
    }
    return {k: v for k, v in values.items() if v}


def _without_extension(title: str) -> str:
    stem, dot, extension = title.rpartition(".")
    return stem if dot and stem and extension.isalnum() and len(extension) <= 5 else title


class DocumentUploader:
    def __init__(
        self,
        *,
        storage: DocumentStorage,
        salesforce_for: Callable[[AppUser], FileDestination],
        mailer: BackupMailer,
        jobs: JobRepository,
        settings: SalesproDocumentsSettings,
        clock: Callable[[], datetime] = real_utc_now,
    ) -> None:
        self._storage = storage
        self._salesforce_for = salesforce_for
        self._mailer = mailer
        self._jobs = jobs
        self._settings = settings
        self._clock = clock

    def handle(
        self,
        uploaded: UploadedObject,
        *,
        delivery_id: str,
        receive_count: int = 1,
        max_receive_count: int | None = None,
        replayed: bool = False,
    ) -> Job | None:
        """Deliver one uploaded document.

        `delivery_id` (the queue message id) tells a redelivery of this message (carry on)
        from a duplicate notification (let it be); a `replayed` message (an operator's
        `ops replay` or console retry) takes the job over. On the last delivery before the
        DLQ (`receive_count` reaches `max_receive_count`) a failure leaves the job failed
        with its reason, so a message in the DLQ never leaves its job queued; the job keeps
        the message that replays it."""
        document_id = uploaded.document_id
        if document_id is None:
            return None  # not an upload (S3's test event, a manifest): nothing to deliver
        job_id = Job.make_id(SOURCE, f"document:{document_id}", uploaded.etag)
        job, created = self._jobs.create(
            Job(
                job_id=job_id,
                flow=FLOW,
                source=SOURCE,
                record_key=f"document:{document_id}",
                version=uploaded.etag,
                status=JobStatus.QUEUED,
                correlation_id=document_id,
                message=uploaded.replay_message(job_id),
                detail={"uploaded_bytes": uploaded.size, "delivery": delivery_id},
            )
        )
        last_delivery = max_receive_count is not None and receive_count >= max_receive_count
        manifest = self._storage.manifest(document_id)
        if not created:
            if job.status.value in FINISHED:
                if manifest is not None:
                    self._storage.mark_delivered(manifest)  # in case the first one stopped short
                return job
            other = job.detail.get("delivery") != delivery_id
            if job.status is JobStatus.QUEUED and other and not replayed:
                if last_delivery:
                    return job  # the job belongs to the other delivery, which records its end
                raise RetryableError("another delivery of this upload is in progress")
            if other:  # a replay, or a new delivery of a failed upload: this one takes over
                job = self._jobs.transition(job, job.status, detail={"delivery": delivery_id})
        if manifest is None:
            return self._jobs.transition(
                job, JobStatus.FAILED, error="no upload request for this object", attempted=True
            )
        # Salesforce may hold the file already: an earlier delivery may have stopped after
        # Salesforce accepted it and before the job said so.
        may_be_attached = not created or receive_count > 1 or job.attempt_count > 0
        job = self._jobs.transition(
            job,
            JobStatus.QUEUED,
            detail={"document_type": manifest.document_type, "record_id": manifest.record_id},
        )
        if uploaded.size != manifest.byte_size:
            return self._jobs.transition(
                job,
                JobStatus.FAILED,
                attempted=True,
                error=(
                    f"the app declared {manifest.byte_size} bytes but uploaded {uploaded.size}: "
                    "the file may be incomplete, so it was neither attached nor e-mailed"
                ),
            )
        try:
            return self._deliver(job, manifest, uploaded, look_first=may_be_attached)
        except Exception as error:
            reason = error.message if isinstance(error, RetryableError) else repr(error)
            if last_delivery and max_receive_count is not None:
                self._jobs.transition(
                    job,
                    JobStatus.FAILED,
                    error=gave_up(max_receive_count, reason),
                    attempted=True,
                )
            elif isinstance(error, RetryableError):
                self._jobs.transition(job, JobStatus.QUEUED, error=reason, attempted=True)
            raise

    def _deliver(
        self,
        job: Job,
        manifest: DocumentManifest,
        uploaded: UploadedObject,
        *,
        look_first: bool,
    ) -> Job:
        limit = self._settings.max_salesforce_bytes
        salesforce = self._salesforce_for(manifest.user)
        if look_first and uploaded.size <= limit:
            found = salesforce.find(manifest.document_id)  # one query, by the insert's marker
            if found is not None:
                return self._attached(job, manifest, uploaded, found, found_again=True)
        if uploaded.size > limit:
            reason = (
                f"The file is {uploaded.size:,} bytes, over the {limit:,}-byte limit for "
                "uploads to Salesforce, so it was not uploaded; please attach it by hand."
            )
            return self._fall_back(job, manifest, uploaded, reason)
        try:
            content_version_id = salesforce.attach(
                OutgoingFile(
                    marker=manifest.document_id,
                    title=manifest.title,
                    path_on_client=manifest.path_on_client,
                    record_id=manifest.record_id,
                    size=uploaded.size,
                    content_type=manifest.content_type,
                    open=lambda: self._storage.open(manifest.object_key),
                )
            )
        except RetryableError:
            raise
        except PermanentError as error:
            reason = f"Salesforce refused the file: {error.message}"
            return self._fall_back(job, manifest, uploaded, reason)
        return self._attached(job, manifest, uploaded, content_version_id, found_again=False)

    def _attached(
        self,
        job: Job,
        manifest: DocumentManifest,
        uploaded: UploadedObject,
        content_version_id: str,
        *,
        found_again: bool,
    ) -> Job:
        outcome: dict[str, object] = {
            "content_version_id": content_version_id,
            "bytes": uploaded.size,
        }
        if found_again:
            outcome["found_on_redelivery"] = True  # uploaded by an earlier delivery
        done = self._jobs.transition(job, JobStatus.DONE, attempted=True, outcome=outcome)
        self._storage.mark_delivered(manifest)
        return done

    def _fall_back(
        self, job: Job, manifest: DocumentManifest, uploaded: UploadedObject, reason: str
    ) -> Job:
        attachment = None
        if fits_in_email(uploaded.size):
            attachment = Attachment(
                manifest.path_on_client,
                manifest.content_type,
                self._storage.read(manifest.object_key),
            )
            delivery = "The document is attached."
        else:
            days = self._settings.download_link_days
            until = iso_millis(self._clock() + timedelta(days=days))
            url = self._storage.download_url(manifest.object_key, expires_seconds=days * 86400)
            delivery = (
                f"The document is too large to attach. Download it (link valid until {until}):\n"
                f"{url}"
            )
        message_id = self._mailer.send(
            BackupEmail(
                to=manifest.backup_recipients,
                subject=f"Not uploaded to Salesforce: {manifest.title}",
                text=_backup_text(manifest, reason, delivery),
                attachment=attachment,
            )
        )
        done = self._jobs.transition(
            job,
            JobStatus.DONE,
            attempted=True,
            outcome={
                "emailed": len(manifest.backup_recipients),
                "attached": attachment is not None,
                "reason": reason,
                "message_id": message_id,
                "bytes": uploaded.size,
            },
        )
        self._storage.mark_delivered(manifest)
        return done


CUSTOMER_LABELS = {
    "customerName": "Name",
    "customerNameFirst": "First name",
    "customerNameLast": "Last name",
    "customerAddressFull": "Address",
    "customerAddressCity": "City",
    "customerAddressState": "State",
    "estimateName": "Estimate",
    "selectedTotal": "Selected total",
}


def _backup_text(manifest: DocumentManifest, reason: str, delivery: str) -> str:
    customer = "\n".join(
        f"  {label}: {manifest.customer[key]}"
        for key, label in CUSTOMER_LABELS.items()
        if key in manifest.customer
    )
    return (
        f"A SalesPro {manifest.document_type} could not be uploaded to Salesforce.\n\n"
        f"Why: {reason}\n\n"
        f"Document: {manifest.title}\n"
        f"Salesforce record: {manifest.record_id}\n"
        f"Sent by: {manifest.user.name or manifest.user.user_id}\n\n"
        f"Customer:\n{customer or '  (no customer details were sent)'}\n\n"
        f"{delivery}\n"
    )
