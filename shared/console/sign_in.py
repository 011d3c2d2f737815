"""Who may use the console, decided from Salesforce: the permission sets a user holds.

`Salesbridge_Operator` -> operator (sees and acts), `Salesbridge_Viewer` -> viewer (sees,
personal data masked), neither -> refused (403). The same rule serves "Sign in with
Salesforce" (web server flow with PKCE) and Canvas (a verified signed request).
"""

from __future__ import annotations

from shared.console.models import Principal, Role
from shared.errors import Forbidden

OPERATOR_SET = "Salesbridge_Operator"
VIEWER_SET = "Salesbridge_Viewer"


def role_for(permission_sets: set[str], username: str) -> Role:
    if OPERATOR_SET in permission_sets:
        return Role.OPERATOR
    if VIEWER_SET in permission_sets:
        return Role.VIEWER
    raise Forbidden(
        f"{username} holds neither {OPERATOR_SET} nor {VIEWER_SET}: ask a Salesforce admin "
        "to assign one"
    )


def principal(
    *, user_id: str, username: str, display_name: str, org_id: str, permission_sets: set[str]
) -> Principal:
    return Principal(
        user_id=user_id,
        username=username,
        display_name=display_name,
        org_id=org_id,
        role=role_for(permission_sets, username),
    )
