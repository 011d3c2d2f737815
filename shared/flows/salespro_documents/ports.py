"""What this flow needs of the outside world: a private bucket for the documents and their
requests (S3), Salesforce Files, and e-mail to the backup recipients (SES). Adapters implement
them; unit tests use fakes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from shared.app_credentials import AppUser


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class DocumentManifest(BaseModel):
    """What the app asked for, kept beside the file in the (encrypted, private) bucket until
    the file is delivered: the file name and customer details are personal data, so they are
    neither in the object key nor in the job."""

    model_config = ConfigDict(frozen=True)

    document_id: str
    object_key: str
    document_type: str
    record_id: str
    title: str  # what the rule's template gives, kept as the Salesforce Title
    path_on_client: str  # the same, safe as a file name
    byte_size: int  # declared by the app
    content_type: str
    customer: dict[str, str]  # the customer placeholders, for the backup e-mail
    backup_recipients: list[str]
    user: AppUser
    requested_at: str


@dataclass(frozen=True)
class OutgoingFile:
    marker: str  # our document id, stored on the file so a redelivery can find it
    title: str
    path_on_client: str
    record_id: str
    size: int
    content_type: str
    open: Callable[[], Readable]  # a fresh stream per attempt: a retry re-reads from S3


@dataclass(frozen=True)
class Attachment:
    file_name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class BackupEmail:
    to: list[str]
    subject: str
    text: str
    attachment: Attachment | None = None


class DocumentStorage(Protocol):
    def upload_url(
        self, key: str, *, byte_size: int, content_type: str, expires_seconds: int
    ) -> str: ...
    def save_manifest(self, manifest: DocumentManifest) -> None: ...
    def manifest(self, document_id: str) -> DocumentManifest | None: ...
    def open(self, key: str) -> Readable: ...
    def read(self, key: str) -> bytes: ...
    def download_url(self, key: str, *, expires_seconds: int) -> str: ...
    def mark_delivered(self, document: DocumentManifest) -> None: ...


class FileDestination(Protocol):
    def attach(self, file: OutgoingFile) -> str: ...  # the ContentVersion id
    def find(self, marker: str) -> str | None: ...  # the ContentVersion attached with it


class BackupMailer(Protocol):
    def send(self, email: BackupEmail) -> str: ...  # the message id
