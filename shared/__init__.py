"""Code every salesbridge Lambda shares, shipped as the shared layer (`import shared.x`)."""
