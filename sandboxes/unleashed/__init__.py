"""A local Unleashed account (api.unleashedsoftware.com): see `app.py` for what it does."""

from sandboxes.unleashed.app import UnleashedSandbox

__all__ = ["UnleashedSandbox"]
