"""A local NetSuite account: REST Record API over TBA, concurrency governance and the
sales order user event posts salesbridge listens to. See `app` for the design."""

from sandboxes.netsuite.app import DEFAULT_CREDENTIALS, NetSuiteSandbox
from sandboxes.netsuite.auth import Credentials

__all__ = ["DEFAULT_CREDENTIALS", "Credentials", "NetSuiteSandbox"]
