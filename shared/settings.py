"""The settings document: the mappings, switches and routing rules an admin controls.

One JSON document per deployment (SSM Parameter Store `/salesbridge/<stage>/settings`, or a
file named by `SETTINGS_FILE` locally). It is validated whole when loaded: an unknown key, a
wrong type or an impossible combination fails loudly with the field and the reason, instead of
a sync quietly doing the wrong thing. `settings/example.json` is a complete example.

One section per flow, named as the flow's package under `shared.flows` and validated by the
flow's own model (its `settings.py`), each with its own `enabled` switch. An empty document
`{"version": 1}` is a working one: every section has defaults.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import model_validator

from shared.flows.intacct_documents.settings import IntacctDocumentsSettings
from shared.flows.netsuite_orders_to_salesforce.settings import NetsuiteOrdersSettings
from shared.flows.salesforce_orders_to_netsuite.settings import SalesforceOrdersSettings
from shared.flows.salespro_appointments.settings import SalesproAppointmentsSettings
from shared.flows.salespro_documents.settings import SalesproDocumentsSettings
from shared.flows.unleashed_companies.settings import UnleashedCompaniesSettings
from shared.flows.unleashed_order_push.settings import UnleashedOrderPushSettings
from shared.section import Section

# Sections of earlier versions of the document, and where their content went.
MOVED_SECTIONS = {
    "webhooks": (
        "the replay window and body limit are stack parameters now "
        "(WebhookReplayWindowSeconds, WebhookMaxBodyBytes); remove this section"
    ),
    "netsuite": (
        "renamed netsuite_orders_to_salesforce (one section per flow), and "
        "netsuite.export_won_opportunities is now salesforce_orders_to_netsuite.enabled"
    ),
}


class Settings(Section):
    version: Literal[1] = 1
    netsuite_orders_to_salesforce: NetsuiteOrdersSettings = NetsuiteOrdersSettings()
    salesforce_orders_to_netsuite: SalesforceOrdersSettings = SalesforceOrdersSettings()
    unleashed_order_push: UnleashedOrderPushSettings = UnleashedOrderPushSettings()
    salespro_documents: SalesproDocumentsSettings = SalesproDocumentsSettings()
    salespro_appointments: SalesproAppointmentsSettings = SalesproAppointmentsSettings()
    intacct_documents: IntacctDocumentsSettings = IntacctDocumentsSettings()
    unleashed_companies: UnleashedCompaniesSettings = UnleashedCompaniesSettings()

    @model_validator(mode="before")
    @classmethod
    def _moved_sections(cls, document: Any) -> Any:
        if isinstance(document, dict):
            for name, where in MOVED_SECTIONS.items():
                if name in document:
                    raise ValueError(f"{name}: {where}")
        return document
