"""End-to-end tier: the local stack started from template.yaml, driven over its public API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.stack import LocalStack

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with LocalStack(
        ROOT / "template.yaml",
        sandboxes=False,
        event_sources=False,  # the worker would consume what these tests inspect
        state_dir=tmp_path_factory.mktemp("local"),
        time_scale=0.01,
    ) as running:
        yield running
