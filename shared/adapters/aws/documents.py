"""The SalesPro documents bucket (S3): presigned URLs, the request manifests, streamed reads.

Objects are encrypted by the bucket's default (SSE-S3) and the bucket refuses plain HTTP; a
delivered document is tagged `delivered=yes`, which the bucket's lifecycle rule expires.
"""

from __future__ import annotations

from typing import Any

from shared.errors import RetryableError
from shared.flows.salespro_documents.ports import DocumentManifest, Readable

MANIFEST_PREFIX = "requests/"
DELIVERED_TAG = {"TagSet": [{"Key": "delivered", "Value": "yes"}]}


class DocumentBucket:
    def __init__(self, bucket: str, s3: Any | None = None) -> None:
        if s3 is None:
            import boto3
            from botocore.config import Config

            # SigV4 everywhere: presigned URLs of up to 7 days need it.
            s3 = boto3.client("s3", config=Config(signature_version="s3v4"))
        self._s3 = s3
        self.bucket = bucket

    def upload_url(
        self, key: str, *, byte_size: int, content_type: str, expires_seconds: int
    ) -> str:
        # Content-Length and Content-Type are signed: S3 refuses a PUT of another size.
        return str(
            self._s3.generate_presigned_url(
                "put_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": key,
                    "ContentLength": byte_size,
                    "ContentType": content_type,
                },
                ExpiresIn=expires_seconds,
            )
        )

    def save_manifest(self, manifest: DocumentManifest) -> None:
        self._s3.put_object(
            Bucket=self.bucket,
            Key=f"{MANIFEST_PREFIX}{manifest.document_id}.json",
            Body=manifest.model_dump_json().encode(),
            ContentType="application/json",
        )

    def manifest(self, document_id: str) -> DocumentManifest | None:
        try:
            answer = self._s3.get_object(
                Bucket=self.bucket, Key=f"{MANIFEST_PREFIX}{document_id}.json"
            )
        except Exception as exc:
            if _code(exc) in ("NoSuchKey", "404"):
                return None
            raise RetryableError(f"S3 could not read the upload request: {_code(exc)}") from exc
        return DocumentManifest.model_validate_json(answer["Body"].read())

    def open(self, key: str) -> Readable:
        body: Readable = self._s3.get_object(Bucket=self.bucket, Key=key)["Body"]
        return body

    def read(self, key: str) -> bytes:
        return bytes(self.open(key).read())

    def download_url(self, key: str, *, expires_seconds: int) -> str:
        return str(
            self._s3.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=expires_seconds
            )
        )

    def mark_delivered(self, manifest: DocumentManifest) -> None:
        for key in (manifest.object_key, f"{MANIFEST_PREFIX}{manifest.document_id}.json"):
            self._s3.put_object_tagging(Bucket=self.bucket, Key=key, Tagging=DELIVERED_TAG)


def _code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", "error"))
    return type(exc).__name__
