"""References between subrequests: `@{refId.field}`, `@{refId.records[0].Id}` and deeper paths.

Composite and graph subrequests name their results with a `referenceId`; later subrequests
quote those results in their `url` or `body`. A reference is a reference id followed by a
path of `.name` steps and `[n]` indexes, resolved against the earlier subrequest's JSON
response. Names are case-sensitive (`@{ref.id}` after a create, `@{ref.Id}` after a GET),
exactly as on the real API.

Where the documentation is silent:
- A body string that is exactly one reference takes the referenced JSON value as it is
  (number, boolean, null, object); a reference inside a longer string is spliced in as text
  (`true`/`false`, numbers as JSON writes them, null as an empty string).
- A reference spliced into a `url` is percent-encoded, so an odd value cannot change the
  path or the query's shape.
- A reference to an unknown, later or failed subrequest fails the same way as a reference
  to a missing field ("Invalid reference specified. No value for ...").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

REFERENCE = re.compile(r"@\{([^{}]*)\}")
REFERENCE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_]*")
_LEADING_NAME = re.compile(r"[A-Za-z0-9_]+")
_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")
_MISSING = object()

# API 52.0 made null values referenceable (before, a null failed the dependent subrequest).
NULL_REFERENCES_SINCE = 52.0


@dataclass(frozen=True)
class Resolved:
    """What an earlier subrequest left behind for later ones to quote."""

    ok: bool
    body: Any


class InvalidReference(Exception):
    def __init__(self, expression: str, reference_id: str) -> None:
        self.expression = expression
        self.reference_id = reference_id
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return (
            f"Invalid reference specified. No value for {self.expression} found in "
            f"{self.reference_id}. Provided referenceId ('{self.expression}') must start with "
            "a letter or a number, and it can contain only letters, numbers and "
            "underscores ('_')."
        )

    def as_error(self) -> dict[str, str]:
        return {"errorCode": "PROCESSING_HALTED", "message": self.message}


def is_valid_reference_id(reference_id: object) -> bool:
    return isinstance(reference_id, str) and REFERENCE_ID.fullmatch(reference_id) is not None


def referenced_ids(value: Any) -> set[str]:
    """Every reference id quoted anywhere in a url or body."""
    found: set[str] = set()
    for text in _strings(value):
        for match in REFERENCE.finditer(text):
            name = _LEADING_NAME.match(match.group(1))
            if name:
                found.add(name.group(0))
    return found


def resolve(expression: str, results: dict[str, Resolved], api_version: float) -> Any:
    """The value one `@{...}` expression points at, or InvalidReference."""
    name = _LEADING_NAME.match(expression)
    reference_id = name.group(0) if name else expression
    result = results.get(reference_id)
    if result is None or not result.ok:
        raise InvalidReference(expression, reference_id)
    value = _walk(result.body, expression[len(reference_id) :])
    if value is _MISSING or (value is None and api_version < NULL_REFERENCES_SINCE):
        raise InvalidReference(expression, reference_id)
    return value


def substitute_url(url: str, results: dict[str, Resolved], api_version: float) -> str:
    def spliced(match: re.Match[str]) -> str:
        return quote(_as_text(resolve(match.group(1), results, api_version)), safe="")

    return REFERENCE.sub(spliced, url)


def substitute_body(body: Any, results: dict[str, Resolved], api_version: float) -> Any:
    if isinstance(body, dict):
        return {key: substitute_body(value, results, api_version) for key, value in body.items()}
    if isinstance(body, list):
        return [substitute_body(value, results, api_version) for value in body]
    if not isinstance(body, str) or "@{" not in body:
        return body
    whole = REFERENCE.fullmatch(body)
    if whole:
        return resolve(whole.group(1), results, api_version)
    return REFERENCE.sub(
        lambda match: _as_text(resolve(match.group(1), results, api_version)), body
    )


def _walk(value: Any, path: str) -> Any:
    position = 0
    while position < len(path):
        step = _STEP.match(path, position)
        if step is None:
            return _MISSING
        field, index = step.groups()
        if field is not None:
            if not isinstance(value, dict) or field not in value:
                return _MISSING
            value = value[field]
        else:
            if not isinstance(value, list) or int(index) >= len(value):
                return _MISSING
            value = value[int(index)]
        position = step.end()
    return value if path else _MISSING


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []
