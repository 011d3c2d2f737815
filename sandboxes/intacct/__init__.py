"""A local Sage Intacct XML gateway: sessions, control ids, Order Entry documents, AR payments."""

from sandboxes.intacct.app import IntacctSandbox

__all__ = ["IntacctSandbox"]
