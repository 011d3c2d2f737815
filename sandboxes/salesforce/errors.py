"""Salesforce's error shape: a JSON list of {message, errorCode, fields} with an HTTP status."""

from __future__ import annotations

from typing import Any


class SalesforceApiError(Exception):
    def __init__(
        self, status: int, error_code: str, message: str, fields: list[str] | None = None
    ) -> None:
        super().__init__(f"{error_code}: {message}")
        self.status = status
        self.error_code = error_code
        self.message = message
        self.fields = fields or []

    def as_error(self) -> dict[str, Any]:
        return {"message": self.message, "errorCode": self.error_code, "fields": self.fields}

    def body(self) -> list[dict[str, Any]]:
        return [self.as_error()]
