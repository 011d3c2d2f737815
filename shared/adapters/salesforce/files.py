"""Salesforce Files: one multipart ContentVersion insert per document, streamed.

`POST /sobjects/ContentVersion` as multipart/form-data: the `entity_content` part (JSON:
Title, PathOnClient, FirstPublishLocationId) then the `VersionData` part (the bytes). Multipart
inserts take files up to 2 GB, where a JSON body with base64 stops at 37.5 MB of file; and
`FirstPublishLocationId` links the file to the record in the same call (REST API Developer
Guide, "Insert or Update Blob Data"; API-FACTS). The body is produced while it is sent: the
file is read from S3 in 1 MiB pieces, so memory does not grow with the file, and its length
is known beforehand, so it goes with a Content-Length rather than chunked.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

from simple_salesforce.api import Salesforce
from simple_salesforce.format import format_soql

from shared.adapters.salesforce.connection import Connection
from shared.adapters.salesforce.errors import call_translated
from shared.deadline import call_timeout
from shared.errors import PermanentError
from shared.flows.salespro_documents.ports import OutgoingFile, Readable

CHUNK_BYTES = 1024 * 1024
# A custom text field (external id, so indexed and filterable) salesbridge's package adds to
# ContentVersion (salesforce/force-app): set on insert, it lets a redelivery find the file
# an earlier delivery attached before it could record it.
MARKER_FIELD = "Salesbridge_Document_Id__c"
UPLOAD_TIMEOUT_SECONDS = 600.0


class MultipartStream:
    """A file-like multipart body of known length, read once, piece by piece."""

    def __init__(self, entity: dict[str, str], file: OutgoingFile) -> None:
        self.boundary = f"salesbridge-{uuid.uuid4().hex}"
        head = (
            f"--{self.boundary}\r\n"
            'Content-Disposition: form-data; name="entity_content"\r\n'
            "Content-Type: application/json\r\n\r\n"
            f"{json.dumps(entity)}\r\n"
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="VersionData"; '
            f'filename="{_quoted(file.path_on_client)}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        tail = f"\r\n--{self.boundary}--\r\n".encode()
        self._size = file.size
        self._length = len(head) + file.size + len(tail)
        self._parts = self._pieces(head, file.open(), tail)
        self._buffer = b""

    def __len__(self) -> int:
        return self._length

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def _pieces(self, head: bytes, body: Readable, tail: bytes) -> Iterator[bytes]:
        yield head
        sent = 0
        while chunk := body.read(CHUNK_BYTES):
            sent += len(chunk)
            if sent > self._size:
                break
            yield chunk
        if sent != self._size:
            # The announced Content-Length would be a lie: stop rather than send a short file.
            raise PermanentError(f"the stored file has {sent} bytes, not {self._size}")
        yield tail

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            piece = next(self._parts, None)
            if piece is None:
                break
            self._buffer += piece
        if size < 0:
            size = len(self._buffer)
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out


def _quoted(name: str) -> str:
    return name.replace("\\", "_").replace('"', "'").replace("\r", " ").replace("\n", " ")


class SalesforceFiles:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def attach(self, file: OutgoingFile) -> str:
        entity = {
            "Title": file.title,
            "PathOnClient": file.path_on_client,
            "FirstPublishLocationId": file.record_id,
            MARKER_FIELD: file.marker,
        }

        def insert(sf: Salesforce) -> str:
            body = MultipartStream(entity, file)  # a fresh stream if the session is refreshed
            answer = sf.restful(
                "sobjects/ContentVersion/",
                method="POST",
                data=body,
                headers={"Content-Type": body.content_type},
                timeout=call_timeout(UPLOAD_TIMEOUT_SECONDS, "the Salesforce file upload"),
            )
            return str((answer or {})["id"])

        return call_translated(self._connection, insert)

    def find(self, marker: str) -> str | None:
        soql = format_soql(
            "SELECT Id FROM ContentVersion WHERE {:literal} = {} LIMIT 1", MARKER_FIELD, marker
        )

        def query(sf: Salesforce) -> str | None:
            records = (sf.query(soql) or {}).get("records") or []
            return str(records[0]["Id"]) if records else None

        return call_translated(self._connection, query)
