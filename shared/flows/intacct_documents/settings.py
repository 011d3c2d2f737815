"""This flow's section of the settings document (`intacct_documents`): the sales
transaction sync table of Intacct's Advanced CRM Integration (seed 004).

One row per Intacct transaction definition (Sales Quote, Sales Order, Sales Invoice, or any
other the company has):

- `from_salesforce`: Salesforce users may create it ("Create <Transaction>" on the Opportunity);
- `to_salesforce`: Intacct posts it back as a read-only sales document record;
- `include_details`: its lines come back too;
- `header_map` / `detail_map`: extra Intacct fields (SODOCUMENT / SODOCUMENTENTRY) copied onto
  fields of the sales document / line records, beyond the ones salesbridge always writes.

`one_to_one` ("Relation individualisée"): at most one document of each mapped type per
opportunity. `workflow`: classic (documents made from opportunities) or advanced (the sales
document record is made in Salesforce and synced on demand or by the scheduler); switching
is allowed, but the seed warns that each uses its own objects, so `workflow_switch_warned`
must be set to true to acknowledge it when `workflow` is "advanced". `payment_details`:
posted-back invoices carry open balance and payments, and accounts their open balance;
`cc_payments_sync` (needs payment_details) also syncs payment records.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from shared.section import FlowSettings, Section

# What a map may read from Intacct (the fields salesbridge reads anyway are always written).
HEADER_FIELDS = frozenset(
    {"PONUMBER", "MESSAGE", "TERM.NAME", "CURRENCY", "CUSTVENDNAME", "WHENDUE", "DOCNO"}
)
DETAIL_FIELDS = frozenset({"MEMO", "UNIT", "LOCATIONID", "DEPARTMENTID", "DISCSURCHARGEMEMO"})
# Fields salesbridge writes itself; a map may not overwrite them.
RESERVED_DOCUMENT_FIELDS = frozenset(
    {
        "Intacct_Key__c",
        "Document_Type__c",
        "Document_Number__c",
        "Intacct_Record_No__c",
        "State__c",
        "Total__c",
        "Total_Due__c",
        "Total_Paid__c",
        "Intacct_Modified__c",
        "Opportunity__c",
        "Account__c",
        "Read_Only__c",
    }
)
RESERVED_LINE_FIELDS = frozenset(
    {"Line_Key__c", "Sales_Document__c", "Item_Id__c", "Quantity__c", "Unit_Price__c", "Amount__c"}
)
CUSTOM_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,37}__c$")
DefinitionName = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f]+$")]


def _checked_map(
    mapping: dict[str, str], allowed: frozenset[str], reserved: frozenset[str]
) -> dict[str, str]:
    for intacct_field, salesforce_field in mapping.items():
        if intacct_field not in allowed:
            raise ValueError(
                f"{intacct_field!r} is not a mappable Intacct field (one of {sorted(allowed)})"
            )
        if not CUSTOM_FIELD.match(salesforce_field):
            raise ValueError(f"{salesforce_field!r} is not a custom field API name (X__c)")
        if salesforce_field in reserved:
            raise ValueError(f"{salesforce_field} is written by salesbridge and cannot be mapped")
    if len(set(mapping.values())) != len(mapping):
        raise ValueError("two Intacct fields map onto the same Salesforce field")
    return mapping


class TransactionSync(Section):
    """One row of the sales transaction sync table."""

    transaction_definition: DefinitionName
    from_salesforce: bool = False
    to_salesforce: bool = False
    include_details: bool = False
    header_map: dict[str, str] = Field(default_factory=dict)
    detail_map: dict[str, str] = Field(default_factory=dict)

    @field_validator("header_map")
    @classmethod
    def _header_map(cls, mapping: dict[str, str]) -> dict[str, str]:
        return _checked_map(mapping, HEADER_FIELDS, RESERVED_DOCUMENT_FIELDS)

    @field_validator("detail_map")
    @classmethod
    def _detail_map(cls, mapping: dict[str, str]) -> dict[str, str]:
        return _checked_map(mapping, DETAIL_FIELDS, RESERVED_LINE_FIELDS)

    @model_validator(mode="after")
    def _details_need_a_direction(self) -> TransactionSync:
        if self.include_details and not self.to_salesforce:
            raise ValueError("include_details needs to_salesforce (details come back from Intacct)")
        if self.detail_map and not self.include_details:
            raise ValueError("detail_map needs include_details")
        return self


class IntacctDocumentsSettings(FlowSettings):
    """The sales transaction sync table and its switches (see the module's docstring)."""

    workflow: Literal["classic", "advanced"] = "classic"
    workflow_switch_warned: bool = False
    one_to_one: bool = False
    payment_details: bool = False
    cc_payments_sync: bool = False
    # how far back each poll reads again, for documents saved while the last poll ran
    poll_overlap_seconds: Annotated[int, Field(ge=0, le=3600)] = 300
    transactions: list[TransactionSync] = Field(default_factory=list, max_length=50)

    @field_validator("transactions")
    @classmethod
    def _one_row_per_definition(cls, rows: list[TransactionSync]) -> list[TransactionSync]:
        seen: set[str] = set()
        for row in rows:
            if row.transaction_definition.casefold() in seen:
                raise ValueError(f"{row.transaction_definition!r} has two rows")
            seen.add(row.transaction_definition.casefold())
        return rows

    @model_validator(mode="after")
    def _switches_agree(self) -> IntacctDocumentsSettings:
        if self.cc_payments_sync and not self.payment_details:
            raise ValueError("cc_payments_sync needs payment_details")
        if self.workflow == "advanced" and not self.workflow_switch_warned:
            raise ValueError(
                "workflow advanced uses the sales document object for both directions; the "
                "classic records stay as they are (Intacct advises against switching back and "
                "forth): set workflow_switch_warned to true to confirm"
            )
        return self

    def row(self, transaction_definition: str) -> TransactionSync | None:
        wanted = transaction_definition.casefold()
        return next(
            (r for r in self.transactions if r.transaction_definition.casefold() == wanted), None
        )

    @property
    def from_salesforce_types(self) -> list[str]:
        return [r.transaction_definition for r in self.transactions if r.from_salesforce]

    @property
    def to_salesforce_types(self) -> list[str]:
        return [r.transaction_definition for r in self.transactions if r.to_salesforce]
