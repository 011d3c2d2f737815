"""NetSuite's REST error document, raised by handlers and rendered in one place.

NetSuite answers every failure with an RFC 9457-style body whose details sit under
`o:errorDetails`; clients key on `o:errorCode`, so the codes matter more than the wording.
"""

from __future__ import annotations

from typing import Any

from sandboxes.common import json_response

ERROR_CONTENT_TYPE = "application/vnd.oracle.resource+json; type=error"

_RFC9110 = "https://www.rfc-editor.org/rfc/rfc9110.html#section-"
PROBLEM_TYPES = {
    400: _RFC9110 + "15.5.1",
    401: _RFC9110 + "15.5.2",
    403: _RFC9110 + "15.5.4",
    404: _RFC9110 + "15.5.5",
    405: _RFC9110 + "15.5.6",
    415: _RFC9110 + "15.5.16",
    429: "https://www.rfc-editor.org/rfc/rfc6585.html#section-4",
    500: _RFC9110 + "15.6.1",
}
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
}

INVALID_LOGIN_DETAIL = (
    "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI "
    "at Setup > Users/Roles > User Management > View Login Audit Trail."
)
NONEXISTENT_ID_DETAIL = "The record instance does not exist. Provide a valid record instance ID."


class NetSuiteError(Exception):
    """One refusal: HTTP status, NetSuite error code, human detail and where it points."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        path: str | None = None,
        query_param: str | None = None,
        url_path: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.path = path
        self.query_param = query_param
        self.url_path = url_path

    def body(self) -> dict[str, Any]:
        detail: dict[str, Any] = {"detail": self.detail}
        if self.path is not None:
            detail["o:errorPath"] = self.path
        if self.query_param is not None:
            detail["o:errorQueryParam"] = self.query_param
        if self.url_path is not None:
            detail["o:errorUrl"] = self.url_path
        detail["o:errorCode"] = self.code
        return problem(self.status, [detail])

    def response(self) -> Any:
        response = json_response(self.body(), self.status)
        response.content_type = ERROR_CONTENT_TYPE
        return response


def problem(status: int, details: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": PROBLEM_TYPES.get(status, _RFC9110 + "15"),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "o:errorDetails": details,
    }


def invalid_login() -> NetSuiteError:
    return NetSuiteError(401, "INVALID_LOGIN", INVALID_LOGIN_DETAIL)


def not_found(url_path: str) -> NetSuiteError:
    return NetSuiteError(404, "NONEXISTENT_ID", NONEXISTENT_ID_DETAIL, url_path=url_path)


def invalid_field_value(value: Any, field: str, path: str) -> NetSuiteError:
    detail = (
        "Error while accessing a resource. You have entered an Invalid Field Value "
        f"{value} for the following field: {field}"
    )
    return NetSuiteError(400, "INVALID_CONTENT", detail, path=path)


def missing_value(label: str, path: str) -> NetSuiteError:
    detail = f"Error while accessing a resource. Please enter value(s) for: {label}."
    return NetSuiteError(400, "USER_ERROR", detail, path=path)


def invalid_content(detail: str = "Invalid content in the request body.") -> NetSuiteError:
    return NetSuiteError(400, "INVALID_CONTENT", detail)
