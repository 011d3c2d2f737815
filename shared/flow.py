"""What a flow declares about itself, so that the operator's tools need no code per flow.

Each package under `shared/flows/` declares one `Flow` as `FLOW` in its `__init__.py`: its
name (the package name, which is also its settings section and the `flow` of its jobs), what
it does in a person's words, the outside systems it spends API calls on, and the template's
logical ids of its functions, queues and schedules. `declared_flows()` finds them all; the
operator CLI, the console and the benchmarks list flows from it, and a unit test checks every
declaration against `template.yaml` and the settings document.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass


@dataclass(frozen=True)
class Flow:
    name: str  # the package name under shared/flows/, the settings section, jobs' `flow`
    title: str  # e.g. "NetSuite sales orders -> Salesforce opportunities"
    seed: str  # the source document it implements, e.g. "002"
    sources: tuple[str, ...]  # the `source` of its jobs (Job.source), e.g. ("netsuite",)
    systems: tuple[str, ...]  # outside systems it calls, e.g. ("netsuite", "salesforce")
    functions: tuple[str, ...]  # logical ids in template.yaml
    queues: tuple[str, ...] = ()  # logical ids of its queues (each has a DLQ)
    schedules: tuple[str, ...] = ()  # logical ids of its functions that run on a schedule


def declared_flows() -> list[Flow]:
    """Every flow under `shared.flows`, in name order."""
    import shared.flows

    flows = []
    for module in pkgutil.iter_modules(shared.flows.__path__):
        if module.ispkg:
            declared = importlib.import_module(f"shared.flows.{module.name}").FLOW
            flows.append(declared)
    return sorted(flows, key=lambda flow: flow.name)
