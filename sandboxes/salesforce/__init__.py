"""A local Salesforce org: OAuth, REST, SOQL, composite APIs, files and limits."""

from sandboxes.salesforce.app import SalesforceSandbox

__all__ = ["SalesforceSandbox"]
