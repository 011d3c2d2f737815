"""Files: ContentVersion as JSON (base64) and multipart, the 52,428,800-byte limit, downloads."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sandboxes.salesforce import SalesforceSandbox

PDF = b"%PDF-1.4 quote for Alpine Trail Outfitters\n" * 50


@pytest.fixture
def account_id(sf: Salesforce) -> str:
    return str(sf.Account.create({"Name": "Alpine Trail Outfitters"})["id"])


def test_json_insert_creates_document_and_link(sf: Salesforce, account_id: str) -> None:
    created = sf.ContentVersion.create(
        {
            "Title": "Quote 1001",
            "PathOnClient": "quote-1001.pdf",
            "VersionData": base64.b64encode(PDF).decode(),
            "FirstPublishLocationId": account_id,
        }
    )

    version = sf.ContentVersion.get(created["id"])
    assert version["ContentDocumentId"].startswith("069")
    assert version["FileExtension"] == "pdf" and version["ContentSize"] == len(PDF)
    assert version["VersionData"] == (
        f"/services/data/v59.0/sobjects/ContentVersion/{created['id']}/VersionData"
    )
    links = sf.query(
        "SELECT ContentDocumentId, ShareType, Visibility FROM ContentDocumentLink "
        f"WHERE LinkedEntityId = '{account_id}'"
    )["records"]
    assert [(x["ContentDocumentId"], x["ShareType"]) for x in links] == [
        (version["ContentDocumentId"], "V")
    ]
    document = sf.ContentDocument.get(version["ContentDocumentId"])
    assert (
        document["Title"] == "Quote 1001" and document["LatestPublishedVersionId"] == created["id"]
    )


def test_version_data_downloads_the_bytes(
    sf: Salesforce, base_url: str, token: str, http: requests.Session
) -> None:
    created = sf.ContentVersion.create(
        {"PathOnClient": "a.pdf", "VersionData": base64.b64encode(PDF).decode()}
    )

    response = http.get(
        f"{base_url}/services/data/v59.0/sobjects/ContentVersion/{created['id']}/VersionData",
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 200 and response.content == PDF


def multipart(entity: dict[str, Any], data: bytes) -> tuple[bytes, str]:
    boundary = "boundary_string"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="entity_content";\r\n'
        "Content-Type: application/json\r\n\r\n"
        f"{json.dumps(entity)}\r\n"
        f"--{boundary}\r\n"
        "Content-Type: application/pdf\r\n"
        'Content-Disposition: form-data; name="VersionData"; filename="quote.pdf"\r\n\r\n'
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), boundary


def test_multipart_insert_stores_the_binary_part(
    sf: Salesforce, base_url: str, token: str, http: requests.Session, account_id: str
) -> None:
    body, boundary = multipart(
        {"Title": "Quote", "PathOnClient": "quote.pdf", "FirstPublishLocationId": account_id}, PDF
    )

    response = http.post(
        f"{base_url}/services/data/v59.0/sobjects/ContentVersion",
        data=body,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )

    assert response.status_code == 201, response.text
    version = sf.ContentVersion.get(response.json()["id"])
    assert version["ContentSize"] == len(PDF) and version["Title"] == "Quote"


def test_json_request_over_52428800_bytes_is_refused(
    base_url: str, token: str, http: requests.Session, app: SalesforceSandbox
) -> None:
    response = http.post(
        f"{base_url}/services/data/v59.0/sobjects/ContentVersion",
        data=b" " * 52_428_801,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json() == [
        {
            "message": "Maximum size of request reached. "
            "Maximum size of request is 52428800 bytes.",
            "errorCode": "JSON_PARSER_ERROR",
            "fields": [],
        }
    ]
    assert not list(app.org_store.records("ContentVersion"))


def test_missing_version_data_is_required_field_missing(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.ContentVersion.create({"Title": "Empty", "PathOnClient": "x.pdf"})
    assert raised.value.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING"


def test_content_document_link_validation(sf: Salesforce, account_id: str) -> None:
    version = sf.ContentVersion.create(
        {"PathOnClient": "a.pdf", "VersionData": base64.b64encode(PDF).decode()}
    )
    document_id = sf.ContentVersion.get(version["id"])["ContentDocumentId"]
    link = {"ContentDocumentId": document_id, "LinkedEntityId": account_id, "ShareType": "V"}

    assert sf.ContentDocumentLink.create(link)["success"] is True
    with pytest.raises(SalesforceMalformedRequest) as duplicate:
        sf.ContentDocumentLink.create(link)
    assert duplicate.value.content[0]["errorCode"] == "DUPLICATE_VALUE"
    with pytest.raises(SalesforceMalformedRequest) as bad_share:
        sf.ContentDocumentLink.create({**link, "ShareType": "X"})
    assert bad_share.value.content[0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    with pytest.raises(SalesforceMalformedRequest) as missing:
        sf.ContentDocumentLink.create({"LinkedEntityId": account_id})
    assert missing.value.content[0]["message"] == "Required fields are missing: [ContentDocumentId]"
