"""The sales transaction sync table (seed 004) is validated when the settings load."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from shared.flows.intacct_documents.settings import IntacctDocumentsSettings


def section(**overrides: Any) -> IntacctDocumentsSettings:
    document: dict[str, Any] = {
        "transactions": [
            {"transaction_definition": "Sales Quote", "from_salesforce": True},
            {
                "transaction_definition": "Sales Order",
                "from_salesforce": True,
                "to_salesforce": True,
                "include_details": True,
            },
            {
                "transaction_definition": "Sales Invoice",
                "to_salesforce": True,
                "include_details": True,
                "header_map": {"PONUMBER": "Customer_PO__c"},
            },
        ]
    }
    document.update(overrides)
    return IntacctDocumentsSettings.model_validate(document)


def test_the_seeds_example_quotes_and_orders_from_salesforce_invoices_back() -> None:
    settings = section()
    assert settings.from_salesforce_types == ["Sales Quote", "Sales Order"]
    assert settings.to_salesforce_types == ["Sales Order", "Sales Invoice"]
    assert settings.row("sales invoice") is not None
    assert settings.workflow == "classic" and not settings.one_to_one


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"transactions": [{"transaction_definition": "Sales Quote"}] * 2}, "has two rows"),
        (
            {"transactions": [{"transaction_definition": "Sales Quote", "include_details": True}]},
            "include_details needs to_salesforce",
        ),
        (
            {
                "transactions": [
                    {
                        "transaction_definition": "Sales Quote",
                        "to_salesforce": True,
                        "header_map": {"SECRET": "X__c"},
                    }
                ]
            },
            "not a mappable Intacct field",
        ),
        (
            {
                "transactions": [
                    {
                        "transaction_definition": "Sales Quote",
                        "to_salesforce": True,
                        "header_map": {"PONUMBER": "State__c"},
                    }
                ]
            },
            "written by salesbridge",
        ),
        (
            {
                "transactions": [
                    {
                        "transaction_definition": "Sales Quote",
                        "to_salesforce": True,
                        "header_map": {"PONUMBER": "Name"},
                    }
                ]
            },
            "not a custom field",
        ),
        (
            {
                "transactions": [
                    {
                        "transaction_definition": "Sales Quote",
                        "to_salesforce": True,
                        "detail_map": {"MEMO": "Memo__c"},
                    }
                ]
            },
            "detail_map needs include_details",
        ),
        ({"cc_payments_sync": True}, "cc_payments_sync needs payment_details"),
        ({"workflow": "advanced"}, "workflow_switch_warned"),
        ({"workflow": "both"}, "workflow"),
        ({"transactions": [{"transaction_definition": ""}]}, "transaction_definition"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_a_wrong_table_is_refused_naming_the_problem(
    overrides: dict[str, Any], reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason):
        section(**overrides)


def test_switching_to_the_advanced_workflow_is_allowed_once_acknowledged() -> None:
    assert section(workflow="advanced", workflow_switch_warned=True).workflow == "advanced"
