"""The demo company as Salesforce holds it: salespeople, customers and the product catalogue.

`demo_seed()` answers the body for POST /__admin/seed. The integration user is not in it:
every reset of the org already creates it (see `SalesforceSandbox.connection`). Custom
fields (NetSuite ids) are filled only where the org's schema has them.
"""

from __future__ import annotations

from typing import Any

from sandboxes import demo_company
from sandboxes.salesforce.schema import Schema


def demo_seed(schema: Schema | None = None) -> dict[str, Any]:
    schema = schema or _default_schema()
    return {
        "users": [_user(person) for person in demo_company.SALESPEOPLE] + CONSOLE_USERS,
        "accounts": [_account(schema, customer) for customer in demo_company.CUSTOMERS],
        "products": [_product(schema, product) for product in demo_company.PRODUCTS],
        "records": {"Contact": [_contact(customer) for customer in demo_company.CUSTOMERS]},
        "permission_set_assignments": [
            {"user": OPERATOR, "permission_set": "Salesbridge_Operator"},
            {"user": VIEWER, "permission_set": "Salesbridge_Viewer"},
        ],
    }


# Who signs in to the operator console in the demo (`make demo` prints them).
OPERATOR = "olivia.operator@harbourpine.example"
VIEWER = "vera.viewer@harbourpine.example"
CONSOLE_USERS = [
    {"Username": OPERATOR, "Email": OPERATOR, "FirstName": "Olivia", "LastName": "Operator"},
    {"Username": VIEWER, "Email": VIEWER, "FirstName": "Vera", "LastName": "Viewer"},
]


def _user(person: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": person["key"],
        "Username": person["email"],
        "Email": person["email"],
        "FirstName": person["first"],
        "LastName": person["last"],
        "Alias": (person["first"][0] + person["last"])[:8].lower(),
    }


def _account(schema: Schema, customer: dict[str, Any]) -> dict[str, Any]:
    address = customer["address"]
    row: dict[str, Any] = {
        "key": customer["code"],
        "Name": customer["name"],
        "Phone": customer["phone"],
        "Website": customer["website"],
        "OwnerId": f"@{customer['salesperson']}",
        "BillingStreet": address["street"],
        "BillingCity": address["city"],
        "BillingState": address["region"],
        "BillingPostalCode": address["postcode"],
        "BillingCountry": address["country"],
    }
    if _has_field(schema, "Account", "NetSuite_Id__c"):
        row["NetSuite_Id__c"] = customer["netsuite_id"]
    if _has_field(schema, "Account", "Intacct_Customer_Id__c"):
        row["Intacct_Customer_Id__c"] = f"C-{customer['code']}"  # sandboxes.intacct.demo
    return row


def _contact(customer: dict[str, Any]) -> dict[str, Any]:
    contact = customer["contact"]
    return {
        "key": contact["email"],
        "AccountId": f"@{customer['code']}",
        "OwnerId": f"@{customer['salesperson']}",
        "FirstName": contact["first"],
        "LastName": contact["last"],
        "Email": contact["email"],
        "Phone": contact["phone"],
        "MobilePhone": contact["mobile"],
    }


def _product(schema: Schema, product: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {
        "Name": product["name"],
        "ProductCode": product["code"],
        "IsActive": True,
        "price": product["price"],
    }
    if _has_field(schema, "Product2", "NetSuite_Item_Id__c"):
        row["NetSuite_Item_Id__c"] = product["netsuite_id"]
    if _has_field(schema, "Product2", "Intacct_Item_Id__c"):
        row["Intacct_Item_Id__c"] = product["code"]  # Intacct's demo items are the codes
    return row


def _has_field(schema: Schema, sobject: str, field: str) -> bool:
    definition = schema.sobject(sobject)
    return definition is not None and definition.field(field) is not None


def _default_schema() -> Schema:
    from sandboxes.salesforce.metadata import default_schema

    return default_schema()
