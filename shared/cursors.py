"""Cursors: the watermark of each periodic import (e.g. NetSuite orders modified since T).

Stored by `shared.adapters.aws.stores.cursors` (DynamoDB): only the reader of the current
revision may move a watermark, so two runs racing cannot move it backwards.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, Field

from shared.clock import utc_now


class Cursor(BaseModel):
    name: str
    value: str
    # what a person reading the cursor needs besides its value (e.g. why a hold was set)
    detail: dict[str, str] = Field(default_factory=dict)
    revision: int = 0
    updated_at: str = Field(default_factory=utc_now)


class CursorRepository(Protocol):
    def get(self, name: str) -> Cursor | None: ...
    def advance(
        self, cursor: Cursor, value: str, detail: dict[str, str] | None = None
    ) -> Cursor: ...
