"""The Create <Transaction> buttons shipped in salesforce/: the Apex callout signs as salesbridge
verifies, sends a body the receiver accepts, and there is one quick action per From Salesforce
type of the example sync table (and none for the others)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from defusedxml import ElementTree

from shared import signing
from shared.flows.intacct_documents.events import CreateDocumentRequest
from shared.flows.intacct_documents.settings import IntacctDocumentsSettings

ROOT = Path(__file__).resolve().parents[2]
METADATA = ROOT / "salesforce/force-app/main/default"
APEX_TEST = METADATA / "classes/SalesbridgeIntacctDocumentCalloutTest.cls"
NS = {"md": "http://soap.sforce.com/2006/04/metadata"}


def _apex_vector() -> tuple[str, str, str, str]:
    """(key, timestamp, body, signature) as the Apex test asserts them."""
    source = APEX_TEST.read_text()
    key = re.search(r"KEY = '([^']+)'", source)
    test = source[source.index("signsExactlyAsSalesbridgeVerifies") :]
    body = re.search(r"String body = ((?:'[^']*'\s*\+?\s*)+);", test)
    expected = re.search(r"'(v1=[0-9a-f]{64})'", test)
    call = re.search(r"signature\(KEY, '(\d+)', body\)", test)
    assert key and body and expected and call, "the Apex test's vector moved"
    text = "".join(re.findall(r"'([^']*)'", body.group(1)))
    return key.group(1), call.group(1), text, expected.group(1)


def test_the_apex_callout_signs_as_salesbridge_verifies() -> None:
    key, timestamp, body, expected = _apex_vector()
    assert signing.sign(key, int(timestamp), body.encode()) == expected
    signing.verify(
        [key],
        timestamp,
        expected,
        body.encode(),
        window_seconds=300,
        now=int(timestamp),
    )


def test_the_body_apex_sends_is_a_valid_request() -> None:
    _, _, body, _ = _apex_vector()
    request = CreateDocumentRequest.model_validate_json(body)
    assert request.transaction_type == "Sales Quote"
    assert request.version == "2026-11-22T09:41:07Z"


def _quick_action_types() -> dict[str, str]:
    """Opportunity quick action -> the transaction type its flow sends."""
    found = {}
    for action in (METADATA / "quickActions").glob("Opportunity.*.quickAction-meta.xml"):
        flow_name = ElementTree.parse(action).findtext("md:flowDefinition", namespaces=NS)
        flow = ElementTree.parse(METADATA / f"flows/{flow_name}.flow-meta.xml")
        for parameter in flow.iterfind(".//md:actionCalls/md:inputParameters", NS):
            if parameter.findtext("md:name", namespaces=NS) == "transactionType":
                value = parameter.findtext("md:value/md:stringValue", namespaces=NS)
                found[action.name.split(".")[1]] = str(value)
        for call in flow.iterfind(".//md:actionCalls", NS):
            assert call.findtext("md:actionName", namespaces=NS) == (
                "SalesbridgeIntacctDocumentCallout"
            )
    return found


def test_one_quick_action_per_from_salesforce_type() -> None:
    example = json.loads((ROOT / "settings/example.json").read_text())
    settings = IntacctDocumentsSettings.model_validate(example["intacct_documents"])
    actions = _quick_action_types()
    assert sorted(actions.values()) == sorted(settings.from_salesforce_types)
    for name, transaction_type in actions.items():
        assert name == "Create_" + transaction_type.replace(" ", "_")
