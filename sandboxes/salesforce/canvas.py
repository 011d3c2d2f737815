"""Canvas signed requests, as Salesforce POSTs them to a Canvas app's URL.

Admin action `POST /__admin/canvas/signed-request` {app, user, record?, parameters?,
display_location?} answers {signed_request, canvas_url, payload}: what Salesforce would send
as the form field `signed_request` when `user` opens the Canvas app `app` (a registered
External Client App with a `canvas_url`), on `record` ({type, id, fields?}) when given.

Wire format (Canvas Developer Guide: "Signed Request Authentication", "CanvasRequest",
"Context", "Client", "User", "Organization", "Environment", "Record"; Canvas SDK
SignedRequest.java): `signed_request` = Base64(HMAC-SHA256(consumer secret, payload)) + "." +
payload, payload = Base64(CanvasRequest JSON), standard alphabet with padding.

Where the documentation is silent (choices made here):
- `issuedAt` is "for internal use only": it is a random signed 32-bit number here, so nobody
  downstream mistakes it for a clock (observed real values are not timestamps either).
- `client.oauthToken` is a real session of the user (the app's scopes), valid for the org's
  session lifetime; `refreshToken` is null (access method Post).
- `environment.record` holds `Id`, `attributes` and the requested `fields` that exist on the
  record (entityFields); `displayLocation` defaults to "Publisher" when a record is given (the
  quick action salesbridge ships), else "None" (the Canvas App Previewer).
- The organization is single-currency USD; `uiTheme` is Theme4d (Lightning Experience).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any

from sandboxes.salesforce.web_login import WebApp

SEASONS = {0: "SPRING", 1: "SUMMER", 2: "WINTER"}  # API versions cycle Spring, Summer, Winter


def sign(payload_json: dict[str, Any], consumer_secret: str) -> str:
    payload = base64.b64encode(json.dumps(payload_json).encode()).decode()
    mac = hmac.new(consumer_secret.encode(), payload.encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode() + "." + payload


def canvas_request(
    *,
    app: WebApp,
    user: dict[str, Any],
    organization: dict[str, Any],
    base_url: str,
    oauth_token: str,
    api_version: str,
    record: dict[str, Any] | None = None,
    parameters: dict[str, Any] | None = None,
    display_location: str | None = None,
) -> dict[str, Any]:
    """The CanvasRequest JSON (before signing)."""
    data = f"/services/data/v{api_version}"
    org15 = str(organization["Id"])[:15]
    environment: dict[str, Any] = {
        "parameters": parameters or {},
        "dimensions": {
            "clientHeight": "500px",
            "clientWidth": "521px",
            "height": "500px",
            "width": "521px",
            "maxHeight": "2000px",
            "maxWidth": "1000px",
        },
        "displayLocation": display_location or ("Publisher" if record else "None"),
        "locationUrl": f"{base_url}/lightning/page/home",
        "subLocation": None,
        "uiTheme": "Theme4d",
        "version": {"api": api_version, "season": _season(api_version)},
    }
    if record is not None:
        environment["record"] = record
    return {
        "algorithm": "HMACSHA256",
        "issuedAt": secrets.randbits(32) - 2**31,
        "userId": user["Id"],
        "client": {
            "instanceId": f"_:{app.name}:",
            "instanceUrl": base_url,
            "oauthToken": oauth_token,
            "refreshToken": None,
            "targetOrigin": base_url,
        },
        "context": {
            "application": {
                "applicationId": app.application_id,
                "authType": "SIGNED_REQUEST",
                "canvasUrl": app.canvas_url,
                "developerName": app.name,
                "isInstalledPersonalApp": False,
                "name": app.label,
                "namespace": "",
                "options": [],
                "referenceId": app.application_id,
                "samlInitiationMethod": "None",
                "version": "1.0",
            },
            "user": _user_context(user, organization),
            "environment": environment,
            "organization": {
                "currencyIsoCode": "USD",
                "multicurrencyEnabled": False,
                "name": organization["Name"],
                "namespacePrefix": None,
                "organizationId": organization["Id"],
            },
            "links": {
                "chatterFeedItemsUrl": f"{data}/chatter/feed-items",
                "chatterFeedsUrl": f"{data}/chatter/feeds",
                "chatterGroupsUrl": f"{data}/chatter/groups",
                "chatterUsersUrl": f"{data}/chatter/users",
                "enterpriseUrl": f"/services/Soap/c/{api_version}/{org15}",
                "loginUrl": base_url,
                "metadataUrl": f"/services/Soap/m/{api_version}/{org15}",
                "partnerUrl": f"/services/Soap/u/{api_version}/{org15}",
                "queryUrl": f"{data}/query/",
                "restUrl": f"{data}/",
                "recentItemsUrl": f"{data}/recent/",
                "searchUrl": f"{data}/search/",
                "sobjectUrl": f"{data}/sobjects/",
                "userUrl": f"/{user['Id']}",
            },
        },
    }


def _user_context(user: dict[str, Any], organization: dict[str, Any]) -> dict[str, Any]:
    first, last = user.get("FirstName"), user.get("LastName")
    return {
        "accessibilityModeEnabled": False,
        "currencyISOCode": "USD",
        "email": user.get("Email"),
        "firstName": first,
        "fullName": " ".join(part for part in (first, last) if part),
        "isDefaultNetwork": True,
        "language": user.get("LanguageLocaleKey"),
        "lastName": last,
        "locale": user.get("LocaleSidKey"),
        "networkId": None,
        "profileId": str(user.get("ProfileId") or "")[:15] or None,
        "profilePhotoUrl": "/profilephoto/005/F",
        "profileThumbnailUrl": "/profilephoto/005/T",
        "roleId": user.get("UserRoleId"),
        "siteUrl": None,
        "siteUrlPrefix": None,
        "timeZone": user.get("TimeZoneSidKey"),
        "userId": user["Id"],
        "userName": user["Username"],
        "userType": str(user.get("UserType") or "Standard").upper(),
    }


def _season(api_version: str) -> str:
    # API 20.0 was Winter '11; each release adds one version and the seasons cycle.
    major = int(float(api_version))
    return SEASONS[(major - 20 + 2) % 3]
