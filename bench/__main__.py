from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / ".bench" / "results.json"
# `make chaos` runs "chaos" on its own
BENCHMARKS = [
    "cold_start",
    "netsuite_orders",
    "console",
    "unleashed_order_push",
    "salespro_documents",
    "intacct_documents",
    "unleashed_companies",
]


def main(names: list[str]) -> int:
    figures: dict[str, float] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for name in names or BENCHMARKS:
        print(f"== {name}")
        module = importlib.import_module(f"bench.{name}")
        figures.update(module.run())
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(dict(sorted(figures.items())), indent=2) + "\n")
    print(f"\nwrote {len(figures)} figures to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
