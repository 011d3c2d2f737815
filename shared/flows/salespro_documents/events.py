"""What this flow receives: the app's upload request (API), and the S3 notification of the
uploaded file that the bucket puts on the queue."""

from __future__ import annotations

import json
from datetime import date
from typing import Any, ClassVar
from urllib.parse import quote_plus, unquote_plus

from pydantic import BaseModel, ConfigDict, Field

S3_SINGLE_PUT_LIMIT_BYTES = 5 * 1024**3  # one presigned PUT carries at most 5 GB
SALESFORCE_ID = r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$"
UPLOAD_PREFIX = "uploads/"


class DocumentUploadRequest(BaseModel):
    """POST /salespro/documents: the app asks where to put a document."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    FLOW: ClassVar[str] = "salespro_documents"
    SOURCE: ClassVar[str] = "salespro"
    MESSAGE_TYPE: ClassVar[str] = "salespro.document.requested"

    document_type: str = Field(alias="documentType", pattern=r"^[A-Za-z0-9_-]{1,64}$")
    record_id: str = Field(alias="recordId", pattern=SALESFORCE_ID)
    placeholders: dict[str, str] = Field(default_factory=dict, max_length=20)
    document_date: date = Field(alias="documentDate")
    byte_size: int = Field(alias="byteSize", gt=0, le=S3_SINGLE_PUT_LIMIT_BYTES)
    content_type: str = Field(
        "application/pdf", alias="contentType", pattern=r"^[\w.+-]+/[\w.+-]+$", max_length=100
    )


class UploadedObject(BaseModel):
    """One `ObjectCreated` record of an S3 notification (the key arrives URL-encoded)."""

    model_config = ConfigDict(frozen=True)

    FLOW: ClassVar[str] = "salespro_documents"
    SOURCE: ClassVar[str] = "salespro"
    MESSAGE_TYPE: ClassVar[str] = "salespro.document.uploaded"

    bucket: str
    key: str
    size: int
    etag: str

    @property
    def document_id(self) -> str | None:
        if not self.key.startswith(UPLOAD_PREFIX):
            return None
        name = self.key[len(UPLOAD_PREFIX) :]  # <document id>.<extension>
        return name.partition(".")[0] or None

    def replay_message(self, job_id: str) -> str:
        """A queue message that brings this upload back (`ops replay`, the console): S3's
        notification shape, plus the job id, which tells the uploader an operator sent it."""
        record = {
            "eventName": "ObjectCreated:Put",
            "s3": {
                "bucket": {"name": self.bucket},
                "object": {"key": quote_plus(self.key), "size": self.size, "eTag": self.etag},
            },
        }
        return json.dumps({"job_id": job_id, "Records": [record]})

    @classmethod
    def from_notification(cls, body: dict[str, Any]) -> list[UploadedObject]:
        """The created objects of a notification; S3's `s3:TestEvent` has none."""
        created = []
        for record in body.get("Records", []):
            if not str(record.get("eventName", "")).startswith("ObjectCreated"):
                continue
            s3 = record["s3"]
            created.append(
                cls(
                    bucket=s3["bucket"]["name"],
                    key=unquote_plus(s3["object"]["key"]),
                    size=int(s3["object"]["size"]),
                    etag=str(s3["object"].get("eTag", "")).strip('"'),
                )
            )
        return created
