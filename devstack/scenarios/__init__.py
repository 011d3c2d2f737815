"""Demo scenarios for `python -m devstack demo`.

Each module here (not starting with `_`) defines `run(stack, say) -> str | None`: `stack` is the
running `LocalStack` (sandboxes seeded with their `demo_seed()`), `say(text)` prints a line of
narration for a newcomer (plain words: no JSON, amounts with two decimals through `money`, long
messages through `wrapped`, never cut off). It answers one short sentence of what happened, for
the demo's closing summary. A scenario fails by raising (an `AssertionError` is fine). They run
in name order, so prefix names with numbers (`s10_netsuite_order.py`) to choose the order; the
module docstring's first line is the scenario's headline.
"""

from __future__ import annotations

import importlib
import pkgutil
import textwrap
from collections.abc import Callable
from decimal import Decimal
from types import ModuleType
from typing import Any

Scenario = Callable[[Any, Callable[[str], None]], str | None]


def money(amount: float | str | Decimal) -> str:
    """An amount as money is written: 1815.25, 2775.60 (never 1815.250 or 2775.6)."""
    return f"{Decimal(str(amount)).quantize(Decimal('0.01')):.2f}"


def quantity(value: float | str | Decimal) -> str:
    return f"{Decimal(str(value)).normalize():f}"


def wrapped(text: str, indent: str = "    ") -> str:
    """A long message on indented lines of at most 100 characters, instead of cut off."""
    return textwrap.fill(text, width=100, initial_indent=indent, subsequent_indent=indent)


def discover(package: ModuleType | None = None) -> list[tuple[str, Scenario]]:
    package = package or importlib.import_module(__name__)
    found = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        run = getattr(module, "run", None)
        if callable(run):
            found.append((info.name, run))
    return found
