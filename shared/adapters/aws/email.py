"""Backup e-mail through SES v2 (raw MIME: v2 carries up to 40 MB, v1 only 10 MB).

Every SES failure is retryable for the flow: the document stays in S3 and the queue brings
it back, so a throttled account or an unverified sender (fixed by the operator) delays the
e-mail instead of losing it; after the queue's receive count the message is parked.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from shared.errors import RetryableError
from shared.flows.salespro_documents.ports import BackupEmail


class SesMailer:
    def __init__(self, sender: str, sesv2: Any | None = None) -> None:
        if sesv2 is None:
            import boto3

            sesv2 = boto3.client("sesv2")
        self._ses = sesv2
        self.sender = sender

    def send(self, email: BackupEmail) -> str:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = ", ".join(email.to)
        message["Subject"] = email.subject
        message.set_content(email.text)
        if email.attachment is not None:
            maintype, _, subtype = email.attachment.content_type.partition("/")
            message.add_attachment(
                email.attachment.data,
                maintype=maintype,
                subtype=subtype or "octet-stream",
                filename=email.attachment.file_name,
            )
        try:
            answer = self._ses.send_email(
                FromEmailAddress=self.sender,
                Destination={"ToAddresses": list(email.to)},
                Content={"Raw": {"Data": message.as_bytes()}},
            )
        except Exception as exc:
            response = getattr(exc, "response", None)
            code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
            raise RetryableError(f"SES did not send the backup e-mail: {code or exc}") from exc
        return str(answer["MessageId"])
