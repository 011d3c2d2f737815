"""Issue 9's rule for handlers: decorators, parse, one call, map the result. No handler is
over 50 lines, and none reaches an outside system or the environment itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

HANDLERS = sorted((Path(__file__).resolve().parents[2] / "functions").glob("*/app.py"))
FORBIDDEN = re.compile(r"^\s*(import|from)\s+(boto3|httpx|simple_salesforce)\b|os\.environ", re.M)


@pytest.mark.parametrize("handler", HANDLERS, ids=lambda p: p.parent.name)
def test_a_handler_is_short_and_owns_no_wire_detail(handler: Path) -> None:
    text = handler.read_text()
    assert len(text.splitlines()) <= 50
    assert not FORBIDDEN.search(text)
