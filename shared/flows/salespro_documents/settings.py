"""This flow's section of the settings document (`salespro_documents`): SalesPro's document
routing rules, one per document type, and the limits that decide Salesforce or e-mail."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from shared.flows.salespro_documents.placeholders import unknown_placeholders
from shared.section import FlowSettings, Section

# The seed: "files exceeding 36 MB are unable to be uploaded via routing rules" (the JSON
# upload's 37.5 MB of file, API-FACTS); multipart ContentVersion uploads take up to 2 GB.
DEFAULT_SALESFORCE_LIMIT_BYTES = 36 * 1024 * 1024  # 37,748,736
MULTIPART_LIMIT_BYTES = 2 * 1024 * 1024 * 1024

Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]


class DocumentRule(Section):
    """A document routing rule (Workflow > Document Routing in SalesPro)."""

    file_name: str = Field(
        min_length=1, max_length=255, description="e.g. %customerName% Contract %date%.pdf"
    )
    backup_recipients: list[Email] = Field(min_length=1, max_length=50)

    @field_validator("file_name")
    @classmethod
    def _known_placeholders(cls, template: str) -> str:
        unknown = unknown_placeholders(template)
        if unknown:
            raise ValueError(f"unknown placeholders {', '.join(sorted(unknown))}")
        return template


class SalesproDocumentsSettings(FlowSettings):
    """`enabled` off: upload requests are refused (403) and nothing is stored."""

    # Over this a file is never sent to Salesforce (the guard): e-mailed instead.
    max_salesforce_bytes: int = Field(
        DEFAULT_SALESFORCE_LIMIT_BYTES, ge=1, le=MULTIPART_LIMIT_BYTES
    )
    # How %date% renders: SalesPro's MM-DD-YY; '/' stays in the Title, never in PathOnClient.
    date_format: str = Field("%m-%d-%y", min_length=2, max_length=40)
    download_link_days: int = Field(7, ge=1, le=7)  # S3 presigned URLs last at most 7 days
    rules: dict[str, DocumentRule] = Field(
        default_factory=dict, description="document type (contract, proposal, ...) -> rule"
    )
