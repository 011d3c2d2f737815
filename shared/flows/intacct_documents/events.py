"""What this flow receives: a "Create <Transaction>" request from the Opportunity (signed as
the Closed Won callout is), and the queue message that carries it to the worker."""

from __future__ import annotations

import re
from datetime import UTC
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from shared.envelope import VersionTimestamp

CREATE_INTACCT_DOCUMENT = "salesforce.opportunity.create_intacct_document"


def type_code(transaction_type: str) -> str:
    """ "Sales Quote" -> "SalesQuote": a transaction definition in ids and FIFO keys."""
    return re.sub(r"[^A-Za-z0-9]", "", transaction_type)[:30] or "type"


class CreateDocumentRequest(BaseModel):
    """A user asked for an Intacct document of one type from an opportunity (ids, not data)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    FLOW: ClassVar[str] = "intacct_documents"
    SOURCE: ClassVar[str] = "salesforce"
    MESSAGE_TYPE: ClassVar[str] = CREATE_INTACCT_DOCUMENT

    opportunity_id: str = Field(
        alias="opportunityId", pattern=r"^006[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$"
    )
    transaction_type: str = Field(
        alias="transactionType", min_length=1, max_length=100, pattern=r"^[^\x00-\x1f<>&]+$"
    )
    last_modified_date: VersionTimestamp = Field(alias="lastModifiedDate")

    @property
    def version(self) -> str:
        return self.last_modified_date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def record_key(self) -> str:
        # One FIFO group per opportunity: its documents are made one after the other, so the
        # one-to-one rule sees the previous one.
        return f"opportunity:{self.opportunity_id}"

    @property
    def identity(self) -> str:
        # A double click sends the same type and version: one job, one document.
        return f"{type_code(self.transaction_type)}@{self.version}"

    @property
    def event_id(self) -> str | None:
        return None

    def job_detail(self) -> dict[str, str]:
        return {"transaction_type": self.transaction_type}
