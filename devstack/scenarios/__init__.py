"""Demo scenarios for `python -m devstack demo`.

Each module here (not starting with `_`) defines `run(stack, say) -> None`: `stack` is the
running `LocalStack` (sandboxes seeded with their `demo_seed()`), `say(text)` prints a line of
narration. A scenario fails by raising (an `AssertionError` is fine). They run in name order,
so prefix names with numbers (`s10_netsuite_order.py`) to choose the order.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from types import ModuleType
from typing import Any

Scenario = Callable[[Any, Callable[[str], None]], None]


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
