"""Every flow declares itself (`shared.flow`), and its declaration matches the template, the
settings document and its own events: the operator's tools list flows from it."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

from devstack.template import load_yaml
from shared.flow import Flow, declared_flows
from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = load_yaml(ROOT / "template.yaml")["Resources"]
FLOWS = declared_flows()


def test_the_flows_packages_each_declare_one_flow() -> None:
    packages = sorted(
        p.name
        for p in (ROOT / "shared" / "flows").iterdir()
        if p.is_dir() and (p / "__init__.py").exists()
    )
    assert [flow.name for flow in FLOWS] == packages


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f.name)
def test_a_flow_names_resources_the_template_has(flow: Flow) -> None:
    for function in flow.functions:
        assert RESOURCES[function]["Type"] == "AWS::Serverless::Function", function
    for queue in flow.queues:
        assert "RedrivePolicy" in RESOURCES[queue]["Properties"], f"{queue} has no DLQ"
    for schedule in flow.schedules:
        events = RESOURCES[schedule]["Properties"]["Events"].values()
        assert any(e["Type"] == "Schedule" for e in events), f"{schedule} has no schedule"
        assert schedule in flow.functions


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f.name)
def test_a_flow_has_its_own_settings_section_with_a_switch(flow: Flow) -> None:
    section = Settings.model_fields[flow.name]
    assert "enabled" in section.annotation.model_fields  # type: ignore[union-attr]


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f.name)
def test_a_flows_events_name_it_so_its_jobs_are_found_by_flow(flow: Flow) -> None:
    events = importlib.import_module(f"shared.flows.{flow.name}.events")
    declaring = [
        cls
        for _, cls in inspect.getmembers(events, inspect.isclass)
        if cls.__module__ == events.__name__ and "SOURCE" in vars(cls)
    ]
    assert declaring
    for cls in declaring:
        assert flow.name == cls.FLOW
        assert cls.SOURCE in flow.sources


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f.name)
def test_a_flow_imports_no_other_flow(flow: Flow) -> None:
    others = {f.name for f in FLOWS} - {flow.name}
    for module in (ROOT / "shared" / "flows" / flow.name).rglob("*.py"):
        text = module.read_text()
        imported = re.findall(r"^\s*(?:from|import)\s+shared\.flows\.(\w+)", text, re.M)
        assert not set(imported) & others, module
